"""Facet values and counts read from the archive's kept counts
(capture/facet_counts.py) instead of counted: the whole archive, or under
one filter value (site, language, day, tag or untagged), exactly, in time
that does not depend on how many articles there are.

Functions take a sqlite3 connection and return None when the kept counts
cannot answer, so callers estimate instead (estimate.py).
"""

from __future__ import annotations

import sqlite3

Filter = tuple[str, str]  # (facet, value); ("untagged", "") for articles without tags
WHOLE = ("", "")


def _n(conn, by: Filter, facet: str, value: str) -> int:
    row = conn.execute("select n from facet_counts where by_facet = ? and by_value = ? and facet = ? and value = ?",
                       [by[0], by[1], facet, value]).fetchone()
    return row[0] if row else 0


def _values(conn, by: Filter, facet: str) -> dict[str, int]:
    return dict(conn.execute(
        "select value, n from facet_counts where by_facet = ? and by_value = ? and facet = ? and n > 0",
        [by[0], by[1], facet]).fetchall())


def available(conn) -> bool:
    try:
        conn.execute("select 1 from facet_counts limit 1").fetchall()
    except sqlite3.OperationalError:
        return False
    return True


def count(conn, filters: list[Filter]) -> int | None:
    """Articles matching all the filters (at most two), or None."""
    if not available(conn):
        return None
    if not filters:
        return _n(conn, WHOLE, "", "")
    if len(filters) == 1:
        (facet, value), = filters
        if facet == "untagged":
            return _n(conn, WHOLE, "", "") - _n(conn, WHOLE, "tagged", "1")
        return _n(conn, WHOLE, facet, value)
    if len(filters) == 2:
        (f1, v1), (f2, v2) = filters
        if "untagged" in (f1, f2):
            (f, v) = (f1, v1) if f2 == "untagged" else (f2, v2)
            return _n(conn, WHOLE, f, v) - _n(conn, (f, v), "tagged", "1")
        return _n(conn, (f1, v1), f2, v2)
    return None


def untagged(conn, filters: list[Filter]) -> int | None:
    """Articles without tags among those matching the filters (at most one), or None."""
    if len(filters) > 1 or not available(conn):
        return None
    if not filters:
        return _n(conn, WHOLE, "", "") - _n(conn, WHOLE, "tagged", "1")
    (facet, value), = filters
    if facet == "untagged":
        return count(conn, filters)
    if facet == "tag":
        return 0
    return _n(conn, WHOLE, facet, value) - _n(conn, (facet, value), "tagged", "1")


def values(conn, facet: str, filters: list[Filter]) -> dict[str, int] | None:
    """{value: articles} for one facet among the articles matching the filters, or None."""
    if not available(conn):
        return None
    if not filters:
        return _values(conn, WHOLE, facet)
    own = [v for f, v in filters if f == facet]
    if own and facet != "tag":  # faceting on a filtered column: just the chosen value
        n = count(conn, filters)
        return {own[0]: n} if n else {}
    if len(filters) != 1:
        return None
    (by_facet, by_value), = filters
    if by_facet == "untagged":
        if facet == "tag":
            return {}
        everything, tagged = _values(conn, WHOLE, facet), _values(conn, ("tagged", "1"), facet)
        return {v: n - tagged.get(v, 0) for v, n in everything.items() if n - tagged.get(v, 0) > 0}
    found = _values(conn, (by_facet, by_value), facet)
    if own:  # tags that come with the chosen tag, and the tag itself
        found[by_value] = _n(conn, WHOLE, "tag", by_value)
    return found
