"""How one articles-table request will be answered, decided once per request
and shared by the filter hook, the facets and the count.

- Tag names become tag ids; a tag on many articles is tested row by row
  while walking the newest rows ("walk"), a rare one is looked up first
  ("list"): the kept count of the tag says which.
- A search with at most LIST_HITS hits is looked up first, a bigger one
  tested row by row: FTS5 counts that many hits in a few milliseconds. A
  search alone, listed newest first, reads just its page of hits off the
  full-text index ("newest"), from the `_next` cursor on.
- `kept` is the selection as kept-count filters when the kept counts can
  answer for it (no filter, or one or two of site, language, day, tag).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from datasette.filters import FilterArguments
from datasette.utils import tilde_decode

from . import kept as kept_counts
from .selection import ADDED_ARGS, SEARCH_ARG, Selection
from .web import csp_state, is_archive

# What the listing page shows (templates/pagekeep_table.html): reading and formatting
# the text and HTML of 50 articles only to leave them out would be most of its work.
LISTING_COLUMNS = ("title", "url", "site_name", "byline", "published", "word_count", "captured_at")

KEPT_FACETS = ("site", "lang", "day", "tag")

# Looking up this many ids first costs about what walking the newest rows and
# testing each costs when the matches are this many among a million.
LIST_HITS = 50_000


@dataclass
class Plan:
    selection: Selection
    tag_ids: dict[str, list[int]] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    search_hits: int | None = None   # exact when below LIST_HITS
    tag_counts: dict[str, int] = field(default_factory=dict)  # kept articles per tag name
    params: dict = field(default_factory=dict)  # for the "newest" search
    kept: list[tuple[str, str]] | None = None
    total: int | None = None          # articles in the archive (kept)
    # what the kept counts say about the selection: count, untagged and facet values
    # (None where they cannot say), read at once
    kept_count: int | None = None
    kept_untagged: int | None = None
    kept_values: dict[str, dict | None] = field(default_factory=dict)
    tag_names: dict[int, str] = field(default_factory=dict)
    stats: object = None              # estimate.Stats, filled by the first facet that needs it


def _decide(conn, sel: Selection, exact_count: bool, page: tuple[int, int] | None) -> Plan:
    plan = Plan(sel)
    have_kept = kept_counts.available(conn)
    for name in sel.tags:
        plan.tag_ids[name] = [r[0] for r in conn.execute(
            "select id from tags where name = ? collate nocase", [name])]
        n = sum(kept_counts.count(conn, [("tag", str(t))]) or 0 for t in plan.tag_ids[name]) if have_kept else None
        plan.modes[f"tag:{name}"] = "list" if n is not None and n <= LIST_HITS else "walk"
        if n is not None:
            plan.tag_counts[name] = n
    if sel.query:
        try:
            plan.search_hits = conn.execute(
                "select count(*) from (select 1 from articles_fts where articles_fts match ? limit ?)",
                [sel.fts_query, LIST_HITS + 1]).fetchone()[0]
        except sqlite3.OperationalError:  # not valid FTS5 syntax: the listing reports it
            plan.search_hits = 0
        plan.modes["search"] = "list" if plan.search_hits <= LIST_HITS else "walk"
        if page and sel.search_only:  # the page is the newest hits: read just those
            plan.modes["search"] = "newest"
            plan.params = {"pk_before": page[0], "pk_page": page[1]}
    if exact_count:  # Datasette will count every match (JSON without _nocount): collect them once
        plan.modes = {k: "list" for k in plan.modes}
    if have_kept:
        plan.total = kept_counts.count(conn, [])
        plan.kept = sel.kept_filters(plan.tag_ids)
    if plan.kept is not None:
        plan.kept_count = kept_counts.count(conn, plan.kept)
        plan.kept_untagged = kept_counts.untagged(conn, plan.kept)
        plan.kept_values = {f: kept_counts.values(conn, f, plan.kept) for f in KEPT_FACETS}
    plan.tag_names = dict(conn.execute("select id, name from tags"))
    return plan


def density(plan: Plan) -> float | None:
    """What share of the archive the selection probably matches, from what the plan counted
    (search hits when counted exactly, kept tag counts), taking them as independent; None
    when it has nothing to go on."""
    if not plan.total:
        return None
    shares = [n / plan.total for n in plan.tag_counts.values()]
    if plan.selection.query and plan.search_hits is not None and plan.search_hits <= LIST_HITS:
        shares.append(plan.search_hits / plan.total)
    if not shares:
        return None
    product = 1.0
    for share in shares:
        product *= share
    return product


async def plan_for(datasette, database: str, request) -> Plan:
    """The request's plan, computed on first use."""
    state = csp_state(request)
    cache = state if state is not None else {}
    if "plan" not in cache:
        sel = Selection.from_request(request)
        exact_count = not request.args.get("_nocount") and request.args.get("_shape") not in ("array", "object")
        page = _newest_page(datasette, database, request)
        cache["plan"] = await datasette.databases[database].execute_fn(
            lambda conn: _decide(conn, sel, exact_count, page))
    return cache["plan"]


def _newest_page(datasette, database: str, request) -> tuple[int, int] | None:
    """(ids below, rows) of the page asked for when it lists newest first, else None."""
    args = request.args
    if args.get("_sort") or args.get("_sort_desc") or \
            datasette.table_metadata(database, "articles").get("sort_desc") != "id":
        return None
    size = args.get("_size") or datasette.table_metadata(database, "articles").get("size") or datasette.page_size
    try:
        size = datasette.max_returned_rows if size == "max" else int(size)
        before = int(args.get("_next").split(",")[-1]) if args.get("_next") else 2 ** 62
    except ValueError:
        return None
    return before, size + 1


async def archive_filters(request, database, table, datasette):
    """?_q= (full text), ?_tag=NAME (repeatable: all of them), ?_untagged=1, ?_day=YYYY-MM-DD."""
    if table != "articles":
        return None
    args = request.args
    if not any(args.get(k) for k in ("_q", "_tag", "_untagged", "_day")) or not await is_archive(datasette, database):
        return None
    plan = await plan_for(datasette, database, request)
    where, params, human = plan.selection.ours(plan.tag_ids, plan.modes)
    params.update(plan.params)
    extra = {"search": plan.selection.query} if plan.selection.query else {}
    return FilterArguments(where, params=params, human_descriptions=human, extra_context=extra)


_TABLE_PATH = re.compile(r"^/(?P<database>[^/]+)/articles(?P<format>\.\w+)?$")


async def rewrite_query(datasette, scope: dict) -> dict:
    """For an archive's articles table: `_search` becomes pagekeep's `_q`; the HTML page skips
    Datasette's count (it shows pagekeep's own) and reads only the columns it shows. Other
    requests pass unchanged."""
    path = scope.get("path", "")
    base = datasette.setting("base_url")
    if base != "/" and path.startswith(base):
        path = "/" + path[len(base):]
    match = _TABLE_PATH.match(path)
    query = scope.get("query_string", b"").decode("latin-1")
    html = match and not match.group("format")
    if not match or not (html or "_search=" in query) or scope.get("method", "GET") != "GET":
        return scope
    try:
        database = datasette.get_database(route=tilde_decode(match.group("database"))).name
    except KeyError:
        return scope
    if not await is_archive(datasette, database):
        return scope
    args = [(SEARCH_ARG if k == "_search" else k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
    if html:
        args = [(k, v) for k, v in args if k not in ADDED_ARGS] + \
            [("_nocount", "1")] + [("_col", c) for c in LISTING_COLUMNS]
    return {**scope, "query_string": urlencode(args).encode("latin-1")}
