"""Kept facet counts: how many articles per site, language, capture day and
tag, overall and under any one of those values, maintained by triggers.

Counting facets at browse time costs time in proportion to the archive; a
listing of a million articles would take seconds. So the archive keeps the
counts itself, in `facet_counts`, updated by triggers in the same
transaction as the capture or tag change that moves them (a capture adds
ten small upserts). One row per (filter, value):

    by_facet, by_value   the filter: ('', '') for the whole archive, or one
                         facet value such as ('site', 'The Herald'), ('tag', '12')
    facet, value         the counted value; ('', '') counts articles
    n                    articles

Facets are `site` (site_name), `lang`, `day` (the UTC day of captured_at),
`tag` (a tag id, as text) and `tagged` ('1' for articles with any tag).

Triggers are versioned by name: an archive whose triggers are missing or
older (one made before kept counts, or a bulk load that switched them off)
gets them and a full rebuild of the counts, once, when it is opened.
"""

from __future__ import annotations

import sqlite3

VERSION = 1
PREFIX = "facet_counts_v"
TRIGGER_PREFIX = f"{PREFIX}{VERSION}_"

# facet: its value in an articles row {r}
DIMENSIONS = {"site": "{r}.site_name", "lang": "{r}.lang", "day": "substr({r}.captured_at, 1, 10)"}

TABLE_SQL = """
create table if not exists facet_counts (
    by_facet text not null,
    by_value text not null,
    facet text not null,
    value text not null,
    n integer not null,
    primary key (by_facet, by_value, facet, value)
) without rowid
"""

_UPSERT = ("insert into facet_counts (by_facet, by_value, facet, value, n) select bf, bv, f, v, {delta} "
           "from ({rows}) where true "
           "on conflict (by_facet, by_value, facet, value) do update set n = n + excluded.n")


def _dims(row: str) -> str:
    """(f, v) for the article `row` (new/old in a trigger, or a subquery alias)."""
    parts = [f"select '{name}' as f, {expr.format(r=row)} as v" for name, expr in DIMENSIONS.items()]
    return " union all ".join(parts)


def _article_dims(article_id: str) -> str:
    """(f, v) for the article with this id, read from articles."""
    parts = [f"select '{name}' as f, (select {expr.format(r='articles')} from articles where id = {article_id}) as v"
             for name, expr in DIMENSIONS.items()]
    return " union all ".join(parts)


def _article_rows(row: str, with_tags: bool) -> str:
    """What one article row adds to the counts: the total, its values, and pairs of its values;
    with_tags, also pairs with the tags it has, so a changed site or day moves them too (a new
    article has no tags yet, and a deleted one has lost them to article_delete_links)."""
    dims = f"select f, v from ({_dims(row)}) where v is not null"
    rows = (f"select '' as bf, '' as bv, '' as f, '' as v "
            f"union all select '', '', f, v from ({dims}) "
            f"union all select a.f, a.v, b.f, b.v from ({dims}) a, ({dims}) b where a.f != b.f")
    if not with_tags:
        return rows
    links = (f"select 'tag' as f, cast(tag_id as text) as v from article_tags where article_id = {row}.id "
             f"union all select 'tagged', '1' where exists (select 1 from article_tags where article_id = {row}.id)")
    return (f"select a.f as bf, a.v as bv, b.f as f, b.v as v from ({dims}) a, ({links}) b "
            f"union all select b.f, b.v, a.f, a.v from ({dims}) a, ({links}) b")


def _link_rows(row: str) -> str:
    """What one (article, tag) link adds: the tag, the tag paired with the article's values and
    other tags, and, when it is the article's first tag, the article becoming tagged."""
    tag = f"cast({row}.tag_id as text)"
    dims = f"select f, v from ({_article_dims(f'{row}.article_id')}) where v is not null"
    others = (f"select 'tag' as f, cast(tag_id as text) as v from article_tags "
              f"where article_id = {row}.article_id and tag_id != {row}.tag_id")
    return (f"select '' as bf, '' as bv, 'tag' as f, {tag} as v "
            f"union all select 'tag', {tag}, f, v from ({dims}) "
            f"union all select f, v, 'tag', {tag} from ({dims}) "
            f"union all select 'tag', {tag}, f, v from ({others}) "
            f"union all select f, v, 'tag', {tag} from ({others})")


def _tagged_rows(row: str) -> str:
    dims = f"select f, v from ({_article_dims(f'{row}.article_id')}) where v is not null"
    return (f"select '' as bf, '' as bv, 'tagged' as f, '1' as v "
            f"union all select 'tagged', '1', f, v from ({dims}) "
            f"union all select f, v, 'tagged', '1' from ({dims})")


def _trigger(name: str, when: str, body: list[str]) -> str:
    return f"create trigger {TRIGGER_PREFIX}{name} {when} begin {'; '.join(body)}; end"


def trigger_sql() -> list[str]:
    tagged_after_insert = ("(select count(*) from article_tags where article_id = new.article_id) = 1")
    untagged_after_delete = ("not exists (select 1 from article_tags where article_id = old.article_id)")
    return [
        _trigger("article_insert", "after insert on articles",
                 [_UPSERT.format(delta=1, rows=_article_rows("new", False))]),
        # An article's tags go with it (what a cascading foreign key would do), which keeps their counts right.
        _trigger("article_delete_links", "before delete on articles",
                 ["delete from article_tags where article_id = old.id"]),
        _trigger("article_delete", "after delete on articles",
                 [_UPSERT.format(delta=-1, rows=_article_rows("old", False))]),
        _trigger("article_update", "after update of site_name, lang, captured_at on articles",
                 [_UPSERT.format(delta=-1, rows=_article_rows("old", False)),
                  _UPSERT.format(delta=-1, rows=_article_rows("old", True)),
                  _UPSERT.format(delta=1, rows=_article_rows("new", False)),
                  _UPSERT.format(delta=1, rows=_article_rows("new", True))]),
        _trigger("link_insert", "after insert on article_tags",
                 [_UPSERT.format(delta=1, rows=_link_rows("new")),
                  _UPSERT.format(delta=1, rows=f"select * from ({_tagged_rows('new')}) where {tagged_after_insert}")]),
        _trigger("link_delete", "after delete on article_tags",
                 [_UPSERT.format(delta=-1, rows=_link_rows("old")),
                  _UPSERT.format(delta=-1, rows=f"select * from ({_tagged_rows('old')}) where {untagged_after_delete}")]),
        _trigger("link_update", "after update on article_tags",
                 [_UPSERT.format(delta=-1, rows=_link_rows("old")),
                  _UPSERT.format(delta=-1, rows=f"select * from ({_tagged_rows('old')}) where {untagged_after_delete}"),
                  _UPSERT.format(delta=1, rows=_link_rows("new")),
                  _UPSERT.format(delta=1, rows=f"select * from ({_tagged_rows('new')}) where {tagged_after_insert}")]),
    ]


def applicable(conn: sqlite3.Connection) -> bool:
    """The archive has what the counts are of (a partial, hand-made one may not)."""
    columns = {r[1] for r in conn.execute("pragma table_info(articles)")}
    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    return {"id", "site_name", "lang", "captured_at"} <= columns and "article_tags" in tables


def is_current(conn: sqlite3.Connection) -> bool:
    names = {r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'trigger' and name like ? escape '\\'",
        [PREFIX.replace("_", "\\_") + "%"])}
    return len(names) == len(trigger_sql()) and all(n.startswith(TRIGGER_PREFIX) for n in names)


def install(conn: sqlite3.Connection) -> None:
    """Create the table and current triggers and count everything afresh (inside the caller's transaction)."""
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger' and name like ? escape '\\'",
                                [PREFIX.replace("_", "\\_") + "%"]).fetchall():
        conn.execute(f"drop trigger [{name}]")
    conn.execute(TABLE_SQL)
    for sql in trigger_sql():
        conn.execute(sql)
    rebuild(conn)


def rebuild(conn: sqlite3.Connection) -> None:
    """Count everything from the articles and their tags: one read of each index involved."""
    conn.execute("delete from facet_counts")
    conn.execute("drop table if exists temp.pk_facts")
    conn.execute("create temp table pk_facts (id integer not null, f text not null, v text not null)")
    for name, expr in DIMENSIONS.items():
        # each from a covering index where there is one: the captured_at index, not the wide rows
        expr = expr.format(r="articles")
        conn.execute(f"insert into temp.pk_facts select id, '{name}', {expr} from articles where {expr} is not null")
    conn.execute("insert into temp.pk_facts select article_id, 'tag', cast(tag_id as text) from article_tags")
    conn.execute("insert into temp.pk_facts select distinct article_id, 'tagged', '1' from article_tags")
    conn.execute("create index temp.pk_facts_id on pk_facts (id, f, v)")
    conn.execute("insert into facet_counts select '', '', '', '', count(*) from articles")
    conn.execute("insert into facet_counts select '', '', f, v, count(*) from temp.pk_facts group by f, v")
    # pairs: every two values of one article, except tag with 'tagged' (implied) and a value with itself
    conn.execute("""
        insert into facet_counts
        select a.f, a.v, b.f, b.v, count(*) from temp.pk_facts a join temp.pk_facts b on b.id = a.id
        where not (a.f = b.f and a.v = b.v)
          and not (a.f = 'tag' and b.f = 'tagged') and not (a.f = 'tagged' and b.f = 'tag')
          and not (a.f = b.f and a.f != 'tag')
        group by a.f, a.v, b.f, b.v
    """)
    conn.execute("drop table temp.pk_facts")
