"""The archive: schema, and one short transaction per capture.

Every write starts with BEGIN IMMEDIATE so several writers (two `pagekeep
capture` processes, Datasette tagging) queue on SQLite's lock instead of
failing with "database is locked" half-way through a capture.
"""

from __future__ import annotations

import gzip
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

DEFAULT_DB = "pagekeep.db"
BUSY_TIMEOUT_S = 60

ARTICLE_COLUMNS = {
    "id": int,
    "url": str,
    "final_url": str,
    "canonical_url": str,
    "title": str,
    "byline": str,
    "published": str,
    "modified": str,
    "site_name": str,
    "lang": str,
    "description": str,
    "image_url": str,
    "text": str,
    "html": str,
    "word_count": int,
    "captured_at": str,
    "status_code": int,
    "content_type": str,
    "consent_cmp": str,
    "consent_action": str,
    "consent_ok": int,
    "extractor": str,
    "capture_notes": str,
    "capture_seconds": float,
}


def default_db_path() -> str:
    return os.environ.get("PAGEKEEP_DB") or DEFAULT_DB


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def connect(path: str | os.PathLike) -> sqlite_utils.Database:
    """Open (creating if needed) an archive with WAL and a generous busy timeout."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    db = sqlite_utils.Database(conn)
    if db.journal_mode != "wal":
        db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    ensure_schema(db)
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (including KeyboardInterrupt)."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def ensure_schema(db: sqlite_utils.Database) -> None:
    if "articles" in db.table_names() and "queue" in db.table_names():
        return
    with write_transaction(db):
        _create_tables(db)


def _create_tables(db: sqlite_utils.Database) -> None:
    articles = db["articles"]
    if not articles.exists():
        articles.create(ARTICLE_COLUMNS, pk="id", not_null={"url", "captured_at"})
        articles.create_index(["url", "captured_at"])
        articles.create_index(["captured_at"])
        articles.create_index(["site_name"])
        articles.create_index(["published"])
        articles.enable_fts(["title", "byline", "text"], fts_version="FTS5", create_triggers=True, tokenize="unicode61 remove_diacritics 2")
    if not db["screenshots"].exists():
        db["screenshots"].create(
            {"id": int, "article_id": int, "kind": str, "mime": str, "width": int, "height": int,
             "bytes": int, "note": str, "image": bytes},
            pk="id", foreign_keys=[("article_id", "articles", "id")],
        )
        db["screenshots"].create_index(["article_id", "kind"], unique=True)
    if not db["rendered_pages"].exists():
        # The rendered DOM, gzip-compressed, so extraction can be re-run offline.
        db["rendered_pages"].create(
            {"article_id": int, "bytes": int, "html_gz": bytes},
            pk="article_id", foreign_keys=[("article_id", "articles", "id")],
        )
    if not db["attempts"].exists():
        db["attempts"].create(
            {"id": int, "url": str, "started_at": str, "seconds": float, "ok": int,
             "error": str, "error_kind": str, "status_code": int, "article_id": int},
            pk="id",
        )
        db["attempts"].create_index(["url"])
        db["attempts"].create_index(["started_at"])
    if not db["tags"].exists():
        db["tags"].create({"id": int, "name": str}, pk="id", not_null={"name"})
        db["tags"].create_index(["name"], unique=True)
    if not db["article_tags"].exists():
        db["article_tags"].create(
            {"article_id": int, "tag_id": int}, pk=("article_id", "tag_id"),
            foreign_keys=[("article_id", "articles", "id"), ("tag_id", "tags", "id")],
        )
        db["article_tags"].create_index(["tag_id"])
    if not db["notes"].exists():
        db["notes"].create(
            {"id": int, "article_id": int, "body": str, "quote": str, "created_at": str, "author": str},
            pk="id", foreign_keys=[("article_id", "articles", "id")],
        )
        db["notes"].create_index(["article_id"])
    if not db["queue"].exists():
        # Batch work list: makes `capture --from` resumable after Ctrl-C or a crash.
        db["queue"].create(
            {"id": int, "url": str, "state": str, "tries": int, "last_error": str,
             "article_id": int, "added_at": str, "updated_at": str},
            pk="id",
        )
        db["queue"].create_index(["url"], unique=True)
        db["queue"].create_index(["state"])


def save_capture(db: sqlite_utils.Database, record: dict, screenshots: list[dict],
                 rendered_html: str | None, attempt: dict) -> int:
    """Store one successful capture atomically; returns the new article id."""
    with write_transaction(db):
        article_id = db["articles"].insert(record).last_pk
        for shot in screenshots:
            db["screenshots"].insert({**shot, "article_id": article_id, "bytes": len(shot["image"])})
        if rendered_html is not None:
            blob = gzip.compress(rendered_html.encode("utf-8"), compresslevel=6)
            db["rendered_pages"].insert({"article_id": article_id, "bytes": len(blob), "html_gz": blob})
        db["attempts"].insert({**attempt, "ok": 1, "article_id": article_id})
    return article_id


def record_failure(db: sqlite_utils.Database, attempt: dict) -> None:
    with write_transaction(db):
        db["attempts"].insert({**attempt, "ok": 0, "article_id": None})


def rendered_html(db: sqlite_utils.Database, article_id: int) -> str | None:
    rows = list(db.query("select html_gz from rendered_pages where article_id = ?", [article_id]))
    return gzip.decompress(rows[0]["html_gz"]).decode("utf-8") if rows else None
