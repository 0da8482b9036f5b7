"""Bad input never crashes pagekeep or costs the archive anything.

One batch through the real CLI mixes every kind of bad URL and misbehaving
server with two good pages; each test checks one case against the stored
archive and the command's output: one clear line, no article row, an attempts
row, and the good pages still stored.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys

import pytest

from capture.localsite import Site
from hostile_routes import ROUTES

from conftest import SITE

BAD_SYNTAX = ["http//missing-colon.example", "http://", "http://exa mple.com/", "://no-scheme", "http://[::1/",
              "http://host:99999/", "ht!tp://x.example/"]
REFUSED_SCHEMES = ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,<h1>hi</h1>", "chrome://settings",
                   "about:blank", "ftp://example.com/x"]
FAILING_PATHS = {
    "/status/404": "HTTP 404",
    "/status/500": "HTTP 500",
    "/redirect-loop": "too many redirects",
    "/doc.pdf": "application/pdf",
    "/image.png": "image/png",
    "/data.json": "application/json",
    "/blob.bin": "download",
    "/download": "download",
    "/never-ends": "timed out",
    "/big": "page too large",
}
CAPTURED_PATHS = {
    "/hostile/dialogs.html": "harbour dredging schedules",
    "/hostile/popups.html": "lighthouse restoration",
    "/hostile/navigates-away.html": "river crossing",
    "/hostile/js-loop.html": "loop that never ends",
    "/hostile/slow-image.html": "county fair opens on Friday",
    "/hostile/rtl-emoji.html": "مكتبة جديدة",
    "/hostile/latin1-no-charset.html": "Le café de la gare a rouvert",
    "/tall": "harbour master reports calm",
    "/wrong-charset": "groupes locaux",
}


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    site = Site(SITE, routes=ROUTES).start()
    db = tmp_path_factory.mktemp("hostile") / "archive.db"
    good = [site.url("news/seed.html"), site.url("blog/plain-post.html")]
    urls = (
        [good[0]] + BAD_SYNTAX + REFUSED_SCHEMES
        + ["http://no-such-host.invalid/", f"http://127.0.0.1:{closed_port()}/"]
        + [site.base + p for p in FAILING_PATHS] + [site.base + p for p in CAPTURED_PATHS] + [good[1]]
    )
    try:
        r = subprocess.run(
            [sys.executable, "-m", "capture.cli", "capture", "--from", "-", "--db", str(db), "--retries", "0",
             "--timeout", "25", "--concurrency", "4"],
            input="\n".join(urls), capture_output=True, text=True, timeout=400,
        )
    finally:
        site.stop()
    failures = {}
    for line in r.stderr.splitlines():
        if line.startswith("failed: "):
            url, _, reason = line[len("failed: "):].partition(": ")
            failures[url] = reason
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield {"run": r, "db": conn, "site": site, "failures": failures, "good": good, "urls": urls}
    conn.close()


def stored(batch, url):
    return batch["db"].execute("select * from articles where url = ?", [url]).fetchall()


def attempts(batch, url):
    return batch["db"].execute("select * from attempts where url = ?", [url]).fetchall()


def assert_refused_cleanly(batch, url, reason_part):
    assert url in batch["failures"], f"no failure line for {url}"
    assert reason_part.lower() in batch["failures"][url].lower()
    assert stored(batch, url) == []
    rows = attempts(batch, url)
    assert rows and all(r["ok"] == 0 and r["error"] for r in rows)


def test_a_batch_with_failures_exits_1(batch):
    assert batch["run"].returncode == 1


def test_the_good_pages_of_the_batch_are_still_stored(batch):
    for url in batch["good"]:
        assert len(stored(batch, url)) == 1


def test_each_failure_is_one_line(batch):
    lines = [ln for ln in batch["run"].stderr.splitlines() if ln.strip()]
    assert all(ln.startswith("failed: ") for ln in lines), lines
    assert len(lines) == len(batch["failures"])
    assert "Traceback" not in batch["run"].stderr


@pytest.mark.parametrize("url", BAD_SYNTAX)
def test_malformed_urls_are_refused(batch, url):
    assert_refused_cleanly(batch, url, "malformed")


@pytest.mark.parametrize("url", REFUSED_SCHEMES)
def test_schemes_other_than_http_are_refused(batch, url):
    assert_refused_cleanly(batch, url, "not allowed")


def test_unknown_host_is_reported(batch):
    assert_refused_cleanly(batch, "http://no-such-host.invalid/", "unknown host")


def test_connection_refused_is_reported(batch):
    (url,) = [u for u in batch["urls"] if u.startswith("http://127.0.0.1:") and u.endswith("/") and u.count("/") == 3
              and u not in batch["good"] and u.rstrip("/") != batch["site"].base]
    assert_refused_cleanly(batch, url, "connection refused")


@pytest.mark.parametrize("path", list(FAILING_PATHS))
def test_failing_responses_are_recorded_as_such(batch, path):
    assert_refused_cleanly(batch, batch["site"].base + path, FAILING_PATHS[path])


@pytest.mark.parametrize("path", list(CAPTURED_PATHS))
def test_hostile_but_readable_pages_are_captured(batch, path):
    rows = stored(batch, batch["site"].base + path)
    assert len(rows) == 1, batch["failures"].get(batch["site"].base + path)
    assert CAPTURED_PATHS[path].lower() in rows[0]["text"].lower()


def test_a_page_that_navigates_away_is_captured_where_it_went(batch):
    (row,) = stored(batch, batch["site"].base + "/hostile/navigates-away.html")
    assert row["final_url"].endswith("/hostile/landing.html")
    assert row["document_kept"] == "navigated"


def test_rtl_text_and_emoji_are_stored_exactly(batch):
    (row,) = stored(batch, batch["site"].base + "/hostile/rtl-emoji.html")
    for piece in ["👩🏽\u200d💻", "🇺🇦", "👨\u200d👩\u200d👧\u200d👦", "e\u0301", "שלום עולם", "مرحبا بالعالم 🌍"]:
        assert piece in row["text"] + row["title"], piece


def test_an_absurdly_tall_page_is_cut_with_a_note(batch):
    (row,) = stored(batch, batch["site"].base + "/tall")
    shot = batch["db"].execute("select height, note from screenshots where article_id = ? and kind = 'page'", [row["id"]]).fetchone()
    assert shot["height"] == 20000
    assert "cut at 20000" in shot["note"]


def test_a_runaway_script_is_stopped_and_noted(batch):
    (row,) = stored(batch, batch["site"].base + "/hostile/js-loop.html")
    assert "runaway" in row["capture_notes"]


def test_the_archive_passes_an_integrity_check(batch):
    assert batch["db"].execute("pragma integrity_check").fetchone()[0] == "ok"


def test_json_output_reports_failures_too(tmp_path):
    r = subprocess.run([sys.executable, "-m", "capture.cli", "capture", "javascript:alert(1)", "--db",
                        str(tmp_path / "a.db"), "--json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    (line,) = r.stdout.splitlines()
    assert json.loads(line)["ok"] is False and json.loads(line)["kind"] == "bad_url"


def test_file_urls_are_captured_only_when_explicitly_allowed(tmp_path):
    page = tmp_path / "note.html"
    page.write_text("<html><body><article><h1>A local note</h1><p>Kept on disk and captured only because "
                    "the user allowed the file scheme for this run, as the refusal told them how to.</p>"
                    "</article></body></html>")
    db = str(tmp_path / "a.db")
    refused = subprocess.run([sys.executable, "-m", "capture.cli", "capture", page.as_uri(), "--db", db],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "--allow-scheme file" in refused.stderr
    allowed = subprocess.run([sys.executable, "-m", "capture.cli", "capture", page.as_uri(), "--db", db,
                              "--allow-scheme", "file"], capture_output=True, text=True, timeout=60)
    assert allowed.returncode == 0, allowed.stderr
    assert sqlite3.connect(db).execute("select title from articles").fetchall() == [("A local note",)]
