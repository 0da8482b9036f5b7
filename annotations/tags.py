"""Tags and notes on articles: the one implementation the CLI and Datasette share.

Every function takes the archive as a `sqlite_utils.Database` (what
`capture.store.connect()` returns) or a bare `sqlite3.Connection` (what
Datasette's `execute_write_fn` hands over). Writes go through
`capture.store.write_transaction`, so a tag write queues behind a running
capture on SQLite's lock instead of failing half-way.

Tags are short labels. Matching is case-insensitive ("Climate" reuses an
existing "climate"), whitespace is collapsed, and a tag that no article uses
any more is deleted, so the tag list (and its autocomplete) only shows labels
in use.
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

import sqlite_utils

from capture.store import utcnow, write_transaction

MAX_TAG_LENGTH = 64
MAX_NOTE_LENGTH = 20_000
MAX_QUOTE_LENGTH = 5_000
_CHUNK = 500  # stay well below SQLite's bound-parameter limit


class AnnotationError(ValueError):
    """A tag or note request that cannot be carried out (bad input, unknown id)."""


class NoSuchArticle(AnnotationError):
    def __init__(self, ids: Iterable[int]):
        self.ids = sorted(ids)
        shown = ", ".join(str(i) for i in self.ids[:10])
        more = f" and {len(self.ids) - 10} more" if len(self.ids) > 10 else ""
        noun = "article" if len(self.ids) == 1 else "articles"
        super().__init__(f"no {noun} with id {shown}{more}")


def as_database(db: sqlite_utils.Database | sqlite3.Connection) -> sqlite_utils.Database:
    if isinstance(db, sqlite_utils.Database):
        return db
    return sqlite_utils.Database(db, recursive_triggers=False, execute_plugins=False)


def normalize_tag(name: str) -> str:
    """Collapse whitespace; refuse empty or over-long tags."""
    cleaned = " ".join(str(name).split()).strip(", ")
    if not cleaned:
        raise AnnotationError("a tag cannot be empty")
    if len(cleaned) > MAX_TAG_LENGTH:
        raise AnnotationError(f"a tag can be at most {MAX_TAG_LENGTH} characters: {cleaned[:20]}…")
    return cleaned


def parse_tags(value: str | Iterable[str]) -> list[str]:
    """"a, b" or ["a", "b, c"] → ["a", "b", "c"], de-duplicated case-insensitively."""
    items = [value] if isinstance(value, str) else list(value)
    seen: dict[str, str] = {}
    for item in items:
        for part in str(item).split(","):
            if not part.strip():
                continue
            tag = normalize_tag(part)
            seen.setdefault(tag.casefold(), tag)
    if not seen:
        raise AnnotationError("give at least one tag")
    return list(seen.values())


def _ids(article_ids: int | Iterable[int]) -> list[int]:
    if isinstance(article_ids, (int, str)):
        article_ids = [article_ids]
    out = []
    for value in article_ids:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            raise AnnotationError(f"not an article id: {value!r}") from None
    return list(dict.fromkeys(out))


def _chunks(values: list, size: int = _CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _check_articles(conn: sqlite3.Connection, ids: list[int]) -> None:
    found: set[int] = set()
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in conn.execute(f"select id from articles where id in ({marks})", chunk))
    missing = set(ids) - found
    if missing:
        raise NoSuchArticle(missing)


def _tag_id(conn: sqlite3.Connection, name: str, create: bool) -> int | None:
    row = conn.execute(
        "select id from tags where name = ? collate nocase order by name = ? desc, id limit 1",
        [name, name],
    ).fetchone()
    if row:
        return row[0]
    if not create:
        return None
    return conn.execute("insert into tags (name) values (?)", [name]).lastrowid


def add_tags(db, article_ids: int | Iterable[int], tags: str | Iterable[str]) -> int:
    """Tag the articles; returns how many (article, tag) links were new."""
    ids = _ids(article_ids)
    names = parse_tags(tags)
    d = as_database(db)
    added = 0
    with write_transaction(d):
        conn = d.conn
        _check_articles(conn, ids)
        for name in names:
            tag_id = _tag_id(conn, name, create=True)
            added += conn.executemany(
                "insert or ignore into article_tags (article_id, tag_id) values (?, ?)",
                [(article_id, tag_id) for article_id in ids],
            ).rowcount
    return added


def remove_tags(db, article_ids: int | Iterable[int], tags: str | Iterable[str]) -> int:
    """Untag the articles; returns how many links were removed. Unused tags are deleted."""
    ids = _ids(article_ids)
    names = parse_tags(tags)
    d = as_database(db)
    removed = 0
    with write_transaction(d):
        conn = d.conn
        _check_articles(conn, ids)
        for name in names:
            tag_id = _tag_id(conn, name, create=False)
            if tag_id is None:
                continue
            for chunk in _chunks(ids):
                removed += conn.execute(
                    f"delete from article_tags where tag_id = ? and article_id in ({','.join('?' * len(chunk))})",
                    [tag_id, *chunk],
                ).rowcount
            conn.execute(
                "delete from tags where id = ? and not exists (select 1 from article_tags where tag_id = ?)",
                [tag_id, tag_id],
            )
    return removed


def tags_for(db, article_id: int) -> list[str]:
    return tags_for_many(db, [article_id]).get(int(article_id), [])


def tags_for_many(db, article_ids: Iterable[int]) -> dict[int, list[str]]:
    conn = as_database(db).conn
    ids = _ids(article_ids)
    out: dict[int, list[str]] = {}
    for chunk in _chunks(ids):
        rows = conn.execute(
            f"select at.article_id, t.name from article_tags at join tags t on t.id = at.tag_id "
            f"where at.article_id in ({','.join('?' * len(chunk))}) order by t.name collate nocase",
            chunk,
        )
        for article_id, name in rows:
            out.setdefault(article_id, []).append(name)
    return out


def all_tags(db) -> list[dict]:
    """Every tag in use with its article count, most used first (from the kept counts,
    capture/facet_counts.py, so a million tagged articles are not counted again)."""
    conn = as_database(db).conn
    try:
        rows = conn.execute(
            "select t.name, c.n from facet_counts c join tags t on t.id = cast(c.value as integer) "
            "where c.by_facet = '' and c.by_value = '' and c.facet = 'tag' and c.n > 0 "
            "order by c.n desc, t.name collate nocase").fetchall()
    except sqlite3.OperationalError:  # an archive opened without pagekeep's schema set-up
        rows = conn.execute(
            "select t.name, count(at.article_id) as n from tags t "
            "join article_tags at on at.tag_id = t.id "
            "group by t.id order by n desc, t.name collate nocase").fetchall()
    return [{"name": name, "count": n} for name, n in rows]


def add_note(db, article_id: int, body: str | None, quote: str | None = None,
             author: str | None = None) -> int:
    """Add a note (a comment, a quoted passage, or both); returns the note id."""
    body = (body or "").strip()
    quote = " ".join((quote or "").split())  # a selection's line breaks are layout, not content
    if not body and not quote:
        raise AnnotationError("a note needs some text or a quoted passage")
    if len(body) > MAX_NOTE_LENGTH:
        raise AnnotationError(f"a note can be at most {MAX_NOTE_LENGTH:,} characters")
    if len(quote) > MAX_QUOTE_LENGTH:
        raise AnnotationError(f"a quote can be at most {MAX_QUOTE_LENGTH:,} characters")
    (article,) = _ids(article_id)
    d = as_database(db)
    with write_transaction(d):
        _check_articles(d.conn, [article])
        return d.conn.execute(
            "insert into notes (article_id, body, quote, created_at, author) values (?, ?, ?, ?, ?)",
            [article, body, quote or None, utcnow(), author],
        ).lastrowid


def delete_note(db, note_id: int, article_id: int | None = None) -> bool:
    """Delete a note (only from `article_id`, when given); True if one was deleted."""
    d = as_database(db)
    sql, params = "delete from notes where id = ?", [int(note_id)]
    if article_id is not None:
        sql += " and article_id = ?"
        params.append(int(article_id))
    with write_transaction(d):
        return d.conn.execute(sql, params).rowcount > 0


def notes_for(db, article_id: int) -> list[dict]:
    conn = as_database(db).conn
    rows = conn.execute(
        "select id, article_id, body, quote, created_at, author from notes "
        "where article_id = ? order by created_at, id",
        [int(article_id)],
    )
    cols = ["id", "article_id", "body", "quote", "created_at", "author"]
    return [dict(zip(cols, row)) for row in rows]
