"""Cluster batches on Dask: a real `dask scheduler`, real `pagekeep worker` processes, real kills."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from batch_routes import Flaky, Meter
from capture.cluster import ClusterError, ClusterRenderer, _capture
from capture.localsite import Site
from capture.progress import outcome_line
from capture.runner import Renderer, capture_urls
from conftest import SITE
from test_batch import counts, run_cli, start_cli, wait_for_articles

BIN = Path(sys.executable).parent


def marker(n: int) -> str:
    return "marker-" + hashlib.sha1(str(n).encode()).hexdigest()[:12]


def marked_page(h):
    """A light article whose text carries a marker only this URL has."""
    n = int(h.path.split("n=")[-1])
    body = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Story {n}</title></head><body>"
            f"<article><h1>Story {n}</h1><p>The harbour board met on Tuesday and agreed the winter timetable; "
            f"the ferries will run twice a day until March, weather permitting, and once on Sundays.</p>"
            f"<p>Its minutes are filed under {marker(n)} so that the record can be found again later on.</p>"
            f"</article></body></html>").encode()
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


@pytest.fixture(scope="module")
def marked():
    site = Site(SITE, routes={"/marked": marked_page}).start()
    yield site
    site.stop()


class Cluster:
    """`dask scheduler` and `pagekeep worker` processes on loopback."""

    def __init__(self, folder: Path, workers: int, concurrency: int = 2):
        sched_file = folder / "scheduler.json"
        self.scheduler = subprocess.Popen(
            [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(sched_file)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.workers: list[subprocess.Popen] = []
        self.browsers: set[psutil.Process] = set()
        deadline = time.monotonic() + 60
        while not sched_file.exists() or not sched_file.read_text().strip().endswith("}"):
            assert time.monotonic() < deadline and self.scheduler.poll() is None, "dask scheduler did not start"
            time.sleep(0.2)
        self.address = json.loads(sched_file.read_text())["address"]
        for _ in range(workers):
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "capture.cli", "worker", self.address, "--concurrency", str(concurrency)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        for w in self.workers:
            joined = _first_line(w, timeout=240)  # a bound for a loaded machine; about 5 s when quiet
            assert "joined" in joined, f"worker did not join: {joined!r} {w.stderr.read() if w.poll() is not None else ''}"
        self.note_browsers()

    def note_browsers(self) -> None:
        """Remember every Chromium process under the workers, to check none outlives them."""
        for w in self.workers:
            try:
                self.browsers |= {p for p in psutil.Process(w.pid).children(recursive=True) if "chrom" in p.name().lower()}
            except psutil.NoSuchProcess:
                pass

    def stop(self) -> None:
        for w in self.workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in self.workers:
            try:
                w.wait(timeout=60)
            except subprocess.TimeoutExpired:
                w.kill()
        self.scheduler.terminate()
        try:
            self.scheduler.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.scheduler.kill()

    def browsers_left(self, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while True:
            left = [p for p in self.browsers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.5)


def _first_line(proc: subprocess.Popen, timeout: float) -> str:
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return box[0] if box else ""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    c = Cluster(tmp_path_factory.mktemp("cluster"), workers=2)
    yield c
    c.stop()
    for p in c.browsers_left(timeout=10):
        p.kill()


@pytest.mark.timeout(600)  # includes starting the cluster: seconds when quiet, minutes on a loaded machine
def test_a_worker_with_other_versions_is_refused_on_connect_and_at_its_first_task(cluster, marked):
    async def connect_as(expected_pagekeep: str | None):
        renderer = ClusterRenderer(cluster.address)
        if expected_pagekeep:
            renderer.expected = {**renderer.expected, "pagekeep": expected_pagekeep}
        try:
            await renderer.start()
            renderer.expected = {**renderer.expected, "pagekeep": "0.0.0+other"}  # as if a worker changed meanwhile
            await renderer.render(marked.url("marked?n=0"), _opts())
        finally:
            await renderer.close()

    with pytest.raises(ClusterError, match=r"^worker tcp://127\.0\.0\.1:\d+ runs pagekeep \S+ \(here 0\.0\.0\+other\)"):
        asyncio.run(connect_as("0.0.0+other"))
    with pytest.raises(ClusterError, match=r"runs pagekeep .*install the same versions on every machine"):
        asyncio.run(connect_as(None))


def _opts():
    from capture.pipeline import CaptureOptions

    return CaptureOptions()


def test_per_host_politeness_holds_across_the_whole_cluster(cluster, tmp_path):
    meter = Meter(seconds=1.0)
    site = Site(SITE, routes={"/slow": meter}).start()
    try:
        urls = [site.url(f"slow?n={i}") for i in range(3)]
        r = run_cli(*urls, "--db", str(tmp_path / "a.db"), "--cluster", cluster.address, "--per-host", "1", timeout=300)
    finally:
        site.stop()
    assert r.returncode == 0, r.stderr
    assert meter.peak == 1  # two workers with two page slots each, yet one page of the host at a time


def test_transient_failures_on_the_cluster_are_retried_and_each_try_recorded(cluster, tmp_path):
    site = Site(SITE, routes={"/flaky": Flaky(fails=2)}).start()
    try:
        db = str(tmp_path / "a.db")
        r = run_cli(site.url("flaky"), site.url("batch/missing.html"), "--db", db, "--cluster", cluster.address,
                    "--retries", "2", "--json", timeout=300)
    finally:
        site.stop()
    assert r.returncode == 1
    by_url = {o["url"]: o for o in map(json.loads, r.stdout.splitlines())}
    assert by_url[site.url("flaky")]["ok"] and by_url[site.url("flaky")]["tries"] == 3
    missing = by_url[site.url("batch/missing.html")]
    assert (missing["ok"], missing["kind"], missing["tries"]) == (False, "http", 1)  # permanent: not retried
    rows = sqlite3.connect(db).execute("select url, ok from attempts order by id").fetchall()
    assert sorted(rows) == sorted([(site.url("flaky"), 0)] * 2 + [(site.url("flaky"), 1), (site.url("batch/missing.html"), 0)])


def test_the_consent_config_is_read_by_the_client_and_applied_on_the_workers(cluster, marked, tmp_path):
    (tmp_path / "consent.toml").write_text('[domains]\n"127.0.0.1" = "off"\n')
    # A relative path: it means nothing in the workers' folder, so only rules sent by the client can apply.
    r = subprocess.run([sys.executable, "-m", "capture.cli", "capture", marked.url("marked?n=200"), "--db", "a.db",
                        "--cluster", cluster.address, "--consent-config", "consent.toml"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert sqlite3.connect(tmp_path / "a.db").execute("select consent_action from articles").fetchall() == [("off",)]


@pytest.mark.slow
@pytest.mark.timeout(600)  # about a minute on a quiet 2-core machine; the bound is for a shared, loaded one
def test_a_cluster_batch_survives_a_killed_worker_and_a_killed_client(cluster, marked, tmp_path):
    urls = [marked.url(f"marked?n={i}") for i in range(60)]
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(urls))
    db = str(tmp_path / "a.db")
    args = ("--from", str(listing), "--db", db, "--cluster", cluster.address)

    client = start_cli(*args)
    wait_for_articles(db, 16, client, timeout=300)
    cluster.note_browsers()
    cluster.workers[0].kill()  # its pages in flight go to the other worker
    wait_for_articles(db, 30, client, timeout=300)
    client.kill()
    client.wait(timeout=30)

    rerun = run_cli(*args, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert counts(db) == {u: 1 for u in urls}
    conn = sqlite3.connect(db)
    for url, text, chromium in conn.execute("select url, text, chromium_version from articles"):
        assert marker(int(url.split("n=")[-1])) in text
        assert chromium and chromium[0].isdigit()
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    cluster.note_browsers()
    cluster.stop()
    assert cluster.browsers_left() == []


class Poison:
    """A page that brings down its host: the worker whose Chromium asks for it dies (SIGKILL).

    Only a worker under `root` (the batch being tested) is ever touched."""

    def __init__(self):
        self.root: int | None = None

    def __call__(self, h):
        me, peer = h.connection.getsockname()[:2], h.client_address[:2]
        conn = next((c for c in psutil.net_connections("tcp")
                     if c.pid and c.laddr and tuple(c.laddr) == peer and c.raddr and tuple(c.raddr) == me), None)
        proc = psutil.Process(conn.pid) if conn else None
        while proc is not None and not proc.name().startswith("python"):
            proc = proc.parent()
        if proc is not None and self.root in {p.pid for p in proc.parents()}:
            proc.kill()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_page_that_kills_its_worker_fails_after_its_retries_and_the_batch_goes_on(marked, tmp_path):
    poison = Poison()
    site = Site(SITE, routes={"/poison": poison}).start()
    try:
        urls = [site.url("poison"), marked.url("marked?n=100"), marked.url("marked?n=101")]
        db = str(tmp_path / "a.db")
        # Dask gives up on a task after one worker death; each give-up is one of pagekeep's tries.
        env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
        proc = subprocess.Popen([sys.executable, "-m", "capture.cli", "capture", *urls, "--db", db, "--cluster",
                                 "local:1", "--concurrency", "1", "--retries", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        poison.root = proc.pid
        try:
            _, err = proc.communicate(timeout=500)
        finally:
            proc.kill()
    finally:
        site.stop()
    assert proc.returncode == 1, err
    assert f"failed: {urls[0]}: 1 worker(s) died while capturing {urls[0]}" in err
    assert set(counts(db)) == set(urls[1:])
    failures = sqlite3.connect(db).execute("select url, error_kind from attempts where ok = 0").fetchall()
    assert failures == [(urls[0], "worker_lost")] * 2


def test_a_malformed_local_cluster_is_bad_usage(tmp_path):
    r = run_cli("http://127.0.0.1:9/a", "--db", str(tmp_path / "a.db"), "--cluster", "local:lots", timeout=120)
    assert r.returncode == 2
    assert r.stderr.strip() == "error: --cluster local:lots: expected local:N with N from 1 to 64 workers"


class TakenOver(Renderer):
    """A renderer (an extra beside the real-process tests) whose URL another run claims while it renders."""

    def __init__(self, db: str):
        self.db = db

    async def render(self, url, opts, before_navigate=None):
        with sqlite3.connect(self.db) as conn:  # as release_stale + claim by another run would leave it
            conn.execute("update queue set lease = 'another-run', owner = 1 where url = ?", [url])
        return _capture({"record": {"url": url, "title": "late", "text": "late", "word_count": 1,
                                    "captured_at": "2026-01-01T00:00:00Z"}, "screenshots": [], "rendered_html": None})


def test_a_result_for_a_url_another_run_took_over_is_dropped_with_one_line(tmp_path):
    db = str(tmp_path / "a.db")
    url = "http://127.0.0.1:9/taken"
    (o,) = capture_urls([url], db, renderer=TakenOver(db))
    assert (o.ok, o.skipped) == (True, True)
    assert outcome_line(o) == f"-\tskipped: another pagekeep run took it over ({url})"
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*) from articles").fetchone() == (0,)
    assert conn.execute("select lease from queue where url = ?", [url]).fetchone() == ("another-run",)
