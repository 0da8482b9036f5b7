"""Capturing the fixture site: the seed replica and other page shapes, in real Chromium.

One session-wide batch captures every fixture page into a real SQLite archive;
each test then checks one promise against what was stored.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from lxml import html as lxml_html

from capture import store
from capture.localsite import Site
from capture.pipeline import CaptureOptions
from capture.runner import capture_urls

from conftest import SITE
from hostile_routes import send
from pixels import count_near, screenshot
from textmetrics import norm, token_f1

CONSENT_BAR = "#ff00aa"
MODAL_PANEL = "#00c853"
EXPECTED = json.loads((Path(__file__).parent / "site_expectations.json").read_text("utf-8"))
PAGES = list(EXPECTED)


@pytest.fixture(scope="session")
def archive(site, tmp_path_factory, expectations):
    path = tmp_path_factory.mktemp("fixtures") / "archive.db"
    pages = [p for p in PAGES if p in expectations]
    outcomes = capture_urls([site.url(p) for p in pages], str(path), CaptureOptions(), concurrency=4)
    failed = [o for o in outcomes if not o.ok]
    assert not failed, failed
    db = store.connect(path)
    rows = {r["url"]: r for r in db.query("select * from articles")}
    yield db, {p: rows[site.url(p)] for p in pages}
    db.close()


def article(archive, page):
    return archive[1][page]


def body(expectations, page):
    return "\n\n".join(expectations[page]["paragraphs"])


# --- the seed replica -------------------------------------------------------

def test_seed_title_is_exact(archive, expectations):
    assert article(archive, "news/seed.html")["title"] == expectations["news/seed.html"]["title"]


def test_seed_byline_is_news_room(archive):
    assert article(archive, "news/seed.html")["byline"] == "News Room"


def test_seed_published_date_is_iso_8601(archive):
    assert article(archive, "news/seed.html")["published"].startswith("2023-12-13")


def test_seed_body_matches_the_story(archive, expectations):
    p, r, f = token_f1(article(archive, "news/seed.html")["text"], body(expectations, "news/seed.html"))
    assert f >= 0.97, (p, r, f)


def test_seed_body_keeps_paragraphs_apart_with_blank_lines(archive, expectations):
    text = article(archive, "news/seed.html")["text"]
    got = [norm(p) for p in text.split("\n\n")]
    for para in expectations["news/seed.html"]["paragraphs"]:
        assert norm(para) in got


@pytest.mark.parametrize("page", ["news/seed.html", "news/seed-continue.html"])
def test_no_boilerplate_reaches_the_text(archive, expectations, page):
    text = norm(article(archive, page)["text"])
    leaked = [b for b in expectations[page]["boilerplate"] if norm(b) in text]
    assert leaked == []


def test_seed_paragraphs_that_arrive_late_are_captured(archive, expectations):
    exp = expectations["news/seed.html"]
    assert exp["late"], "the fixture must have late paragraphs"
    text = norm(article(archive, "news/seed.html")["text"])
    for i in exp["late"]:
        assert norm(exp["paragraphs"][i]) in text


def test_continue_reading_reveals_the_hidden_paragraphs(archive, expectations):
    exp = expectations["news/seed-continue.html"]
    assert exp["hidden_until_click"], "the fixture must hide paragraphs behind a button"
    text = norm(article(archive, "news/seed-continue.html")["text"])
    for i in exp["hidden_until_click"]:
        assert norm(exp["paragraphs"][i]) in text


def test_seed_page_screenshot_shows_no_consent_bar(archive):
    shot = screenshot(archive[0], article(archive, "news/seed.html")["id"], "page")
    assert count_near(shot["image"], CONSENT_BAR) < 50


def test_seed_page_screenshot_shows_no_sign_in_modal(archive):
    shot = screenshot(archive[0], article(archive, "news/seed.html")["id"], "page")
    assert count_near(shot["image"], MODAL_PANEL) < 50


def test_seed_page_screenshot_is_the_whole_page(archive):
    shot = screenshot(archive[0], article(archive, "news/seed.html")["id"], "page")
    assert shot["width"] == 1280 and shot["height"] > 2500
    assert shot["mime"] == "image/jpeg"


def test_seed_article_element_holds_the_whole_body(archive, expectations):
    aid = article(archive, "news/seed.html")["id"]
    doc = lxml_html.fromstring(store.rendered_html(archive[0], aid))
    (element,) = doc.xpath("//*[@data-pk-article]")
    inside = norm(element.text_content())
    missing = [p[:40] for p in expectations["news/seed.html"]["paragraphs"] if norm(p) not in inside]
    assert missing == []


def test_seed_article_screenshot_is_a_crop_taller_than_its_text_needs(archive, expectations):
    db = archive[0]
    aid = article(archive, "news/seed.html")["id"]
    page, art = screenshot(db, aid, "page"), screenshot(db, aid, "article")
    assert art["width"] < page["width"] and art["height"] < page["height"]
    # 13 paragraphs of ~60 words at a reading column's width need well over 1200 px.
    assert art["height"] > 1200


def test_thumbnail_is_small_for_listings(archive):
    thumb = screenshot(archive[0], article(archive, "news/seed.html")["id"], "thumb")
    assert thumb["width"] <= 480 and thumb["height"] <= 360 and len(thumb["image"]) < 60_000


def test_sanitized_html_has_the_paragraphs_and_no_scripts(archive):
    html = article(archive, "news/seed.html")["html"]
    assert html.count("<p>") >= 13
    assert "<script" not in html and "onclick" not in html


def test_rendered_page_is_kept_for_offline_re_extraction(archive):
    aid = article(archive, "news/seed.html")["id"]
    assert "Taiwan" in store.rendered_html(archive[0], aid)


def test_every_capture_logs_an_attempt(archive):
    db, rows = archive
    ok = {r["article_id"] for r in db.query("select article_id from attempts where ok = 1")}
    assert {r["id"] for r in rows.values()} <= ok


# --- other page shapes ------------------------------------------------------

OTHERS = [p for p in PAGES if not p.startswith("news/")]
NON_LATIN = [p for p in PAGES if EXPECTED[p]["lang"].split("-")[0] in ("ru", "ja", "zh", "ko", "ar", "he", "el", "uk")]


@pytest.mark.parametrize("page", OTHERS)
def test_title_is_found(archive, expectations, page):
    assert norm(article(archive, page)["title"]) == norm(expectations[page]["title"])


@pytest.mark.parametrize("page", OTHERS)
def test_byline_is_found(archive, expectations, page):
    assert norm(article(archive, page)["byline"]) == norm(expectations[page]["byline"])


@pytest.mark.parametrize("page", OTHERS)
def test_published_date_is_found(archive, expectations, page):
    assert (article(archive, page)["published"] or "").startswith(expectations[page]["published"])


@pytest.mark.parametrize("page", OTHERS)
def test_language_is_recorded_as_its_primary_subtag(archive, expectations, page):
    assert article(archive, page)["lang"] == expectations[page]["lang"].split("-")[0].lower()


@pytest.mark.parametrize("page", OTHERS)
def test_body_text_matches(archive, expectations, page):
    p, r, f = token_f1(article(archive, page)["text"], body(expectations, page))
    assert f >= 0.95, (p, r, f)


@pytest.mark.parametrize("page", OTHERS)
def test_boilerplate_stays_out(archive, expectations, page):
    text = norm(article(archive, page)["text"])
    assert [b for b in expectations[page]["boilerplate"] if norm(b) in text] == []


@pytest.mark.parametrize("page", NON_LATIN)
def test_non_latin_text_is_stored_exactly(archive, expectations, page):
    text = norm(article(archive, page)["text"])
    assert [p[:30] for p in expectations[page]["paragraphs"] if norm(p) not in text] == []


def test_german_banner_is_gone_from_the_screenshot(archive):
    shot = screenshot(archive[0], article(archive, "intl/de-artikel.html")["id"], "page")
    assert count_near(shot["image"], CONSENT_BAR) < 50


def test_with_consent_off_the_bar_is_still_in_the_screenshot(site, tmp_path):
    """The control for the pixel checks above: they can see the bar when it is there."""
    path = tmp_path / "off.db"
    (o,) = capture_urls([site.url("news/seed.html")], str(path), CaptureOptions(consent="off"))
    assert o.ok, o.error
    db = store.connect(path)
    shot = screenshot(db, o.article_id, "page")
    assert count_near(shot["image"], CONSENT_BAR) > 1000


def test_an_endless_scroll_page_keeps_only_the_story_it_opened(archive, expectations):
    row = article(archive, "scroll/endless.html")
    assert not [b for b in expectations["scroll/endless.html"]["boilerplate"] if norm(b) in norm(row["text"])]
    assert row["final_url"].endswith("/scroll/endless.html")  # not the address pushState moved on to


SLOW_API_PAGE = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Tide tables</title></head><body>"
                 "<article><h1>Tide tables</h1><p>The harbour master publishes the tide tables for the coming month "
                 "every Friday, and the first part of this story was in the page as it was served.</p><div id='late'></div>"
                 "</article><script>fetch('/api/slow').then(r => r.text()).then(t => {"
                 "const p = document.createElement('p'); p.textContent = t; document.getElementById('late').append(p); });"
                 "</script></body></html>")
SLOW_API_ANSWER = "The rest of the story came from an API that took seven seconds to answer, longer than pagekeep waits for a request."


def _reply(body: str, ctype: str, delay: float = 0.0):
    def handler(h):
        time.sleep(delay)
        send(h, ctype=ctype, body=body.encode())
    return handler


def test_wait_gives_a_slow_api_time_to_answer(tmp_path):
    routes = {"/tides": _reply(SLOW_API_PAGE, "text/html; charset=utf-8"),
              "/api/slow": _reply(SLOW_API_ANSWER, "text/plain; charset=utf-8", delay=7.0)}
    site = Site(SITE, routes=routes).start()
    try:
        (o,) = capture_urls([site.url("tides")], str(tmp_path / "a.db"), CaptureOptions(wait=9.0))
    finally:
        site.stop()
    assert o.ok, o.error
    text = store.connect(tmp_path / "a.db").execute("select text from articles").fetchone()[0]
    assert SLOW_API_ANSWER in text


def test_paragraphs_revealed_by_scrolling_stay_in_the_page_screenshot(archive):
    """They fade out again when they leave the viewport; the record keeps what the reader saw."""
    shot = screenshot(archive[0], article(archive, "scroll/reveal.html")["id"], "page")
    assert count_near(shot["image"], "#ff8800") > 2000


def test_every_fixture_capture_records_where_its_text_is_drawn(archive):
    db, rows = archive
    for page, row in rows.items():
        boxes = next(db.query("select * from text_boxes where article_id = ?", [row["id"]]), None)
        assert boxes, f"{page}: no text boxes"
        assert boxes["matched"] >= 0.8 * boxes["paragraphs"], f"{page}: {boxes['matched']}/{boxes['paragraphs']}"
        lines = json.loads(boxes["lines"])
        assert all(0 <= s < e <= len(row["text"]) and h > 0 for s, e, x, y, w, h, _ in lines), page
