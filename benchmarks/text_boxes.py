#!/usr/bin/env python3
"""What recording text boxes costs per page, in CPU-seconds, beside the full-page screenshot.

Serves tests/site on loopback and, for each page, loads it in Chromium, lets it
settle, extracts the article and pins fixed bars as a capture does, then in
that same laid-out page measures, alternating `--repeat` times:
  - text boxes: js/text_boxes.js (words of every paragraph) + the probe
    re-measure + building the row in Python, as capture/text_boxes.py does;
  - the peer: one full-page screenshot with its article crop and thumbnail
    (capture/screenshots.take), which every capture does anyway.
CPU is user+system time of this process and the whole browser process tree
(renderer included), read with psutil around each step, less the median of a
do-nothing round trip measured the same way (psutil's own cost). The first text-box
measurement of a page is reported apart: it also pays for the layout that
pinning sticky bars left to do, which the screenshot would otherwise pay.

    .venv/bin/python benchmarks/text_boxes.py --repeat 5
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.async_api import async_playwright  # noqa: E402

from capture import dom, overlays, settle, text_boxes  # noqa: E402
from capture.browser import launch, new_context  # noqa: E402
from capture.deadline import Deadline  # noqa: E402
from capture.extract import extract  # noqa: E402
from capture.localsite import Site  # noqa: E402
from capture.screenshots import ShotOptions, take  # noqa: E402

PAGES = ["news/seed.html", "highlight/phrase.html", "nojsonld/story.html", "intl/ja-kiji.html",
         "intl/ru-statya.html", "multipage/part1.html", "blog/plain-post.html"]


def tree_cpu() -> float:
    """CPU seconds of this process and every process below it (the browser and its renderers)."""
    me = psutil.Process()
    total = 0.0
    for p in [me] + me.children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


async def measured(step) -> tuple[float, object]:
    before = tree_cpu()
    result = await step()
    return tree_cpu() - before, result


async def prepare(context, url: str):
    page = await context.new_page()
    network = settle.NetworkTracker(page)
    await page.goto(url, wait_until="load")
    deadline = Deadline(30)
    await settle.wait_quiet(page, network, deadline, max_s=6)
    await overlays.clear(page)
    await settle.scroll_through(page, network, deadline)
    await settle.back_to_top(page)
    extraction = await asyncio.to_thread(extract, await dom.visible_html(page), url)
    marked = await dom.mark_article(page, extraction.paragraphs[:200])  # locate, pin fixed bars
    return page, extraction, (await dom.shot_layout(page, marked.box)).box


async def bench_page(browser, url: str, repeat: int) -> dict:
    context = await new_context(browser)
    try:
        page, extraction, box = await prepare(context, url)

        async def boxes():
            m = await text_boxes.measure(page, extraction.paragraphs)
            return await text_boxes.after_screenshot(page, m, box, [{"kind": "page", "width": 1280, "height": 2000}], [])

        async def shot():
            return await take(page, box, ShotOptions())

        async def floor():  # a round trip that does nothing: what measuring itself costs
            return await page.evaluate("1")

        first, rows = await measured(boxes)
        box_cpu, shot_cpu, floor_cpu = [], [], []
        for _ in range(repeat):
            cpu, rows = await measured(boxes)
            box_cpu.append(cpu)
            cpu, _ = await measured(shot)
            shot_cpu.append(cpu)
            cpu, _ = await measured(floor)
            floor_cpu.append(cpu)
        row = rows["text_boxes"][0]
        return {"url": url, "words": row["words"], "paragraphs": row["paragraphs"], "matched": row["matched"],
                "bytes": len(row["lines"]) + len(row["blocks"]), "floor": statistics.median(floor_cpu),
                "first": first - statistics.median(floor_cpu),
                "boxes": statistics.median(box_cpu) - statistics.median(floor_cpu),
                "shot": statistics.median(shot_cpu) - statistics.median(floor_cpu)}
    finally:
        await context.close()


async def run(repeat: int) -> list[dict]:
    site = Site(ROOT / "tests" / "site").start()
    try:
        async with async_playwright() as p:
            browser = await launch(p)
            try:
                return [await bench_page(browser, site.url(page), repeat) for page in PAGES]
            finally:
                await browser.close()
    finally:
        site.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    t0 = time.monotonic()
    results = asyncio.run(run(a.repeat))
    print(f"CPU ms per page (median of {a.repeat}, browser tree + Python, less the cost of measuring: "
          f"{statistics.median(r['floor'] for r in results) * 1000:.0f} ms), same page, same run\n")
    print("| page | words | ¶ matched | stored bytes | text boxes, first | text boxes | full-page screenshot | boxes / screenshot |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        name = r["url"].split("/", 3)[-1]
        print(f"| {name} | {r['words']:,} | {r['matched']}/{r['paragraphs']} | {r['bytes']:,} | {r['first'] * 1000:.0f} "
              f"| {r['boxes'] * 1000:.0f} | {r['shot'] * 1000:.0f} | {r['boxes'] / r['shot']:.0%} |")
    total_b = sum(r["boxes"] for r in results)
    total_s = sum(r["shot"] for r in results)
    total_f = sum(r["first"] for r in results)
    print(f"\nall pages: text boxes {total_b * 1000 / len(results):.0f} ms/page (first call {total_f * 1000 / len(results):.0f}), "
          f"screenshot {total_s * 1000 / len(results):.0f} ms/page, ratio {total_b / total_s:.0%}  "
          f"({time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
