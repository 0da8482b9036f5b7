#!/usr/bin/env python3
"""Consent benchmark: pagekeep's consent handling vs shot-scraper on the CMP fixture pages.

The pages are tests/site/consent/ (manifest: fixtures.json), served on
loopback; Sourcepoint's message comes from a second origin (127.0.0.2). Every
consent UI there is magenta (#ff00aa).

pagekeep: each page is captured through the real pipeline (`capture_page`, one
browser, one page at a time so timings do not disturb each other), alternately
with `--consent reject` and `--consent off`, `--repeat` times each.
  handled      = no banner colour in the page screenshot, the story's text
                 captured (recall >= 0.95), and, on the page with no banner,
                 nothing recorded
  extra s      = median capture time with consent handling minus median with
                 `off` (end to end, so it includes waiting for the page to settle
                 again after a choice, e.g. a wall loading its article)
  stage s      = median time spent inside consent.install() + consent.handle()

shot-scraper: one `shot-scraper multi` run over the same pages (`wait: 3000` so
late banners have appeared); handled = no banner colour in its screenshot. It
has no consent handling of its own (only hand-written JavaScript), so it adds
no time: its extra seconds are 0 by construction.

shot-scraper has no option for a browser executable; when pagekeep's Chromium
is not Playwright's own download (a distro /usr/bin/chromium here), this
script points PLAYWRIGHT_BROWSERS_PATH at a temporary folder whose
chromium_headless_shell-<rev>/.../chrome-headless-shell is a symlink to that
Chromium, for the shot-scraper process only (and passes --no-sandbox as root).

    .venv/bin/python benchmarks/consent.py              # 3 runs per page and mode
    .venv/bin/python benchmarks/consent.py --repeat 5
    .venv/bin/python benchmarks/consent.py --no-shot-scraper
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

from capture import consent  # noqa: E402
from capture.browser import find_chromium, launch  # noqa: E402
from capture.localsite import Site  # noqa: E402
from capture.pipeline import CaptureOptions, capture_page  # noqa: E402
from peers import shot_scraper_command  # noqa: E402

from consent_helpers import BANNER, CONSENT_DIR, MANIFEST, SP_DIR, article_text, page_url  # noqa: E402
from pixels import count_near  # noqa: E402
from textmetrics import token_f1  # noqa: E402

MAX_BANNER_PIXELS = 60


# ---------------------------------------------------------------- pagekeep

class StageClock:
    """Time spent in consent.install() and consent.handle(), per capture (captures run one at a time)."""

    def __init__(self):
        self.current = 0.0
        self._install, self._handle = consent.install, consent.handle

        async def install(*a, **kw):
            t = time.monotonic()
            try:
                return await self._install(*a, **kw)
            finally:
                self.current += time.monotonic() - t

        async def handle(*a, **kw):
            t = time.monotonic()
            try:
                return await self._handle(*a, **kw)
            finally:
                self.current += time.monotonic() - t

        consent.install, consent.handle = install, handle

    def take(self) -> float:
        t, self.current = self.current, 0.0
        return t


async def run_pagekeep(urls: dict, repeat: int, config: str) -> dict:
    from playwright.async_api import async_playwright

    clock = StageClock()
    results = {page: {"reject": [], "off": [], "stage": [], "last": None} for page in urls}
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            # one warm-up capture so the first page does not pay for a cold browser
            await capture_page(browser, urls["nobanner.html"], CaptureOptions(consent="off", consent_config=config))
            for i in range(repeat):
                for page, url in urls.items():
                    modes = ("reject", "off") if i % 2 == 0 else ("off", "reject")
                    for mode in modes:
                        clock.take()
                        t = time.monotonic()
                        cap = await capture_page(browser, url, CaptureOptions(consent=mode, consent_config=config))
                        results[page][mode].append(time.monotonic() - t)
                        stage = clock.take()
                        if mode == "reject":
                            results[page]["stage"].append(stage)
                            results[page]["last"] = cap
                print(f"  run {i + 1}/{repeat} done", file=sys.stderr)
        finally:
            await browser.close()
    return results


def judge_pagekeep(page: str, cap) -> tuple[bool, str]:
    shot = next(s for s in cap.screenshots if s["kind"] == "page")
    pixels = count_near(shot["image"], BANNER)
    _, recall, _ = token_f1(cap.record["text"], article_text(page))
    rec = cap.record
    want = MANIFEST[page]
    if want["cmp"] is None:
        ok = pixels <= MAX_BANNER_PIXELS and recall >= 0.95 and rec["consent_action"] is None
    else:
        ok = pixels <= MAX_BANNER_PIXELS and recall >= 0.95
    what = f'{rec["consent_cmp"] or "-"}/{rec["consent_action"] or "-"}'
    return ok, f"{what} (banner px {pixels}, recall {recall:.2f})"


# ---------------------------------------------------------------- shot-scraper

def run_shot_scraper(urls: dict, tmp: Path) -> tuple[dict, float, str]:
    import yaml

    shots = [{"url": url, "output": str(tmp / f"{i:02d}.jpg"), "quality": 80, "width": 1280, "wait": 3000}
             for i, url in enumerate(urls.values())]
    spec = tmp / "shots.yml"
    spec.write_text(yaml.safe_dump(shots), "utf-8")
    cmd, env = shot_scraper_command(["multi", str(spec)], tmp / "browsers")
    exe = cmd[0]
    t = time.monotonic()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    took = time.monotonic() - t
    if proc.returncode != 0:
        return {}, took, f"shot-scraper failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}"
    out = {}
    for i, page in enumerate(urls):
        path = tmp / f"{i:02d}.jpg"
        pixels = count_near(path.read_bytes(), BANNER) if path.exists() else None
        out[page] = (pixels is not None and pixels <= MAX_BANNER_PIXELS, pixels)
    return out, took, " ".join(Path(c).name if c == exe else c for c in cmd)


# ---------------------------------------------------------------- report

def fmt(x: float) -> str:
    return f"{x:+.2f}" if x < 0 else f"{x:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="captures per page and mode (medians are reported)")
    ap.add_argument("--no-shot-scraper", action="store_true")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    a = ap.parse_args()

    site = Site(CONSENT_DIR.parent, host="127.0.0.1").start()
    sp = Site(SP_DIR, host="127.0.0.2").start()
    tmp = Path(tempfile.mkdtemp(prefix="pagekeep-consent-bench-"))
    try:
        config = tmp / "consent.toml"
        config.write_text("[domains]\n", "utf-8")  # nobody's personal config gets in
        urls = {page: page_url(site, page, sp) for page in MANIFEST}
        print(f"pagekeep: {len(urls)} pages x {a.repeat} runs x 2 modes ...", file=sys.stderr)
        pk = asyncio.run(run_pagekeep(urls, a.repeat, str(config)))
        ss, ss_took, ss_cmd = ({}, 0.0, "skipped") if a.no_shot_scraper else run_shot_scraper(urls, tmp)
    finally:
        site.stop()
        sp.stop()

    rows = []
    for page in urls:
        r = pk[page]
        ok, what = judge_pagekeep(page, r["last"])
        extra = statistics.median(r["reject"]) - statistics.median(r["off"])
        stage = statistics.median(r["stage"])
        rows.append({"page": page, "vendor": MANIFEST[page]["vendor"], "handled": ok, "what": what,
                     "extra": extra, "stage": stage, "reject_s": statistics.median(r["reject"]),
                     "off_s": statistics.median(r["off"]), "shot_scraper_handled": ss.get(page, (None, None))[0],
                     "shot_scraper_banner_px": ss.get(page, (None, None))[1]})

    w = max(len(r["page"]) for r in rows)
    print(f"\nConsent fixtures: {len(rows)} pages; pagekeep {a.repeat} captures per page and mode (medians); "
          f"autoconsent {consent.engine_version()}; Chromium {find_chromium().path}\n")
    print(f"{'page':<{w}}  {'pagekeep':<9} {'recorded cmp/action (checks)':<62} {'extra s':>7} {'stage s':>7}  {'shot-scraper':<12}")
    for r in rows:
        s = r["shot_scraper_handled"]
        ss_txt = "-" if s is None else ("handled" if s else f"banner ({r['shot_scraper_banner_px']} px)")
        print(f"{r['page']:<{w}}  {'handled' if r['handled'] else 'FAILED':<9} {r['what']:<62} {fmt(r['extra']):>7} {r['stage']:>7.2f}  {ss_txt:<12}")
    extras = [r["extra"] for r in rows]
    stages = [r["stage"] for r in rows]
    handled = sum(r["handled"] for r in rows)
    print()
    print(f"{'':<14}{'handled':>9}  {'extra s/page: median':>21} {'worst':>6}   {'consent stage s: median':>24} {'worst':>6}")
    print(f"{'pagekeep':<14}{handled:>4}/{len(rows):<4}  {fmt(statistics.median(extras)):>21} {fmt(max(extras)):>6}   "
          f"{statistics.median(stages):>24.2f} {max(stages):>6.2f}")
    if ss:
        sh = sum(1 for v in ss.values() if v[0])
        print(f"{'shot-scraper':<14}{sh:>4}/{len(ss):<4}  {fmt(0.0):>21} {fmt(0.0):>6}   {'(no consent handling)':>24}")
        print(f"\nshot-scraper: `{ss_cmd}` took {ss_took:.1f}s for {len(ss)} pages (wait: 3000 ms per page)")
    else:
        print(f"\nshot-scraper: {ss_cmd}")
    no_banner = next(r for r in rows if MANIFEST[r["page"]]["cmp"] is None)
    print(f"page without a banner: {fmt(no_banner['extra'])} s end to end, {no_banner['stage']:.3f} s in the consent stage")
    if a.json:
        Path(a.json).write_text(json.dumps({"rows": rows, "shot_scraper_seconds": ss_took}, indent=2), "utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if handled == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
