"""capture/isolated.py keeps page.evaluate's contract while running in a world of pagekeep's own.

Real headless Chromium; pages set with set_content or served from tests/site.
"""

from __future__ import annotations

import asyncio

import pytest

from capture import isolated, pipeline, settle

BREAKS_BUILT_INS = """<p>one</p><p>two</p><script>
  window.pageSecret = 42;
  Array.prototype.map = function () { return "mapped"; };
  document.querySelectorAll = () => null;
  JSON.stringify = () => "{}";
</script>"""


@pytest.fixture
async def page(browser):
    context = await browser.new_context()
    await settle.install(context)
    yield await context.new_page()
    await context.close()


async def test_pagekeeps_scripts_see_the_built_ins_the_page_replaced_as_they_were(page):
    await page.set_content(BREAKS_BUILT_INS)
    got = await isolated.evaluate(page, "() => Array.from(document.querySelectorAll('p')).map((p) => p.textContent)")
    assert got == ["one", "two"]


async def test_the_pages_own_globals_are_not_visible_to_pagekeeps_scripts(page):
    await page.set_content(BREAKS_BUILT_INS)
    assert await isolated.evaluate(page, "() => typeof window.pageSecret") == "undefined"


async def test_the_argument_is_passed_and_promises_are_awaited(page):
    await page.set_content("<p>x</p>")
    js = "async ({n, words}) => { await new Promise((done) => setTimeout(done, 10)); return words.length * n; }"
    assert await isolated.evaluate(page, js, {"n": 3, "words": ["a", "b"]}) == 6


async def test_a_script_error_raises_with_the_error_text(page):
    await page.set_content("<p>x</p>")
    with pytest.raises(isolated.ScriptError, match="TypeError: Cannot read properties of null"):
        await isolated.evaluate(page, "() => null.x")


async def test_the_activity_tracker_in_the_pages_world_answers_over_the_bridge(page, site):
    await page.goto(site.url("misbehave/layout-lies.html"))
    await page.evaluate("() => { setTimeout(() => {}, 3000); }")
    snap = await isolated.evaluate(page, "() => window.__pk.snapshot()")
    assert snap["pendingTimers"] == 1 and snap["quietFor"] >= 0


async def test_the_bridge_still_answers_after_the_page_rewrites_itself_with_document_write(page, site):
    await page.goto(site.url("misbehave/layout-lies.html"))
    await isolated.evaluate(page, "() => document.title")
    await page.evaluate("() => { document.open(); document.write('<p>rewritten</p>'); document.close(); }")
    assert await isolated.evaluate(page, "() => window.__pk.snapshot().mutations") > 0


async def test_a_script_runs_in_the_next_document_after_the_page_moved(page, site):
    await page.goto(site.url("misbehave/null-queries.html"))
    await isolated.evaluate(page, "() => document.title")
    await page.goto(site.url("misbehave/layout-lies.html"))
    assert await isolated.evaluate(page, "() => document.querySelector('h1').textContent") == "The lifeboat gets a new slipway"


async def test_a_navigation_during_a_script_raises_what_the_pipeline_retries_on(page, site):
    await page.goto(site.url("misbehave/null-queries.html"))
    waiting = asyncio.ensure_future(isolated.evaluate(page, "() => new Promise((done) => setTimeout(done, 5000))"))
    await asyncio.sleep(0.2)
    await page.goto(site.url("misbehave/layout-lies.html"))
    with pytest.raises(Exception) as caught:
        await asyncio.wait_for(waiting, 5)
    assert pipeline._navigated(caught.value)
