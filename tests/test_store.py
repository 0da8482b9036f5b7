"""The archive's storage guarantees, on real SQLite files."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from capture import store


def record(url="http://example.test/a", **kw):
    return {"url": url, "title": "A title", "byline": "Ann Author", "text": "Some words about ferries and rivers.",
            "word_count": 6, "captured_at": store.utcnow(), **kw}


def shot(kind="page"):
    return {"kind": kind, "mime": "image/jpeg", "width": 1, "height": 1, "image": b"\xff\xd8\xff"}


@pytest.fixture
def db(tmp_path):
    d = store.connect(tmp_path / "a.db")
    yield d
    d.close()


def test_archive_uses_write_ahead_logging(db):
    assert db.journal_mode == "wal"


def test_a_capture_is_stored_with_its_screenshots_page_and_attempt(db):
    aid = store.save_capture(db, record(), [shot("page"), shot("thumb")], "<html>hi</html>", {"url": "http://example.test/a", "started_at": store.utcnow(), "seconds": 1.0})
    assert db["articles"].count == 1
    assert [r["kind"] for r in db.query("select kind from screenshots where article_id = ? order by kind", [aid])] == ["page", "thumb"]
    assert store.rendered_html(db, aid) == "<html>hi</html>"
    assert db.execute("select ok, article_id from attempts").fetchall() == [(1, aid)]


def test_a_failing_write_leaves_no_half_written_article(db):
    broken = {"kind": "page", "mime": "image/jpeg", "width": 1, "height": 1, "image": None}  # len(None) fails mid-write
    with pytest.raises(TypeError):
        store.save_capture(db, record(), [shot("thumb"), broken], None, {"url": "x", "started_at": store.utcnow()})
    assert db["articles"].count == 0
    assert db["screenshots"].count == 0
    assert db["attempts"].count == 0


def test_full_text_search_follows_new_articles(db):
    store.save_capture(db, record(text="The ferry to Stornoway was cancelled."), [], None, {"url": "x", "started_at": store.utcnow()})
    hits = list(db.query("select rowid from articles_fts where articles_fts match 'stornoway'"))
    assert len(hits) == 1


def test_full_text_search_forgets_deleted_articles(db):
    aid = store.save_capture(db, record(text="Lighthouse keepers retire."), [], None, {"url": "x", "started_at": store.utcnow()})
    with store.write_transaction(db):
        db.execute("delete from attempts")
        db.execute("delete from rendered_pages")
        db["articles"].delete(aid)
    assert list(db.query("select rowid from articles_fts where articles_fts match 'lighthouse'")) == []


def test_failures_are_logged_as_attempts_without_articles(db):
    store.record_failure(db, {"url": "http://x.test/", "started_at": store.utcnow(), "seconds": 0.1, "error": "HTTP 404", "error_kind": "http", "status_code": 404})
    assert db["articles"].count == 0
    assert db.execute("select ok, error, status_code from attempts").fetchall() == [(0, "HTTP 404", 404)]


def test_urls_already_in_the_archive_are_not_queued_again(db):
    aid = store.save_capture(db, record(url="http://a.test/"), [], None, {"url": "http://a.test/", "started_at": store.utcnow()})
    skipped = store.enqueue(db, ["http://a.test/", "http://b.test/"])
    assert skipped == {"http://a.test/": aid}
    assert store.claim(db, "http://b.test/")
    assert not store.claim(db, "http://a.test/")


def test_recapture_queues_captured_urls_again(db):
    store.save_capture(db, record(url="http://a.test/"), [], None, {"url": "http://a.test/", "started_at": store.utcnow()})
    assert store.enqueue(db, ["http://a.test/"], recapture=True) == {}
    assert store.claim(db, "http://a.test/")


def test_entries_left_running_by_a_dead_process_return_to_the_queue(db):
    store.enqueue(db, ["http://c.test/"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    db.execute("update queue set state = 'running', owner = ? where url = 'http://c.test/'", [dead.pid])
    db.conn.commit()
    assert store.release_stale(db) == 1
    assert store.claim(db, "http://c.test/")


def test_entries_running_in_a_live_process_are_left_alone(db):
    store.enqueue(db, ["http://d.test/"])
    db.execute("update queue set state = 'running', owner = ? where url = 'http://d.test/'", [os.getppid()])
    db.conn.commit()
    assert store.release_stale(db) == 0
    assert not store.claim(db, "http://d.test/")


def test_a_repeated_and_a_stale_result_for_one_url_store_one_article(db):
    url = "http://e.test/story"
    store.enqueue(db, [url])
    first = store.claim(db, url)
    store.release_stale(db)  # nothing to release: this process is alive
    store.unclaim(db, [url])  # the run stopped, while a worker may still finish its task
    second = store.claim(db, url)  # the next run claims the URL again
    attempt = {"url": url, "started_at": store.utcnow(), "seconds": 1.0}
    assert first and second and first != second
    assert store.save_capture(db, record(url=url, title="stale"), [shot()], None, attempt, lease=first) is None
    aid = store.save_capture(db, record(url=url, title="current"), [shot()], None, attempt, lease=second)
    assert store.save_capture(db, record(url=url, title="repeat"), [shot()], None, attempt, lease=second) is None
    assert db.execute("select id, title from articles where url = ?", [url]).fetchall() == [(aid, "current")]
    assert db.execute("select count(*) from screenshots").fetchone() == (1,)
    assert db.execute("select state, article_id, lease from queue where url = ?", [url]).fetchone() == ("done", aid, None)
    assert db.execute("select ok from attempts").fetchall() == [(1,)]


def test_a_failure_reported_under_a_lease_no_longer_held_is_dropped(db):
    url = "http://f.test/story"
    store.enqueue(db, [url])
    stale = store.claim(db, url)
    store.unclaim(db, [url])
    store.record_failure(db, {"url": url, "started_at": store.utcnow(), "error": "late", "error_kind": "timeout"},
                         lease=stale)
    assert db.execute("select count(*) from attempts").fetchone() == (0,)
    assert db.execute("select state from queue where url = ?", [url]).fetchone() == ("pending",)


def test_an_archive_made_before_leases_gains_the_new_columns_when_opened(tmp_path):
    path = tmp_path / "old.db"
    old = store.connect(path)
    old.execute("alter table queue drop column lease")
    old.execute("alter table articles drop column chromium_version")
    old.close()
    db = store.connect(path)
    assert "lease" in db["queue"].columns_dict and "chromium_version" in db["articles"].columns_dict
    store.enqueue(db, ["http://g.test/"])
    assert store.claim(db, "http://g.test/")
