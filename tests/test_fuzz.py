"""Fuzz: hundreds of generated malformed URLs and HTML documents, and the invariants hold.

Invariants: the command never crashes (no traceback, exit 0 or 1), every URL ends
either stored as one complete article or failed with one line and an attempts
row, nothing is half-written, and the archive passes an integrity check.
Generation is seeded, so a failure reproduces.
"""

from __future__ import annotations

import random
import sqlite3
import string
import subprocess
import sys

import pytest

from capture.extract import extract
from capture.localsite import Site
from capture.urls import BadURL, check_url
from conftest import SITE

SEED = 20261128
JUNK = string.printable + "äöü€漢字🙂\u202e\u200b\x00\x7f"


def junk(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(JUNK) for _ in range(rng.randint(0, n)))


def malformed_urls(rng: random.Random, base: str, n: int) -> list[str]:
    """Broken URLs of every shape; any that happen to be valid point at the loopback fixture server."""
    schemes = ["http", "https", "HTTP", "file", "javascript", "data", "chrome", "about", "ftp", "ws", "", "h ttp", "ht\ttp"]
    out = []
    for _ in range(n):
        kind = rng.randrange(8)
        if kind == 0:
            out.append(f"{rng.choice(schemes)}:{junk(rng, 30)}")
        elif kind == 1:
            out.append(f"{rng.choice(schemes)}://{junk(rng, 20)}")
        elif kind == 2:
            out.append(f"http://[{junk(rng, 10)}]/")
        elif kind == 3:
            out.append(f"{base}:{rng.randint(-5, 99999)}/")
        elif kind == 4:
            out.append(junk(rng, 60))
        elif kind == 5:  # valid-looking loopback paths full of junk: must be fetched safely (404s)
            path = "".join(rng.choice(string.ascii_letters + "%/?#&=;~.-_") for _ in range(rng.randint(1, 80)))
            out.append(f"{base}/{path}")
        elif kind == 6:
            out.append(f"http://{'a' * rng.randint(60, 300)}..invalid/")
        else:
            out.append(f"http://user:{junk(rng, 8)}@{junk(rng, 12)}/")
    return out


TAGS = ["div", "p", "span", "article", "section", "table", "tr", "td", "ul", "li", "h1", "h2", "script", "style", "svg",
        "iframe", "form", "template", "noscript", "math", "select", "textarea", "pre", "b", "i", "a", "img", "video"]


def malformed_html(rng: random.Random) -> bytes:
    parts = []
    if rng.random() < 0.5:
        parts.append("<!doctype html>")
    if rng.random() < 0.3:
        parts.append(f"<meta charset='{rng.choice(['utf-8', 'latin-1', 'bogus', 'utf-16', ''])}'>")
    if rng.random() < 0.4:
        parts.append(f"<script type='application/ld+json'>{{\"@type\": \"NewsArticle\", \"headline\": {junk(rng, 20)!r}, "
                     f"\"datePublished\": \"{junk(rng, 12)}\", \"author\": [{{}}, null, 3]</script>")
    depth = 0
    for _ in range(rng.randint(5, 400)):
        r = rng.random()
        if r < 0.35:
            parts.append(f"<{rng.choice(TAGS)} {junk(rng, 12)}>")
            depth += 1
        elif r < 0.5:
            parts.append(f"</{rng.choice(TAGS)}>")
        elif r < 0.85:
            parts.append(" ".join(rng.choice(["harbour", "ferry", "council", "vote", "&amp;", "&#xD800;", "&bogus;",
                                              "\u202e", "🙂", "<", ">", "tide"]) for _ in range(rng.randint(1, 40))))
        elif r < 0.9:
            parts.append("<div>" * rng.randint(50, 600))  # deep nesting
        elif r < 0.95:
            parts.append(f"<script>{junk(rng, 40)}</script>")
        else:
            parts.append(f"<style>{junk(rng, 40)}</style>")
    text = "".join(parts)
    data = text.encode("utf-8", "surrogatepass") if rng.random() < 0.9 else bytes(rng.randrange(256) for _ in range(2000))
    return data.replace(b"\xed\xa0\x80", b"\xff")


def test_url_checks_never_raise_anything_but_badurl():
    rng = random.Random(SEED)
    for url in malformed_urls(rng, "http://127.0.0.1:8", 3000):
        try:
            check_url(url)
        except BadURL as exc:
            assert "\n" not in str(exc)


def test_extraction_survives_generated_documents():
    rng = random.Random(SEED + 1)
    for _ in range(150):
        doc = malformed_html(rng).decode("utf-8", "replace")
        result = extract(doc, "http://127.0.0.1/fuzz")
        assert isinstance(result.text, str) and result.word_count >= 0
        assert "<script" not in result.html.lower()


@pytest.fixture(scope="module")
def fuzz_batch(tmp_path_factory):
    rng = random.Random(SEED + 2)
    docs = {f"/fuzz/{i}": malformed_html(rng) for i in range(40)}

    def serve_doc(h):
        body = docs[h.path]
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    site = Site(SITE, routes={p: serve_doc for p in docs}).start()
    urls = malformed_urls(rng, site.base, 200) + [site.base + p for p in docs]
    db = tmp_path_factory.mktemp("fuzz") / "a.db"
    listing = db.parent / "urls.txt"
    # One URL per line: generated URLs with line breaks would be split by the list reader, as a user's would.
    listing.write_text("\n".join(urls), "utf-8", errors="surrogateescape")
    try:
        r = subprocess.run([sys.executable, "-m", "capture.cli", "capture", "--from", str(listing), "--db", str(db),
                            "--concurrency", "4", "--retries", "0", "--timeout", "20"],
                           capture_output=True, text=True, timeout=600)
    finally:
        site.stop()
    from capture.urls import read_url_list

    yield {"run": r, "db": db, "urls": list(dict.fromkeys(read_url_list(str(listing))))}


@pytest.mark.timeout(600)
def test_fuzzed_batch_never_crashes(fuzz_batch):
    r = fuzz_batch["run"]
    assert r.returncode in (0, 1)
    assert "Traceback" not in r.stderr and "error:" not in r.stderr


def test_every_fuzzed_url_is_stored_or_failed_with_one_line(fuzz_batch):
    conn = sqlite3.connect(fuzz_batch["db"])
    stored = {u for (u,) in conn.execute("select url from articles")}
    failed_lines = [ln for ln in fuzz_batch["run"].stderr.splitlines() if ln.startswith("failed: ")]
    assert len(stored) + len(failed_lines) == len(fuzz_batch["urls"])
    attempted = {u for (u,) in conn.execute("select url from attempts")}
    assert attempted == set(fuzz_batch["urls"])


def test_fuzzed_articles_are_whole(fuzz_batch):
    conn = sqlite3.connect(fuzz_batch["db"])
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    broken = conn.execute(
        """select count(*) from articles a where
           (select count(*) from screenshots s where s.article_id = a.id and s.kind in ('page', 'thumb')) != 2
           or (select count(*) from attempts t where t.article_id = a.id and t.ok = 1) != 1"""
    ).fetchone()[0]
    assert broken == 0
    assert conn.execute("select count(*) from articles").fetchone()[0] >= 36  # the fuzzed documents themselves
