"""The watch commands' contract without a browser: usage errors, the watch list, and safe --on-change hooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from capture import store
from capture.watch import run_hook
from capture.watch_store import add_watches, claim, ensure_watch_schema


def pagekeep(*args, env=None):
    return subprocess.run([sys.executable, "-m", "capture.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


def test_a_bad_every_is_a_usage_error(tmp_path):
    r = pagekeep("watch", "https://news.test/a", "--every", "soon", "--once", "--db", str(tmp_path / "a.db"))
    assert r.returncode == 2 and r.stderr.strip() == "error: not a duration: 'soon' (use e.g. 30m, 2h, 1d, 1h30m)"


def test_a_bad_url_is_a_usage_error(tmp_path):
    r = pagekeep("watch", "ftp://news.test/a", "--once", "--db", str(tmp_path / "a.db"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_watch_once_with_nothing_watched_is_a_usage_error(tmp_path):
    r = pagekeep("watch", "--once", "--db", str(tmp_path / "a.db"))
    assert r.returncode == 2 and "nothing is watched yet" in r.stderr


def test_unwatch_removes_a_watch_and_says_so_for_unknown_urls(tmp_path):
    db = store.connect(tmp_path / "a.db")
    ensure_watch_schema(db)
    add_watches(db, ["https://news.test/a"])
    db.close()
    r = pagekeep("unwatch", "https://news.test/a", "https://news.test/b", "--db", str(tmp_path / "a.db"))
    assert r.returncode == 1
    assert r.stdout.strip() == "unwatched https://news.test/a"
    assert r.stderr.strip() == "error: not watched: https://news.test/b"


def test_changes_on_an_archive_without_changes_prints_an_empty_json_array(tmp_path):
    store.connect(tmp_path / "a.db").close()
    r = pagekeep("changes", "--json", "--since", "1d", "--db", str(tmp_path / "a.db"))
    assert r.returncode == 0 and json.loads(r.stdout) == []


def test_diff_of_an_unknown_article_is_one_line_and_exit_1(tmp_path):
    store.connect(tmp_path / "a.db").close()
    r = pagekeep("diff", "1", "2", "--db", str(tmp_path / "a.db"))
    assert r.returncode == 1 and r.stderr.strip() == "error: no article with id 1"


def test_every_sets_a_fixed_schedule_and_adding_twice_keeps_one_watch(tmp_path):
    db = store.connect(tmp_path / "a.db")
    ensure_watch_schema(db)
    assert add_watches(db, ["https://news.test/a"]) == (["https://news.test/a"], [])
    assert add_watches(db, ["https://news.test/a"], every=7200) == ([], ["https://news.test/a"])
    assert list(db.query("select schedule, every_seconds from watches")) == [{"schedule": "every 2h", "every_seconds": 7200}]


def test_a_watch_leased_by_a_live_process_is_not_checked_twice(tmp_path):
    db = store.connect(tmp_path / "a.db")
    ensure_watch_schema(db)
    add_watches(db, ["https://news.test/a", "https://news.test/b"])
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with store.write_transaction(db):
            db.execute("update watches set lease_pid = ? where url = ?", [sleeper.pid, "https://news.test/a"])
        assert claim(db, None) == (["https://news.test/b"], ["https://news.test/a"])
    finally:
        sleeper.kill()
        sleeper.wait()
    assert claim(db, ["https://news.test/a"]) == (["https://news.test/a"], [])  # its holder died: taken over


def test_an_on_change_command_gets_details_only_through_its_environment(tmp_path):
    out, marker = tmp_path / "title.txt", tmp_path / "pwned"
    change = {"id": 3, "url": "https://news.test/a", "old_id": 1, "new_id": 2, "old_title": "Old",
              "new_title": f"$(touch {marker}); `touch {marker}` \"quoted\"", "stealth": True, "title_changed": True,
              "words_added": 4}
    problem = run_hook(f"sh -c 'printf %s \"$PAGEKEEP_NEW_TITLE\" > {out}'", change, str(tmp_path / "a.db"))
    assert problem is None
    assert out.read_text() == change["new_title"] and not marker.exists()


def test_a_failing_on_change_command_is_reported_in_one_line(tmp_path):
    change = {"id": 1, "url": "u", "old_id": 1, "new_id": 2}
    assert run_hook("false", change, "a.db") == "--on-change: false exited with status 1"
    assert run_hook("no-such-command-pagekeep", change, "a.db") == "--on-change: no such command: no-such-command-pagekeep"
    assert Path("a.db").exists() is False


def test_the_watcher_sleeps_until_the_next_watch_is_due(tmp_path):
    from datetime import datetime, timedelta, timezone

    from capture.schedule import iso
    from capture.watch import watch_forever

    path = tmp_path / "a.db"
    db = store.connect(path)
    ensure_watch_schema(db)
    add_watches(db, ["https://news.test/a"])
    with store.write_transaction(db):
        db.execute("update watches set next_check_at = ?", [iso(datetime.now(timezone.utc) + timedelta(minutes=10))])
    db.close()
    waits = []

    class Stop(Exception):
        pass

    def sleep(seconds):
        waits.append(seconds)
        raise Stop

    try:
        watch_forever(str(path), None, 1, lambda r: waits.append(r), poll=3600, sleep=sleep)
    except Stop:
        pass
    assert len(waits) == 1 and 590 < waits[0] <= 600  # nothing was due: no check ran, no browser started
