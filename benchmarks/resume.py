#!/usr/bin/env python3
"""Resumability at scale: a 2,000-URL batch interrupted twice (SIGINT, then SIGKILL).

Serves tests/site/batch/story.html on loopback under 2,000 query strings, starts
`pagekeep capture --from FILE`, sends SIGINT once a third is stored, re-runs the
same command, SIGKILLs it at two thirds, re-runs it to the end, then checks that
every URL was captured exactly once and the archive passes an integrity check.

    .venv/bin/python benchmarks/resume.py            # 2,000 URLs
    .venv/bin/python benchmarks/resume.py --urls 300
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from capture.localsite import Site  # noqa: E402


def stored(db: Path) -> int:
    try:
        conn = sqlite3.connect(db, timeout=30)
        try:
            return conn.execute("select count(*) from articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0  # not created yet


def run(cmd, until: int | None, sig, db: Path) -> tuple[int, float]:
    t0 = time.monotonic()
    # SIGINT as from a terminal: a child of a background job would inherit it ignored.
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    if until is not None:
        while proc.poll() is None and stored(db) < until:
            time.sleep(0.5)
        if proc.poll() is None:
            proc.send_signal(sig)
    proc.wait()
    return proc.returncode, time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--urls", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=None)
    a = ap.parse_args()
    site = Site(ROOT / "tests" / "site").start()
    tmp = Path(tempfile.mkdtemp(prefix="pagekeep-resume-"))
    db, listing = tmp / "archive.db", tmp / "urls.txt"
    urls = [site.url(f"batch/story.html?n={i}") for i in range(a.urls)]
    listing.write_text("\n".join(urls))
    cmd = [str(Path(sys.executable).with_name("pagekeep")), "capture", "--from", str(listing), "--db", str(db)]
    if a.concurrency:
        cmd += ["--concurrency", str(a.concurrency)]
    try:
        steps = [("SIGINT at 1/3", a.urls // 3, signal.SIGINT), ("SIGKILL at 2/3", 2 * a.urls // 3, signal.SIGKILL),
                 ("to the end", None, None)]
        print(f"{a.urls} URLs on loopback → {db}", flush=True)
        for name, until, sig in steps:
            rc, secs = run(cmd, until, sig, db)
            print(f"  run {name:<15} exit {rc:>4}  {secs:6.0f} s  articles stored: {stored(db)}", flush=True)
    finally:
        site.stop()
    conn = sqlite3.connect(db)
    per_url = dict(conn.execute("select url, count(*) from articles group by url").fetchall())
    missing = [u for u in urls if u not in per_url]
    twice = [u for u, n in per_url.items() if n > 1]
    check = conn.execute("pragma integrity_check").fetchone()[0]
    attempts = conn.execute("select count(*), sum(ok) from attempts").fetchone()
    print(f"captured exactly once: {sum(1 for u in urls if per_url.get(u) == 1)}/{a.urls}; "
          f"missing {len(missing)}, more than once {len(twice)}; integrity_check: {check}; "
          f"attempts: {attempts[0]} ({attempts[1]} ok)")
    return 0 if not missing and not twice and check == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
