"""Which articles a table page asks for, as parts pagekeep can plan: full
text, tags, untagged, capture days and Datasette's column filters.

The same parts become SQL three ways, so that every view costs about the
same on a million articles as on ten thousand:

- "walk": tests a row at a time (`exists (...)`), for listing the newest
  rows of a large match set, walking the primary key backwards;
- "list": the matching ids first (`id in (...)`), for small match sets;
- "range": only within ids :pk_lo..:pk_hi, for estimating from samples.

`?_q=` is the full-text search. `?_search=` on an archive's articles table
arrives here as `_q` (see `rewrite_search` in plugin.py): Datasette's own
search clause would collect every hit before showing the first 50.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from datasette.filters import Filters
from datasette.utils import escape_fts

SEARCH_ARG = "_q"
# Datasette's own special arguments that narrow the rows in ways pagekeep does not plan.
OPAQUE_ARGS = ("_where", "_through", "_search")
NARROW_COLUMNS = {"site_name", "lang"}
KEPT_COLUMNS = {"site_name": "site", "site_name__exact": "site", "lang": "lang", "lang__exact": "lang"}

SEARCH_SQL = {
    "walk": "exists (select 1 from articles_fts where articles_fts match :pk_fts and articles_fts.rowid = articles.id)",
    "list": "id in (select rowid from articles_fts where articles_fts match :pk_fts)",
    "range": "id in (select rowid from articles_fts where articles_fts match :pk_fts "
             "and rowid between :pk_lo and :pk_hi)",
    # the page's own hits, newest first, straight off the full-text index (plan.py says when)
    "newest": "id in (select rowid from articles_fts where articles_fts match :pk_fts "
              "and rowid < :pk_before order by rowid desc limit :pk_page)",
}

TAG_SQL = {
    "walk": "exists (select 1 from article_tags where article_id = articles.id and tag_id in ({ids}))",
    "list": "id in (select article_id from article_tags where tag_id in ({ids}))",
    "range": "id in (select article_id from article_tags where tag_id in ({ids}) "
             "and article_id between :pk_lo and :pk_hi)",
}


ADDED_ARGS = {"_nocount", "_col", "_nocol"}  # what plan.rewrite_query adds to HTML listing requests


def public_url(url: str | None) -> str | None:
    """A link as people should see it: without the arguments pagekeep adds to HTML listing requests."""
    if not url or not any(arg in url for arg in ADDED_ARGS):
        return url
    parts = urlsplit(str(url))  # a plain str: Datasette's URL strings are slow to take apart
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ADDED_ARGS])
    return urlunsplit(parts._replace(query=query))


def _next_day(day: str) -> str | None:
    try:
        return (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=1)).strftime("%Y-%m-%d")
    except ValueError:
        return None


@dataclass
class Selection:
    query: str = ""                     # full text, as typed
    raw: bool = False                   # FTS5 syntax as is (?_searchmode=raw), else words and "phrases"
    tags: list[str] = field(default_factory=list)
    untagged: bool = False
    days: list[str] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)  # Datasette column filters, key=value
    opaque: bool = False                # narrowed by something only Datasette understands

    @classmethod
    def from_request(cls, request) -> "Selection":
        args = request.args
        sel = cls(
            query=(args.get(SEARCH_ARG) or "").strip(),
            raw=args.get("_searchmode") == "raw",
            tags=[t for t in args.getlist("_tag") if t.strip()],
            untagged=bool(args.get("_untagged")),
            days=[d for d in args.getlist("_day") if d.strip()],
        )
        for key in args:
            if not key.startswith("_") or "__" in key:
                sel.columns.extend((key, v) for v in args.getlist(key))
            elif key.startswith(OPAQUE_ARGS) and key != "_searchmode":
                sel.opaque = True
        return sel

    @property
    def empty(self) -> bool:
        return not (self.query or self.tags or self.untagged or self.days or self.columns or self.opaque)

    @property
    def search_only(self) -> bool:
        return bool(self.query) and not (self.tags or self.untagged or self.days or self.columns or self.opaque)

    @property
    def narrow(self) -> bool:
        """True when every condition can be tested from idx_articles_facet_values (id, site_name,
        lang, captured_at) and the tag and full-text indexes, without reading article rows."""
        return not self.opaque and all(k.rsplit("__", 1)[0] in NARROW_COLUMNS for k, _ in self.columns)

    @property
    def fts_query(self) -> str:
        return self.query if self.raw else escape_fts(self.query)

    def kept_filters(self, tag_ids: dict[str, list[int]]) -> list[tuple[str, str]] | None:
        """The selection as kept-count filters, (facet, value) pairs; None when it is not one."""
        if self.opaque or self.query:
            return None
        out = []
        for key, value in self.columns:
            if key not in KEPT_COLUMNS:
                return None
            out.append((KEPT_COLUMNS[key], value))
        out += [("day", d) for d in self.days]
        for name in self.tags:
            ids = tag_ids.get(name, [])
            if len(ids) != 1:
                return None
            out.append(("tag", str(ids[0])))
        if self.untagged:
            out.append(("untagged", ""))
        facets = [f for f, _ in out]
        return out if len(set(facets)) == len(facets) else None

    def ours(self, tag_ids: dict[str, list[int]], modes: dict[str, str]) -> tuple[list[str], dict, list[str]]:
        """Where clauses, parameters and human descriptions for pagekeep's own arguments.
        modes: "search" and "tag:NAME" → walk/list/range (walk by default)."""
        where, params, human = [], {}, []
        for name in self.tags:
            ids = ",".join(str(int(t)) for t in tag_ids.get(name, [])) or "null"
            where.append(TAG_SQL[modes.get(f"tag:{name}", "walk")].format(ids=ids))
            human.append(f"tagged “{name}”")
        if self.untagged:
            where.append("not exists (select 1 from article_tags where article_id = articles.id)")
            human.append("not tagged")
        for i, day in enumerate(self.days):
            if _next_day(day) is None:
                where.append("0")
                human.append(f"captured on {day!r} (not a date)")
                continue
            # the expression is the index's (schema.py): the day's rows come in id order
            where.append(f"substr(captured_at, 1, 10) = :pk_day{i}")
            params[f"pk_day{i}"] = day
            human.append(f"captured on {day}")
        if self.query:  # last: when rows are tested one by one, the cheaper tests go first
            where.append(SEARCH_SQL[modes.get("search", "walk")])
            params["pk_fts"] = self.fts_query
            human.insert(0, f'search matches "{self.query}"')
        return where, params, human

    def all_clauses(self, tag_ids: dict[str, list[int]], modes: dict[str, str]) -> tuple[list[str], dict]:
        """Every condition, Datasette's column filters included (what the table page applies)."""
        where, params = Filters(sorted(self.columns)).build_where_clauses("articles")
        ours, our_params, _ = self.ours(tag_ids, modes)
        return where + ours, {**params, **our_params}
