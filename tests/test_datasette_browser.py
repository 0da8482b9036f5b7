"""End to end in real headless Chromium against a running `pagekeep serve`
(on a free loopback port): log in with the printed link, tag an article from
its page, find it under the tag facet, untag it; and show a capture full of
hostile markup without any of it running."""

from __future__ import annotations

import http.server
import re
import socketserver
import sqlite3
import threading
from pathlib import Path

import pytest

import archive_factory as factory
from servehelp import Server

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.timeout(90)


class Beacon:
    """A loopback server that records every request: if a hostile payload ran, it would call here.
    /raw serves the hostile markup unsanitized, as the positive control."""

    def __init__(self, host="127.0.0.2"):
        self.hits: list[str] = []
        self.raw_html = ""
        beacon = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path.startswith("/raw"):
                    body = beacon.raw_html.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                else:
                    beacon.hits.append(self.path)
                    body = b""
                    self.send_response(204)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

        self.server = socketserver.ThreadingTCPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def beacon():
    b = Beacon()
    yield b
    b.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory, beacon):
    path = tmp_path_factory.mktemp("served") / "pagekeep.db"
    db = factory.build(path, 5)
    from annotations import tags
    tags.add_tags(db, [1], ["existing"])
    hostile_id = factory.add_hostile_article(db, beacon.url + "/beacon")
    db.conn.close()
    beacon.raw_html = factory.hostile_html(beacon.url + "/beacon")
    server = Server(path)
    server.db_path = path
    server.hostile_id = hostile_id
    yield server
    server.stop()


def tags_of(db_path, article_id):
    conn = sqlite3.connect(db_path)
    try:
        return sorted(r[0] for r in conn.execute(
            "select t.name from article_tags at join tags t on t.id = at.tag_id where at.article_id = ?",
            [article_id]))
    finally:
        conn.close()


async def test_serve_prints_loopback_address_and_login_link(served):
    assert served.browse.startswith("http://127.0.0.1:") and served.browse.endswith("/pagekeep/articles")
    assert "Log in to tag" in "".join(served.output)


async def test_tag_from_the_row_page_find_it_under_the_facet_then_untag(served, browser):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(10_000)
    await page.goto(served.login)  # one-time root link: sets the ds_actor cookie
    assert "ds_actor" in {c["name"] for c in await context.cookies()}

    await page.goto(f"{served.base}/pagekeep/articles/3")
    shot = page.locator(".pk-shot img")
    await shot.wait_for()
    assert await shot.evaluate("img => img.complete && img.naturalWidth") == 800
    assert await page.locator("a.pk-fullpage").get_attribute("href") == "/-/pagekeep/pagekeep/shots/3/page"
    options = await page.locator("#pk-tag-names option").evaluate_all("os => os.map(o => o.value)")
    assert "existing" in options  # autocomplete from the tags in use

    await page.fill("#pk-tag-input", "e2e check")
    await page.click(".pk-addtag button[type=submit]")
    await page.wait_for_url(f"{served.base}/pagekeep/articles/3")
    assert await page.locator(".pk-tags a.pk-tag").all_inner_texts() == ["e2e check"]
    assert "Tagged “e2e check”" in await page.inner_text(".message-info")
    assert tags_of(served.db_path, 3) == ["e2e check"]

    # the listing's Tag facet now offers it; following it shows just this article
    await page.goto(f"{served.base}/pagekeep/articles")
    facet_link = page.locator("#facet-tags a", has_text="e2e check")
    assert await facet_link.count() == 1
    await facet_link.click()
    await page.wait_for_url(re.compile(r"_tag=e2e"))
    ids = await page.locator("tr[data-article-id]").evaluate_all("rs => rs.map(r => r.dataset.articleId)")
    assert ids == ["3"]
    assert await page.locator("tr[data-article-id='3'] td.pk-col-thumb img").evaluate(
        "img => img.complete && img.naturalWidth") == 320

    # back on the record, remove it again
    await page.click("tr[data-article-id='3'] a.pk-title")
    await page.wait_for_url(f"{served.base}/pagekeep/articles/3")
    await page.click("button[aria-label='Remove tag e2e check']")
    await page.wait_for_url(f"{served.base}/pagekeep/articles/3")
    assert await page.locator(".pk-tags a.pk-tag").count() == 0
    assert tags_of(served.db_path, 3) == []
    await page.goto(f"{served.base}/pagekeep/articles")
    assert await page.locator("#facet-tags a", has_text="e2e check").count() == 0

    # a note with a quoted passage picked by selecting text in the article
    await page.goto(f"{served.base}/pagekeep/articles/3")
    await page.locator("#pk-body p").first.evaluate(
        "p => { const r = document.createRange(); r.setStart(p.firstChild, 0); r.setEnd(p.firstChild, 20);"
        " const s = getSelection(); s.removeAllRanges(); s.addRange(r); }")
    await page.click("button[data-pk-quote]")
    quoted = await page.input_value("#pk-note-quote")
    assert quoted and quoted in factory.record(2)["text"]
    await page.fill("#pk-note-body", "Checked against the minutes.")
    await page.click(".pk-addnote button[type=submit]")
    await page.wait_for_url(f"{served.base}/pagekeep/articles/3")
    assert quoted in await page.inner_text(".pk-note .pk-quote")
    await context.close()


async def test_anonymous_and_cross_site_writes_are_refused_in_the_browser(served, browser, beacon):
    anonymous = await browser.new_context()
    page = await anonymous.new_page()
    await page.goto(f"{served.base}/pagekeep/articles/2")
    assert await page.locator(".pk-addtag").count() == 0
    status = await page.evaluate(
        """async (url) => (await fetch(url, {method: "POST", body: new URLSearchParams({tag: "anon"})})).status""",
        f"{served.base}/-/pagekeep/pagekeep/articles/2/tags")
    assert status == 403
    await anonymous.close()

    # a logged-in owner visits another site whose page posts a form to the archive
    context = await browser.new_context()
    page = await context.new_page()
    server2 = Server(served.db_path)  # a fresh login token: links are one-time
    try:
        await page.goto(server2.login)
        beacon.raw_html = (f'<form id="f" method="post" action="{server2.base}/-/pagekeep/pagekeep/articles/2/tags">'
                           '<input name="tag" value="csrf"></form><script>document.getElementById("f").submit()</script>')
        async with page.expect_response(re.compile(r"/articles/2/tags$")) as response_info:
            await page.goto(beacon.url + "/raw")
        assert (await response_info.value).status == 403
        assert tags_of(served.db_path, 2) == []
    finally:
        server2.stop()
        beacon.raw_html = factory.hostile_html(beacon.url + "/beacon")
        await context.close()


async def test_hostile_capture_runs_nothing(served, browser, beacon):
    context = await browser.new_context()
    page = await context.new_page()
    dialogs, outside = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(served.base) else None)

    # positive control: the same markup served raw does run, and this test would see it
    await page.goto(beacon.url + "/raw")
    await page.wait_for_timeout(300)
    assert await page.evaluate("window.__pwned") is not None
    beacon.hits.clear()
    outside.clear()

    hostile = f"{served.base}/pagekeep/articles/{served.hostile_id}"
    for url in (hostile, hostile + "?view=html", f"{served.base}/pagekeep/articles",
                f"{served.base}/pagekeep/articles?_search=hostile"):
        response = await page.goto(url)
        assert response.status == 200
        if url.startswith(hostile):
            assert "Body text that should be shown." in await page.inner_text("#pk-body")
            # poke everything a user might touch
            for text in ("Hover me", "a javascript: link", "mixed case javascript: link", "details"):
                target = page.get_by_text(text, exact=True)
                if await target.count():
                    await target.first.hover()
                    await target.first.click(no_wait_after=True)
            if page.url != url:
                await page.goto(url)
            assert await page.locator("#pk-body script, #pk-body svg, #pk-body iframe, #pk-body img, "
                                      "#pk-body [onclick], #pk-body [onmouseover], #pk-body form, "
                                      "#pk-body object, #pk-body embed, #pk-body style").count() == 0
            hrefs = await page.locator("a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))")
            assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
        await page.wait_for_timeout(200)
        assert await page.evaluate("window.__pwned") is None, url
        assert "PWNED" not in await page.title()
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert dialogs == []
    assert beacon.hits == [], beacon.hits
    assert outside == [], outside
    await context.close()
