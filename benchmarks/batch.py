#!/usr/bin/env python3
"""Batch benchmark: pagekeep vs shot-scraper `multi` on 60 copies of a seed-like page.

The page is tests/site/news/seed.html (late body, lazy related grid, consent bar
after load, sign-in modal after 1.5 s), served on loopback 60 times under
different query strings.

pagekeep: `pagekeep capture --from FILE` at its default concurrency; every page
must come out complete: title, byline, published date, the story's text
(>= 500 words), and page + article + thumb screenshots, stored in SQLite.

shot-scraper: `shot-scraper multi` (one browser, pages in turn) with `wait: 2000`
per page so the late content appears; screenshots only.

Memory is the peak, over the run, of the summed PSS (proportional set size, so
pages shared between Chromium processes are not counted twice) of the whole
process tree: the command and every browser process under it. Sampled every
0.2 s with psutil.

    .venv/bin/python benchmarks/batch.py
    .venv/bin/python benchmarks/batch.py --pages 60 --concurrency 6
    .venv/bin/python benchmarks/batch.py --archive    # the cost of --archive instead
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from capture.localsite import Site  # noqa: E402
from peers import shot_scraper_command  # noqa: E402


class TreeMemory:
    """Peak summed PSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.2):
        self.root = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _sample(self) -> int:
        total = 0
        try:
            procs = [self.root] + self.root.children(recursive=True)
        except psutil.Error:
            return 0
        for p in procs:
            try:
                total += p.memory_full_info().pss
            except psutil.Error:
                pass
        return total

    def _run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, self._sample())
            self.stop.wait(self.every)

    def finish(self) -> int:
        self.stop.set()
        self.thread.join()
        return self.peak


def run_measured(cmd: list[str], env=None, stdin=None) -> tuple[float, int, subprocess.CompletedProcess]:
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    mem = TreeMemory(proc.pid)
    out, err = proc.communicate(stdin)
    wall = time.monotonic() - t0
    peak = mem.finish()
    return wall, peak, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


def run_pagekeep(urls: list[str], tmp: Path, concurrency: int | None, extra: list[str] = ()) -> dict:
    db = tmp / "pagekeep.db"
    cmd = [str(Path(sys.executable).with_name("pagekeep")), "capture", "--from", "-", "--db", str(db), "--json", *extra]
    if concurrency:
        cmd += ["--concurrency", str(concurrency)]
    wall, peak, proc = run_measured(cmd, stdin="\n".join(urls))
    conn = sqlite3.connect(db)
    complete = conn.execute(
        """select count(*) from articles a
           where title is not null and byline is not null and published is not null and word_count >= 500
             and (select count(*) from screenshots s where s.article_id = a.id and s.kind in ('page', 'article', 'thumb')) = 3"""
    ).fetchone()[0]
    seconds = [s for (s,) in conn.execute("select seconds from attempts where ok = 1")]
    conn.close()
    return {"tool": f"pagekeep (concurrency {concurrency or 'default'})", "ok": proc.returncode == 0, "complete": complete,
            "wall": wall, "peak": peak, "per_page": seconds, "what": "text, metadata, 3 screenshots, SQLite",
            "error": proc.stderr.strip().splitlines()[-1:] if proc.returncode else None}


def run_shot_scraper(urls: list[str], tmp: Path) -> dict:
    import yaml

    out = tmp / "shots"
    out.mkdir()
    shots = [{"url": u, "output": str(out / f"{i:03d}.jpg"), "quality": 80, "width": 1280, "wait": 2000}
             for i, u in enumerate(urls)]
    spec = tmp / "shots.yml"
    spec.write_text(yaml.safe_dump(shots), "utf-8")
    cmd, env = shot_scraper_command(["multi", str(spec)], tmp / "browsers")
    t0 = time.time()
    wall, peak, proc = run_measured(cmd, env=env)
    files = sorted(out.glob("*.jpg"))
    stamps = [t0] + sorted(f.stat().st_mtime for f in files)
    per_page = [b - a for a, b in zip(stamps, stamps[1:])]
    return {"tool": "shot-scraper multi (wait 2000)", "ok": proc.returncode == 0, "complete": len(files), "wall": wall,
            "peak": peak, "per_page": per_page, "what": "full-page screenshot only",
            "error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] if proc.returncode else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--concurrency", type=int, default=None, help="pagekeep's --concurrency (default: its own default)")
    ap.add_argument("--no-shot-scraper", action="store_true")
    ap.add_argument("--archive", action="store_true",
                    help="instead: pagekeep without and with --archive (pages/min, CPU and MB per page; archive_cost.py)")
    a = ap.parse_args()

    site = Site(ROOT / "tests" / "site").start()
    tmp = Path(tempfile.mkdtemp(prefix="pagekeep-batch-bench-"))
    urls = [site.url(f"news/seed.html?copy={i}") for i in range(a.pages)]
    rows = []
    if a.archive:
        import archive_cost

        try:
            print(f"pagekeep without and with --archive: {len(urls)} pages each …", file=sys.stderr)
            archive_rows = archive_cost.compare(run_pagekeep, urls, tmp, a.concurrency)
        finally:
            site.stop()
        print(f"\n{len(urls)} copies of tests/site/news/seed.html on loopback; {os.cpu_count()} CPUs\n")
        archive_cost.print_table(archive_rows, len(urls))
        return 0
    try:
        print(f"pagekeep: {len(urls)} pages …", file=sys.stderr)
        rows.append(run_pagekeep(urls, tmp, a.concurrency))
        if not a.no_shot_scraper:
            print(f"shot-scraper multi: {len(urls)} pages …", file=sys.stderr)
            rows.append(run_shot_scraper(urls, tmp))
    finally:
        site.stop()

    print(f"\n{len(urls)} copies of tests/site/news/seed.html on loopback; {os.cpu_count()} CPUs\n")
    print("| tool | complete | wall s | pages/min | median s/page | p95 s/page | peak memory (tree PSS) | per page |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        ppm = r["complete"] / r["wall"] * 60 if r["wall"] else 0
        print(f"| {r['tool']} | {r['complete']}/{len(urls)} | {r['wall']:.1f} | {ppm:.1f} | "
              f"{statistics.median(r['per_page']) if r['per_page'] else float('nan'):.2f} | {pct(r['per_page'], 0.95):.2f} | "
              f"{r['peak'] / 2**20:.0f} MB | {r['what']} |")
    for r in rows:
        if r["error"]:
            print(f"\n{r['tool']} exited with an error: {r['error']}")
    if len(rows) == 2 and rows[1]["wall"]:
        ratio = (rows[0]["complete"] / rows[0]["wall"]) / max(1e-9, rows[1]["complete"] / rows[1]["wall"])
        print(f"\npagekeep pages/min ÷ shot-scraper pages/min = {ratio:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
