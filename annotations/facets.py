"""Facets for the articles table that cost the same on a million articles as on ten thousand.

- `ArchiveFacet` ("archive") replaces Datasette's column and date facets for
  site, language and capture day (and a few other columns).
- `TagFacet` ("tag") counts tags through article_tags, with "(untagged)".

Counts come from the archive's kept counts (kept.py) when the selection is
the whole archive or one filter value, and are exact; otherwise from
estimate.py: exact for up to 5,000 matches, else estimated from samples
and marked `estimated` (the page shows "≈"). Datasette's own facets would
group every matching row, and each row of an archive carries its text.
Filters (`?_q=`, `?_tag=`, `?_untagged=1`, `?_day=`) are in plan.py.
"""

from __future__ import annotations

import json
from collections import Counter

from datasette.facets import Facet
from datasette.utils import path_with_added_args, path_with_removed_args

from .estimate import day_counts, stats_for
from .plan import plan_for
from .selection import public_url
from .web import is_archive

KEPT = {"site_name": "site", "lang": "lang", "captured_at": "day"}


async def _values(facet: Facet, name: str, column: str | None = None):
    """({value: count}, estimated?) for a kept facet name, or a column counted in the matches."""
    plan = await plan_for(facet.ds, facet.database, facet.request)
    db = facet.ds.databases[facet.database]
    if plan.kept_values.get(name) is not None:
        return plan.kept_values[name], False
    stats = await stats_for(facet.ds, facet.database, facet.request, facet.sql, facet.params)
    if stats is None:
        return None, False
    if name == "day" and not stats.exact:
        days = await day_counts(facet.ds, facet.database, facet.request, facet.sql, facet.params,
                                facet.get_facet_size())
        if days is not None:
            return days
    if name:
        counts = stats.values.get(name, Counter())
    else:
        rows = await db.execute(
            f"select [{column}], count(*) from articles where id in (select value from json_each(:ids)) "
            f"and [{column}] is not null group by 1", {"ids": json.dumps(stats.ids)})
        counts = dict(rows.rows)
    return {k: stats.estimate(n) for k, n in counts.items()}, not stats.exact


def _toggle(facet: Facet, key: str, value, selected: bool) -> str:
    path = (path_with_removed_args(facet.request, {key: str(value)}) if selected
            else path_with_added_args(facet.request, {key: value, "_next": None}))
    return public_url(facet.ds.absolute_url(facet.request, facet.ds.urls.path(path)))


class ArchiveFacet(Facet):
    """Column facets for articles. Config: a column name; `captured_at` facets by day, newest first, and toggles ?_day=."""

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
        for source_and_config in configs:
            column = source_and_config["config"].get("simple")
            if column not in self.COLUMNS:
                continue
            counts, estimated = await _values(self, KEPT.get(column, ""), column)
            if counts is None:
                timed_out.append(column)
                continue
            day = column in self.DAY_COLUMNS
            ordered = sorted(counts.items(), key=(lambda kv: kv[0]) if day else (lambda kv: (-kv[1], str(kv[0]))),
                             reverse=day)
            key = "_day" if day else column
            chosen = self.request.args.getlist(key)
            values = [{"value": value, "label": value, "count": n, "selected": str(value) in chosen,
                       "toggle_url": _toggle(self, key, value, str(value) in chosen)}
                      for value, n in ordered[:facet_size]]
            results.append({
                "name": column, "type": "day" if day else "column", "results": values, "estimated": estimated,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_archive": column})),
                "truncated": len(ordered) > facet_size,
            })
        return results, timed_out


class TagFacet(Facet):
    """Facet articles by tag (through article_tags); toggles `?_tag=NAME` and `?_untagged=1`."""

    type = "tag"

    async def suggest(self):
        return []

    async def facet_results(self):
        configs = self.get_configs()
        if self.table != "articles" or not configs or not await is_archive(self.ds, self.database):
            return [], []
        counts, estimated = await _values(self, "tag")
        if counts is None:
            return [], ["tags"]
        untagged = await self._untagged()
        names = (await plan_for(self.ds, self.database, self.request)).tag_names
        facet_size = self.get_facet_size()
        ordered = sorted(((names.get(int(tag_id)), n) for tag_id, n in counts.items() if int(tag_id) in names),
                         key=lambda kv: (-kv[1], kv[0].casefold()))
        selected = {s.casefold(): s for s in self.request.args.getlist("_tag")}
        results = [{"value": name, "label": name, "count": n, "selected": name.casefold() in selected,
                    "toggle_url": _toggle(self, "_tag", selected.get(name.casefold(), name),
                                          name.casefold() in selected)}
                   for name, n in ordered[:facet_size]]
        is_untagged = bool(self.request.args.get("_untagged"))
        if untagged or is_untagged:
            path = (path_with_removed_args(self.request, {"_untagged"}) if is_untagged
                    else path_with_added_args(self.request, {"_untagged": "1", "_next": None}))
            results.append({"value": None, "label": "(untagged)", "count": untagged or 0,
                            "toggle_url": public_url(self.ds.absolute_url(self.request, self.ds.urls.path(path))),
                            "selected": is_untagged})
        return [{
            "name": "tags", "type": self.type, "results": results, "estimated": estimated,
            "hideable": configs[0]["source"] != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_tag": "tags"})),
            "truncated": len(ordered) > facet_size,
        }], []

    async def _untagged(self) -> int | None:
        plan = await plan_for(self.ds, self.database, self.request)
        if plan.kept_untagged is not None:
            return plan.kept_untagged
        stats = await stats_for(self.ds, self.database, self.request, self.sql, self.params)
        return stats.estimate(stats.untagged) if stats else None
