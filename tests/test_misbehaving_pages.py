"""Pages that replace the built-ins pagekeep's own page scripts use are captured whole (issue 11, part 3).

Each page in tests/site/misbehave overrides built-ins its own way, as old
polyfills, frameworks and anti-scraping scripts do: element lookups that answer
null, layout and style reads that throw, Array/JSON/String methods "improved",
iterators gone, promises that never settle and clocks that stand still, a
scroll lock that lies. pagekeep runs its scripts in an isolated world of their
own (capture/isolated.py) and its init scripts take what they need up front, so
each page is stored with every paragraph of its story and its screenshots, and
none ends in an internal error. One batch through the real CLI captures them
all; each test checks one thing about one page.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from lxml import html as lxml_html

from capture.localsite import Site

from conftest import SITE

pytestmark = pytest.mark.slow
PAGES = sorted(p.name for p in (SITE / "misbehave").glob("*.html"))


def story(name: str) -> list[str]:
    """The article's paragraphs as the fixture holds them (every long <p>, a <template>'s included)."""
    doc = lxml_html.fromstring((SITE / "misbehave" / name).read_bytes())
    texts = (" ".join(p.text_content().split()) for p in doc.iter("p"))
    return [t for t in texts if len(t) > 60]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    site = Site(SITE, host="127.0.0.1").start()
    db = tmp_path_factory.mktemp("misbehave") / "archive.db"
    urls = {name: site.url(f"misbehave/{name}") for name in PAGES}
    try:
        run = subprocess.run([sys.executable, "-m", "capture.cli", "capture", "--db", str(db), "--retries", "0",
                              "--concurrency", "2", *urls.values()], capture_output=True, text=True, timeout=300)
    finally:
        site.stop()
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield run, conn, urls
    conn.close()


def attempt(archive, name: str) -> sqlite3.Row:
    _, conn, urls = archive
    return conn.execute("select * from attempts where url = ? order by id desc", [urls[name]]).fetchone()


def article(archive, name: str) -> sqlite3.Row:
    _, conn, urls = archive
    row = conn.execute("select * from articles where url = ?", [urls[name]]).fetchone()
    assert row is not None, dict(attempt(archive, name))
    return row


def test_every_misbehaving_page_is_captured_and_the_batch_succeeds(archive):
    run, _, _ = archive
    assert run.returncode == 0, run.stderr[-2000:]


@pytest.mark.parametrize("name", PAGES)
def test_a_page_that_replaces_built_ins_is_not_an_internal_error(archive, name):
    row = attempt(archive, name)
    assert row["ok"] == 1, (row["error_kind"], row["error"])


@pytest.mark.parametrize("name", PAGES)
def test_every_paragraph_of_the_story_is_stored(archive, name):
    text = article(archive, name)["text"]
    missing = [p for p in story(name) if p not in text]
    assert not missing, missing


@pytest.mark.parametrize("name", PAGES)
def test_the_page_article_and_thumbnail_are_screenshot(archive, name):
    _, conn, _ = archive
    kinds = {r["kind"] for r in conn.execute("select kind from screenshots where article_id = ?",
                                             [article(archive, name)["id"]])}
    assert kinds == {"page", "article", "thumb"}


@pytest.mark.parametrize("name", PAGES)
def test_every_paragraph_is_boxed_on_the_screenshot(archive, name):
    _, conn, _ = archive
    boxes = conn.execute("select paragraphs, matched from text_boxes where article_id = ?",
                         [article(archive, name)["id"]]).fetchone()
    assert boxes is not None and boxes["matched"] == boxes["paragraphs"] > 0


def test_the_page_s_own_timers_still_run_after_it_breaks_map_and_iterators(archive):
    """js/activity.js wraps setTimeout; the page then broke Map and every iterator, and set a timer."""
    assert story("iterators.html")[-1] in article(archive, "iterators.html")["text"]


def test_what_scrolling_revealed_stays_when_the_page_fakes_its_scrolling_and_arrays(archive):
    """Paragraphs shown only while in view, on a page whose scrollTo is a no-op and whose
    Array.prototype.filter ignores its predicate: scrolled from pagekeep's own world, then held
    in view by js/reveal.js, asked over js/bridge.js although the page replaced dispatchEvent."""
    text = article(archive, "scroll-locked.html")["text"]
    assert all(p in text for p in story("scroll-locked.html")[-2:])


def test_a_page_whose_promises_never_settle_takes_no_longer_than_a_quiet_page(archive):
    assert article(archive, "stopped-clocks.html")["capture_seconds"] < 10
