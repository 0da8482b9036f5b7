"""Tables of the watcher: what is watched, every check, every change, and what the changes did to notes.

    watches       url, schedule, every_seconds, next_check_at, last_checked_at, last_outcome, ...
    checks        url, checked_at, outcome (same|changed|suspect|gone), article_id, fingerprint, reason
    changes       old_id → new_id, the flags, word/paragraph counts, the diff (JSON offsets)
    change_blocks the changed paragraphs cropped side by side from both screenshots
    note_carries  per note of the old capture: exact, fuzzy, orphaned, ...

Created on first use, next to the capture tables; columns are only ever added,
so archives written by older or newer pagekeeps keep working.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from .compare import FLAGS
from .schedule import describe, iso, next_check
from .store import utcnow, write_transaction

WATCH_TABLES = {
    "watches": ({"url": str, "schedule": str, "every_seconds": int, "added_at": str, "next_check_at": str,
                 "last_checked_at": str, "last_outcome": str, "last_change_at": str, "checks": int, "changes": int,
                 "lease_pid": int, "lease_at": str}, {"pk": "url"}),
    "checks": ({"id": int, "url": str, "checked_at": str, "outcome": str, "article_id": int, "compared_to": int,
                "change_id": int, "fingerprint": str, "reason": str, "status_code": int, "seconds": float},
               {"pk": "id"}),
    "changes": ({"id": int, "url": str, "old_id": int, "new_id": int, "detected_at": str,
                 **{f: int for f in FLAGS}, "notice": str, "old_title": str, "new_title": str,
                 "words_added": int, "words_removed": int, "paragraphs_added": int, "paragraphs_removed": int,
                 "paragraphs_changed": int, "blocks": int, "diff": str, "title_diff": str},
                {"pk": "id", "foreign_keys": [("old_id", "articles", "id"), ("new_id", "articles", "id")]}),
    "change_blocks": ({"id": int, "change_id": int, "idx": int, "old_para": int, "new_para": int, "old_box": str,
                       "new_box": str, "mime": str, "width": int, "height": int, "image": bytes},
                      {"pk": "id", "foreign_keys": [("change_id", "changes", "id")]}),
    "note_carries": ({"id": int, "change_id": int, "old_note_id": int, "new_note_id": int, "status": str,
                      "score": float, "affected": int, "quote": str, "new_quote": str},
                     {"pk": "id", "foreign_keys": [("change_id", "changes", "id")]}),
}
INDEXES = [("checks", ["url", "checked_at"]), ("checks", ["checked_at"]), ("changes", ["url", "detected_at"]),
           ("changes", ["detected_at"]), ("changes", ["new_id"]), ("change_blocks", ["change_id", "idx"]),
           ("note_carries", ["change_id"]), ("watches", ["next_check_at"])]
# A carried note remembers the note it was copied from (the anchor columns are store.py's).
NOTE_COLUMNS = {"carried_from": int}


def ensure_watch_schema(db) -> None:
    names = set(db.table_names())
    note_cols = set(db["notes"].columns_dict) if "notes" in names else set()
    if set(WATCH_TABLES) <= names and set(NOTE_COLUMNS) <= note_cols:
        return
    with write_transaction(db):
        for name, (columns, kw) in WATCH_TABLES.items():
            if name not in names:
                db[name].create(columns, **kw)
            else:
                db[name].add_missing_columns([columns])
        for table, cols in INDEXES:
            db[table].create_index(cols, if_not_exists=True)
        if "notes" in names:
            db["notes"].add_missing_columns([NOTE_COLUMNS])


# --- watches -------------------------------------------------------------------------------

def add_watches(db, urls: list[str], every: int | None = None) -> tuple[list[str], list[str]]:
    """Watch these URLs (due at once); returns (added, already watched). --every updates the schedule."""
    now = utcnow()
    added, known = [], []
    with write_transaction(db):
        for url in urls:
            row = db.execute("select url from watches where url = ?", [url]).fetchone()
            if row is None:
                db["watches"].insert({"url": url, "schedule": describe(every), "every_seconds": every,
                                      "added_at": now, "next_check_at": now, "checks": 0, "changes": 0})
                added.append(url)
            else:
                known.append(url)
                if every is not None:
                    db.execute("update watches set every_seconds = ?, schedule = ? where url = ?",
                               [every, describe(every), url])
    return added, known


def remove_watches(db, urls: list[str]) -> tuple[list[str], list[str]]:
    removed, unknown = [], []
    with write_transaction(db):
        for url in urls:
            (removed if db.execute("delete from watches where url = ?", [url]).rowcount else unknown).append(url)
    return removed, unknown


def claim(db, urls: list[str] | None, now: datetime | None = None) -> tuple[list[str], list[str]]:
    """Lease watches for this process: the named ones, or all that are due. Returns (claimed, held elsewhere).

    Two `watch --once` runs from cron never check one URL at the same time; a
    lease left by a process that died is taken over.
    """
    now_s = iso(now or datetime.now(timezone.utc))
    pid = os.getpid()
    claimed, held = [], []
    with write_transaction(db):
        if urls is None:
            rows = db.execute("select url, lease_pid from watches where next_check_at <= ? "
                              "order by next_check_at, url", [now_s]).fetchall()
        else:
            rows = [(u, (db.execute("select lease_pid from watches where url = ?", [u]).fetchone() or [None])[0])
                    for u in urls]
        for url, lease in rows:
            if lease and lease != pid and _alive(lease):
                held.append(url)
                continue
            db.execute("update watches set lease_pid = ?, lease_at = ? where url = ?", [pid, now_s, url])
            claimed.append(url)
    return claimed, held


def release(db, urls: list[str]) -> None:
    with write_transaction(db):
        for url in urls:
            db.execute("update watches set lease_pid = null, lease_at = null where url = ? and lease_pid = ?",
                       [url, os.getpid()])


def next_due(db) -> str | None:
    return db.execute("select min(next_check_at) from watches").fetchone()[0]


def _alive(pid: int) -> bool:
    from .store import _alive as alive

    return alive(pid)


# --- checks and changes --------------------------------------------------------------------

ARTICLE_FIELDS = ("id", "url", "final_url", "title", "byline", "published", "modified", "text", "word_count",
                  "captured_at", "consent_action", "consent_ok")


def latest_article(db, url: str) -> dict | None:
    cols = ", ".join(ARTICLE_FIELDS)
    row = db.execute(f"select {cols} from articles where url = ? order by captured_at desc, id desc limit 1",
                     [url]).fetchone()
    return dict(zip(ARTICLE_FIELDS, row)) if row else None


def page_shot(db, article_id: int) -> bytes | None:
    row = db.execute("select image from screenshots where article_id = ? and kind = 'page'", [article_id]).fetchone()
    return bytes(row[0]) if row and row[0] is not None else None


def insert_check(db, check: dict) -> int:
    return db["checks"].insert({"checked_at": utcnow(), **check}).last_pk


def insert_change(db, url: str, old: dict, new_id: int, new: dict, verdict, blocks: list) -> int:
    text, title = verdict.text, verdict.title
    row = {"url": url, "old_id": old["id"], "new_id": new_id, "detected_at": new.get("captured_at") or utcnow(),
           **{f: int(bool(verdict.flags.get(f))) for f in FLAGS}, "notice": verdict.notice,
           "old_title": old.get("title"), "new_title": new.get("title"),
           **{k: text.stats[k] for k in ("words_added", "words_removed", "paragraphs_added", "paragraphs_removed",
                                         "paragraphs_changed")},
           "blocks": sum(1 for b in blocks if b.image), "diff": text.as_json(), "title_diff": title.as_json()}
    change_id = db["changes"].insert(row).last_pk
    for block in blocks:
        if block.image:
            db["change_blocks"].insert({**block.as_row(), "change_id": change_id})
    return change_id


def after_check(db, url: str, outcome: str, article: dict | None, changed: bool = False) -> None:
    """Move the watch's next check according to its schedule and what this check found."""
    row = db.execute("select every_seconds, last_change_at from watches where url = ?", [url]).fetchone()
    if row is None:
        return  # unwatched meanwhile, or a one-off check of a URL nobody watches
    now = datetime.now(timezone.utc)
    last_change = iso(now) if changed else row[1]
    first_seen = db.execute("select min(captured_at) from articles where url = ?", [url]).fetchone()[0]
    due = next_check(now, every=row[0], published=(article or {}).get("published"), first_seen=first_seen,
                     last_change=last_change, outcome=outcome)
    db.execute("update watches set last_checked_at = ?, last_outcome = ?, next_check_at = ?, last_change_at = ?, "
               "checks = checks + 1, changes = changes + ? where url = ?",
               [iso(now), outcome, iso(due), last_change, int(changed), url])


def change_as_json(row: dict) -> dict:
    """What `pagekeep changes --json` and --on-change hooks see of one change."""
    out = {k: row.get(k) for k in ("id", "url", "old_id", "new_id", "detected_at", "old_title", "new_title",
                                   "notice", "words_added", "words_removed", "paragraphs_added",
                                   "paragraphs_removed", "paragraphs_changed", "blocks")}
    out.update({f: bool(row.get(f)) for f in FLAGS})
    return out


def list_changes(db, since: str | None = None, url: str | None = None) -> list[dict]:
    sql, params = "select * from changes where 1=1", []
    if since:
        sql += " and detected_at >= ?"
        params.append(since)
    if url:
        sql += " and url = ?"
        params.append(url)
    cur = db.execute(sql + " order by detected_at, id", params)
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def flags_text(row: dict) -> str:
    return ", ".join(f.replace("_changed", "") for f in FLAGS if row.get(f)) or "metadata"
