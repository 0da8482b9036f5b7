"""How fast Datasette answers on a large archive: table page, faceted views,
full-text search, an article record and a thumbnail, median and p95.

By default requests go through Datasette's in-process ASGI client (the whole
Datasette stack and plugin, no network); --http starts `pagekeep serve` on a
free loopback port and measures over real HTTP with keep-alive.

    .venv/bin/python benchmarks/make_archive.py --db /tmp/bench/pagekeep.db
    .venv/bin/python benchmarks/datasette_speed.py --db /tmp/bench/pagekeep.db
    .venv/bin/python benchmarks/datasette_speed.py --db /tmp/bench/pagekeep.db --http
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_MS = 300


def scenarios(db_path: Path, db: str) -> list[tuple[str, str, str]]:
    """(name, path, what it shows), with filter values taken from the archive itself."""
    conn = sqlite3.connect(db_path)
    site = conn.execute("select site_name from articles group by 1 order by count(*) desc limit 1").fetchone()[0]
    tag = conn.execute("select t.name from tags t join article_tags at on at.tag_id = t.id "
                       "group by t.id order by count(*) desc limit 1").fetchone()[0]
    day = conn.execute("select date(captured_at) from articles group by 1 order by count(*) desc limit 1").fetchone()[0]
    n = conn.execute("select count(*) from articles").fetchone()[0]
    # search words that hit many, some and few articles
    common, medium = "council", "harbour"
    article_id = conn.execute("select id from articles order by captured_at desc limit 1 offset 17").fetchone()[0]
    counts = {w: conn.execute("select count(*) from articles_fts where articles_fts match ?", [w]).fetchone()[0]
              for w in (common, medium)}
    # and a word found in a few percent of the archive, like most real searches
    conn.execute("create virtual table temp.vocab using fts5vocab(main, 'articles_fts', 'row')")
    typical, typical_hits = conn.execute(
        "select term, doc from temp.vocab where doc between ? and ? and length(term) > 4 "
        "order by doc desc limit 1", [n // 50, n // 20]).fetchone() or (medium, counts[medium])
    conn.close()
    t = f"/{db}/articles"
    return [
        ("table page", t, f"{n:,} articles, newest 50, 4 facets, tags, thumbnails"),
        ("faceted: site + lang", f"{t}?{urlencode({'site_name': site, 'lang': 'en'})}", f"site_name={site!r} & lang=en"),
        ("faceted: tag", f"{t}?{urlencode({'_tag': tag})}", f"_tag={tag!r}"),
        ("faceted: capture day", f"{t}?{urlencode({'_day': day})}", f"_day={day} (the Capture day facet)"),
        ("search: common word", f"{t}?{urlencode({'_search': common})}", f"_search={common} ({counts[common]:,} hits)"),
        ("search: typical word", f"{t}?{urlencode({'_search': typical})}", f"_search={typical} ({typical_hits:,} hits)"),
        ("search: two words", f"{t}?{urlencode({'_search': f'{common} {medium}'})}", f"_search={common} {medium}"),
        ("search + facet", f"{t}?{urlencode({'_search': medium, '_tag': tag})}", f"_search={medium} ({counts[medium]:,} hits) & _tag"),
        ("search query (ranked)", f"/{db}/search?{urlencode({'q': medium})}", "canned query, bm25 + snippets"),
        ("article record", f"{t}/{article_id}", "row page: text, history, tags, notes"),
        ("thumbnail", f"/-/pagekeep/{db}/shots/{article_id}/thumb", "image route"),
    ]


def summarise(name, what, times, status, size, cpu=None):
    times_ms = sorted(t * 1000 for t in times)
    median = statistics.median(times_ms)
    p95 = times_ms[min(len(times_ms) - 1, int(round(0.95 * (len(times_ms) - 1))))]
    return {"name": name, "what": what, "median": median, "p95": p95, "status": status, "bytes": size,
            "cpu": statistics.median(cpu) * 1000 if cpu else None}


async def run_in_process(db_path: Path, runs: int, warmup: int):
    from annotations.serve import make_datasette, prepare_archive

    prepare_archive(db_path)
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    db = db_path.stem
    results = []
    for name, path, what in scenarios(db_path, db):
        for _ in range(warmup):
            await ds.client.get(path)
        times, cpu = [], []
        for _ in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = await ds.client.get(path)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)  # all threads of this process, SQLite's included
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        results.append(summarise(name, what, times, response.status_code, len(response.content), cpu))
    return results


def run_http(db_path: Path, runs: int, warmup: int):
    import httpx

    proc = subprocess.Popen([sys.executable, "-m", "capture.cli", "serve", "--db", str(db_path), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = None
        for line in proc.stdout:
            if m := re.search(r"Browse the archive: (http://[^/]+)", line):
                base = m.group(1)
                break
        if not base:
            raise SystemExit("pagekeep serve did not start")
        results = []
        with httpx.Client(base_url=base, timeout=30) as client:
            for name, path, what in scenarios(db_path, db_path.stem):
                for _ in range(warmup):
                    client.get(path)
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    response = client.get(path)
                    times.append(time.perf_counter() - start)
                assert response.status_code == 200, (path, response.status_code)
                results.append(summarise(name, what, times, response.status_code, len(response.content)))
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="archive (build one with benchmarks/make_archive.py)")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--http", action="store_true", help="measure a real `pagekeep serve` over loopback HTTP")
    args = ap.parse_args()
    db_path = Path(args.db)
    if not db_path.exists():
        print(f"error: no archive at {db_path}; build one with benchmarks/make_archive.py", file=sys.stderr)
        return 2
    mode = "real HTTP to `pagekeep serve` on loopback" if args.http else "Datasette in-process ASGI client"
    results = run_http(db_path, args.runs, args.warmup) if args.http else \
        asyncio.run(run_in_process(db_path, args.runs, args.warmup))
    conn = sqlite3.connect(db_path)
    n = conn.execute("select count(*) from articles").fetchone()[0]
    conn.close()
    load = os.getloadavg()
    print(f"Datasette speed on {db_path} ({n:,} articles, {db_path.stat().st_size / 1e6:,.0f} MB); "
          f"{mode}; {args.runs} runs after {args.warmup} warm-up")
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
          "(other work on the machine inflates wall times; CPU ms is this process's own work)")
    print(f"{'view':24} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'KB':>6}  what")
    for r in results:
        cpu = f"{r['cpu']:7.1f}" if r["cpu"] is not None else f"{'-':>7}"
        print(f"{r['name']:24} {r['median']:10.1f} {r['p95']:8.1f} {cpu} {r['bytes'] / 1024:6.0f}  {r['what']}")
    gated = [r for r in results if r["name"] in ("table page", "faceted: site + lang", "faceted: tag",
                                                  "faceted: capture day", "search: common word")]
    slow = [r["name"] for r in gated if r["median"] >= BUDGET_MS]
    print(f"budget: median under {BUDGET_MS} ms for the table page, faceted views and full-text search: "
          + ("met" if not slow else f"MISSED by {', '.join(slow)}"))
    return 0 if not slow else 1


if __name__ == "__main__":
    sys.exit(main())
