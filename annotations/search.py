"""Full-text search over the archive (FTS5 on title, byline and text), ranked.

`search()` is what `pagekeep search` prints; the `search` canned query in
metadata.yml runs the same SQL in Datasette.

Ranking every hit costs time in proportion to the hits: a common word is in
most of a million articles. So the ranking looks at the newest RANKED hits
(FTS5 reads them straight off its index in id order) and orders those by
bm25; a search with fewer hits, as most are, ranks them all. Snippets are
made for the rows shown only.
"""

from __future__ import annotations

import re
import sqlite3

from .tags import as_database

# Title matches weigh most, then byline, then body text.
RANK = "bm25(articles_fts, 10.0, 3.0, 1.0)"
RANKED = 2000  # newest hits ranked; metadata.yml's search query says the same

SEARCH_SQL = f"""
select a.id, a.title, a.site_name, a.byline, a.published, a.captured_at, a.url, a.word_count,
       (select snippet(articles_fts, 2, '[', ']', '…', 16) from articles_fts
        where articles_fts match :query and articles_fts.rowid = a.id) as snippet,
       hits.rank
from (select rowid, {RANK} as rank from articles_fts where articles_fts match :query
      order by rowid desc limit :ranked) hits
join articles a on a.id = hits.rowid
order by hits.rank
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
    params = {"query": query, "limit": int(limit), "offset": int(offset),
              "ranked": max(RANKED, int(limit) + int(offset))}
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
