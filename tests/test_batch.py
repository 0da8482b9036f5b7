"""Batches: URL lists, retries, politeness, resuming after interruptions, surviving crashes."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import psutil
import pytest

from batch_routes import Flaky, Meter
from capture.localsite import Site
from capture.runner import BatchOptions, capture_urls
from conftest import SITE


@pytest.fixture
def served():
    flaky, resets, meter, stall = Flaky(fails=2), Flaky(fails=4, mode="reset"), Meter(), Meter(seconds=4)
    site = Site(SITE, routes={"/flaky": flaky, "/flaky-reset": resets, "/slow": meter, "/stall": stall}).start()
    site.flaky, site.resets, site.meter, site.stall = flaky, resets, meter, stall
    yield site
    site.stop()


def story_urls(site, n, start=0):
    return [site.url(f"batch/story.html?n={i}") for i in range(start, start + n)]


def counts(db_path):
    conn = sqlite3.connect(db_path)
    try:
        return dict(conn.execute("select url, count(*) from articles group by url").fetchall())
    finally:
        conn.close()


def run_cli(*args, input=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "capture.cli", "capture", *args], input=input,
                          capture_output=True, text=True, timeout=timeout)


def start_cli(*args):
    # A child started from a background job inherits SIGINT ignored; a user's terminal would not.
    return subprocess.Popen([sys.executable, "-m", "capture.cli", "capture", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_url_list_ignores_blank_lines_and_comments(served, tmp_path):
    urls = story_urls(served, 2)
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# today's stories\n\n{urls[0]}\n   \n# {urls[1]}\n{urls[1]}\n")
    r = run_cli("--from", str(listing), "--db", str(tmp_path / "a.db"))
    assert r.returncode == 0, r.stderr
    assert counts(tmp_path / "a.db") == {urls[0]: 1, urls[1]: 1}


def test_url_list_can_come_from_stdin(served, tmp_path):
    urls = story_urls(served, 2)
    r = run_cli("--from", "-", "--db", str(tmp_path / "a.db"), input="\n".join(urls))
    assert r.returncode == 0, r.stderr
    assert set(counts(tmp_path / "a.db")) == set(urls)


def test_running_the_same_batch_again_captures_nothing_twice(served, tmp_path):
    urls = story_urls(served, 3)
    db = str(tmp_path / "a.db")
    capture_urls(urls, db, concurrency=3)
    again = capture_urls(urls, db, concurrency=3)
    assert all(o.skipped for o in again)
    assert counts(db) == {u: 1 for u in urls}


def test_recapture_captures_again_when_asked(served, tmp_path):
    urls = story_urls(served, 2)
    db = str(tmp_path / "a.db")
    capture_urls(urls, db, concurrency=2)
    capture_urls(urls, db, batch=BatchOptions(concurrency=2, recapture=True))
    assert counts(db) == {u: 2 for u in urls}


def test_duplicate_urls_in_one_batch_are_captured_once(served, tmp_path):
    (url,) = story_urls(served, 1)
    db = str(tmp_path / "a.db")
    capture_urls([url, url, url], db, concurrency=3)
    assert counts(db) == {url: 1}


def test_server_errors_are_retried_with_backoff_until_they_pass(served, tmp_path):
    db = str(tmp_path / "a.db")
    t0 = time.monotonic()
    (o,) = capture_urls([served.url("flaky")], db, batch=BatchOptions(retries=2, backoff=0.5))
    assert o.ok and o.tries == 3
    assert time.monotonic() - t0 >= 0.5 * 0.8 + 1.0 * 0.8  # two waits, the second longer
    oks = sqlite3.connect(db).execute("select ok from attempts order by id").fetchall()
    assert oks == [(0,), (0,), (1,)]


def test_connection_resets_are_retried(served, tmp_path):
    # The server resets four times in a row. Full Chromium silently retries a reset once itself,
    # the headless shell does not: enough tries for either to get through.
    db = str(tmp_path / "a.db")
    (o,) = capture_urls([served.url("flaky-reset")], db, batch=BatchOptions(retries=4, backoff=0.2))
    assert o.ok and o.tries >= 2
    kinds = [k for (k,) in sqlite3.connect(db).execute("select error_kind from attempts where ok = 0")]
    assert kinds and set(kinds) <= {"reset"}


def test_retries_give_up_after_the_limit(served, tmp_path):
    db = str(tmp_path / "a.db")
    (o,) = capture_urls([served.url("flaky")], db, batch=BatchOptions(retries=1, backoff=0.1))
    assert not o.ok and "HTTP 500" in o.error
    assert sqlite3.connect(db).execute("select count(*) from attempts where ok = 0").fetchone() == (2,)


def test_permanent_failures_are_not_retried(served, tmp_path):
    db = str(tmp_path / "a.db")
    (o,) = capture_urls([served.url("batch/missing.html")], db, batch=BatchOptions(retries=3, backoff=0.1))
    assert not o.ok and o.tries == 1
    assert sqlite3.connect(db).execute("select count(*) from attempts").fetchone() == (1,)


def test_pages_per_host_are_limited(served, tmp_path):
    urls = [served.url(f"slow?n={i}") for i in range(6)]
    outcomes = capture_urls(urls, str(tmp_path / "a.db"), batch=BatchOptions(concurrency=6, per_host=2))
    assert all(o.ok for o in outcomes)
    assert served.meter.peak == 2


def test_host_delay_spaces_out_page_starts(served, tmp_path):
    urls = [served.url(f"slow?n={i}") for i in range(3)]
    capture_urls(urls, str(tmp_path / "a.db"), batch=BatchOptions(concurrency=3, per_host=3, host_delay=2.0))
    starts = sorted(served.meter.starts)
    # Without the delay all three arrive within a fraction of a second; the margin is for a loaded machine,
    # where the time from goto() to the request reaching the server varies.
    assert all(b - a >= 1.2 for a, b in zip(starts, starts[1:])), starts


def test_browser_is_restarted_every_few_pages_without_losing_work(served, tmp_path):
    urls = story_urls(served, 5)
    db = str(tmp_path / "a.db")
    outcomes = capture_urls(urls, db, batch=BatchOptions(concurrency=2, restart_every=2))
    assert all(o.ok for o in outcomes)
    assert counts(db) == {u: 1 for u in urls}


def wait_for_articles(db, n, proc, timeout=120):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise AssertionError(f"capture ended early: {proc.stderr.read()}")
        try:
            if sqlite3.connect(db).execute("select count(*) from articles").fetchone()[0] >= n:
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.2)
    raise AssertionError("batch made no progress")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_an_interrupted_batch_finishes_on_rerun_with_each_url_once(served, tmp_path, sig):
    urls = story_urls(served, 12)
    db = str(tmp_path / "a.db")
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(urls))
    proc = start_cli("--from", str(listing), "--db", db, "--concurrency", "3")
    wait_for_articles(db, 3, proc)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    if sig in (signal.SIGINT, signal.SIGTERM):
        assert proc.returncode == 130
        assert "run the same command again" in proc.stderr.read()
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    done_before = conn.execute("select count(*) from articles").fetchone()[0]
    assert 0 < done_before < len(urls)
    r = run_cli("--from", str(listing), "--db", db, "--concurrency", "3")
    assert r.returncode == 0, r.stderr
    assert counts(db) == {u: 1 for u in urls}


def test_a_killed_browser_is_replaced_and_the_batch_completes(served, tmp_path):
    urls = story_urls(served, 10)
    db = str(tmp_path / "a.db")
    proc = start_cli("--from", "-", "--db", db, "--concurrency", "2", "--retries", "2")
    proc.stdin.write("\n".join(urls))
    proc.stdin.close()
    wait_for_articles(db, 3, proc)
    kill_browsers(proc)
    proc.wait(timeout=240)
    assert proc.returncode == 0, proc.stderr.read()
    assert counts(db) == {u: 1 for u in urls}


def kill_browsers(proc):
    browsers = [p for p in psutil.Process(proc.pid).children(recursive=True) if "chrom" in p.name().lower()]
    assert browsers, "no browser process found under pagekeep"
    for p in browsers:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass


def test_a_browser_killed_during_navigation_is_retried_on_a_new_one(served, tmp_path):
    urls = [served.url(f"stall?n={i}") for i in range(2)]
    db = str(tmp_path / "a.db")
    proc = start_cli(*urls, "--db", db, "--concurrency", "2", "--retries", "2")
    t0 = time.monotonic()
    while served.stall.now < 2:  # both navigations are waiting for the server's answer
        assert time.monotonic() - t0 < 60 and proc.poll() is None, "navigations never started"
        time.sleep(0.05)
    kill_browsers(proc)
    proc.wait(timeout=120)
    assert proc.returncode == 0, proc.stderr.read()
    assert counts(db) == {u: 1 for u in urls}
    failed = sqlite3.connect(db).execute("select error_kind from attempts where ok = 0").fetchall()
    assert failed and {k for (k,) in failed} == {"browser"}


def test_two_capture_processes_can_share_one_archive(served, tmp_path):
    urls = story_urls(served, 12)
    db = str(tmp_path / "a.db")
    a = start_cli("--db", db, "--concurrency", "2", *urls[:8])
    b = start_cli("--db", db, "--concurrency", "2", *urls[4:])
    outs = [p.communicate(timeout=240) for p in (a, b)]
    assert a.returncode == 0 and b.returncode == 0, outs
    assert "locked" not in "".join(o[1] for o in outs)
    assert counts(db) == {u: 1 for u in urls}
