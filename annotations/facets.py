"""Facets and filters for the articles table that stay fast on large archives.

- `?_tag=NAME` (repeatable; all must match), `?_untagged=1`, `?_day=YYYY-MM-DD`
  (captured that UTC day) filter the table, its JSON and CSV alike.
- `TagFacet` ("tag") counts tags through article_tags.
- `ArchiveFacet` ("archive") replaces Datasette's column and date facets for
  site, language and capture day.

Why not Datasette's own facets: they group the filtered rows themselves, so
each matching article row is read. In an archive, columns stored after the
article text and HTML (captured_at among them) sit behind those values'
overflow pages, so a facet over thousands of search hits reads hundreds of
megabytes. These facets take the filtered ids once per request and group a
small covering index instead, testing membership.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args

from .web import csp_state, is_archive


def _tag_where(index: int) -> str:
    # "+id": keeps SQLite walking the listing's sort index and testing membership,
    # instead of fetching every tagged article (wide rows) and sorting them.
    return (f"+id in (select at.article_id from article_tags at join tags t on t.id = at.tag_id "
            f"where t.name = :pagekeep_tag{index} collate nocase)")


def _next_day(day: str) -> str | None:
    try:
        return (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=1)).strftime("%Y-%m-%d")
    except ValueError:
        return None


async def archive_filters(request, database, table, datasette):
    """?_tag=NAME (repeatable: all of them), ?_untagged=1, ?_day=YYYY-MM-DD (captured that UTC day)."""
    if table != "articles":
        return None
    selected = [t for t in request.args.getlist("_tag") if t.strip()]
    untagged = request.args.get("_untagged")
    days = [d for d in request.args.getlist("_day") if d.strip()]
    if not (selected or untagged or days) or not await is_archive(datasette, database):
        return None
    where, params, human = [], {}, []
    for i, name in enumerate(selected):
        where.append(_tag_where(i))
        params[f"pagekeep_tag{i}"] = name
        human.append(f"tagged “{name}”")
    if untagged:
        where.append("+id not in (select article_id from article_tags)")
        human.append("not tagged")
    for i, day in enumerate(days):
        following = _next_day(day)
        if following is None:
            where.append("0")
            human.append(f"captured on {day!r} (not a date)")
            continue
        # a range on captured_at (ISO 8601 UTC) uses its index; date(captured_at) = ? cannot
        where.append(f"captured_at >= :pagekeep_day{i} and captured_at < :pagekeep_day{i}_end")
        params[f"pagekeep_day{i}"] = day
        params[f"pagekeep_day{i}_end"] = following
        human.append(f"captured on {day}")
    return FilterArguments(where, params=params, human_descriptions=human)



async def filtered_ids(facet: Facet) -> str | None:
    """The ids of the rows a table page shows, as a JSON array, computed once per
    request and shared by the facets; None when the page has no filter at all."""
    if re.search(r"\bfrom \[?articles\]?\s*$", facet.sql.strip()):
        return None
    state = csp_state(facet.request)
    cache = state.setdefault("filtered_ids", {}) if state is not None else {}
    key = (facet.sql, json.dumps(facet.params, sort_keys=True, default=str))
    if key not in cache:
        cache[key] = (await facet.ds.execute(
            facet.database, f"select json_group_array(id) from ({facet.sql})", facet.params,
            custom_time_limit=facet.ds.setting("facet_time_limit_ms"))).rows[0][0]
    return cache[key]


def _membership(column: str, ids: str | None) -> str:
    # "+column": SQLite scans the (small, covering) index it groups on and tests
    # membership, rather than looking up each matching article's wide row.
    return "1" if ids is None else f"+{column} in (select value from json_each(:pagekeep_ids))"


class ArchiveFacet(Facet):
    """Column facets for articles, grouped on an index. Config: a column name;
    `captured_at` facets by day, newest first, and toggles ?_day=."""

    type = "archive"
    DAY_COLUMNS = {"captured_at"}
    COLUMNS = {"site_name", "lang", "captured_at", "byline", "extractor", "consent_cmp", "status_code"}

    async def suggest(self):
        return []

    async def facet_results(self):
        configs = self.get_configs()
        if self.table != "articles" or not configs or not await is_archive(self.ds, self.database):
            return [], []
        results, timed_out = [], []
        facet_size = self.get_facet_size()
        try:
            ids = await filtered_ids(self)
        except QueryInterrupted:
            return [], [c["config"].get("simple") for c in configs]
        for source_and_config in configs:
            column = source_and_config["config"].get("simple")
            if column not in self.COLUMNS:
                continue
            day = column in self.DAY_COLUMNS
            expr = f"substr({column}, 1, 10)" if day else column
            order = "value desc" if day else "count desc, value"
            sql = f"""
                select {expr} as value, count(*) as count from articles
                where {_membership("id", ids)} and {column} is not null
                group by value order by {order} limit {facet_size + 1}
            """
            try:
                rows = (await self.ds.execute(self.database, sql, {"pagekeep_ids": ids} if ids else {},
                                              truncate=False,
                                              custom_time_limit=self.ds.setting("facet_time_limit_ms"))).rows
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = "_day" if day else column
            chosen = self.request.args.getlist(key)
            values = []
            for row in rows[:facet_size]:
                value = row["value"]
                selected = str(value) in chosen
                path = (path_with_removed_args(self.request, {key: str(value)}) if selected
                        else path_with_added_args(self.request, {key: value, "_next": None}))
                values.append({"value": value, "label": value, "count": row["count"], "selected": selected,
                               "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path))})
            results.append({
                "name": column, "type": "day" if day else "column", "results": values,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_archive": column})),
                "truncated": len(rows) > facet_size,
            })
        return results, timed_out


class TagFacet(Facet):
    """Facet articles by tag (through article_tags); toggles `?_tag=NAME`."""

    type = "tag"

    async def suggest(self):
        return []

    async def facet_results(self):
        configs = self.get_configs()
        if self.table != "articles" or not configs or not await is_archive(self.ds, self.database):
            return [], []
        config = configs[0]
        facet_size = self.get_facet_size()
        selected = self.request.args.getlist("_tag")
        try:
            ids = await filtered_ids(self)
        except QueryInterrupted:
            return [], ["tags"]
        sql = f"""
            select t.name as value, count(*) as count
            from article_tags at join tags t on t.id = at.tag_id
            where {_membership("at.article_id", ids)}
            group by t.id order by count desc, t.name collate nocase limit {facet_size + 1}
        """
        untagged_sql = ("select count(*) from articles where +id not in (select article_id from article_tags)"
                        if ids is None else
                        "select count(*) from json_each(:pagekeep_ids) "
                        "where value not in (select article_id from article_tags)")
        params = {"pagekeep_ids": ids} if ids else {}
        try:
            rows = (await self.ds.execute(self.database, sql, params, truncate=False,
                                          custom_time_limit=self.ds.setting("facet_time_limit_ms"))).rows
            untagged = (await self.ds.execute(self.database, untagged_sql, params, truncate=False,
                                              custom_time_limit=self.ds.setting("facet_time_limit_ms"))).rows[0][0]
        except QueryInterrupted:
            return [], ["tags"]
        results = []
        for row in rows[:facet_size]:
            is_selected = any(row["value"].casefold() == s.casefold() for s in selected)
            if is_selected:
                path = path_with_removed_args(self.request, {"_tag": next(
                    s for s in selected if s.casefold() == row["value"].casefold())})
            else:
                path = path_with_added_args(self.request, {"_tag": row["value"], "_next": None})
            results.append({"value": row["value"], "label": row["value"], "count": row["count"],
                            "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                            "selected": is_selected})
        is_untagged = bool(self.request.args.get("_untagged"))
        if untagged or is_untagged:
            path = (path_with_removed_args(self.request, {"_untagged"}) if is_untagged
                    else path_with_added_args(self.request, {"_untagged": "1", "_next": None}))
            results.append({"value": None, "label": "(untagged)", "count": untagged,
                            "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                            "selected": is_untagged})
        return [{
            "name": "tags",
            "type": self.type,
            "results": results,
            "hideable": config["source"] != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_tag": "tags"})),
            "truncated": len(rows) > facet_size,
        }], []
