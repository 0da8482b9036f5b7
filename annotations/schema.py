"""What browsing adds to an archive: indexes and planner statistics that keep
Datasette's listing, filters, sorts and facets fast on large archives (the
kept facet counts are capture.store's). Idempotent and cheap when there is
nothing to do; writes queue on the archive's write lock. On an archive of a
million articles the first run takes minutes, once."""

from __future__ import annotations

from capture.store import ensure_schema, write_transaction
from capture.watch_store import ensure_watch_schema

from .tags import as_database

INDEXES = {
    # language filter
    "idx_articles_lang": "create index if not exists idx_articles_lang on articles (lang)",
    # ?_day=: one day's articles in id order, so the newest come first without sorting
    "idx_articles_day": "create index if not exists idx_articles_day on articles (substr(captured_at, 1, 10))",
    # site, language and day of given ids without reading the rows (estimate.py)
    "idx_articles_facet_values":
        "create index if not exists idx_articles_facet_values on articles (id, site_name, lang, captured_at)",
    # a tag's articles in id order (rare tags are looked up first)
    "idx_article_tags_tag_article":
        "create index if not exists idx_article_tags_tag_article on article_tags (tag_id, article_id)",
    # a tag by name in any case (the _tag filter, articles_by_tag)
    "idx_tags_name_nocase": "create index if not exists idx_tags_name_nocase on tags (name collate nocase)",
    # the listing's sortable columns (published, site_name, captured_at, lang and id have theirs)
    "idx_articles_title": "create index if not exists idx_articles_title on articles (title)",
    "idx_articles_byline": "create index if not exists idx_articles_byline on articles (byline)",
    "idx_articles_word_count": "create index if not exists idx_articles_word_count on articles (word_count)",
    # the watcher's pages and canned queries: facets, stealth edits and headline changes newest first,
    # edits per URL, removed articles (its tables grow with every check, so nothing reads them whole)
    "idx_checks_outcome": "create index if not exists idx_checks_outcome on checks (outcome)",
    "idx_changes_stealth": "create index if not exists idx_changes_stealth on changes (stealth, detected_at)",
    "idx_changes_title_changed":
        "create index if not exists idx_changes_title_changed on changes (title_changed, detected_at)",
    "idx_changes_url_counts": "create index if not exists idx_changes_url_counts on changes "
                              "(url, stealth, title_changed, words_added, words_removed, new_id, detected_at)",
    "idx_watches_last_outcome":
        "create index if not exists idx_watches_last_outcome on watches (last_outcome, last_checked_at)",
    # other tables' pages: their facets and sorts, and counts that read an index rather than wide rows
    "idx_attempts_ok": "create index if not exists idx_attempts_ok on attempts (ok, started_at)",
    "idx_attempts_error_kind": "create index if not exists idx_attempts_error_kind on attempts (error_kind)",
    "idx_notes_created_at": "create index if not exists idx_notes_created_at on notes (created_at)",
    "idx_rendered_pages_bytes": "create index if not exists idx_rendered_pages_bytes on rendered_pages (bytes)",
    "idx_archives_bytes": "create index if not exists idx_archives_bytes on archives (bytes)",
    "idx_text_boxes_version": "create index if not exists idx_text_boxes_version on text_boxes (version)",
}
# notes: without statistics SQLite takes it for a big table and joins the annotations view from articles
ANALYZED = ("articles", "article_tags", "tags", "notes")


def _needs_statistics(conn) -> bool:
    """No statistics, an index without them, or the archive grew or shrank a lot since."""
    if not conn.execute("select 1 from sqlite_master where name = 'sqlite_stat1'").fetchone():
        return True
    stats = dict(conn.execute("select idx, stat from sqlite_stat1 where tbl = 'articles'").fetchall())
    indexes = {r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'index' and tbl_name = 'articles' and sql is not null")}
    if not stats or indexes - set(stats):
        return True
    counted = int(next(iter(stats.values())).split()[0])
    now = conn.execute("select count(*) from articles").fetchone()[0]
    return now > counted * 1.25 + 100 or now < counted * 0.8


def ensure_indexes(db) -> None:
    """Kept counts up to date, missing indexes created, SQLite's statistics refreshed when missing or stale.

    Without statistics SQLite guesses every index is equally selective and can
    pick the language index (a sixth of the archive) over the site index (a
    sixtieth) for `site_name = ? and lang = ?`."""
    d = as_database(db)
    ensure_schema(d)  # an archive opened with plain `datasette` gets the highlight columns and kept counts too
    ensure_watch_schema(d)  # the watcher's tables, so its canned queries and pages work on any archive
    conn = d.conn
    existing = {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
    missing = [sql for name, sql in INDEXES.items() if name not in existing]
    if not missing and not _needs_statistics(conn):
        return
    with write_transaction(d):
        for sql in missing:
            conn.execute(sql)
        for table in ANALYZED:
            conn.execute(f"analyze {table}")
