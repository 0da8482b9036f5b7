"""How fast Datasette answers on a large archive: table page, faceted views,
full-text search, an article record and a thumbnail, median and p95.

By default requests go through Datasette's in-process ASGI client (the whole
Datasette stack and plugin, no network); --http starts `pagekeep serve` on a
free loopback port and measures over real HTTP with keep-alive. Several
--db give a table with the archives side by side. Exits 1 when a view is
over budget: 300 ms for the table page, faceted views and searches, 100 ms
for a record page.

    .venv/bin/python benchmarks/make_archive.py --db /tmp/bench/10k.db --articles 10000 --shots thumbs
    .venv/bin/python benchmarks/datasette_speed.py --db /tmp/bench/10k.db
    .venv/bin/python benchmarks/datasette_speed.py --http --db /tmp/bench/10k.db --db /tmp/bench/1m.db
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

BUDGET_MS = 300          # table page, faceted views, full-text search
RECORD_BUDGET_MS = 100   # an article's record page
GATED = ("table page", "faceted: site + lang", "faceted: tag", "faceted: capture day", "search: common word",
         "search: typical word", "search: two words", "search + tag facet")


def _kept_top(conn, facet: str, order: str = "n desc") -> str | None:
    try:
        row = conn.execute(f"select value from facet_counts where by_facet = '' and by_value = '' and facet = ? "
                           f"order by {order} limit 1", [facet]).fetchone()
        return row[0] if row else None
    except sqlite3.OperationalError:  # an archive without kept counts
        return None


def _hits(conn, word: str, cap: int | None = None) -> int:
    sql = "select count(*) from (select 1 from articles_fts where articles_fts match ?" + \
        (f" limit {cap})" if cap else ")")
    return conn.execute(sql, [word]).fetchone()[0]


def typical_word(conn, n: int, fallback: str) -> tuple[str, int]:
    """A word found in 2-5% of the archive, like most real searches, taken from an article's text
    (fts5vocab would read the whole full-text index to find one)."""
    low, high = n // 50, n // 20
    for (text,) in conn.execute("select text from articles where id in (17, 1017, 5017)"):
        for word in sorted(set(re.findall(r"[a-z]{5,}", (text or "").lower()))):
            hits = _hits(conn, word, high + 1)
            if low <= hits <= high:
                return word, hits
    return fallback, _hits(conn, fallback)


def scenarios(db_path: Path, db: str) -> list[tuple[str, str, str]]:
    """(name, path, what it shows), with filter values taken from the archive itself."""
    conn = sqlite3.connect(db_path)
    site = _kept_top(conn, "site") or conn.execute(
        "select site_name from articles group by 1 order by count(*) desc limit 1").fetchone()[0]
    tag_id = _kept_top(conn, "tag")
    tag = conn.execute("select name from tags where id = ?", [tag_id]).fetchone()[0] if tag_id else \
        conn.execute("select t.name from tags t join article_tags at on at.tag_id = t.id "
                     "group by t.id order by count(*) desc limit 1").fetchone()[0]
    day = _kept_top(conn, "day") or conn.execute(
        "select date(captured_at) from articles group by 1 order by count(*) desc limit 1").fetchone()[0]
    n = conn.execute("select count(*) from articles").fetchone()[0]
    # search words that hit many, some and few articles
    common, medium = "council", "harbour"
    article_id = conn.execute("select max(id) - 17 from articles").fetchone()[0]
    counts = {w: _hits(conn, w) for w in (common, medium)}
    typical, typical_hits = typical_word(conn, n, medium)
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
        ("search + tag facet", f"{t}?{urlencode({'_search': medium, '_tag': tag})}",
         f"_search={medium} ({counts[medium]:,} hits) & _tag={tag!r}"),
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


def verdict(results) -> list[str]:
    """The views over budget."""
    slow = [r["name"] for r in results if r["name"] in GATED and r["median"] >= BUDGET_MS]
    slow += [r["name"] for r in results if r["name"] == "article record" and r["median"] >= RECORD_BUDGET_MS]
    return slow


def report(db_path: Path, results, mode: str, runs: int, warmup: int) -> None:
    conn = sqlite3.connect(db_path)
    n = conn.execute("select count(*) from articles").fetchone()[0]
    conn.close()
    print(f"\nDatasette speed on {db_path} ({n:,} articles, {db_path.stat().st_size / 1e9:,.1f} GB); "
          f"{mode}; {runs} runs after {warmup} warm-up")
    print(f"{'view':24} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} {'KB':>6}  what")
    for r in results:
        cpu = f"{r['cpu']:7.1f}" if r["cpu"] is not None else f"{'-':>7}"
        print(f"{r['name']:24} {r['median']:10.1f} {r['p95']:8.1f} {cpu} {r['bytes'] / 1024:6.0f}  {r['what']}")
    slow = verdict(results)
    print(f"budget: median under {BUDGET_MS} ms for the table page, faceted views and full-text search, "
          f"under {RECORD_BUDGET_MS} ms for a record page: " + ("met" if not slow else f"MISSED by {', '.join(slow)}"))


def side_by_side(archives: list[tuple[Path, int, list]]) -> None:
    """Markdown tables, archives as columns: what the README shows. Median ms, then (in-process) median
    CPU ms, which other work on the machine inflates far less."""
    for key, title in (("median", "median ms"), ("cpu", "CPU ms")):
        if any(r[key] is None for _, _, results in archives for r in results):
            continue
        print(f"\n| view ({title}) | " + " | ".join(f"{n:,} articles" for _, n, _ in archives) + " |")
        print("|---|" + "---:|" * len(archives))
        for i, r in enumerate(archives[0][2]):
            print(f"| {r['name']} | " + " | ".join(f"{results[i][key]:.0f}" for _, _, results in archives) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, action="append",
                    help="archive (build one with benchmarks/make_archive.py); repeat for a side-by-side table")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--http", action="store_true", help="measure a real `pagekeep serve` over loopback HTTP")
    args = ap.parse_args()
    paths = [Path(p) for p in args.db]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"error: no archive at {missing[0]}; build one with benchmarks/make_archive.py", file=sys.stderr)
        return 2
    mode = "real HTTP to `pagekeep serve` on loopback" if args.http else "Datasette in-process ASGI client"
    print(f"machine: {os.cpu_count()} CPUs; load average before: " + " / ".join(f"{x:.1f}" for x in os.getloadavg())
          + " (other work on the machine inflates wall times; CPU ms is this process's own work)")
    archives, slow = [], []
    for path in paths:
        results = run_http(path, args.runs, args.warmup) if args.http else \
            asyncio.run(run_in_process(path, args.runs, args.warmup))
        report(path, results, mode, args.runs, args.warmup)
        conn = sqlite3.connect(path)
        archives.append((path, conn.execute("select count(*) from articles").fetchone()[0], results))
        conn.close()
        slow += verdict(results)
    if len(archives) > 1:
        side_by_side(archives)
    print("\nload average after: " + " / ".join(f"{x:.1f}" for x in os.getloadavg()))
    return 0 if not slow else 1


if __name__ == "__main__":
    sys.exit(main())
