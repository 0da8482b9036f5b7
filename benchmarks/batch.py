#!/usr/bin/env python3
"""Batch benchmark: pagekeep vs shot-scraper `multi` vs the browser's own floor, on 60 copies of a seed-like page.

The page is tests/site/news/seed.html (late body, lazy related grid, consent bar
after load, sign-in modal after 1.5 s), served on loopback 60 times under
different query strings. All three lines run the same browser binary (the one
`pagekeep browser` names).

pagekeep: `pagekeep capture --from FILE` at its default concurrency; every page
must come out complete: title, byline, published date, the story's text
(>= 500 words), and page + article + thumb screenshots, stored in SQLite.

floor: benchmarks/floor.py at pagekeep's concurrency: a fresh context, load,
2 s wait, one full-page JPEG per page. What the browser itself costs.

shot-scraper: `shot-scraper multi` (one browser, pages in turn) with `wait: 2000`
per page so the late content appears; screenshots only.

CPU-s/page is the CPU time (user + system) of the whole process tree (the
command, the Playwright driver, every browser process), from the kernel's
accounting of reaped children (this script makes itself their subreaper, so
no orphaned browser process escapes it), divided by the pages done. On a
shared machine it is the steadier figure; wall time depends on the neighbours.

Memory is the peak, over the run, of the summed PSS (proportional set size, so
pages shared between Chromium processes are not counted twice) of the whole
process tree. Sampled every 0.2 s with psutil.

The stage profile (--profile N pages, one at a time, PAGEKEEP_CPU_TIMINGS=1)
splits pagekeep's and the floor's CPU per page by stage into the browser's
processes, the Playwright driver (node) and pagekeep's own Python process.

    .venv/bin/python benchmarks/batch.py
    .venv/bin/python benchmarks/batch.py --pages 60 --concurrency 6 --profile 0
    .venv/bin/python benchmarks/batch.py --archive    # the cost of --archive instead
    .venv/bin/python benchmarks/batch.py --store-cost # what kept counts and indexes add to each capture's transaction
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import resource
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

from capture.browser import find_chromium  # noqa: E402
from capture.localsite import Site  # noqa: E402
from capture.defaults import default_concurrency  # noqa: E402
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

    def processes(self) -> list:
        """The root and its descendants now ([] once the root is gone)."""
        try:
            return [self.root] + self.root.children(recursive=True)
        except psutil.Error:
            return []

    def _sample(self) -> int:
        total = 0
        for p in self.processes():
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


def become_subreaper() -> None:
    """Orphaned descendants (a browser process whose parent exited first) are re-parented to us,
    so their CPU time still reaches RUSAGE_CHILDREN when we reap them. Linux only; harmless elsewhere."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def reap_orphans() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_measured(cmd: list[str], env=None, stdin=None) -> tuple[float, int, float, subprocess.CompletedProcess]:
    """Wall seconds, peak tree PSS, CPU-seconds of the whole tree, and the finished process."""
    reap_orphans()
    cpu0 = children_cpu()
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    mem = TreeMemory(proc.pid)
    out, err = proc.communicate(stdin)
    wall = time.monotonic() - t0
    peak = mem.finish()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _descendants_alive():
        time.sleep(0.1)
    reap_orphans()
    return wall, peak, children_cpu() - cpu0, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _descendants_alive() -> bool:
    reap_orphans()
    try:
        return bool(psutil.Process().children())
    except psutil.Error:
        return False


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[k]


def run_pagekeep(urls: list[str], tmp: Path, concurrency: int | None, extra=(), env=None, name="pagekeep") -> dict:
    db = tmp / f"{name}.db"
    cmd = [str(Path(sys.executable).with_name("pagekeep")), "capture", "--from", "-", "--db", str(db), "--json", *extra]
    if concurrency:
        cmd += ["--concurrency", str(concurrency)]
    wall, peak, cpu, proc = run_measured(cmd, env=env, stdin="\n".join(urls))
    conn = sqlite3.connect(db)
    complete = conn.execute(
        """select count(*) from articles a
           where title is not null and byline is not null and published is not null and word_count >= 500
             and (select count(*) from screenshots s where s.article_id = a.id and s.kind in ('page', 'article', 'thumb')) = 3"""
    ).fetchone()[0]
    seconds = [s for (s,) in conn.execute("select seconds from attempts where ok = 1")]
    timings = [json.loads(t) for (t,) in conn.execute("select timings from articles")]
    conn.close()
    return {"tool": f"pagekeep (concurrency {concurrency or default_concurrency()})", "ok": proc.returncode == 0,
            "complete": complete, "wall": wall, "peak": peak, "cpu": cpu, "per_page": seconds, "timings": timings,
            "what": "text, metadata, 3 screenshots, SQLite",
            "error": proc.stderr.strip().splitlines()[-1:] if proc.returncode else None}


def run_floor(urls: list[str], concurrency: int, env=None) -> dict:
    cmd = [sys.executable, str(HERE / "floor.py"), "--concurrency", str(concurrency)]
    wall, peak, cpu, proc = run_measured(cmd, env=env, stdin="\n".join(urls))
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    done = [r for r in rows if r["ok"] and r["bytes"] > 0]
    return {"tool": f"floor (concurrency {concurrency})", "ok": proc.returncode == 0, "complete": len(done),
            "wall": wall, "peak": peak, "cpu": cpu, "per_page": [r["seconds"] for r in done],
            "timings": [r["timings"] for r in done], "what": "fresh context, load, 2 s wait, full-page JPEG",
            "error": (proc.stderr or "").strip().splitlines()[-1:] if proc.returncode else None}


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
    wall, peak, cpu, proc = run_measured(cmd, env=env)
    files = sorted(out.glob("*.jpg"))
    stamps = [t0] + sorted(f.stat().st_mtime for f in files)
    per_page = [b - a for a, b in zip(stamps, stamps[1:])]
    return {"tool": "shot-scraper multi (wait 2000)", "ok": proc.returncode == 0, "complete": len(files), "wall": wall,
            "peak": peak, "cpu": cpu, "per_page": per_page, "what": "full-page screenshot only",
            "error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] if proc.returncode else None}


def stage_table(title: str, row: dict, pages: int) -> list[str]:
    """Mean wall and CPU-seconds per page by stage, from timings recorded with PAGEKEEP_CPU_TIMINGS=1."""
    runs = [t for t in row.get("timings") or [] if t.get("cpu")]
    if not runs:
        return [f"\n{title}: no CPU timings recorded"]
    stages = list(dict.fromkeys(k for t in runs for k in t["cpu"]))
    n = len(runs)
    lines = [f"\n{title}: mean per page over {n} pages, one at a time\n",
             "| stage | wall s | browser CPU-s | driver CPU-s | python CPU-s | total CPU-s |", "|---|---|---|---|---|---|"]
    sums = [0.0, 0.0, 0.0, 0.0]
    for st in stages:
        wall = sum(t.get(st, 0) for t in runs) / n
        b, d, p = (sum(t["cpu"].get(st, [0, 0, 0])[i] for t in runs) / n for i in range(3))
        sums = [x + y for x, y in zip(sums, (wall, b, d, p))]
        lines.append(f"| {st} | {wall:.2f} | {b:.3f} | {d:.3f} | {p:.3f} | {b + d + p:.3f} |")
    lines.append(f"| **stages** | {sums[0]:.2f} | {sums[1]:.3f} | {sums[2]:.3f} | {sums[3]:.3f} | **{sum(sums[1:]):.3f}** |")
    whole = row["cpu"] / max(1, pages)
    lines.append(f"| whole run ÷ pages (adds start-up, launch, storing) | | | | | {whole:.3f} |")
    return lines


def store_cost(urls: list[str], tmp: Path, a, site) -> int:
    """The batch's own captures, stored again (one save_capture each, the capture's one transaction) into
    copies of an archive with and without kept counts and browsing indexes, against what a capture costs."""
    import store_speed

    try:
        print(f"pagekeep: {len(urls)} pages …", file=sys.stderr)
        row = run_pagekeep(urls, tmp, a.concurrency)
    finally:
        site.stop()
    caps = store_speed.stored_captures(tmp / "pagekeep.db")
    print(f"storing its {len(caps)} captures again into a {a.archive_size:,}-article archive, three ways …",
          file=sys.stderr)
    results = store_speed.compare(tmp, a.archive_size, [caps[i:i + 10] for i in range(0, len(caps), 10)] * 3)
    ppm = row["complete"] / row["wall"] * 60 if row["wall"] else 0
    print(f"\npagekeep, {len(urls)} copies of tests/site/news/seed.html: {row['complete']}/{len(urls)} complete, "
          f"{ppm:.1f} pages/min, {row['cpu'] / max(1, row['complete']):.2f} CPU-s/page (whole process tree), "
          f"median {statistics.median(row['per_page']):.2f} s per capture\n")
    store_speed.print_table(results, f"the same {len(caps)} captures stored again (3 times each, alternating batches "
                                     f"of 10) into a {a.archive_size:,}-article archive")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


def machine_load() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--concurrency", type=int, default=None, help="pagekeep's --concurrency (default: its own default)")
    ap.add_argument("--profile", type=int, default=8, metavar="N", help="pages in the per-stage CPU profile (0: none)")
    ap.add_argument("--no-shot-scraper", action="store_true")
    ap.add_argument("--no-floor", action="store_true")
    ap.add_argument("--archive", action="store_true",
                    help="instead: pagekeep without and with --archive (pages/min, CPU and MB per page; archive_cost.py)")
    ap.add_argument("--store-cost", action="store_true",
                    help="instead: pagekeep's batch, then its captures stored again into an archive of "
                         "--archive-size articles with and without kept counts and browsing indexes (store_speed.py)")
    ap.add_argument("--archive-size", type=int, default=20000)
    ap.add_argument("--pagekeep-args", default="", help="extra `pagekeep capture` options, e.g. '--consent off'")
    a = ap.parse_args()

    become_subreaper()
    concurrency = a.concurrency or default_concurrency()
    site = Site(ROOT / "tests" / "site").start()
    tmp = Path(tempfile.mkdtemp(prefix="pagekeep-batch-bench-"))
    urls = [site.url(f"news/seed.html?copy={i}") for i in range(a.pages)]
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
    if a.store_cost:
        return store_cost(urls, tmp, a, site)
    profile_urls = [site.url(f"news/seed.html?profile={i}") for i in range(a.profile)]
    profiling = dict(os.environ, PAGEKEEP_CPU_TIMINGS="1")
    rows, profiles = [], []
    load_before = machine_load()
    extra = a.pagekeep_args.split()
    try:
        if urls:
            print(f"pagekeep: {len(urls)} pages …", file=sys.stderr)
            rows.append(run_pagekeep(urls, tmp, a.concurrency, extra=extra))
        if urls and not a.no_floor:
            print(f"floor: {len(urls)} pages …", file=sys.stderr)
            rows.append(run_floor(urls, concurrency))
        if urls and not a.no_shot_scraper:
            print(f"shot-scraper multi: {len(urls)} pages …", file=sys.stderr)
            rows.append(run_shot_scraper(urls, tmp))
        if a.profile:
            print(f"stage profile: {a.profile} pages, one at a time …", file=sys.stderr)
            profiles.append(("pagekeep", run_pagekeep(profile_urls, tmp, 1, env=profiling, name="profile", extra=extra)))
            if not a.no_floor:
                profiles.append(("floor", run_floor(profile_urls, 1, env=profiling)))
    finally:
        site.stop()

    print(f"\n{len(urls)} copies of tests/site/news/seed.html on loopback; {os.cpu_count()} CPUs; "
          f"browser: {find_chromium().describe()}; load average before {load_before}, after {machine_load()}\n")
    print("| tool | complete | wall s | pages/min | CPU-s/page | median s/page | p95 s/page | peak memory (tree PSS) | per page |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ppm = r["complete"] / r["wall"] * 60 if r["wall"] else 0
        print(f"| {r['tool']} | {r['complete']}/{len(urls)} | {r['wall']:.1f} | {ppm:.1f} | {r['cpu'] / max(1, r['complete']):.2f} | "
              f"{statistics.median(r['per_page']) if r['per_page'] else float('nan'):.2f} | {pct(r['per_page'], 0.95):.2f} | "
              f"{r['peak'] / 2**20:.0f} MB | {r['what']} |")
    for r in rows:
        if r["error"]:
            print(f"\n{r['tool']} exited with an error: {r['error']}")
    by = {r["tool"].split(" ")[0]: r for r in rows}
    pk = by.get("pagekeep") or {"complete": 0, "wall": 0, "cpu": 0}
    if pk["wall"] and "shot-scraper" in by and by["shot-scraper"]["wall"]:
        ss = by["shot-scraper"]
        ratio = (pk["complete"] / pk["wall"]) / max(1e-9, ss["complete"] / ss["wall"])
        print(f"\npagekeep pages/min ÷ shot-scraper pages/min = {ratio:.2f}×")
    if pk["complete"] and "floor" in by and by["floor"]["complete"]:
        fl = by["floor"]
        ratio = (pk["cpu"] / max(1, pk["complete"])) / (fl["cpu"] / fl["complete"])
        print(f"pagekeep CPU-s/page ÷ floor CPU-s/page = {ratio:.2f}×")
    for title, row in profiles:
        print("\n".join(stage_table(f"CPU by stage, {title}", row, len(profile_urls))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
