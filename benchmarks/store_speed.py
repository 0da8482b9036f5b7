"""What kept facet counts and browsing indexes add to storing a capture.

Times capture.store.save_capture, the one transaction a capture writes
(article, screenshots, rendered page, attempt, queue), on two copies of the
same archive: as pagekeep sets it up now (kept-count triggers, browsing
indexes) and as before them (triggers and those indexes dropped). Batches
alternate between the copies so both see the same load on the machine.

    .venv/bin/python benchmarks/store_speed.py                  # 2,000-article archive, 300 captures each
    .venv/bin/python benchmarks/store_speed.py --articles 20000 --captures 600 --shots full

benchmarks/batch.py --store-cost does the same with the captures of a real batch.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sqlite_utils  # noqa: E402

import make_archive  # noqa: E402
from annotations import schema  # noqa: E402
from capture import facet_counts, store  # noqa: E402

BEFORE_INDEXES = {"idx_articles_lang"}  # browsing had this one before kept counts
LABELS = {"now": "kept-count triggers + browsing indexes", "counts": "kept-count triggers only",
          "before": "before (no triggers, no new indexes)"}


def open_plain(path: Path) -> sqlite_utils.Database:
    """The archive as store.connect opens it, minus the schema check (which would put the triggers back)."""
    conn = sqlite3.connect(str(path), timeout=store.BUSY_TIMEOUT_S, check_same_thread=False)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return sqlite_utils.Database(conn)


def strip(path: Path, triggers: bool, indexes: bool) -> None:
    """Take the kept-count triggers and/or the new browsing indexes off a copy."""
    db = open_plain(path)
    with store.write_transaction(db):
        for (name,) in db.conn.execute("select name from sqlite_master where type = 'trigger' and name like ?",
                                       [facet_counts.PREFIX + "%"]).fetchall() if triggers else []:
            db.conn.execute(f"drop trigger [{name}]")
        for name in set(schema.INDEXES) - BEFORE_INDEXES if indexes else []:
            db.conn.execute(f"drop index if exists [{name}]")
    db.conn.close()


def captures(gen, first: int, count: int, pool: dict) -> list[tuple]:
    out = []
    for i in range(first, first + count):
        rec = {k: v for k, v in gen.article(i).items() if not k.startswith("_") and k != "id"}
        rec["url"] = rec["final_url"] = f"{rec['url']}?bench={i}"
        shots = [dict(zip(("kind", "mime", "width", "height", "bytes", "image"), variants[i % len(variants)]))
                 for variants in pool.values()]
        for shot in shots:
            shot.pop("bytes")
        page = f"<html><head><title>{rec['title']}</title></head><body><article>{rec['html']}</article></body></html>"
        attempt = {"url": rec["url"], "started_at": rec["captured_at"], "seconds": 5.0, "status_code": 200}
        out.append((rec, shots, page, attempt))
    return out


def stored_captures(path: Path) -> list[tuple]:
    """The captures in an archive, as save_capture takes them (benchmarks/batch.py --store-cost replays
    a real batch's captures). Each URL gets a suffix, so none is a recapture of a row already there."""
    db = open_plain(path)
    out = []
    for rec in db["articles"].rows:
        article_id = rec.pop("id")
        rec["url"] = f"{rec['url']}#replay-{article_id}"
        shots = [{k: s[k] for k in ("kind", "mime", "width", "height", "note", "image")}
                 for s in db["screenshots"].rows_where("article_id = ?", [article_id])]
        page = next((gzip.decompress(r["html_gz"]).decode("utf-8")
                     for r in db["rendered_pages"].rows_where("article_id = ?", [article_id])), None)
        boxes = [{k: v for k, v in r.items() if k != "article_id"}
                 for r in db["text_boxes"].rows_where("article_id = ?", [article_id])]
        attempt = {"url": rec["url"], "started_at": rec["captured_at"], "seconds": rec["capture_seconds"],
                   "status_code": rec["status_code"]}
        out.append((rec, shots, page, attempt, {"text_boxes": boxes} if boxes else None))
    db.conn.close()
    return out


def timed(db, batch: list[tuple]) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for rec, shots, page, attempt, *related in batch:
        t, c = time.perf_counter(), time.process_time()
        store.save_capture(db, rec, shots, page, attempt, *related)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def compare(work: Path, articles: int, batches: list[list[tuple]]) -> dict:
    """Store the same captures into the three copies of an archive of `articles`, batch by batch in turn;
    per copy, the wall and CPU seconds of each save_capture."""
    paths = {name: work / f"{name}.db" for name in LABELS}
    make_archive.build(paths["now"], articles, 1, "none", jobs=0, echo=lambda line: None)
    shutil.copy(paths["now"], paths["counts"])
    strip(paths["counts"], triggers=False, indexes=True)
    shutil.copy(paths["now"], paths["before"])
    strip(paths["before"], triggers=True, indexes=True)
    dbs = {name: open_plain(path) for name, path in paths.items()}
    results = {name: ([], []) for name in dbs}
    try:
        for batch in batches:
            for name, db in dbs.items():
                wall, cpu = timed(db, batch)
                results[name][0].extend(wall)
                results[name][1].extend(cpu)
    finally:
        for db in dbs.values():
            db.conn.close()
    return results


def print_table(results: dict, heading: str) -> None:
    print(f"{heading}; load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'archive':44} {'median ms':>10} {'mean ms':>8} {'CPU ms (median)':>16}")
    med = {}
    for name, (wall, cpu) in results.items():
        med[name] = (statistics.median(wall) * 1000, statistics.median(cpu) * 1000)
        print(f"{LABELS[name]:44} {med[name][0]:10.2f} {statistics.mean(wall) * 1000:8.2f} {med[name][1]:16.2f}")
    print(f"extra per capture: {med['now'][0] - med['before'][0]:+.2f} ms wall, "
          f"{med['now'][1] - med['before'][1]:+.2f} ms CPU (medians)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000, help="size of the archive captures are added to")
    ap.add_argument("--captures", type=int, default=300, help="captures stored into each copy")
    ap.add_argument("--batch", type=int, default=25)
    ap.add_argument("--shots", choices=sorted(make_archive.SHOT_SIZES), default="full")
    ap.add_argument("--dir", help="where to build the archives (default: a temporary folder)")
    args = ap.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="pagekeep-store-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        gen = make_archive.Generator(2, args.articles + args.captures)
        pool = make_archive.shot_pool(make_archive.SHOT_SIZES[args.shots])
        end = args.articles + args.captures
        batches = [captures(gen, first, min(args.batch, end - first), pool)
                   for first in range(args.articles, end, args.batch)]
        results = compare(work, args.articles, batches)
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)
    print_table(results, f"store.save_capture into a {args.articles:,}-article archive, {args.captures} captures "
                         f"each ({args.shots} screenshots), alternating batches of {args.batch}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
