"""Browsing costs the same on a big archive as on a small one: the listing's
counts and facets come from kept counts, searches and tag filters are
planned by their size, and big selections are estimated and say so.

The thresholds are lowered so a 120-article archive takes the paths a
million-article one does; the answers are checked against plain SQL."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import parse_qsl, urlsplit

import pytest

import archive_factory as factory
from annotations import estimate, plan, tags
from annotations.serve import load_metadata, make_datasette, prepare_archive

pytestmark = pytest.mark.timeout(90)
N = 120


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "archive.db"
    db = factory.build(path, N, shots=False)
    tags.add_tags(db, list(range(1, N + 1, 2)), ["odd"])
    tags.add_tags(db, list(range(1, N + 1, 5)), ["fives"])
    db.conn.close()
    prepare_archive(path)
    return path


@pytest.fixture
def ds(archive):
    return make_datasette(archive)


sql = factory.rows


def common_word(path) -> str:
    """A word in most articles."""
    counts = {}
    for (text,) in sql(path, "select text from articles"):
        for word in set(re.findall(r"[a-z]+", text.lower())):
            counts[word] = counts.get(word, 0) + 1
    return max(counts, key=counts.get)


async def listing(ds, query: str) -> dict:
    response = await ds.client.get(f"/archive/articles.json?_nocount=1&_shape=objects&{query}")
    assert response.status_code == 200, response.text
    return response.json()


def facet(data, name) -> dict:
    return {str(v["value"]): v["count"] for v in data["facet_results"][name]["results"]}


def page_count(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", re.search(r'<h2 class="pk-count">(.*?)</h2>', html, re.S).group(1))
                    .split())


async def test_the_listing_shows_kept_counts_not_recounts(ds, archive):
    html = (await ds.client.get("/archive/articles")).text
    assert page_count(html).startswith(f"{N} articles")
    conn = sqlite3.connect(archive)
    conn.execute("update facet_counts set n = 9999 where by_facet = '' and facet = ''")
    conn.commit()
    conn.close()
    try:
        assert page_count((await ds.client.get("/archive/articles")).text).startswith("9,999 articles")
    finally:
        conn = sqlite3.connect(archive)
        conn.execute(f"update facet_counts set n = {N} where by_facet = '' and facet = ''")
        conn.commit()
        conn.close()


@pytest.mark.parametrize("query,where", [
    ("", "1"),
    ("site_name=Coastal+Times", "site_name = 'Coastal Times'"),
    ("lang=de", "lang = 'de'"),
    ("_tag=odd", "id in (select article_id from article_tags at join tags t on t.id = at.tag_id where t.name = 'odd')"),
    ("_untagged=1", "id not in (select article_id from article_tags)"),
    ("site_name=Metro+Daily&lang=en", "site_name = 'Metro Daily' and lang = 'en'"),
])
async def test_counts_and_facets_match_a_recount(ds, archive, query, where):
    data = await listing(ds, query)
    truth = dict(sql(archive, f"select site_name, count(*) from articles where {where} group by 1"))
    assert facet(data, "site_name") == {k: v for k, v in truth.items()}
    truth = dict(sql(archive, f"select lang, count(*) from articles where {where} group by 1"))
    assert facet(data, "lang") == truth
    days = dict(sql(archive, f"select substr(captured_at, 1, 10), count(*) from articles where {where} group by 1"))
    shown = facet(data, "captured_at")
    assert shown == {d: days[d] for d in sorted(days, reverse=True)[:len(shown)]} and shown
    tagged = dict(sql(archive, f"select t.name, count(*) from article_tags at join tags t on t.id = at.tag_id "
                               f"where at.article_id in (select id from articles where {where}) group by 1"))
    untagged = sql(archive, f"select count(*) from articles where {where} "
                            f"and id not in (select article_id from article_tags)")[0][0]
    assert facet(data, "tags") == {**tagged, **({"None": untagged} if untagged else {})}
    assert not any(f.get("estimated") for f in data["facet_results"].values())
    html = (await ds.client.get(f"/archive/articles?{query}")).text
    total = sql(archive, f"select count(*) from articles where {where}")[0][0]
    assert page_count(html).startswith(f"{total:,} article")


@pytest.mark.parametrize("list_hits", [0, 10_000])
@pytest.mark.parametrize("tag", ["odd", ""])
async def test_searches_list_the_same_rows_whichever_way_they_are_planned(ds, archive, monkeypatch, list_hits, tag):
    monkeypatch.setattr(plan, "LIST_HITS", list_hits)
    word = common_word(archive)
    tagged = {r[0] for r in sql(archive, "select article_id from article_tags at join tags t on t.id = at.tag_id "
                                         "where t.name = ?", [tag])}
    expected = [r[0] for r in sql(archive, "select rowid from articles_fts where articles_fts match ? "
                                           "order by rowid desc", [word]) if not tag or r[0] in tagged]
    base = f"_search={word}&_size=20" + (f"&_tag={tag}" if tag else "")
    seen, query = [], base
    while True:
        data = await listing(ds, query)
        seen += [r["id"] for r in data["rows"]]
        if not data["next"]:
            break
        query = f"{base}&_next={data['next']}"
    assert seen == expected and seen


async def test_links_keep_the_search_and_leave_out_internal_arguments(ds, archive):
    word = common_word(archive)
    html = (await ds.client.get(f"/archive/articles?_search={word}&_size=10")).text
    links = [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]*articles[^"]*\?[^"]*)"', html)]
    assert links
    for link in links:
        args = dict(parse_qsl(urlsplit(link).query))
        assert "_nocount" not in args and "_col" not in args, link
    facet_links = re.findall(r'href="([^"]*site_name=[^"]*)"', html)
    assert facet_links and all(f"_q={word}" in link for link in facet_links)
    next_link = urlsplit(re.search(r'class="pk-next"><a href="([^"]+)"', html).group(1).replace("&amp;", "&"))
    second = (await ds.client.get(f"{next_link.path}?{next_link.query}")).text
    ids = [int(i) for i in re.findall(r'<tr data-article-id="(\d+)"', second)]
    expected = [r[0] for r in sql(archive, "select rowid from articles_fts where articles_fts match ? "
                                           "order by rowid desc limit 10 offset 10", [word])]
    assert ids == expected
    assert f'value="{word}"' in second and second.count('name="_q"') == 0  # one search box, no stale hidden copy


async def test_big_selections_are_estimated_and_said_to_be(ds, archive, monkeypatch):
    for name, value in (("EXACT_LIMIT", 10), ("SAMPLE_HITS", 30), ("BLOCKS", 4), ("FIRST_BLOCK", 4)):
        monkeypatch.setattr(estimate, name, value)
    monkeypatch.setattr(plan, "LIST_HITS", 10)
    word = common_word(archive)
    where = "id in (select rowid from articles_fts where articles_fts match ?) and lang = 'en'"
    total = sql(archive, f"select count(*) from articles where {where}", [word])[0][0]
    html = (await ds.client.get(f"/archive/articles?_search={word}&lang=en")).text
    shown = page_count(html)
    about = int(re.match(r"about ([\d,]+) articles", shown).group(1).replace(",", ""))
    assert 0.6 * total <= about <= 1.4 * total, (about, total)
    assert "≈" in html.split('id="facet-site_name"')[1].split("</div>")[0]
    data = await listing(ds, f"_search={word}&lang=en")
    assert data["facet_results"]["site_name"]["estimated"]
    # the days shown are the newest; days small enough to read whole are counted exactly
    days = dict(sql(archive, f"select substr(captured_at, 1, 10), count(*) from articles where {where} group by 1",
                    [word]))
    shown_days = facet(data, "captured_at")
    assert shown_days == {d: days[d] for d in sorted(days, reverse=True)[:len(shown_days)]} and shown_days
    assert not data["facet_results"]["captured_at"]["estimated"]
    monkeypatch.setattr(estimate, "DAY_RUN", 1)  # bigger days are sampled, and say so
    sampled = (await listing(ds, f"_search={word}&lang=en"))["facet_results"]["captured_at"]
    shown_days = [v["value"] for v in sampled["results"]]
    assert sampled["estimated"] and shown_days == sorted(shown_days, reverse=True) and set(shown_days) <= set(days)


async def test_small_selections_are_counted_exactly(ds, archive, monkeypatch):
    for name, value in (("EXACT_LIMIT", 50), ("BLOCKS", 4), ("FIRST_BLOCK", 4)):
        monkeypatch.setattr(estimate, name, value)
    word = "1"  # bylines "Reporter 1" and the title of story 1
    where = "id in (select rowid from articles_fts where articles_fts match ?) and site_name != 'Metro Daily'"
    total = sql(archive, f"select count(*) from articles where {where}", [word])[0][0]
    assert 0 < total <= 50
    html = (await ds.client.get(f"/archive/articles?_search={word}&site_name__not=Metro+Daily")).text
    assert page_count(html).startswith(f"{total} article")
    data = await listing(ds, f"_search={word}&site_name__not=Metro+Daily")
    assert facet(data, "lang") == dict(sql(archive, f"select lang, count(*) from articles where {where} group by 1",
                                           [word]))


async def test_canned_queries_read_the_kept_counts(ds, archive):
    async def q(name):
        return (await ds.client.get(f"/archive/{name}.json?_shape=array&_size=max")).json()

    per_day = {(r["day"], r["site_name"]): r["captures"] for r in await q("captures_per_site_per_day")}
    assert per_day == {(d, s): n for d, s, n in sql(
        archive, "select substr(captured_at, 1, 10), site_name, count(*) from articles group by 1, 2")}
    assert {r["tag"]: r["articles"] for r in await q("tag_counts")} == {"odd": N // 2, "fives": N // 5}


async def test_json_counts_exactly_as_datasette_does_unless_told_not_to(ds, archive, monkeypatch):
    monkeypatch.setattr(plan, "LIST_HITS", 0)  # a search big enough to be walked on the listing
    word = common_word(archive)
    total = sql(archive, "select count(*) from articles_fts where articles_fts match ?", [word])[0][0]
    data = (await ds.client.get(f"/archive/articles.json?_search={word}")).json()
    assert data["filtered_table_rows_count"] == total
    assert (await ds.client.get(f"/archive/articles.json?_search={word}&_nocount=1")).json()[
        "filtered_table_rows_count"] is None


def whole_table_reads(conn, query: str, params=()) -> list[str]:
    """The plan's steps that read a table row by row, end to end: no index, not a subquery's own result."""
    steps = [r[3] for r in conn.execute("explain query plan " + query, params)]
    results = {m.group(1) for s in steps if (m := re.match(r"(?:MATERIALIZE|CO-ROUTINE) (\w+)", s))}
    return [s for s in steps if (m := re.fullmatch(r"SCAN (\w+)", s)) and m.group(1) not in results]


def configured(archive) -> dict:
    return load_metadata("archive")["databases"]["archive"]


def test_canned_queries_read_through_indexes(archive):
    conn = sqlite3.connect(archive)
    for name, query in configured(archive)["queries"].items():
        params = {p: "x" for p in re.findall(r":(\w+)", query["sql"])}
        assert whole_table_reads(conn, query["sql"], params) == [], name


def test_table_pages_count_facet_and_sort_from_indexes(archive):
    conn = sqlite3.connect(archive)
    tables = set(sql(archive, "select name from sqlite_master where type = 'table'"))
    for table, options in configured(archive)["tables"].items():
        if (table,) not in tables:  # views: their tables' indexes serve them
            continue
        for column in [f for f in options.get("facets", []) if isinstance(f, str)]:
            steps = whole_table_reads(conn, f"select {column}, count(*) from {table} group by 1")
            assert steps == [], (table, column)
        if sort := options.get("sort") or options.get("sort_desc"):
            query = f"explain query plan select * from {table} order by {sort} desc limit 50"
            steps = [r[3] for r in conn.execute(query)]
            assert not any("TEMP B-TREE" in s for s in steps), (table, sort, steps)
    for (table,) in sql(archive, "select name from sqlite_master where type = 'table' and name not like '%fts%' "
                                 "and sql like '%BLOB%'"):  # a count of images, pages or archives reads an index
        assert whole_table_reads(conn, f"select count(*) from {table}") == [], table
