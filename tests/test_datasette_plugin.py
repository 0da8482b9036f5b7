"""The Datasette side of pagekeep through Datasette's in-process client:
routes, permissions and CSRF, the tag facet and filter, bulk tagging,
the screenshot route, canned queries and metadata. Real SQLite archives,
built with capture.store.save_capture."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import urlencode

import pytest

import archive_factory as factory
from annotations import tags
from annotations.serve import make_datasette, prepare_archive
from capture import store

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def archive(tmp_path):
    """Six stories on three sites, a re-capture of story 0, a failed attempt; tagged and noted a little."""
    path = tmp_path / "archive.db"
    db = factory.build(path, 6)
    factory.add_article(db, 6, url=factory.record(0)["url"], title="Story 0 (updated)")  # id 7
    factory.add_failure(db, factory.record(0)["url"], "2025-03-05T10:00:00Z")
    tags.add_tags(db, [1, 2], ["climate"])
    tags.add_tags(db, [2], ["floods"])
    tags.add_note(db, 1, "Check the figures", quote="council budget", author="root")
    db.conn.close()
    prepare_archive(path)
    return path


@pytest.fixture
def ds(archive):
    return make_datasette(archive)


rows = factory.rows


def article_tags(path, article_id):
    return sorted(r[0] for r in rows(
        path, "select t.name from article_tags at join tags t on t.id = at.tag_id where at.article_id = ?",
        [article_id]))


def logged_in(ds, actor_id="root"):
    return {"ds_actor": ds.sign({"a": {"id": actor_id}}, "actor")}


async def form_token(ds, cookies, path="/archive/articles/1"):
    """What a browser does: load a page with a form, keep the CSRF cookie, read the hidden field."""
    page = await ds.client.get(path, cookies=cookies)
    assert page.status_code == 200
    match = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert match, "page has no write form"
    return match.group(1), {**cookies, "ds_csrftoken": page.cookies["ds_csrftoken"]}


# ------------------------------------------------------------------ browsing

async def test_articles_table_lists_thumbnails_titles_tags_newest_first(ds):
    response = await ds.client.get("/archive/articles")
    assert response.status_code == 200
    html = response.text
    ids = [int(i) for i in re.findall(r'<tr data-article-id="(\d+)"', html)]
    assert ids == [7, 6, 5, 4, 3, 2, 1]  # captured_at descending
    assert '<img src="/-/pagekeep/archive/shots/7/thumb"' in html
    assert '<a class="pk-title" href="/archive/articles/2">Story 1:' in html
    row2 = html.split('<tr data-article-id="2">')[1].split("</tr>")[0]
    assert ">climate</a>" in row2 and ">floods</a>" in row2
    assert "Coastal Times" in row2 and "Reporter 1" in row2
    assert "data:image" not in html  # thumbnails are served by the route, never inlined
    # facets by site, tag, capture day and language, and the search box
    for facet in ("Site", "Tag", "Capture day", "Language"):
        assert f"<h3>{facet}" in html
    assert 'name="_search"' in html
    assert "?_tag=climate" in html and "_day=2025-03-01" in html


async def test_table_search_and_facet_filters(ds, archive):
    word = factory.record(3)["text"].split()[5].strip(".,").lower()
    expected = {r[0] for r in rows(archive, "select rowid from articles_fts where articles_fts match ?", [word])}
    data = (await ds.client.get(f"/archive/articles.json?_search={word}&_shape=array&_col=title")).json()
    assert {r["id"] for r in data} == expected and expected
    tagged = (await ds.client.get("/archive/articles.json?_tag=climate&_shape=array")).json()
    assert sorted(r["id"] for r in tagged) == [1, 2]
    both = (await ds.client.get("/archive/articles.json?_tag=CLIMATE&_tag=floods&_shape=array")).json()
    assert [r["id"] for r in both] == [2]
    untagged = (await ds.client.get("/archive/articles.json?_untagged=1&_shape=array")).json()
    assert sorted(r["id"] for r in untagged) == [3, 4, 5, 6, 7]
    day = factory.record(0)["captured_at"][:10]
    expected_day = [r[0] for r in rows(archive, "select id from articles where substr(captured_at, 1, 10) = ? "
                                                "order by id desc", [day])]
    by_day = (await ds.client.get(f"/archive/articles.json?_day={day}&_shape=array")).json()
    assert [r["id"] for r in by_day] == expected_day and expected_day
    assert (await ds.client.get("/archive/articles.json?_day=nonsense&_shape=array")).json() == []
    lang = (await ds.client.get("/archive/articles?lang=de")).text
    assert 'class="pk-selected">de' in lang
    page = (await ds.client.get("/archive/articles?_tag=climate")).text
    assert "tagged “climate”" in page
    facet = page.split('id="facet-tags"')[1].split("</div>")[0]
    assert "climate" in facet and 'class="pk-selected"' in facet


async def test_row_page_reads_like_an_archive_record(ds):
    response = await ds.client.get("/archive/articles/1")
    assert response.status_code == 200
    html = response.text
    rec = factory.record(0)
    assert f"<h1>{rec['title']}</h1>" in html
    assert '<img src="/-/pagekeep/archive/shots/1/article"' in html
    assert 'class="pk-fullpage" href="/-/pagekeep/archive/shots/1/page"' in html
    body = html.split('id="pk-body"')[1].split("</div>")[0]
    starts = [0]
    for p in rec["text"].split("\n\n")[:-1]:
        starts.append(starts[-1] + len(p) + 2)
    # each paragraph knows its offset into the text, so a selection maps to highlight offsets
    assert all(f'<p data-pk-start="{s}">{p}</p>' in body for s, p in zip(starts, rec["text"].split("\n\n")))
    history = html.split('class="pk-history"')[1].split("</section>")[0]
    assert "(this capture)" in history and 'href="/archive/articles/7"' in history
    assert "failed (timeout)" in history
    assert "Coastal Times" not in html.split('class="pk-meta"')[0].split("pk-site")[0]
    assert ">climate</a>" in html.split('class="pk-tags"')[1].split("</section>")[0]
    notes = html.split('class="pk-notes"')[1].split("</section>")[0]
    assert "council budget" in notes and "Check the figures" in notes
    assert "Riverside Herald" in html and "trafilatura" in html  # metadata
    # anonymous readers get no write forms
    assert 'name="csrftoken"' not in html and "log in" in html.lower()
    assert "<strong>Clean text</strong>" in html
    formatted = (await ds.client.get("/archive/articles/1?view=html")).text
    assert "<strong>Formatted</strong>" in formatted
    assert all(f"<p>{p}</p>" in formatted for p in rec["text"].split("\n\n"))


async def test_article_pages_send_a_strict_csp_and_nonce_every_inline_script(ds):
    for path in ("/archive/articles", "/archive/articles/1"):
        response = await ds.client.get(path)
        csp = response.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        assert "default-src 'none'" in csp and "object-src 'none'" in csp and "unsafe-inline" not in csp.split(";")[1]
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.text)
        assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
        assert response.headers["x-content-type-options"] == "nosniff"
    # other Datasette pages are left alone
    assert "content-security-policy" not in (await ds.client.get("/archive/tags")).headers


# ------------------------------------------------------------------ screenshots and static files

async def test_screenshot_route_content_type_and_cache_headers(ds, archive):
    for kind, size in (("thumb", (320, 200)), ("article", (800, 1100)), ("page", (1280, 2400))):
        response = await ds.client.get(f"/-/pagekeep/archive/shots/2/{kind}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        assert response.content[:3] == b"\xff\xd8\xff"
        stored = rows(archive, "select image from screenshots where article_id = 2 and kind = ?", [kind])[0][0]
        assert response.content == stored
        assert "max-age" in response.headers["cache-control"]
        etag = response.headers["etag"]
        again = await ds.client.get(f"/-/pagekeep/archive/shots/2/{kind}", headers={"if-none-match": etag})
        assert again.status_code == 304 and again.content == b""
    assert (await ds.client.get("/-/pagekeep/archive/shots/999/thumb")).status_code == 404
    assert (await ds.client.get("/-/pagekeep/archive/shots/2/other")).status_code == 404  # no such route
    assert (await ds.client.get("/-/pagekeep/nosuchdb/shots/2/thumb")).status_code == 404


async def test_thumb_falls_back_and_odd_image_types_are_not_served(tmp_path):
    db = store.connect(tmp_path / "odd.db")
    png = factory.jpeg(64, 40)  # bytes do not matter for the type check
    only_article = store.save_capture(db, factory.record(1), [
        {"kind": "article", "mime": "image/png", "width": 64, "height": 40, "image": png}], None,
        {"url": "https://x.example/1", "started_at": "2025-01-01T00:00:00Z", "seconds": 1.0})
    svg = store.save_capture(db, factory.record(2), [
        {"kind": "thumb", "mime": "image/svg+xml", "width": 1, "height": 1,
         "image": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'}], None,
        {"url": "https://x.example/2", "started_at": "2025-01-01T00:00:00Z", "seconds": 1.0})
    db.conn.close()
    ds = make_datasette(tmp_path / "odd.db")
    response = await ds.client.get(f"/-/pagekeep/odd/shots/{only_article}/thumb")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert (await ds.client.get(f"/-/pagekeep/odd/shots/{svg}/thumb")).status_code == 415


async def test_static_assets(ds):
    css = await ds.client.get("/-/pagekeep/static/pagekeep.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = await ds.client.get("/-/pagekeep/static/pagekeep.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    for path in ("/-/pagekeep/static/..%2Fweb.py", "/-/pagekeep/static/plugin.py", "/-/pagekeep/static/.."):
        response = await ds.client.get(path)
        assert response.status_code in (302, 404) and "hookimpl" not in response.text


# ------------------------------------------------------------------ permissions and writes

async def test_anonymous_writes_are_refused(ds, archive):
    before = rows(archive, "select * from article_tags order by 1, 2")
    for path, data in (
        ("/-/pagekeep/archive/articles/3/tags", {"tag": "spam"}),
        ("/-/pagekeep/archive/articles/1/tags/remove", {"tag": "climate"}),
        ("/-/pagekeep/archive/articles/3/notes", {"body": "spam"}),
        ("/-/pagekeep/archive/articles/1/notes/1/delete", {}),
        ("/-/pagekeep/archive/bulk-tags", {"tag": "spam", "query": "site_name=Metro+Daily"}),
    ):
        response = await ds.client.post(path, data=data)
        assert response.status_code == 403, path
        json_response = await ds.client.post(path, data=data, headers={"accept": "application/json"})
        assert json_response.status_code == 403 and json_response.json()["ok"] is False
    assert rows(archive, "select * from article_tags order by 1, 2") == before
    assert rows(archive, "select count(*) from notes") == [(1,)]


async def test_writes_without_csrf_token_are_refused(ds, archive):
    cookies = logged_in(ds)
    _, with_csrf_cookie = await form_token(ds, cookies)
    # a cross-site form post carries the cookies but cannot know the token
    for data in ({"tag": "spam"}, {"tag": "spam", "csrftoken": "forged"}):
        response = await ds.client.post("/-/pagekeep/archive/articles/3/tags", data=data, cookies=with_csrf_cookie)
        assert response.status_code == 403
    json_post = await ds.client.post("/-/pagekeep/archive/articles/3/tags", json={"tag": "spam"},
                                      cookies=with_csrf_cookie)
    assert json_post.status_code == 403
    assert article_tags(archive, 3) == []


async def test_root_login_link_then_tag_untag_and_note(ds, archive):
    login = await ds.client.get(f"/-/auth-token?token={ds._root_token}")
    assert login.status_code == 302
    cookies = {"ds_actor": login.cookies["ds_actor"]}
    token, cookies = await form_token(ds, cookies, "/archive/articles/3")

    added = await ds.client.post("/-/pagekeep/archive/articles/3/tags",
                                 data={"tag": "Elections, ports", "csrftoken": token}, cookies=cookies)
    assert added.status_code == 302 and added.headers["location"] == "/archive/articles/3"
    assert article_tags(archive, 3) == ["Elections", "ports"]
    # existing tags are reused whatever the case; the page shows them and offers autocomplete
    await ds.client.post("/-/pagekeep/archive/articles/3/tags", data={"tag": "CLIMATE", "csrftoken": token},
                         cookies=cookies)
    assert article_tags(archive, 3) == ["Elections", "climate", "ports"]
    page = (await ds.client.get("/archive/articles/3", cookies=cookies)).text
    assert '<datalist id="pk-tag-names">' in page and '<option value="floods">' in page
    # the redirect carries a flash message for the next page
    shown = await ds.client.get("/archive/articles/3", cookies={**cookies, "ds_messages": added.cookies["ds_messages"]})
    assert "Tagged “Elections, ports”" in shown.text

    removed = await ds.client.post("/-/pagekeep/archive/articles/3/tags/remove",
                                   data={"tag": "ports", "csrftoken": token}, cookies=cookies)
    assert removed.status_code == 302
    assert article_tags(archive, 3) == ["Elections", "climate"]
    assert rows(archive, "select count(*) from tags where name = 'ports'") == [(0,)]  # unused tags go

    note = await ds.client.post("/-/pagekeep/archive/articles/3/notes",
                                data={"body": "Compare with the\nminutes", "quote": "  the   vote ",
                                      "csrftoken": token},
                                cookies=cookies, headers={"accept": "application/json"})
    assert note.status_code == 200 and note.json()["ok"] is True
    stored = rows(archive, "select body, quote, author from notes where article_id = 3")
    assert stored == [("Compare with the\nminutes", "the vote", "root")]
    empty = await ds.client.post("/-/pagekeep/archive/articles/3/notes", data={"body": " ", "csrftoken": token},
                                 cookies=cookies, headers={"accept": "application/json"})
    assert empty.status_code == 400
    note_id = note.json()["note_id"]
    deleted = await ds.client.post(f"/-/pagekeep/archive/articles/3/notes/{note_id}/delete",
                                   data={"csrftoken": token}, cookies=cookies)
    assert deleted.status_code == 302
    assert rows(archive, "select count(*) from notes where article_id = 3") == [(0,)]
    missing = await ds.client.post("/-/pagekeep/archive/articles/999/tags", data={"tag": "x", "csrftoken": token},
                                   cookies=cookies)
    assert missing.status_code == 404


async def test_redirects_stay_on_this_server(ds):
    cookies = logged_in(ds)
    token, cookies = await form_token(ds, cookies)
    for target, expected in (("/archive/articles?_tag=climate", "/archive/articles?_tag=climate"),
                             ("https://evil.example/", "/archive/articles/4"),
                             ("//evil.example/", "/archive/articles/4")):
        response = await ds.client.post("/-/pagekeep/archive/articles/4/tags",
                                        data={"tag": "x", "next": target, "csrftoken": token}, cookies=cookies)
        assert response.headers["location"] == expected


async def test_allow_write_config_limits_who_may_write(archive):
    ds = make_datasette(archive)
    ds._metadata_local.setdefault("plugins", {})["pagekeep"] = {"allow_write": {"id": ["alice"]}}
    bob = logged_in(ds, "bob")
    page = (await ds.client.get("/archive/articles/1", cookies=bob)).text
    assert "pk-addtag" not in page and "pk-addnote" not in page
    alice = logged_in(ds, "alice")
    token, alice = await form_token(ds, alice)
    ok = await ds.client.post("/-/pagekeep/archive/articles/5/tags", data={"tag": "a", "csrftoken": token},
                              cookies=alice)
    assert ok.status_code == 302
    refused = await ds.client.post("/-/pagekeep/archive/articles/5/tags", data={"tag": "b", "csrftoken": token},
                                   cookies={**alice, "ds_actor": bob["ds_actor"]})
    assert refused.status_code == 403
    assert article_tags(archive, 5) == ["a"]


async def test_bulk_tag_reruns_the_filter_and_search(ds, archive):
    query = "site_name=Coastal+Times"
    page = (await ds.client.get(f"/archive/articles?{query}", cookies=logged_in(ds))).text
    assert "Tag all 2 matching articles" in page
    assert re.search(r'name="query" value="([^"]*)"', page).group(1) == query
    token, cookies = await form_token(ds, logged_in(ds), f"/archive/articles?{query}")
    response = await ds.client.post("/-/pagekeep/archive/bulk-tags",
                                    data={"query": query, "tag": "coast", "action": "add", "csrftoken": token},
                                    cookies=cookies)
    assert response.status_code == 302
    assert response.headers["location"] == f"/archive/articles?{query}"
    coastal = [r[0] for r in rows(archive, "select id from articles where site_name = 'Coastal Times'")]
    tagged = [r[0] for r in rows(archive, "select article_id from article_tags at join tags t on t.id = at.tag_id "
                                          "where t.name = 'coast' order by 1")]
    assert tagged == sorted(coastal)

    # a search result, combined with a tag filter, then removal in bulk
    word = factory.record(4)["text"].split()[3].strip(".,").lower()
    matching = {r[0] for r in rows(archive, "select rowid from articles_fts where articles_fts match ?", [word])}
    search_query = urlencode({"_search": word})
    await ds.client.post("/-/pagekeep/archive/bulk-tags",
                         data={"query": search_query, "tag": "found", "csrftoken": token}, cookies=cookies)
    assert {r[0] for r in rows(archive, "select article_id from article_tags at join tags t on t.id = at.tag_id "
                                        "where t.name = 'found'")} == matching
    await ds.client.post("/-/pagekeep/archive/bulk-tags",
                         data={"query": "_tag=found&" + query, "tag": "found", "action": "remove",
                               "csrftoken": token}, cookies=cookies)
    left = {r[0] for r in rows(archive, "select article_id from article_tags at join tags t on t.id = at.tag_id "
                                        "where t.name = 'found'")}
    assert left == matching - set(coastal)


async def test_bulk_tag_pages_through_large_selections(tmp_path):
    db = store.connect(tmp_path / "big.db")
    for i in range(1200):  # more than one page of Datasette's max_returned_rows (1000)
        factory.add_article(db, i, shots=False, site_name="Big" if i % 2 else "Small")
    db.conn.close()
    ds = make_datasette(tmp_path / "big.db")
    token, cookies = await form_token(ds, logged_in(ds), "/big/articles?site_name=Big")
    response = await ds.client.post("/-/pagekeep/big/bulk-tags",
                                    data={"query": "site_name=Big", "tag": "big", "csrftoken": token},
                                    cookies=cookies, headers={"accept": "application/json"})
    assert response.json()["matched"] == 600 == response.json()["changed"]
    assert rows(tmp_path / "big.db", "select count(*) from article_tags") == [(600,)]


# ------------------------------------------------------------------ queries and metadata

async def test_canned_queries(ds, archive):
    async def q(name, **params):
        response = await ds.client.get(f"/archive/{name}.json?_shape=array&{urlencode(params)}")
        assert response.status_code == 200, response.text
        return response.json()

    recent = await q("recent_captures")
    assert [r["id"] for r in recent] == [7, 6, 5, 4, 3, 2, 1]
    assert [r["id"] for r in await q("articles_by_tag", tag="Climate")] == [2, 1]
    assert sorted(r["id"] for r in await q("untagged")) == [3, 4, 5, 6, 7]
    per_day = await q("captures_per_site_per_day")
    assert sum(r["captures"] for r in per_day) == 7 and {"day", "site_name", "captures"} <= set(per_day[0])
    counts = await q("tag_counts")
    assert counts[0] == {"tag": "climate", "articles": 2}
    word = factory.record(2)["title"].split()[-1]
    found = await q("search", q=word)
    assert found and found[0]["title"].endswith(word) and "[" in found[0]["snippet"]
    assert await q("search", q="") == []
    failed = await q("failed_attempts")
    assert failed[0]["error_kind"] == "timeout"
    # query results link titles to records and show thumbnails through the route
    html = (await ds.client.get("/archive/recent_captures")).text
    assert '<img src="/-/pagekeep/archive/shots/7/thumb"' in html and '<a href="/archive/articles/7">' in html


async def test_metadata_titles_descriptions_facets(ds):
    meta = (await ds.client.get("/-/metadata.json")).json()
    articles = meta["databases"]["archive"]["tables"]["articles"]
    assert articles["sort_desc"] == "id" and {"tag": "tags"} in articles["facets"]
    assert {"archive": "captured_at"} in articles["facets"]
    assert "captured_at" in articles["columns"]
    queries = meta["databases"]["archive"]["queries"]
    assert {"recent_captures", "articles_by_tag", "untagged", "captures_per_site_per_day", "search"} <= set(queries)
    index = (await ds.client.get("/")).text
    assert 'href="archive/articles"' in index


async def test_other_databases_keep_datasette_pages(tmp_path):
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.execute("create table articles (id integer primary key, title text)")
    conn.execute("insert into articles (title) values ('hello')")
    conn.commit()
    conn.close()
    ds = make_datasette(path)
    table = await ds.client.get("/plain/articles")
    assert table.status_code == 200 and 'class="rows-and-columns"' in table.text and "pk-table" not in table.text
    row = await ds.client.get("/plain/articles/1")
    assert row.status_code == 200 and "pk-record" not in row.text
    assert (await ds.client.get("/plain/articles?_tag=x")).status_code == 200
    assert (await ds.client.get("/-/pagekeep/plain/shots/1/thumb")).status_code == 404
