"""Lazy content is filled in before the text and screenshots are taken, in real Chromium.

A page that does not listen to scrolling is not scrolled through: its native lazy images are
made eager and its IntersectionObservers told their targets are in view, which is all
scrolling would have done, without the browser drawing each screenful on the way down. A page
that listens to scroll events is scrolled through as a reader would.
"""

from __future__ import annotations

import pytest

from capture import settle
from capture.deadline import Deadline

# The furthest the page was ever scrolled, seen by polling (not by a scroll listener,
# which would itself make pagekeep scroll).
_WATCH_SCROLL = """window.__maxY = 0;
setInterval(() => { window.__maxY = Math.max(window.__maxY, window.scrollY); }, 10);"""


async def _scrolled(browser, url: str) -> tuple[dict, object]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    await settle.install(context)
    await context.add_init_script(_WATCH_SCROLL)
    page = await context.new_page()
    network = settle.NetworkTracker(page)
    await page.goto(url, wait_until="load")
    await settle.wait_quiet(page, network, Deadline(10), max_s=3)
    result = await settle.scroll_through(page, network, Deadline(15))
    return result, page


async def test_observer_lazy_images_load_without_scrolling(browser, site):
    result, page = await _scrolled(browser, site.url("lazy/story.html"))
    assert not result["stepped"]
    assert await page.evaluate("document.querySelectorAll('img.lazyloaded').length") == 2
    assert await page.evaluate("window.__maxY") == 0
    await page.context.close()


async def test_native_lazy_images_load_without_scrolling(browser, site):
    result, page = await _scrolled(browser, site.url("lazy/native-images.html"))
    assert not result["stepped"]
    loaded = await page.evaluate("['far1', 'far2'].map((id) => document.getElementById(id).naturalWidth > 0)")
    assert loaded == [True, True]
    assert await page.evaluate("window.__maxY") == 0
    await page.context.close()


async def test_a_page_listening_to_scroll_events_is_scrolled_through(browser, site):
    result, page = await _scrolled(browser, site.url("lazy/scroll-loaded.html"))
    assert result["stepped"]
    assert await page.evaluate("document.querySelectorAll('#more p').length") == 3
    assert await page.evaluate("document.querySelectorAll('img[data-lazy]').length") == 0
    assert await page.evaluate("window.__maxY") > 1000
    await page.context.close()
