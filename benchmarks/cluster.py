#!/usr/bin/env python3
"""Cluster benchmark: the one writer's ceiling, and `--cluster local:2` beside a plain local batch.

1. Writer ceiling. A local Dask cluster (2 worker processes) answers every task
   at once with a synthetic capture of about 1 MB: three incompressible
   "screenshots" (800 + 180 + 20 KB, like JPEGs), 20 KB of text and 60 KB of
   rendered HTML (gzipped by the writer, as for real pages). The client stores
   them through the same path as real captures: claim with a lease, the
   window, the writer thread, one transaction per article. Articles per second
   between the first and the last stored result is the most one archive takes,
   however many workers render.
2. Pages per minute. The same seed-like pages (tests/site/news/seed.html under
   different query strings, as benchmarks/batch.py) captured by `pagekeep
   capture --from FILE` at its default concurrency and by the same command with
   `--cluster local:1` (one worker process, as `pagekeep worker` on a machine of
   its own: the per-worker rate) and `--cluster local:2` (the concurrency split
   over 2 worker processes), one after the other in this run. CPU-seconds are
   those of the whole process tree (sampled), split into the command itself
   (client, writer, and for local:N the scheduler), worker processes, and
   browsers (Playwright's driver and Chromium).

    .venv/bin/python benchmarks/cluster.py
    .venv/bin/python benchmarks/cluster.py --pages 30 --results 400 --rounds 2
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import psutil  # noqa: E402
from batch import TreeMemory  # noqa: E402
from capture.cluster import ClusterRenderer  # noqa: E402
from capture.localsite import Site  # noqa: E402
from capture.pipeline import CaptureOptions  # noqa: E402
from capture.runner import BatchOptions, Renderer, Reporter, capture_urls  # noqa: E402

SHOTS = (("page", 800_000), ("article", 180_000), ("thumb", 20_000))


async def synthetic_capture(url: str, opts, expected: dict) -> dict:
    """A worker's reply as capture_task() makes it, of about 1 MB, made at once."""
    return synthetic_reply(url)


def synthetic_reply(url: str) -> dict:
    import os as _os

    words = ("harbour ferry council winter timetable weather " * 400)[:20_000]
    record = {"url": url, "final_url": url, "title": f"Synthetic {url.rsplit('=', 1)[-1]}", "text": words,
              "html": f"<p>{words}</p>", "word_count": len(words.split()), "captured_at": "2026-01-01T00:00:00Z",
              "status_code": 200, "chromium_version": "synthetic"}
    shots = [{"kind": k, "mime": "image/jpeg", "width": 1280, "height": 900, "image": _os.urandom(n)} for k, n in SHOTS]
    return {"record": record, "screenshots": shots, "rendered_html": "<html><body>" + words * 3 + "</body></html>"}


class Clock(Reporter):
    def __init__(self):
        self.stamps: list[float] = []

    def outcome(self, o) -> None:
        if o.ok and not o.skipped:
            self.stamps.append(time.monotonic())


class Synthetic(Renderer):
    """A renderer that makes the synthetic replies in this process: the writer alone, the floor to compare with."""

    async def render(self, url, opts, before_navigate=None):
        from capture.cluster import _capture

        return _capture(synthetic_reply(url))


def writer_ceiling(n: int, tmp: Path, cluster: bool, window: int) -> dict:
    db = tmp / f"ceiling-{'cluster' if cluster else 'alone'}.db"
    clock = Clock()
    renderer = ClusterRenderer("local:2", concurrency=window, task=synthetic_capture) if cluster else Synthetic()
    cpu0 = time.process_time()
    outcomes = capture_urls([f"http://synthetic.test/a?n={i}" for i in range(n)], str(db), CaptureOptions(),
                            batch=BatchOptions(concurrency=window, per_host=10_000), reporter=clock, renderer=renderer)
    cpu = time.process_time() - cpu0
    conn = sqlite3.connect(db)
    stored = conn.execute("select count(*) from articles").fetchone()[0]
    shot_bytes = conn.execute("select sum(bytes) from screenshots").fetchone()[0] or 0
    html_bytes = conn.execute("select sum(bytes) from rendered_pages").fetchone()[0] or 0
    conn.close()
    span = clock.stamps[-1] - clock.stamps[0] if len(clock.stamps) > 1 else float("nan")
    rate = (len(clock.stamps) - 1) / span
    mb = (shot_bytes + html_bytes) / stored / 1e6 if stored else 0
    return {"how": f"from --cluster local:2, {window} in flight" if cluster else "made in the client (writer alone)",
            "ok": all(o.ok for o in outcomes), "stored": stored, "rate": rate, "mb_per_article": mb,
            "client_cpu_per_article": cpu / max(1, stored), "db_mb": db.stat().st_size / 1e6}


class TreeCPU(TreeMemory):
    """CPU-seconds of a process tree: the last user+system seen for every process in it, summed
    (sampled, so processes that live less than a sample are missed)."""

    def __init__(self, pid: int, every: float = 0.2):
        self.seen: dict[tuple, tuple[str, float]] = {}
        super().__init__(pid, every)

    def _sample(self) -> int:
        for p in self.processes():
            try:
                t = p.cpu_times()
                role = "client" if p.pid == self.root.pid else "python" if "python" in p.name() else "browser"
                self.seen[(p.pid, p.create_time())] = (role, t.user + t.system)
            except psutil.Error:
                pass
        return 0

    def finish(self) -> dict:
        """CPU-seconds by role: the command itself, other Python processes (workers), browsers (driver and Chromium)."""
        super().finish()
        roles = {"client": 0.0, "python": 0.0, "browser": 0.0}
        for role, cpu in self.seen.values():
            roles[role] += cpu
        return roles


def run_batch(urls: list[str], db: Path, cluster: str | None) -> dict:
    cmd = [str(Path(sys.executable).with_name("pagekeep")), "capture", "--from", "-", "--db", str(db), "--json"]
    if cluster:
        cmd += ["--cluster", cluster]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    mem, cpu_meter = TreeMemory(proc.pid), TreeCPU(proc.pid)
    _, err = proc.communicate("\n".join(urls))
    wall = time.monotonic() - t0
    peak, cpu = mem.finish(), cpu_meter.finish()
    conn = sqlite3.connect(db)
    done = conn.execute("select count(*) from articles").fetchone()[0]
    size = conn.execute("select (select sum(bytes) from screenshots) + (select sum(bytes) from rendered_pages)"
                        " + (select sum(length(text)) from articles)").fetchone()[0] or 0
    conn.close()
    return {"how": f"--cluster {cluster}" if cluster else "local batch", "rc": proc.returncode, "done": done,
            "wall": wall, "cpu": sum(cpu.values()), "roles": cpu, "peak": peak, "bytes": size / max(1, done),
            "error": err.strip().splitlines()[-1:] if proc.returncode else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", type=int, default=300, help="synthetic 1 MB results for the writer's ceiling")
    ap.add_argument("--window", type=int, default=32, help="tasks in flight for the writer's ceiling (page slots)")
    ap.add_argument("--pages", type=int, default=30, help="seed-like pages per batch")
    ap.add_argument("--clusters", default="local:1,local:2",
                    help="--cluster values to run beside the local batch (local:1 is one worker: the per-worker rate)")
    ap.add_argument("--rounds", type=int, default=1, help="alternate local and cluster batches this many times")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pagekeep-cluster-bench-"))

    ceilings = []
    for cluster in (False, True):
        print(f"writer ceiling: {a.results} synthetic results, {'from --cluster local:2' if cluster else 'writer alone'} …",
              file=sys.stderr)
        ceilings.append(writer_ceiling(a.results, tmp, cluster, a.window))
    site = Site(ROOT / "tests" / "site").start()
    rows = []
    try:
        for r in range(a.rounds if a.pages else 0):
            for cluster in (None, *a.clusters.split(",")):
                urls = [site.url(f"news/seed.html?copy={r}-{i}-{cluster or 'local'}") for i in range(a.pages)]
                print(f"{cluster or 'local'}: {len(urls)} pages …", file=sys.stderr)
                rows.append(run_batch(urls, tmp / f"{r}-{(cluster or 'local').replace(':', '')}.db", cluster))
    finally:
        site.stop()

    print(f"\nWriter ceiling, {os.cpu_count()} CPUs: synthetic results of {ceilings[0]['mb_per_article']:.2f} MB "
          f"(three incompressible images, text, rendered HTML), one transaction each:\n")
    print("| results | stored | articles/s | MB/s into SQLite | client CPU ms per article | archive MB |")
    print("|---|---|---|---|---|---|")
    for c in ceilings:
        print(f"| {c['how']} | {c['stored']}/{a.results} | {c['rate']:.1f} | {c['rate'] * c['mb_per_article']:.1f} | "
              f"{c['client_cpu_per_article'] * 1000:.0f} | {c['db_mb']:.0f} |")
    print()
    print(f"{a.pages} copies of tests/site/news/seed.html on loopback, default concurrency:\n")
    print("| batch | captured | wall s | pages/min | CPU-s per page (tree) | of which client / workers / browsers "
          "| peak memory (tree PSS) | KB stored per article |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        n = max(1, r["done"])
        split = " / ".join(f"{r['roles'][k] / n:.2f}" for k in ("client", "python", "browser"))
        print(f"| {r['how']} | {r['done']}/{a.pages} | {r['wall']:.1f} | {r['done'] / r['wall'] * 60:.1f} | "
              f"{r['cpu'] / n:.2f} | {split} | {r['peak'] / 2**20:.0f} MB | {r['bytes'] / 1e3:.0f} |")
    for r in rows:
        if r["error"]:
            print(f"\n{r['how']} exited {r['rc']}: {r['error']}")
    return 0 if all(c["ok"] for c in ceilings) and all(r["rc"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
