"""The record page's "Archived page" view replays the WACZ offline, on an origin apart from Datasette's.

Pages are captured with --archive, then the fixture servers are stopped and
tripwires bound to their addresses. A running `pagekeep serve` is opened in
real Chromium, logged in as the owner: the replay must show the article from
the archive alone, and a hostile page replayed there must reach nothing
outside the replay, read none of Datasette's cookies and change no tag or note.
"""

from __future__ import annotations

import io
import re
import sqlite3
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.async_api import async_playwright
from typer.testing import CliRunner

from archive_routes import ArchiveSite
from capture.cli import app
from capture.localsite import Site
from conftest import SITE
from replayhelp import Listener, launch_like_chrome
from servehelp import Server
from textmetrics import tokens

pytestmark = [pytest.mark.timeout(240), pytest.mark.slow]
REPLAY_WAIT_S = 90


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    beacon = Listener("127.0.0.3")
    fixture = ArchiveSite()
    main = Site(SITE, host="127.0.0.1", routes={**fixture.routes(), "/beacon": beacon}).start()
    second = Site(SITE, host="127.0.0.2", routes=fixture.routes()).start()
    fixture.frame_origin = second.base
    db = tmp_path_factory.mktemp("replay") / "archive.db"
    urls = {"story": main.url("archive/story.html"), "hostile": main.url("hostile/hostile.html"),
            "escape": main.url(f"hostile/replay-escape.html?beacon={beacon.base}/beacon&db=archive")}
    try:
        run = CliRunner().invoke(app, ["capture", "--db", str(db), "--archive", "--concurrency", "1", *urls.values()])
    finally:
        main.stop()
        second.stop()
    assert run.exit_code == 0, run.output
    captured_hits = list(beacon.hits)
    beacon.clear()
    tripwires = [Listener(main.host, main.port), Listener(second.host, second.port)]
    conn = sqlite3.connect(db)
    ids = {name: conn.execute("select id from articles where url = ?", [u]).fetchone()[0] for name, u in urls.items()}
    conn.close()
    server = Server(db)
    record = httpx.get(f"{server.base}/archive/articles/{ids['story']}?view=archive", timeout=30).text
    replay_origin = re.search(r'class="pk-replay" src="(http://[^/"]+)/', record).group(1)
    yield {"server": server, "db": db, "urls": urls, "ids": ids, "beacon": beacon, "tripwires": tripwires,
           "captured_hits": captured_hits, "replay_origin": replay_origin}
    server.stop()
    for listener in [beacon, *tripwires]:
        listener.close()


@pytest.fixture(scope="module")
async def browser():
    async with async_playwright() as p:
        b = await launch_like_chrome(p)
        yield b
        await b.close()


async def open_archived(browser, served, name):
    """Log in as the owner, open the record's archived view; returns (page, the replayed frame, requests)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1150})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = await context.new_page()
    page.set_default_timeout(30_000)
    server = served["server"]
    await page.goto(server.login)
    await page.goto(f"{server.base}/archive/articles/{served['ids'][name]}?view=archive")
    wanted = "mp_/" + served["urls"][name]
    deadline = time.monotonic() + REPLAY_WAIT_S
    seen = None
    while time.monotonic() < deadline:
        frame = next((f for f in page.frames if f.url.endswith(wanted)), None)
        if frame is not None:
            try:
                seen = await frame.evaluate("document.body ? document.body.innerText : ''")
                if len(seen) > 100:
                    return page, frame, requests
            except Exception as exc:  # the replay frame is still navigating
                seen = exc
        await page.wait_for_timeout(250)
    raise AssertionError(f"the archived view never showed {wanted}: {seen!r}; frames: {[f.url for f in page.frames]}")


def stored(served, sql, args=()):
    conn = sqlite3.connect(served["db"])
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


async def test_the_archived_view_replays_the_article_offline(served, browser):
    page, frame, requests = await open_archived(browser, served, "story")
    await frame.wait_for_function("Array.from(document.images).filter(i => i.loading != 'lazy').every(i => i.complete)")
    await page.wait_for_timeout(500)
    text = await frame.evaluate("document.body.innerText")
    [(stored_text,)] = stored(served, "select text from articles where id = ?", [served["ids"]["story"]])
    want, got = tokens(stored_text), set(tokens(text))
    assert sum(1 for t in want if t in got) / len(want) >= 0.95

    box = await page.locator("iframe.pk-replay").bounding_box()
    shot = Image.open(io.BytesIO(await page.screenshot(clip={"x": box["x"] + 1, "y": box["y"] + 1,
                                                              "width": 1280, "height": 900}))).convert("L")
    [(image,)] = stored(served, "select image from screenshots where article_id = ? and kind = 'page'",
                        [served["ids"]["story"]])
    reference = Image.open(io.BytesIO(image)).convert("L").crop((0, 0, 1280, 900))
    diff = ImageChops.difference(shot, reference)
    assert ImageStat.Stat(diff).mean[0] < 6, "the replay does not look like the stored screenshot"
    assert sum(diff.point(lambda v: 255 if v > 60 else 0).histogram()[255:]) < 0.03 * 1280 * 900

    allowed = {urlsplit(served["server"].base).netloc, urlsplit(served["replay_origin"]).netloc}
    outside = [u for u in requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).netloc not in allowed]
    assert outside == []
    assert [t.hits for t in served["tripwires"]] == [[], []]
    await page.context.close()


def _reports(requests, what):
    """What the escape page's script reported, read from its (rewritten, replay-local) beacon requests."""
    out = []
    for url in requests:
        if "/beacon?" in url:
            query = parse_qs(urlsplit(url).query, keep_blank_values=True)
            out += query.get(what, [])
    return out


async def test_replaying_hostile_pages_as_the_owner_reaches_nothing_outside_the_replay(served, browser):
    assert served["captured_hits"], "control: at capture time the hostile pages did reach the beacon"
    before = stored(served, "select article_id, tag_id from article_tags order by 1, 2"), \
        stored(served, "select id, article_id, body from notes order by 1")
    popups = []
    for name, words in (("hostile", "dredging contract"), ("escape", "Ferry timetable")):
        page, frame, requests = await open_archived(browser, served, name)
        page.context.on("page", lambda p: popups.append(p.url))
        here = page.url
        await page.wait_for_timeout(2500)  # the pages' timers, onload handlers and late scripts
        assert words in await frame.evaluate("document.body.innerText")
        assert page.url == here, "the replay navigated the record page away"
        cookies = await frame.evaluate("document.cookie")
        assert "ds_actor" not in cookies and "csrftoken" not in cookies
        if name == "escape":
            # Control: the page's script ran inside the replay, found Datasette's origin and aimed
            # its posts there; what it could read of cookies held nothing of Datasette's.
            assert "Tried: cookie" in await frame.evaluate("document.getElementById('report').textContent")
            assert any(served["server"].base in a for a in _reports(requests, "ancestors"))
            read = _reports(requests, "cookie") + _reports(requests, "top-cookie")
            assert read and all("ds_actor" not in c and "csrftoken" not in c for c in read)
        await page.context.close()
    assert served["beacon"].hits == []
    assert [t.hits for t in served["tripwires"]] == [[], []]
    assert popups == []
    after = stored(served, "select article_id, tag_id from article_tags order by 1, 2"), \
        stored(served, "select id, article_id, body from notes order by 1")
    assert after == before


def test_the_replay_host_answers_only_under_its_own_name(served):
    origin = served["replay_origin"]
    port = urlsplit(origin).port
    datasette = served["server"].base
    with httpx.Client(timeout=20) as client:
        assert client.get(f"http://127.0.0.1:{port}/replay/ui.js").status_code == 421  # would share cookies
        assert client.get(f"{origin}/replay/ui.js").status_code == 200
        assert client.get(f"{origin}/view/forged-token").status_code == 404
        assert client.get(f"{origin}/archive/articles").status_code == 404  # no Datasette here
        assert client.post(f"{origin}/replay/ui.js").status_code == 405
        assert client.get(f"{datasette}/replay/ui.js").status_code == 404  # and no replay there
        # Nor Datasette under the replay's name, where a login cookie would be the replay's to read.
        under_replay_name = f"http://{urlsplit(origin).hostname}:{urlsplit(datasette).port}/archive/articles"
        assert client.get(under_replay_name).status_code == 421


def test_the_record_page_links_the_wacz_download(served):
    server, article = served["server"], served["ids"]["story"]
    with httpx.Client(timeout=20) as client:
        page = client.get(f"{server.base}/archive/articles/{article}?view=archive")
        assert "Download WACZ" in page.text
        assert f"frame-src {served['replay_origin']}" in page.headers["content-security-policy"]
        download = client.get(f"{server.base}/-/pagekeep/archive/wacz/{article}")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert download.headers["content-disposition"] == f'attachment; filename="{article}.wacz"'
    [(blob,)] = stored(served, "select wacz from archives where article_id = ?", [article])
    assert download.content == blob


def test_serve_refuses_a_replay_host_that_is_datasettes_own(served):
    out = CliRunner().invoke(app, ["serve", "--db", str(served["db"]), "--port", "0", "--replay-host", "127.0.0.1"])
    assert out.exit_code == 1 and "another name" in out.output
