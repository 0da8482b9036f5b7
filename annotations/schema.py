"""What browsing adds to an archive: an index and planner statistics that keep
Datasette's listing, filters and facets fast on large archives. Idempotent and
cheap when there is nothing to do; writes queue on the archive's write lock."""

from __future__ import annotations

from capture.store import ensure_schema, write_transaction

from .tags import as_database

INDEXES = {
    # language facet and filter
    "idx_articles_lang": "create index if not exists idx_articles_lang on articles (lang)",
}
ANALYZED = ("articles", "article_tags", "tags")


def _needs_statistics(conn) -> bool:
    """No statistics, an index without them, or the archive grew or shrank a lot since."""
    if not conn.execute("select 1 from sqlite_master where name = 'sqlite_stat1'").fetchone():
        return True
    stats = dict(conn.execute("select idx, stat from sqlite_stat1 where tbl = 'articles'").fetchall())
    indexes = {r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'index' and tbl_name = 'articles' and sql is not null")}
    if not stats or indexes - set(stats):
        return True
    counted = int(next(iter(stats.values())).split()[0])
    now = conn.execute("select count(*) from articles").fetchone()[0]
    return now > counted * 1.25 + 100 or now < counted * 0.8


def ensure_indexes(db) -> None:
    """Create missing indexes and refresh SQLite's statistics when they are missing or stale.

    Without statistics SQLite guesses every index is equally selective and can
    pick the language index (a sixth of the archive) over the site index (a
    sixtieth) for `site_name = ? and lang = ?`."""
    d = as_database(db)
    ensure_schema(d)  # an archive opened with plain `datasette` gets the highlight columns too
    conn = d.conn
    existing = {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
    missing = [sql for name, sql in INDEXES.items() if name not in existing]
    if not missing and not _needs_statistics(conn):
        return
    with write_transaction(d):
        for sql in missing:
            conn.execute(sql)
        for table in ANALYZED:
            conn.execute(f"analyze {table}")
