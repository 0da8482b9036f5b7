"""Machines fail: killed processes, full disks, readers during writes. The archive survives."""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from capture import store
from capture.localsite import Site
from conftest import SITE


def integrity(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


WRITER = textwrap.dedent("""
    import os, sys
    from capture import store
    db = store.connect(sys.argv[1])
    blob = os.urandom(300_000)
    print("ready", flush=True)
    for i in range(2000):  # far more than fit in the 1.5 s before the signal; bounded if it is missed
        rec = {"url": f"http://w.test/{i}", "title": "t", "text": "words " * 500, "word_count": 500,
               "captured_at": store.utcnow()}
        shots = [{"kind": k, "mime": "image/jpeg", "width": 1, "height": 1, "image": blob} for k in ("page", "article", "thumb")]
        store.save_capture(db, rec, shots, "<html>" + "x" * 200_000, {"url": rec["url"], "started_at": store.utcnow()})
""")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killing_a_writer_mid_write_leaves_no_half_written_article(tmp_path, sig):
    db = tmp_path / "a.db"
    # A child started from a background job inherits SIGINT ignored; a user's terminal would not.
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(1.5)
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        proc.kill()  # a writer that outlived a failed test would fill the disk
        proc.wait()
    assert integrity(db) == "ok"
    conn = sqlite3.connect(db)
    n = conn.execute("select count(*) from articles").fetchone()[0]
    assert n > 0
    incomplete = conn.execute(
        """select count(*) from articles a where
           (select count(*) from screenshots s where s.article_id = a.id) != 3
           or (select count(*) from attempts t where t.article_id = a.id) != 1
           or (select count(*) from rendered_pages r where r.article_id = a.id) != 1"""
    ).fetchone()[0]
    assert incomplete == 0
    fts = conn.execute("select count(*) from articles_fts").fetchone()[0]
    assert fts == n


def small_filesystem(tmp_path: Path, size_kb: int):
    """A size-limited tmpfs when we may mount one (root), else None."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return None
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mnt)], capture_output=True)
    return mnt if r.returncode == 0 else None


@pytest.fixture
def site():
    s = Site(SITE).start()
    yield s
    s.stop()


def test_a_full_disk_stops_the_batch_with_a_clear_error_and_an_intact_archive(tmp_path, site):
    mnt = small_filesystem(tmp_path, 1200)
    limit = None
    if mnt is None:  # no mount permission: cap the file size the process may write instead
        mnt, limit = tmp_path, 1_200_000
    db = mnt / "a.db"
    # A first small capture fits; the seed page's screenshots do not.
    urls = [site.url("batch/story.html?n=1"), site.url("news/seed.html"), site.url("blog/plain-post.html")]
    try:
        r = subprocess.run(
            [sys.executable, "-m", "capture.cli", "capture", "--db", str(db), "--concurrency", "1", *urls],
            capture_output=True, text=True, timeout=180,
            preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))) if limit else None,
        )
        assert r.returncode == 1
        errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
        assert len(errors) == 1 and "full" in errors[0], r.stderr
        assert "Traceback" not in r.stderr
        assert integrity(db) == "ok"
        conn = sqlite3.connect(db)
        stored = [u for (u,) in conn.execute("select url from articles")]
        assert stored == [urls[0]]
        conn.close()
    finally:
        if limit is None:
            subprocess.run(["umount", "-l", str(mnt)])


def test_datasette_reads_while_a_batch_writes(tmp_path, site):
    from datasette.app import Datasette

    db = tmp_path / "a.db"
    store.connect(db).close()
    urls = [site.url(f"batch/story.html?n={i}") for i in range(10)]
    proc = subprocess.Popen([sys.executable, "-m", "capture.cli", "capture", "--db", str(db), "--concurrency", "3", *urls],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ds = Datasette([str(db)])
    statuses, seen = [], set()

    async def read_until_done():
        while proc.poll() is None:
            r = await ds.client.get(f"/{db.stem}/articles.json?_shape=array&_size=100")
            statuses.append(r.status_code)
            if r.status_code == 200:
                seen.update(row["id"] for row in r.json())
            await asyncio.sleep(0.05)

    asyncio.run(read_until_done())
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "locked" not in err
    assert statuses and set(statuses) == {200}
    assert len(seen) > 0


def test_a_file_that_is_not_an_archive_is_refused_clearly(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    r = subprocess.run([sys.executable, "-m", "capture.cli", "capture", "--db", str(bad), "http://127.0.0.1:9/"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0 and "not a database" in r.stderr
    assert bad.read_bytes() == b"this is not sqlite at all" * 100
