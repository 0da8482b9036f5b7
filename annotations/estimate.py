"""Counts and facet values for selections the kept counts cannot answer
(full-text search, several filters, other column filters), in bounded time.

A selection with up to EXACT_LIMIT matches is counted exactly. A larger one
is estimated from samples spread evenly over the archive: BLOCKS runs of
consecutive ids, longer each round until they hold SAMPLE_HITS matches; the
counts found are scaled by archive size / ids sampled and shown as estimates
("about"). Every sample query is driven by an index (site, language, day,
tag, or the full-text index limited to the run's ids), so a round costs
about the number of matches it finds, whatever the archive's size. The
capture-day facet of such a selection samples each of the newest days
instead, scaled by the day's kept count, so the days shown are the newest.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field

from .plan import LIST_HITS, Plan, density, plan_for

EXACT_LIMIT = 5_000
SAMPLE_HITS = 1_000
BLOCKS = 32
FIRST_BLOCK = 64  # ids per run in the first round; four times as many each round after
BUDGET_S = 0.25      # sampling stops growing after this
HARD_LIMIT_S = 2.0   # and any query is stopped this long after that
DAY_RUNS, DAY_RUN = 2, 128  # ids sampled per capture day


@dataclass
class Stats:
    total: int                 # matching articles, counted or estimated
    exact: bool
    scale: float = 1.0         # archive ids per sampled id (1.0 when counted)
    values: dict[str, Counter] = field(default_factory=dict)  # site, lang, day, tag (ids as text)
    untagged: int = 0          # in the sample
    ids: list[int] = field(default_factory=list)  # the matches counted (all of them when exact)

    def estimate(self, n: int) -> int:
        return n if self.exact else round_estimate(n * self.scale)


def round_estimate(x: float) -> int:
    """Two significant figures: what an estimate from a sample can honestly claim."""
    if x < 100:
        return int(round(x))
    digits = len(str(int(x))) - 2
    return int(round(x, -digits))


def _where_after_from(sql: str) -> str:
    """The WHERE part of Datasette's facet SQL (`select … from articles where …`)."""
    match = re.search(r"\bfrom\s+\[?articles\]?\s*(where\s+(.*))?$", sql.strip(), re.S)
    return match.group(2) or "1" if match else "0"


def _clauses(plan: Plan, range_modes: bool, fallback: tuple[str, dict]) -> tuple[str, dict]:
    if plan.selection.opaque:
        return fallback
    modes = dict(plan.modes)
    if modes.get("search") == "newest":  # that is the page only
        modes["search"] = "list" if (plan.search_hits or 0) <= LIST_HITS else "walk"
    if range_modes:
        modes = {k: "range" for k in modes} if modes else {}
        modes.setdefault("search", "range")
    where, params = plan.selection.all_clauses(plan.tag_ids, modes)
    return " and ".join(f"({w})" for w in where) or "1", params


NARROW = "articles indexed by idx_articles_facet_values"
ROW = "id, site_name, lang, substr(captured_at, 1, 10)"


def _rows(conn, plan: Plan, where: str, params: dict, limit: str = "") -> list[tuple]:
    """(id, site, language, day) of the matches; straight from the narrow index when it holds
    every column tested, else matched in the table and looked up in the index."""
    if plan.selection.narrow:
        return conn.execute(f"select {ROW} from {NARROW} where {where}{limit}", params).fetchall()
    ids = [r[0] for r in conn.execute(f"select id from articles where {where}{limit}", params)]
    return conn.execute(f"select {ROW} from {NARROW} where id in (select value from json_each(?))",
                        [json.dumps(ids)]).fetchall()


def _facet_values(conn, rows: list[tuple]) -> tuple[dict[str, Counter], int]:
    values = {"site": Counter(), "lang": Counter(), "day": Counter(), "tag": Counter()}
    for _, site, lang, day in rows:
        values["site"][site] += 1
        values["lang"][lang] += 1
        values["day"][day] += 1
    as_json = json.dumps([r[0] for r in rows])
    values["tag"].update({str(tag_id): n for tag_id, n in conn.execute(
        "select tag_id, count(*) from article_tags where article_id in (select value from json_each(?)) "
        "group by tag_id", [as_json])})
    tagged = conn.execute("select count(distinct article_id) from article_tags "
                          "where article_id in (select value from json_each(?))", [as_json]).fetchone()[0]
    for counter in values.values():
        counter.pop(None, None)
    return values, len(rows) - tagged


def _sample(conn, plan: Plan, where: str, params: dict, max_id: int, deadline: float):
    """Matches in evenly spread runs of ids: (rows, share of the archive sampled, whole archive?).
    Runs start long enough for SAMPLE_HITS matches when the plan knows how common they are."""
    length, likely = FIRST_BLOCK, density(plan)
    while likely and BLOCKS * length * likely < SAMPLE_HITS and BLOCKS * length < max_id:
        length *= 4
    while True:
        whole = BLOCKS * length >= max_id
        runs = [(1, max_id)] if whole else \
            [(1 + k * max_id // BLOCKS, k * max_id // BLOCKS + length) for k in range(BLOCKS)]
        rows = [r for lo, hi in runs for r in _rows(
            conn, plan, f"id between :pk_lo and :pk_hi and {where}", {**params, "pk_lo": lo, "pk_hi": hi})]
        share = 1.0 if whole else BLOCKS * length / max_id
        if whole or len(rows) >= SAMPLE_HITS or len(rows) / share <= EXACT_LIMIT or time.monotonic() > deadline:
            return rows, share, whole
        length *= 4


def _gather(conn, plan: Plan, fallback: tuple[str, dict]) -> Stats | None:
    deadline = time.monotonic() + BUDGET_S
    # a safety net for selections pagekeep cannot plan (Datasette's own where clauses)
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline + HARD_LIMIT_S else 0, 10_000)
    try:
        max_id = conn.execute("select max(id) from articles").fetchone()[0] or 0
        where, params = _clauses(plan, True, fallback)
        rows, share, whole = _sample(conn, plan, where, params, max_id, deadline)
        exact = whole
        if not whole and len(rows) / share <= EXACT_LIMIT:
            where, params = _clauses(plan, False, fallback)
            try:
                found = _rows(conn, plan, where, params, f" limit {EXACT_LIMIT + 1}")
            except sqlite3.OperationalError:  # out of time: the sample's estimate stands
                found = None
            if found is not None and (len(found) <= EXACT_LIMIT):
                rows, share, exact = found, 1.0, True
        values, untagged = _facet_values(conn, rows)
    except sqlite3.OperationalError:
        return None
    finally:
        conn.set_progress_handler(None, 0)
    total = len(rows) if exact else round_estimate(len(rows) / share)
    return Stats(total=total, exact=exact, scale=1.0 / share, values=values, untagged=untagged,
                 ids=[r[0] for r in rows])


async def stats_for(datasette, database: str, request, facet_sql: str | None = None,
                    facet_params: dict | None = None) -> Stats | None:
    """Counts for the request's selection (cached for the request); None if out of time or unknowable."""
    plan = await plan_for(datasette, database, request)
    if plan.stats is None:
        if plan.selection.opaque and facet_sql is None:
            return None  # only Datasette's facet SQL says what such a selection is
        fallback = (_where_after_from(facet_sql or ""), dict(facet_params or {}))
        plan.stats = await datasette.databases[database].execute_fn(lambda conn: _gather(conn, plan, fallback)) \
            or False
    return plan.stats or None


def _newest_days(conn, plan: Plan, fallback: tuple[str, dict], limit: int) -> tuple[dict[str, int], bool] | None:
    """Matches per capture day, newest days first, for `limit` days with matches (and one more,
    to know there are more): ({day: count}, estimated?). A day is counted in DAY_RUNS runs of
    DAY_RUN ids spread over its ids (the day index gives them) and scaled by the day's kept
    count; a day with no more articles than that is counted whole. So a day costs the same
    however many articles it has."""
    deadline = time.monotonic() + BUDGET_S
    where, params = _clauses(plan, True, fallback)
    kept_days = dict(conn.execute(
        "select value, n from facet_counts where by_facet = '' and by_value = '' and facet = 'day' and n > 0"))
    days = sorted(plan.selection.days or kept_days, reverse=True)
    table = NARROW if plan.selection.narrow else "articles"  # no article rows read when it holds every column
    sql = (f"select count(*), count(*) filter (where {where}) from {table} "
           f"where id between :pk_lo and :pk_hi and substr(captured_at, 1, 10) = :pk_day")
    bounds = "select (select min(id) from articles where substr(captured_at, 1, 10) = :d), " \
             "(select max(id) from articles where substr(captured_at, 1, 10) = :d)"
    found, estimated = {}, False
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline + HARD_LIMIT_S else 0, 10_000)
    try:
        for day in days:
            if len(found) > limit or (found and time.monotonic() > deadline):
                break
            lo, hi = conn.execute(bounds, {"d": day}).fetchone()
            if lo is None:
                continue
            span = hi - lo + 1
            runs = [(lo, hi)] if span <= DAY_RUNS * DAY_RUN else \
                [(lo + k * span // DAY_RUNS, lo + k * span // DAY_RUNS + DAY_RUN - 1) for k in range(DAY_RUNS)]
            seen = matched = 0
            for run_lo, run_hi in runs:
                rows, hits = conn.execute(sql, {**params, "pk_lo": run_lo, "pk_hi": run_hi, "pk_day": day}).fetchone()
                seen, matched = seen + rows, matched + hits
            whole = len(runs) == 1
            n = matched if whole else round_estimate(matched * kept_days.get(day, seen) / max(seen, 1))
            estimated = estimated or not whole
            if n:
                found[day] = n
    except sqlite3.OperationalError:
        return None
    finally:
        conn.set_progress_handler(None, 0)
    return found, estimated


async def day_counts(datasette, database: str, request, facet_sql: str, facet_params: dict,
                     limit: int) -> tuple[dict[str, int], bool] | None:
    """Matches per capture day for the newest days with matches, when the selection is too big
    to count: a sample spread over the archive would leave most days out."""
    plan = await plan_for(datasette, database, request)
    fallback = (_where_after_from(facet_sql or ""), dict(facet_params or {}))
    return await datasette.databases[database].execute_fn(lambda conn: _newest_days(conn, plan, fallback, limit))


async def page_count(datasette, database: str, request) -> dict | None:
    """{"n": articles, "estimated": bool} for a table page's selection, or None if unknown."""
    plan = await plan_for(datasette, database, request)
    if plan.kept_count is not None:
        return {"n": plan.kept_count, "estimated": False}
    sel = plan.selection
    if sel.query and not (sel.tags or sel.untagged or sel.days or sel.columns or sel.opaque) \
            and plan.search_hits is not None and plan.search_hits <= LIST_HITS:
        return {"n": plan.search_hits, "estimated": False}  # FTS5 counted them
    stats = await stats_for(datasette, database, request)
    return {"n": stats.total, "estimated": not stats.exact} if stats else None
