"""The archive: schema, and one short transaction per capture.

Every write starts with BEGIN IMMEDIATE so several writers (two `pagekeep
capture` processes, Datasette tagging) queue on SQLite's lock instead of
failing with "database is locked" half-way through a capture.
"""

from __future__ import annotations

import gzip
import os
import secrets
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from . import facet_counts

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
    "document_kept": str,     # after the page navigated itself: "loaded" (its move failed) or "navigated"
    "capture_seconds": float,
    "timings": str,
    "chromium_version": str,
}

# Columns added after the first release; older archives gain them on open.
LATER_COLUMNS = {"articles": {"chromium_version": str}, "queue": {"lease": str}}


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
    if not ({"articles", "queue", "text_boxes", "archives"} <= set(db.table_names()) and "annotations" in db.view_names()):
        with write_transaction(db):
            _create_tables(db)
            _create_annotation_schema(db)
    _add_later_columns(db)
    ensure_facet_counts(db)


def ensure_facet_counts(db: sqlite_utils.Database) -> bool:
    """Kept facet counts (capture/facet_counts.py): installed, or rebuilt once for an archive
    whose triggers are missing or older. True if it did anything."""
    if facet_counts.is_current(db.conn) or not facet_counts.applicable(db.conn):
        return False
    with write_transaction(db):
        if facet_counts.is_current(db.conn):  # another process did it while we waited for the lock
            return False
        facet_counts.install(db.conn)
    return True


def _add_later_columns(db: sqlite_utils.Database) -> None:
    missing = [(t, c, k) for t, cols in LATER_COLUMNS.items() for c, k in cols.items() if c not in db[t].columns_dict]
    if missing:
        with write_transaction(db):
            for table, column, kind in missing:
                if column not in db[table].columns_dict:
                    db[table].add_column(column, kind)


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
    if not db["archives"].exists():
        # With `capture --archive`: the capture's WACZ (capture/wacz.py), stored as a related row.
        db["archives"].create(
            {"article_id": int, "bytes": int, "sha256": str, "resources": int, "truncated": int, "missing": int,
             "warc_bytes": int, "wacz": bytes},
            pk="article_id", foreign_keys=[("article_id", "articles", "id")],
        )
    if not db["queue"].exists():
        # Batch work list: makes `capture --from` resumable after Ctrl-C or a crash.
        db["queue"].create(
            {"id": int, "url": str, "state": str, "tries": int, "last_error": str,
             "article_id": int, "owner": int, "lease": str, "added_at": str, "updated_at": str},
            pk="id",
        )
        db["queue"].create_index(["url"], unique=True)
        db["queue"].create_index(["state"])


# Highlights are notes with an anchor (annotations/highlights.py); text_boxes is
# capture/text_boxes.py's per-capture record of where the text is drawn.
NOTE_ANCHOR_COLUMNS = [("kind", "text not null default 'note'"), ("pos_start", "integer"), ("pos_end", "integer"),
                       ("prefix", "text"), ("suffix", "text"), ("color", "text"), ("region", "text")]
ANNOTATIONS_VIEW = """create view annotations as
select n.id, n.kind, n.color, n.quote, n.body as note, n.author, n.created_at, n.pos_start, n.pos_end,
       n.article_id, a.title, a.site_name, a.url, a.captured_at,
       (select json_group_array(t.name) from article_tags at join tags t on t.id = at.tag_id
        where at.article_id = n.article_id) as tags
from notes n join articles a on a.id = n.article_id"""


def _create_annotation_schema(db: sqlite_utils.Database) -> None:
    have = {c.name for c in db["notes"].columns}
    for name, decl in NOTE_ANCHOR_COLUMNS:
        if name not in have:
            db.execute(f"alter table notes add column {name} {decl}")
    if not db["text_boxes"].exists():
        db["text_boxes"].create(
            {"article_id": int, "version": int, "shot_width": int, "shot_height": int, "article_x": int,
             "article_y": int, "paragraphs": int, "matched": int, "words": int, "lines": str, "blocks": str,
             "drift": str, "measure_ms": float},
            pk="article_id", foreign_keys=[("article_id", "articles", "id")],
        )
    if "annotations" not in db.view_names():
        db.execute(ANNOTATIONS_VIEW)


def save_capture(db: sqlite_utils.Database, record: dict, screenshots: list[dict],
                 rendered_html: str | None, attempt: dict, related: dict | None = None,
                 lease: str | None = None) -> int | None:
    """Store one successful capture atomically (article, images, page, attempt, queue, and
    `related` rows such as text_boxes, {table: [rows]}); returns its id.

    With the `lease` its queue entry was claimed under, a result whose lease is no
    longer current (a repeat, or one from a run since replaced) stores nothing: None.
    """
    with write_transaction(db):
        if lease is not None and not _holds(db, record["url"], lease):
            return None
        return insert_capture(db, record, screenshots, rendered_html, attempt, related)


def insert_capture(db: sqlite_utils.Database, record: dict, screenshots: list[dict],
                   rendered_html: str | None, attempt: dict, related: dict | None = None) -> int:
    """save_capture's writes, inside a transaction the caller holds (watch checks add their rows to it)."""
    article_id = db["articles"].insert(record, alter=True).last_pk  # alter: archives made before a column was added
    for shot in screenshots:
        db["screenshots"].insert({**shot, "article_id": article_id, "bytes": len(shot["image"])})
    for table, rows in (related or {}).items():
        for row in rows:
            db[table].insert({**row, "article_id": article_id})
    if rendered_html is not None:
        blob = gzip.compress(rendered_html.encode("utf-8"), compresslevel=6)
        db["rendered_pages"].insert({"article_id": article_id, "bytes": len(blob), "html_gz": blob})
    db["attempts"].insert({**attempt, "ok": 1, "article_id": article_id})
    db.execute(
        "update queue set state = 'done', article_id = ?, owner = null, lease = null, last_error = null, "
        "tries = tries + 1, updated_at = ? where url = ?",
        [article_id, utcnow(), record["url"]],
    )
    return article_id


def wacz_of(db: sqlite_utils.Database, article_id: int) -> bytes | None:
    """The stored WACZ of an article, or None (no such article, or captured without --archive)."""
    if not db["archives"].exists():
        return None
    row = db.execute("select wacz from archives where article_id = ?", [article_id]).fetchone()
    return bytes(row[0]) if row else None


def record_failure(db: sqlite_utils.Database, attempt: dict, final: bool = True, lease: str | None = None) -> None:
    """Log a failed try; when no retry follows, mark the queue entry failed (a re-run tries again).

    A failure reported under a lease that is no longer current is dropped like a stale result.
    """
    with write_transaction(db):
        if lease is not None and not _holds(db, attempt["url"], lease):
            return
        db["attempts"].insert({**attempt, "ok": 0, "article_id": None})
        if final:
            db.execute(
                "update queue set state = 'failed', owner = null, lease = null, last_error = ?, tries = tries + 1, "
                "updated_at = ? where url = ? and state = 'running'",
                [attempt.get("error"), utcnow(), attempt["url"]],
            )


# --- the batch queue -------------------------------------------------------

STALE_AFTER_S = 600


def enqueue(db: sqlite_utils.Database, urls: list[str], recapture: bool = False) -> dict[str, int]:
    """Add URLs to the queue; returns {url: article_id} for those already captured (to skip).

    A URL counts as captured when the archive holds an article for it, whether it
    came from an earlier batch or a single capture.
    """
    now = utcnow()
    done: dict[str, int] = {}
    with write_transaction(db):
        for url in urls:
            row = db.execute("select state, article_id from queue where url = ?", [url]).fetchone()
            if row is None:
                prior = db.execute("select max(id) from articles where url = ?", [url]).fetchone()[0]
                state = "done" if prior and not recapture else "pending"
                db.execute(
                    "insert into queue (url, state, tries, article_id, added_at, updated_at) values (?, ?, 0, ?, ?, ?)",
                    [url, state, prior, now, now],
                )
                if state == "done":
                    done[url] = prior
            elif row[0] == "done" and not recapture:
                done[url] = row[1]
            elif row[0] != "running" or recapture:
                db.execute("update queue set state = 'pending', updated_at = ? where url = ? and state != 'running'", [now, url])
    return done


def release_stale(db: sqlite_utils.Database) -> int:
    """Entries left 'running' by a process that died (Ctrl-C, crash, SIGKILL) go back to pending."""
    cutoff = datetime.fromtimestamp(datetime.now(timezone.utc).timestamp() - STALE_AFTER_S, timezone.utc)
    released = 0
    with write_transaction(db):
        for rid, owner, updated in db.execute("select id, owner, updated_at from queue where state = 'running'").fetchall():
            if owner == os.getpid():
                continue
            if not _alive(owner) or (updated or "") < cutoff.isoformat(timespec="seconds").replace("+00:00", "Z"):
                db.execute("update queue set state = 'pending', owner = null, lease = null where id = ?", [rid])
                released += 1
    return released


def claim(db: sqlite_utils.Database, url: str) -> str | None:
    """Take a queue entry for this process and return its new lease token; None if another
    process is on it or it is done. Only a result carrying the current lease is stored."""
    lease = secrets.token_hex(8)
    with write_transaction(db):
        cur = db.execute(
            "update queue set state = 'running', owner = ?, lease = ?, updated_at = ? "
            "where url = ? and state in ('pending', 'failed')",
            [os.getpid(), lease, utcnow(), url],
        )
        return lease if cur.rowcount == 1 else None


def _holds(db: sqlite_utils.Database, url: str, lease: str) -> bool:
    row = db.execute("select 1 from queue where url = ? and lease = ? and state = 'running'", [url, lease]).fetchone()
    return row is not None


def unclaim(db: sqlite_utils.Database, urls: list[str]) -> None:
    """On a clean stop, hand unfinished entries back to the queue."""
    with write_transaction(db):
        for url in urls:
            db.execute("update queue set state = 'pending', owner = null, lease = null "
                       "where url = ? and state = 'running' and owner = ?",
                       [url, os.getpid()])


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def rendered_html(db: sqlite_utils.Database, article_id: int) -> str | None:
    rows = list(db.query("select html_gz from rendered_pages where article_id = ?", [article_id]))
    return gzip.decompress(rows[0]["html_gz"]).decode("utf-8") if rows else None
