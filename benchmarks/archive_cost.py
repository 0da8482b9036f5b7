"""What `capture --archive` costs: the batch benchmark's pages, captured without and with it.

Run through `benchmarks/batch.py --archive`. The pages are split into rounds;
each round captures its share without and then with --archive (the order
alternating from round to round), so that a machine whose load drifts during
the run weighs on both alike. Figures per page: pages/min, the CPU-seconds of
the whole process tree (pagekeep, Playwright's driver, Chromium), the
archive's growth on disk, and the stored WACZ size.
"""

from __future__ import annotations

import os
import resource
import sqlite3
import statistics
from pathlib import Path

MB = 1_000_000


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _db_bytes(db: Path) -> int:
    return sum(os.path.getsize(p) for p in (db, Path(f"{db}-wal")) if p.exists())


def measure(run_pagekeep, urls: list[str], folder: Path, concurrency: int | None, archive: bool) -> dict:
    folder.mkdir()
    cpu = _children_cpu()
    row = run_pagekeep(urls, folder, concurrency, ["--archive"] if archive else [])
    row["cpu"] = _children_cpu() - cpu
    db = folder / "pagekeep.db"
    conn = sqlite3.connect(db)
    conn.execute("pragma wal_checkpoint(truncate)")
    row["db_bytes"] = _db_bytes(db)
    tables = {name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")}
    row["wacz"] = [b for (b,) in conn.execute("select bytes from archives")] if "archives" in tables else []
    row["warc"] = [b for (b,) in conn.execute("select warc_bytes from archives")] if "archives" in tables else []
    conn.close()
    return row


def compare(run_pagekeep, urls: list[str], tmp: Path, concurrency: int | None, rounds: int = 4) -> list[dict]:
    runs: dict[bool, list[dict]] = {False: [], True: []}
    for i in range(rounds):
        share = urls[i::rounds]
        for archive in ((False, True) if i % 2 == 0 else (True, False)):
            folder = tmp / f"{'with' if archive else 'without'}-archive-{i}"
            runs[archive].append(measure(run_pagekeep, share, folder, concurrency, archive))
    return [_total(runs[archive], archive) for archive in (False, True)]


def _total(parts: list[dict], archive: bool) -> dict:
    out = {"archive": archive, "per_page": [], "wacz": [], "warc": []}
    for key in ("complete", "wall", "cpu", "db_bytes"):
        out[key] = sum(p[key] for p in parts)
    for key in ("per_page", "wacz", "warc"):
        for p in parts:
            out[key] += p[key]
    return out


def print_table(rows: list[dict], pages: int) -> None:
    print("| pagekeep capture | complete | pages/min | median s/page | CPU s/page | MB/page in SQLite "
          "| WACZ MB/page (of which WARC) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        done = max(1, r["complete"])
        wacz = (f"{statistics.mean(r['wacz']) / MB:.3f} ({statistics.mean(r['warc']) / MB:.3f})"
                if r["wacz"] else "–")
        print(f"| {'--archive' if r['archive'] else 'default'} | {r['complete']}/{pages} | "
              f"{r['complete'] / r['wall'] * 60:.1f} | {statistics.median(r['per_page']):.2f} | "
              f"{r['cpu'] / done:.2f} | {r['db_bytes'] / done / MB:.3f} | {wacz} |")
    plain, archived = rows
    if plain["wall"] and archived["wall"] and plain["complete"] and archived["complete"]:
        print(f"\n--archive: {archived['cpu'] / archived['complete'] - plain['cpu'] / plain['complete']:+.2f} "
              f"CPU s/page, {(archived['db_bytes'] - plain['db_bytes']) / archived['complete'] / MB:+.3f} MB/page, "
              f"pages/min × {(archived['complete'] / archived['wall']) / (plain['complete'] / plain['wall']):.2f}")
