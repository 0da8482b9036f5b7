"""What browsing adds to an archive's schema: indexes that keep Datasette's
facets and filters fast on large archives. Idempotent; safe to run while a
capture is writing (it queues on the write lock)."""

from __future__ import annotations

from capture.store import write_transaction

from .tags import as_database

INDEXES = [
    # language facet and filter
    "create index if not exists idx_articles_lang on articles (lang)",
    # "untagged" and per-article tag lookups are served by article_tags' primary key;
    # facet by tag by idx_article_tags_tag_id (created with the schema).
]


def ensure_indexes(db) -> None:
    d = as_database(db)
    existing = {r[0] for r in d.conn.execute("select name from sqlite_master where type = 'index'")}
    missing = [sql for sql in INDEXES if sql.split(" if not exists ")[1].split(" ")[0] not in existing]
    if not missing:
        return
    with write_transaction(d):
        for sql in missing:
            d.conn.execute(sql)
