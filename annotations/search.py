"""Full-text search over the archive (FTS5 on title, byline and text).

`search()` is what `pagekeep search` prints; the `search` canned query in
metadata.yml runs the same ranking in Datasette.
"""

from __future__ import annotations

import re
import sqlite3

from .tags import as_database

# Title matches weigh most, then byline, then body text.
RANK = "bm25(articles_fts, 10.0, 3.0, 1.0)"

SEARCH_SQL = f"""
select a.id, a.title, a.site_name, a.byline, a.published, a.captured_at, a.url, a.word_count,
       snippet(articles_fts, 2, '[', ']', '…', 16) as snippet,
       {RANK} as rank
from articles_fts
join articles a on a.id = articles_fts.rowid
where articles_fts match :query
order by rank
limit :limit offset :offset
"""

_TERM = re.compile(r'"[^"]*"|\S+')


def escape_fts(query: str) -> str:
    """Make any text a valid FTS5 query: every word (or "quoted phrase") becomes a phrase."""
    terms = []
    for term in _TERM.findall(query):
        term = term.strip('"')
        if term:
            terms.append('"' + term.replace('"', '""') + '"')
    return " ".join(terms)


def search(db, query: str, limit: int = 20, offset: int = 0) -> list[dict]:
    """Best matches first. FTS5 syntax (AND, OR, NOT, "phrases", prefix*) works;
    text that is not valid FTS5 syntax is searched for word by word instead."""
    conn = as_database(db).conn
    query = (query or "").strip()
    if not query:
        return []
    params = {"query": query, "limit": int(limit), "offset": int(offset)}
    try:
        cursor = conn.execute(SEARCH_SQL, params)
    except sqlite3.OperationalError:
        # The SQL is fixed, so this is the query's FTS5 syntax ("fts5: syntax error",
        # "unterminated string", "no such column: x" for x:word …).
        escaped = escape_fts(query)
        if not escaped:
            return []
        cursor = conn.execute(SEARCH_SQL, {**params, "query": escaped})
    cols = [c[0] for c in cursor.description]
    return [dict(zip(cols, row)) for row in cursor.fetchall()]
