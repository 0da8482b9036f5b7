#!/usr/bin/env python3
"""The browser's own cost per page: what any capture tool pays at the least.

For each URL read from stdin, on pagekeep's browser (same binary, same launch
flags, same context settings): a fresh context, load, wait 2 s, one full-page
JPEG, close the context. `--concurrency` pages at once. Prints one JSON line per
page (ok, seconds, image bytes, stage timings; CPU per stage with
PAGEKEEP_CPU_TIMINGS=1). benchmarks/batch.py runs it as its "floor" line.

    printf 'http://127.0.0.1:8000/news/seed.html\\n' | .venv/bin/python benchmarks/floor.py --concurrency 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.async_api import async_playwright  # noqa: E402

from capture.browser import launch, new_context  # noqa: E402
from capture.laps import Laps  # noqa: E402


async def one(browser, url: str, wait: float, quality: int) -> dict:
    t0 = time.monotonic()
    laps = Laps()
    context = await new_context(browser)
    try:
        page = await context.new_page()
        laps("open")
        await page.goto(url, wait_until="load", timeout=30000)
        laps("load")
        await asyncio.sleep(wait)
        laps("wait")
        image = await page.screenshot(full_page=True, type="jpeg", quality=quality, timeout=30000)
        laps("screenshot")
        ok, size, error = True, len(image), None
    except Exception as exc:  # reported, never fatal to the run
        ok, size, error = False, 0, str(exc).splitlines()[0][:200]
    finally:
        await context.close()
        laps("close")
    return {"url": url, "ok": ok, "seconds": round(time.monotonic() - t0, 3), "bytes": size, "error": error,
            "timings": json.loads(laps.dumps())}


async def run(urls: list[str], concurrency: int, wait: float, quality: int) -> int:
    queue: asyncio.Queue = asyncio.Queue()
    for u in urls:
        queue.put_nowait(u)
    failed = 0
    async with async_playwright() as pw:
        browser = await launch(pw)

        async def worker():
            nonlocal failed
            while not queue.empty():
                result = await one(browser, queue.get_nowait(), wait, quality)
                failed += not result["ok"]
                print(json.dumps(result), flush=True)

        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
        await browser.close()
    return 1 if failed else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--wait", type=float, default=2.0, help="seconds after load before the screenshot")
    ap.add_argument("--quality", type=int, default=85, help="JPEG quality (pagekeep's default)")
    a = ap.parse_args()
    urls = [u.strip() for u in sys.stdin if u.strip()]
    return asyncio.run(run(urls, a.concurrency, a.wait, a.quality))


if __name__ == "__main__":
    sys.exit(main())
