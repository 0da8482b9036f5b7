"""What the Datasette plugin serves: screenshot and static routes, tag and note
writes, and the data behind the article templates (facets are in facets.py).

Everything that reads or writes tags and notes calls `annotations.tags`;
this module only translates HTTP to those calls and back.
"""

from __future__ import annotations

import hashlib
import secrets
import zlib
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlencode

import markupsafe
from datasette.utils import actor_matches_allow, path_with_format, tilde_decode, tilde_encode
from datasette.utils.asgi import Forbidden, NotFound, Response

from . import archived, display, tags

PLUGIN = "pagekeep"
WRITE_ACTION = "pagekeep-write"
SHOT_KINDS = ("page", "article", "thumb")
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
STATIC_DIR = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml", ".png": "image/png"}
MAX_BULK = 50_000

# The policy for every page that shows captured content (article table and row
# pages). Scripts only from this server and with the per-response nonce; no
# plugins, frames, remote images or form posts elsewhere.
CSP = (
    "default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)

FACET_LABELS = {"site_name": "Site", "tags": "Tag", "lang": "Language", "captured_at": "Capture day",
                "published": "Published day"}
FACET_ORDER = ["site_name", "tags", "captured_at", "lang", "published"]


# ---------------------------------------------------------------- helpers

async def is_archive(datasette, database: str | None) -> bool:
    """True for databases with pagekeep's articles and screenshots tables."""
    if not database or database not in datasette.databases:
        return False
    cache = datasette.__dict__.setdefault("_pagekeep_archives", {})
    if database not in cache:
        names = set(await datasette.databases[database].table_names())
        cache[database] = {"articles", "screenshots", "tags", "article_tags", "notes"} <= names
    return cache[database]


def _db_route(datasette, database: str) -> str:
    return tilde_encode(datasette.databases[database].route)


def plugin_url(datasette, database: str, *parts) -> str:
    return datasette.urls.path("/".join(["/-/pagekeep", _db_route(datasette, database), *map(str, parts)]))


def shot_url(datasette, database: str, article_id, kind: str) -> str:
    return plugin_url(datasette, database, "shots", article_id, kind)


def static_url(datasette, name: str) -> str:
    return datasette.urls.path(f"/-/pagekeep/static/{name}?v={_static_version(name)}")


_STATIC_HASHES: dict[str, str] = {}


def _static_version(name: str) -> str:
    if name not in _STATIC_HASHES:
        try:
            _STATIC_HASHES[name] = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
        except OSError:
            _STATIC_HASHES[name] = "0"
    return _STATIC_HASHES[name]


def row_url(datasette, database: str, article_id) -> str:
    return datasette.urls.row(database, "articles", str(article_id))


async def can_write(datasette, actor, database: str) -> bool:
    return bool(await datasette.permission_allowed(actor, WRITE_ACTION, resource=database, default=False))


def write_allowed(datasette, actor, database) -> bool | None:
    """The permission_allowed rule: an authenticated actor matching the plugin's `allow_write`."""
    if not actor:
        return False
    config = datasette.plugin_config(PLUGIN, database=database) or {}
    return actor_matches_allow(actor, config.get("allow_write", {"id": "*"}))


def csp_state(request) -> dict | None:
    return request.scope.get("pagekeep") if request is not None else None


def wants_json(request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


async def _archive_db(datasette, request):
    route = tilde_decode(request.url_vars["database"])
    try:
        db = datasette.get_database(route=route)
    except KeyError:
        raise NotFound("Database not found")
    if not await is_archive(datasette, db.name):
        raise NotFound("Not a pagekeep archive")
    visible, _ = await datasette.check_visibility(
        request.actor,
        permissions=[("view-table", (db.name, "articles")), ("view-database", db.name), "view-instance"],
    )
    if not visible:
        raise Forbidden("You do not have permission to view this archive")
    return db


async def _form(request) -> dict[str, list[str]]:
    body = await request.post_body()
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def _first(form, key, default=""):
    values = form.get(key)
    return values[0] if values else default


async def _require_writer(datasette, request, db):
    if request.method != "POST":
        return Response.text("Use POST", status=405, headers={"Allow": "POST"})
    if not await can_write(datasette, request.actor, db.name):
        if wants_json(request):
            return Response.json({"ok": False, "error": "log in to tag and annotate"}, status=403)
        raise Forbidden("Log in to tag and annotate: open the login link `pagekeep serve` printed.")
    return None


def _done(datasette, request, db, article_id, message, payload, *, error=False):
    if wants_json(request):
        return Response.json({"ok": not error, "message": message, **payload}, status=400 if error else 200)
    datasette.add_message(request, message, datasette.ERROR if error else datasette.INFO)
    default = row_url(datasette, db.name, article_id) if article_id is not None else \
        datasette.urls.table(db.name, "articles")
    return Response.redirect(display.safe_local_path(payload.get("next"), default))


async def _write(db, fn, *args, **kwargs):
    return await db.execute_write_fn(lambda conn: fn(conn, *args, **kwargs), block=True)


# ---------------------------------------------------------------- routes

async def shot_view(datasette, request):
    db = await _archive_db(datasette, request)
    article_id = int(request.url_vars["article_id"])
    kind = request.url_vars["kind"]
    kinds = [kind] + ([k for k in ("article", "page") if k != kind] if kind == "thumb" else [])
    row = None
    for candidate in kinds:
        rows = (await db.execute(
            "select id, mime, bytes, image from screenshots where article_id = ? and kind = ?",
            [article_id, candidate])).rows
        if rows:
            row = rows[0]
            break
    if row is None or row["image"] is None:
        raise NotFound("No such screenshot")
    mime = (row["mime"] or "").lower()
    if mime not in IMAGE_TYPES:
        return Response.text("Unsupported image type", status=415)
    image = bytes(row["image"])
    etag = f'"s{row["id"]}-{len(image)}-{zlib.crc32(image):08x}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "private, max-age=86400",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Content-Disposition": f'inline; filename="article-{article_id}-{kind}.{mime.split("/")[1]}"',
    }
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response("", status=304, headers=headers)
    return Response(image, status=200, headers=headers, content_type=mime)


async def wacz_view(datasette, request):
    db = await _archive_db(datasette, request)
    return await archived.download(db, int(request.url_vars["article_id"]))


async def static_view(request):
    name = request.url_vars["name"]
    path = STATIC_DIR / name
    if "/" in name or name.startswith(".") or not path.is_file() or path.suffix not in STATIC_TYPES:
        raise NotFound("No such file")
    return Response(path.read_bytes(), content_type=STATIC_TYPES[path.suffix], headers={
        "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})


async def _change_tags(datasette, request, change, key: str, did: str, did_not: str):
    """Add or remove the posted tags: one view body for both directions."""
    db = await _archive_db(datasette, request)
    if (refused := await _require_writer(datasette, request, db)) is not None:
        return refused
    article_id = int(request.url_vars["article_id"])
    form = await _form(request)
    payload = {"next": _first(form, "next")}
    try:
        names = tags.parse_tags(form.get("tag", []))
        changed = await _write(db, change, article_id, names)
    except tags.NoSuchArticle as exc:
        raise NotFound(str(exc))
    except tags.AnnotationError as exc:
        return _done(datasette, request, db, article_id, str(exc), payload, error=True)
    current = await db.execute_fn(lambda conn: tags.tags_for(conn, article_id))
    label = ", ".join(names)
    message = f"{did if changed else did_not} “{label}”"
    return _done(datasette, request, db, article_id, message, {**payload, key: changed, "tags": current})


async def add_tags_view(datasette, request):
    return await _change_tags(datasette, request, tags.add_tags, "added", "Tagged", "Already tagged")


async def remove_tags_view(datasette, request):
    return await _change_tags(datasette, request, tags.remove_tags, "removed", "Removed tag", "Not tagged")


async def note_write(datasette, request, call, message: str, extra=None):
    """A note-like write on an article: the archive, a logged-in writer, the posted form, then
    `call(conn, article_id, form, author)` → the new note id; `extra(note_id)` adds to the reply."""
    db = await _archive_db(datasette, request)
    if (refused := await _require_writer(datasette, request, db)) is not None:
        return refused
    article_id = int(request.url_vars["article_id"])
    form = await _form(request)
    payload = {"next": _first(form, "next")}
    author = str((request.actor or {}).get("id") or "") or None
    try:
        note_id = await db.execute_write_fn(lambda conn: call(conn, article_id, form, author), block=True)
    except tags.NoSuchArticle as exc:
        raise NotFound(str(exc))
    except tags.AnnotationError as exc:
        return _done(datasette, request, db, article_id, str(exc), payload, error=True)
    more = await db.execute_fn(lambda conn: extra(conn, note_id)) if extra else {}
    return _done(datasette, request, db, article_id, message, {**payload, "note_id": note_id, **more})


async def add_note_view(datasette, request):
    return await note_write(datasette, request, lambda conn, article_id, form, author: tags.add_note(
        conn, article_id, _first(form, "body"), quote=_first(form, "quote"), author=author), "Note added")


async def delete_note_view(datasette, request):
    db = await _archive_db(datasette, request)
    if (refused := await _require_writer(datasette, request, db)) is not None:
        return refused
    article_id = int(request.url_vars["article_id"])
    note_id = int(request.url_vars["note_id"])
    form = await _form(request)
    deleted = await _write(db, tags.delete_note, note_id, article_id=article_id)
    if not deleted:
        raise NotFound("No such note")
    return _done(datasette, request, db, article_id, "Note deleted", {"next": _first(form, "next"), "note_id": note_id})


# Query-string keys that shape a table page but do not select rows.
_PRESENTATION_ARGS = {"_next", "_size", "_col", "_nocol", "_shape", "_labels", "_label", "_json", "_nl",
                      "_nofacet", "_nosuggest", "_nocount", "_extra", "_trace", "_timelimit", "_context",
                      "_sort", "_sort_desc", "_sort_by_desc", "_stream", "_dl", "_facet_size"}


def selection_args(query_string: str) -> list[tuple[str, str]]:
    """The part of a table page's query string that decides which rows match."""
    return [(k, v) for k, v in parse_qsl(query_string or "", keep_blank_values=True)
            if k not in _PRESENTATION_ARGS and not k.startswith("_facet") and k != "csrftoken"]


async def matching_article_ids(datasette, request, database: str, query_string: str) -> list[int]:
    """Re-run the articles table page's filter (filters, search, tags) and return every matching id.

    It asks Datasette's own table view (JSON, page by page) with the caller's
    cookie, so the selection is exactly what the user saw, with their permissions.
    """
    base = datasette.urls.table(database, "articles", format="json")
    args = selection_args(query_string) + [("_shape", "objects"), ("_size", "max"), ("_nofacet", "1"),
                                           ("_nocount", "1"), ("_nosuggest", "1"), ("_col", "captured_at")]
    cookies = {k: v for k, v in request.cookies.items() if k == "ds_actor"}
    ids: list[int] = []
    next_token = None
    while True:
        page_args = args + ([("_next", next_token)] if next_token else [])
        response = await datasette.client.get(f"{base}?{urlencode(page_args)}", cookies=cookies)
        if response.status_code != 200:
            raise tags.AnnotationError(f"could not re-run that filter ({response.status_code})")
        data = response.json()
        ids.extend(int(r["id"]) for r in data["rows"])
        next_token = data.get("next")
        if not next_token or len(ids) > MAX_BULK:
            break
    if len(ids) > MAX_BULK:
        raise tags.AnnotationError(f"that selection has more than {MAX_BULK:,} articles; narrow it down")
    return ids


async def bulk_tags_view(datasette, request):
    db = await _archive_db(datasette, request)
    if (refused := await _require_writer(datasette, request, db)) is not None:
        return refused
    form = await _form(request)
    query_string = _first(form, "query")
    action = _first(form, "action", "add")
    listing = datasette.urls.table(db.name, "articles")
    back = listing + (f"?{query_string}" if query_string else "")
    payload = {"next": back}
    try:
        names = tags.parse_tags(form.get("tag", []))
        ids = await matching_article_ids(datasette, request, db.name, query_string)
        if action == "remove":
            count = await _write(db, tags.remove_tags, ids, names) if ids else 0
            message = f"Removed “{', '.join(names)}” from {count:,} of {len(ids):,} matching articles"
        else:
            count = await _write(db, tags.add_tags, ids, names) if ids else 0
            message = f"Tagged {len(ids):,} matching articles “{', '.join(names)}” ({count:,} newly)"
    except tags.AnnotationError as exc:
        return _done(datasette, request, db, None, str(exc), payload, error=True)
    return _done(datasette, request, db, None, message, {**payload, "matched": len(ids), "changed": count})


def routes():
    from . import highlight_web

    db = r"(?P<database>[^/]+)"
    article = db + r"/articles/(?P<article_id>\d+)"
    return highlight_web.routes(db, article) + [
        (r"^/-/pagekeep/static/(?P<name>[A-Za-z0-9_.-]+)$", static_view),
        (rf"^/-/pagekeep/{db}/shots/(?P<article_id>\d+)/(?P<kind>page|article|thumb)$", shot_view),
        (rf"^/-/pagekeep/{article}/tags$", add_tags_view),
        (rf"^/-/pagekeep/{article}/tags/remove$", remove_tags_view),
        (rf"^/-/pagekeep/{article}/notes$", add_note_view),
        (rf"^/-/pagekeep/{article}/notes/(?P<note_id>\d+)/delete$", delete_note_view),
        (rf"^/-/pagekeep/{db}/bulk-tags$", bulk_tags_view),
        (rf"^/-/pagekeep/{db}/wacz/(?P<article_id>\d+)$", wacz_view),
    ]


# ---------------------------------------------------------------- template data

async def table_vars(datasette, database, request):
    """Extra context for the articles table page (see templates/pagekeep_table.html)."""
    db = datasette.databases[database]
    writer = await can_write(datasette, request.actor, database)

    async def tags_for_rows(rows):
        ids = []
        for row in rows:
            try:
                ids.append(int(row["id"]))
            except (IndexError, KeyError, TypeError, ValueError):
                pass
        if not ids:
            return {}
        return await db.execute_fn(lambda conn: tags.tags_for_many(conn, ids))

    tag_names = []
    if writer:
        tag_names = [t["name"] for t in await db.execute_fn(tags.all_tags)][:1000]
    from .estimate import page_count  # estimate → plan → this module
    from .selection import public_url

    search = request.args.get("_q")
    has_search_query = search and await datasette.get_canned_query(database, "search", request.actor)
    return {
        "listing": True,
        "count": await page_count(datasette, database, request),
        "search_url": (datasette.urls.table(database, "search") + "?" + urlencode({"q": search})
                       if has_search_query else None),
        "public": public_url,
        "can_write": writer,
        "tags_for_rows": tags_for_rows,
        "tag_names": tag_names,
        "bulk_url": plugin_url(datasette, database, "bulk-tags"),
        "query_string": urlencode(selection_args(request.query_string)),
        # plain str: Datasette's URL strings look every method up through dir(str), and a
        # listing asks for hundreds of them
        "thumb_url": lambda article_id: str(shot_url(datasette, database, article_id, "thumb")),
        "row_url": lambda article_id: str(row_url(datasette, database, article_id)),
        "facet_label": lambda name: FACET_LABELS.get(name, name),
        "facet_order": lambda results: sorted(
            results.values(), key=lambda f: FACET_ORDER.index(f["name"]) if f["name"] in FACET_ORDER else 99),
        "tag_url": lambda name: str(datasette.urls.table(database, "articles")) + "?" + urlencode({"_tag": name}),
    }


ARTICLE_FIELDS = [
    ("url", "Captured URL"), ("final_url", "Final URL"), ("canonical_url", "Canonical URL"),
    ("published", "Published"), ("modified", "Modified"), ("byline", "Byline"), ("site_name", "Site"),
    ("lang", "Language"), ("word_count", "Words"), ("description", "Description"),
    ("image_url", "Lead image URL"), ("captured_at", "Captured at (UTC)"), ("status_code", "HTTP status"),
    ("content_type", "Content type"), ("consent_cmp", "Consent banner"), ("consent_action", "Consent action"),
    ("consent_ok", "Consent handled"), ("extractor", "Extractor"), ("capture_seconds", "Capture took (s)"),
    ("capture_notes", "Capture notes"),
]


def _shot_dicts(rows) -> list[dict]:
    return [dict(zip(["kind", "mime", "width", "height", "bytes"], s)) for s in rows]


async def row_vars(datasette, database, request):
    """Extra context for an article's row page (see templates/pagekeep_row.html)."""
    db = datasette.databases[database]
    try:
        article_id = int(tilde_decode(request.url_vars["pks"]))
    except (KeyError, ValueError):
        return None
    # The clean text is the record (highlights are anchored in it); the sanitized HTML is
    # offered as the formatted view, and read only for that view.
    wanted = "html" if request.args.get("view") == "html" else "text"
    columns = ", ".join(["id", "title", "text", *(["html"] if wanted == "html" else []), *(k for k, _ in ARTICLE_FIELDS)])
    rows = (await db.execute(f"select {columns}, typeof(html) = 'text' as has_html from articles where id = ?",
                             [article_id])).rows
    if not rows:
        return None
    article = dict(rows[0])
    view = "html" if wanted == "html" and article.get("html") else "text"
    archive = await archived.for_record(datasette, database, article_id,
                                        plugin_url(datasette, database, "wacz", article_id))
    if archive and request.args.get("view") == "archive":
        view = "archive"
        if archive["replay_src"] and csp_state(request) is not None:
            csp_state(request)["frame_src"] = archive["replay_origin"]

    def gather(conn):
        shots = conn.execute(
            "select kind, mime, width, height, bytes from screenshots where article_id = ? "
            "order by case kind when 'article' then 0 when 'page' then 1 else 2 end", [article_id]).fetchall()
        history = conn.execute(
            "select id, captured_at, title, word_count from articles where url = ? order by captured_at, id",
            [article["url"]]).fetchall()
        attempts = conn.execute(
            "select started_at, seconds, ok, error, error_kind, status_code, article_id from attempts "
            "where url = ? order by started_at desc, id desc limit 50", [article["url"]]).fetchall()
        newer = conn.execute(
            "select id from articles where (captured_at, id) > (?, ?) order by captured_at, id limit 1",
            [article["captured_at"], article_id]).fetchone()
        older = conn.execute(
            "select id from articles where (captured_at, id) < (?, ?) order by captured_at desc, id desc limit 1",
            [article["captured_at"], article_id]).fetchone()
        from .changes import row_extras  # (changes.py imports this module)

        return {
            **row_extras(datasette, database, conn, article["url"]),
            "shots": _shot_dicts(shots),
            "history": [dict(zip(["id", "captured_at", "title", "word_count"], h)) for h in history],
            "attempts": [dict(zip(["started_at", "seconds", "ok", "error", "error_kind", "status_code",
                                   "article_id"], a)) for a in attempts],
            "newer": newer[0] if newer else None,
            "older": older[0] if older else None,
            "tags": tags.tags_for(conn, article_id),
            "notes": tags.notes_for(conn, article_id),
            "tag_names": [t["name"] for t in tags.all_tags(conn)][:1000],
            "highlights": highlight_web.row_extras(conn, article, _shot_dicts(shots)),
        }

    from . import highlight_view, highlight_web

    data = await db.execute_fn(gather)
    if view == "html":
        body = display.sanitize_article_html(article.get("html"), article.get("final_url") or article.get("url"))
    else:
        body = highlight_view.text_with_highlights(article.get("text"), data["highlights"]["marks"])
    shots = {s["kind"]: {**s, "url": shot_url(datasette, database, article_id, s["kind"])} for s in data["shots"]}
    here = row_url(datasette, database, article_id)
    base = plugin_url(datasette, database, "articles", article_id)
    return {
        "row": True,
        "article": article,
        "fields": [(label, key, article.get(key)) for key, label in ARTICLE_FIELDS
                   if article.get(key) not in (None, "")],
        "body": body,
        "view": view,
        "archive": archive,
        "shots": shots,
        "history": data["history"],
        "versions": data["versions"],
        "change_url": data["change_url"],
        "url_feed": data["url_feed"],
        "attempts": data["attempts"],
        "tags": data["tags"],
        "notes": data["notes"],
        "tag_names": data["tag_names"],
        "newer_url": row_url(datasette, database, data["newer"]) if data["newer"] else None,
        "older_url": row_url(datasette, database, data["older"]) if data["older"] else None,
        "can_write": await can_write(datasette, request.actor, database),
        "here": here,
        "add_tag_url": f"{base}/tags",
        "remove_tag_url": f"{base}/tags/remove",
        "add_note_url": f"{base}/notes",
        "note_delete_url": lambda note_id: f"{base}/notes/{note_id}/delete",
        "row_url": lambda other_id: row_url(datasette, database, other_id),
        "tag_url": lambda name: datasette.urls.table(database, "articles") + "?" + urlencode({"_tag": name}),
        "listing_url": datasette.urls.table(database, "articles"),
        "json_url": datasette.urls.row(database, "articles", str(article_id)) + ".json",
        "hl": {**data["highlights"], **highlight_web.row_urls(datasette, database, article_id)},
    }


async def template_vars(template, database, table, view_name, request, datasette):
    state = csp_state(request)
    out = {}
    if state is not None:
        out["pagekeep_nonce"] = state["nonce"]
    if table != "articles" or view_name not in ("table", "row") or not await is_archive(datasette, database):
        return out
    data = await (table_vars if view_name == "table" else row_vars)(datasette, database, request)
    if data is None:
        return out
    if state is not None:
        state["csp"] = True
    if view_name == "table":
        # Datasette's <link rel="alternate"> to the JSON, without the arguments pagekeep adds
        out["alternate_url_json"] = data["public"](datasette.absolute_url(
            request, datasette.urls.path(path_with_format(request=request, format="json"))))
    data["nonce"] = out.get("pagekeep_nonce", "")
    data["css_url"] = static_url(datasette, "pagekeep.css")
    data["js_url"] = static_url(datasette, "pagekeep.js")
    data["hl_js_url"] = static_url(datasette, "highlights.js")
    out["pagekeep"] = data
    return out


def render_cell(value, column, table, database, datasette, row):
    """Small touches outside the article pages: screenshot links and article links in queries."""
    if table == "screenshots" and column == "image" or table is None and column in ("thumb", "title") \
            or table == "annotations" and column == "title":
        return _render_cell(value, column, table, database, datasette, row)
    return None


async def _render_cell(value, column, table, database, datasette, row):
    if not await is_archive(datasette, database):
        return None
    if table == "screenshots" and column == "image" and isinstance(value, (bytes, bytearray)):
        try:
            article_id, kind = row["article_id"], row["kind"]
        except (KeyError, IndexError):
            return None
        if kind not in SHOT_KINDS:
            return None
        return markupsafe.Markup('<a href="{url}">{kind} screenshot, {size:,} bytes</a>').format(
            url=shot_url(datasette, database, article_id, kind), kind=kind, size=len(value))
    if table is None and column == "thumb" and isinstance(value, int):
        return markupsafe.Markup('<img src="{}" alt="" loading="lazy" width="120">').format(
            shot_url(datasette, database, value, "thumb"))
    if table in (None, "annotations") and column == "title" and isinstance(value, str):
        try:
            article_id = row["article_id" if table else "id"]
        except (KeyError, IndexError):
            return None
        if isinstance(article_id, int):
            return markupsafe.Markup('<a href="{}">{}</a>').format(
                row_url(datasette, database, article_id), value)
    return None


def new_csp_state() -> dict:
    return {"nonce": secrets.token_urlsafe(18), "csp": False}


def csp_header(state: dict) -> bytes:
    """The policy; a record page showing the archived view may also frame the replay origin, nothing else."""
    frame = f"; frame-src {state['frame_src']}" if state.get("frame_src") else ""
    return (CSP.format(nonce=state["nonce"]) + frame).encode("ascii")
