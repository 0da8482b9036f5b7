"""What a captured page can do: capture it faithfully, keep nothing active, reach nothing of yours.

A hostile page (scripts, event handlers, javascript: URLs, SVG and MathML tricks,
a CSS layer over everything, a form posting elsewhere, srcdoc frames, a
meta refresh) is captured through the real CLI, then viewed through a running
`pagekeep serve` in real Chromium, logged in as the owner: every one of its
payloads would call a beacon on loopback, and none may. Pages that try to read
local files or find state left by an earlier capture find nothing.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import threading

import pytest
from playwright.async_api import async_playwright

from lxml import html as lxml_html

from capture import store
from capture.browser import find_chromium, launch_args
from capture.localsite import Site
from conftest import SITE
from servehelp import Server

pytestmark = pytest.mark.timeout(180)
PAGES = ["hostile/hostile.html", "hostile/reads-files.html", "hostile/leaves-state.html", "hostile/finds-state.html"]


class Beacon:
    def __init__(self):
        self.hits: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, h):
        with self.lock:
            self.hits.append(h.path)
        h.send_response(204)
        h.send_header("Content-Length", "0")
        h.end_headers()


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    beacon = Beacon()
    site = Site(SITE, routes={"/beacon": beacon}).start()
    db = tmp_path_factory.mktemp("security") / "archive.db"
    # One at a time, so the state reader really comes after the state writer.
    r = subprocess.run([sys.executable, "-m", "capture.cli", "capture", "--db", str(db), "--concurrency", "1",
                        *[site.url(p) for p in PAGES]], capture_output=True, text=True, timeout=150)
    rows = {}
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    for row in conn.execute("select * from articles"):
        rows[row["url"].split(site.base + "/")[1]] = dict(row)
    conn.close()
    yield {"run": r, "db": db, "rows": rows, "beacon": beacon, "site": site}
    site.stop()


def test_every_hostile_page_is_captured(captured):
    assert captured["run"].returncode == 0, captured["run"].stderr
    assert set(captured["rows"]) == set(PAGES)


def test_the_hostile_page_keeps_its_story_and_screenshots(captured):
    row = captured["rows"]["hostile/hostile.html"]
    assert "four million pounds" in row["text"] and "long overdue" in row["text"]
    conn = sqlite3.connect(captured["db"])
    kinds = {k for (k,) in conn.execute("select kind from screenshots where article_id = ?", [row["id"]])}
    assert kinds == {"page", "article", "thumb"}


def test_stored_html_keeps_nothing_active(captured):
    html = captured["rows"]["hostile/hostile.html"]["html"].lower()
    for active in ["<script", "javascript:", "<svg", "<math", "<form", "<iframe", "<object", "<meta", "<style", "style="]:
        assert active not in html, active
    assert not re.search(r"\son\w+\s*=", html)


def rendered_text(captured, page, element_id):
    """The element's text in the DOM as captured (short status lines are not article text)."""
    db = store.connect(captured["db"])
    try:
        doc = lxml_html.fromstring(store.rendered_html(db, captured["rows"][page]["id"]))
    finally:
        db.close()
    return doc.get_element_by_id(element_id).text_content()


def test_captured_pages_cannot_read_local_files(captured):
    text = rendered_text(captured, "hostile/reads-files.html", "out")
    assert text == "Nothing was read."


def test_no_state_carries_over_from_one_capture_to_the_next(captured):
    text = rendered_text(captured, "hostile/finds-state.html", "found")
    assert text == "Found: nothing."


async def test_the_state_fixture_does_find_state_left_in_a_shared_context(captured):
    """The control for the test above: the reader page reports what it finds."""
    site = captured["site"]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=find_chromium().path, args=launch_args())
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(site.url("hostile/leaves-state.html"))
        await page.wait_for_timeout(300)
        await page.goto(site.url("hostile/finds-state.html"))
        await page.wait_for_timeout(300)
        text = await page.inner_text("#found")
        await browser.close()
    assert "SECRET-COOKIE-4711" in text and "SECRET-LOCAL-4711" in text


async def test_viewing_the_hostile_capture_in_datasette_runs_nothing(captured):
    beacon, row = captured["beacon"], captured["rows"]["hostile/hostile.html"]
    server = Server(captured["db"])
    try:
        with beacon.lock:
            beacon.hits.clear()
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=find_chromium().path, args=launch_args())
            page = await (await browser.new_context()).new_page()
            dialogs = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            await page.goto(server.login)  # the owner, logged in: the most a payload could abuse
            db_name = captured["db"].stem
            article = f"{server.base}/{db_name}/articles/{row['id']}"
            for url in (article, article + "?view=html", f"{server.base}/{db_name}/articles",
                        f"{server.base}/{db_name}/articles?_search=dredging"):
                await page.goto(url)
                await page.wait_for_timeout(700)
                assert await page.evaluate("() => window.__pwned") is None
                # the page's script would set the title to exactly "pwned"; the stored headline may say it
                assert await page.title() != "pwned"
                assert await page.evaluate("() => document.getElementById('takeover')") is None
                for sel in ("script:not([nonce])", "svg script", "math", "form[action*='beacon']", "iframe[srcdoc]"):
                    assert await page.locator(f"article {sel}, .pagekeep-article {sel}").count() == 0
                if "/articles/" in url:
                    assert "four million pounds" in await page.inner_text("body")
            await browser.close()
    finally:
        server.stop()
    assert beacon.hits == []
    assert dialogs == []
