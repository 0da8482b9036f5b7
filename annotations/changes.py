"""Changes in Datasette: the versions timeline on a record page, the diff page, block crops, Atom feeds.

    /-/pagekeep/<db>/changes/<id>               what changed: headline, metadata, inline redline, crops, notes
    /-/pagekeep/<db>/changes/<id>/blocks/<idx>  one changed block, old and new side by side (JPEG)
    /-/pagekeep/<db>/changes.atom[?tag=T|?url=U] the latest changes as an Atom feed

Everything shown comes from the `changes`, `change_blocks`, `note_carries` and
`checks` tables the watcher writes (capture/watch.py); texts are escaped, never
rendered as HTML.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

import markupsafe
from datasette.utils.asgi import NotFound, Response

from capture.compare import FLAGS
from capture.diff import paragraphs, tokenize

from .web import _archive_db, csp_state, is_archive, plugin_url, row_url, static_url

FEED_SIZE = 50
FLAG_LABELS = {"title_changed": "headline changed", "byline_changed": "byline changed",
               "published_changed": "publication date changed", "modified_changed": "modified date changed",
               "body_changed": "text changed", "stealth": "stealth edit"}
META_FIELDS = (("byline", "Byline"), ("published", "Published"), ("modified", "Modified"))


def _has(conn, table: str) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", [table]).fetchone() is not None


def _rows(cur) -> list[dict]:
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def flag_labels(change: dict) -> list[str]:
    return [FLAG_LABELS[f] for f in FLAGS if change.get(f)]


# ---------------------------------------------------------------- the record page's timeline

def timeline(conn, url: str) -> list[dict]:
    """Newest first: every capture and every check of the URL; a change and the capture it stored are one
    entry, and runs of 'same' checks are folded into one."""
    events = []
    if _has(conn, "checks"):
        changes = {c["id"]: c for c in _rows(conn.execute("select * from changes where url = ?", [url]))}
        for check in _rows(conn.execute("select * from checks where url = ? order by checked_at, id", [url])):
            change = changes.get(check["change_id"]) if check["change_id"] else None
            events.append({"at": check["checked_at"], "kind": check["outcome"], "article_id": check["article_id"],
                           "reason": check["reason"], "change_id": check["change_id"],
                           "flags": flag_labels(change) if change else [], "count": 1, "until": check["checked_at"],
                           "words": (change["words_added"], change["words_removed"]) if change else None})
    from_changes = {e["article_id"] for e in events if e["kind"] == "changed"}
    events += [{"at": r["captured_at"], "kind": "capture", "article_id": r["id"], "title": r["title"]}
               for r in _rows(conn.execute("select id, captured_at, title from articles where url = ?", [url]))
               if r["id"] not in from_changes]
    events.sort(key=lambda e: (e["at"] or "", e["kind"] != "capture"))
    folded: list[dict] = []
    for e in events:
        if e["kind"] == "same" and folded and folded[-1]["kind"] == "same":
            folded[-1]["count"] += 1
            folded[-1]["until"] = e["at"]
        else:
            folded.append(e)
    return folded[::-1]


# ---------------------------------------------------------------- redline

def redline(old: str, new: str, diff: dict, tag: str = "p", changed_only: bool = False) -> markupsafe.Markup:
    """The new text with insertions in <ins> and deletions in <del> where they were, paragraph by paragraph
    (each in a `tag`: span for a headline); `changed_only` keeps just the paragraphs that changed (feeds)."""
    ops = sorted(diff.get("ops", []), key=lambda o: (o["b"][0], o["a"][0]))
    esc = markupsafe.escape
    out: list[tuple[bool, str]] = []

    def deleted_paragraphs_at(pos: int) -> None:
        for op in ops:
            if op["level"] == "paragraph" and op["op"] == "delete" and op["b"][0] == pos:
                out.append((True, f'<{tag} class="pk-del-para"><del>{esc(old[op["a"][0]:op["a"][1]])}</del></{tag}>'))

    for index, para in enumerate(paragraphs(new, tokenize(new))):
        deleted_paragraphs_at(para.start)
        if any(op["level"] == "paragraph" and op["op"] == "insert" and op["pb"] == index for op in ops):
            out.append((True, f'<{tag} class="pk-ins-para"><ins>{esc(new[para.start:para.end])}</ins></{tag}>'))
            continue
        parts, cursor = [], para.start
        for op in (o for o in ops if o["level"] == "word" and o["pb"] == index):
            parts.append(str(esc(new[cursor:op["b"][0]])))
            if op["a"][1] > op["a"][0]:
                parts.append(f"<del>{esc(old[op['a'][0]:op['a'][1]])}</del>")
            if op["b"][1] > op["b"][0]:
                parts.append(f"<ins>{esc(new[op['b'][0]:op['b'][1]])}</ins>")
            cursor = op["b"][1]
        parts.append(str(esc(new[cursor:para.end])))
        changed = cursor != para.start
        opening = f'<{tag} class="pk-changed-para">' if changed else f"<{tag}>"
        out.append((changed, f'{opening}{"".join(parts)}</{tag}>'))
    deleted_paragraphs_at(len(new))
    return markupsafe.Markup("\n".join(html for changed, html in out if changed or not changed_only))


# ---------------------------------------------------------------- data

def load_change(conn, change_id: int) -> dict | None:
    if not _has(conn, "changes"):
        return None
    found = _rows(conn.execute("select * from changes where id = ?", [change_id]))
    if not found:
        return None
    change = found[0]
    cols = "id, url, title, byline, published, modified, text, captured_at, word_count"
    arts = {a["id"]: a for a in _rows(conn.execute(f"select {cols} from articles where id in (?, ?)",
                                                   [change["old_id"], change["new_id"]]))}
    change["old"], change["new"] = arts.get(change["old_id"], {}), arts.get(change["new_id"], {})
    change["blocks_list"] = _rows(conn.execute(
        "select idx, old_para, new_para, old_box, new_box, width, height from change_blocks "
        "where change_id = ? order by idx", [change_id]))
    change["notes"] = _rows(conn.execute(
        "select nc.*, n.body from note_carries nc left join notes n on n.id = nc.old_note_id "
        "where nc.change_id = ? order by nc.affected desc, nc.old_note_id", [change_id]))
    return change


def recent_changes(conn, tag: str | None = None, url: str | None = None, limit: int = FEED_SIZE) -> list[dict]:
    if not _has(conn, "changes"):
        return []
    sql = ("select c.*, o.text as old_text, n.text as new_text from changes c "
           "left join articles o on o.id = c.old_id left join articles n on n.id = c.new_id where 1=1")
    params = []
    if url:
        sql += " and c.url = ?"
        params.append(url)
    if tag:
        sql += (" and exists (select 1 from article_tags at join tags t on t.id = at.tag_id "
                "where at.article_id in (c.old_id, c.new_id) and t.name = ? collate nocase)")
        params.append(tag)
    return _rows(conn.execute(sql + " order by c.detected_at desc, c.id desc limit ?", [*params, limit]))


# ---------------------------------------------------------------- routes

def _change_id(request) -> int:
    try:
        return int(request.url_vars["change_id"])
    except (KeyError, ValueError):
        raise NotFound("No such change")


async def change_view(datasette, request):
    db = await _archive_db(datasette, request)
    change_id = _change_id(request)
    change = await db.execute_fn(lambda conn: load_change(conn, change_id))
    if change is None:
        raise NotFound("No such change")
    old, new = change["old"], change["new"]
    context = {
        "change": change,
        "flags": flag_labels(change),
        "title_redline": redline(old.get("title") or "", new.get("title") or "", json.loads(change["title_diff"] or "{}"),
                                 tag="span"),
        "redline": redline(old.get("text") or "", new.get("text") or "", json.loads(change["diff"] or "{}")),
        "meta": [(label, old.get(key), new.get(key)) for key, label in META_FIELDS],
        "block_url": lambda idx: plugin_url(datasette, db.name, "changes", change_id, "blocks", idx),
        "row_url": lambda article_id: row_url(datasette, db.name, article_id),
        "feed_url": plugin_url(datasette, db.name, "changes.atom") + "?" + urlencode({"url": change["url"]}),
        "css_url": static_url(datasette, "pagekeep.css"),
    }
    state = csp_state(request)
    if state is not None:
        state["csp"] = True
    html = await datasette.render_template("pagekeep_change.html", {"pk": context}, request=request)
    return Response.html(html)


async def block_view(datasette, request):
    db = await _archive_db(datasette, request)
    change_id = _change_id(request)
    idx = int(request.url_vars["idx"])
    rows = (await db.execute("select mime, image from change_blocks where change_id = ? and idx = ?",
                             [change_id, idx])).rows if await db.table_exists("change_blocks") else []
    if not rows or rows[0]["image"] is None:
        raise NotFound("No such block")
    return Response(bytes(rows[0]["image"]), content_type="image/jpeg", headers={
        "Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox"})


async def feed_view(datasette, request):
    db = await _archive_db(datasette, request)
    tag, url = request.args.get("tag") or None, request.args.get("url") or None
    rows = await db.execute_fn(lambda conn: recent_changes(conn, tag=tag, url=url))
    here = datasette.absolute_url(request, request.path + (f"?{request.query_string}" if request.query_string else ""))
    title = "pagekeep: changes" + (f" tagged {tag}" if tag else "") + (f" to {url}" if url else "")
    entries = []
    for c in rows:
        link = datasette.absolute_url(request, plugin_url(datasette, db.name, "changes", c["id"]))
        body = redline(c["old_text"] or "", c["new_text"] or "", json.loads(c["diff"] or "{}"), changed_only=True)
        summary = (f"{', '.join(flag_labels(c)) or 'metadata changed'}; +{c['words_added']}/−{c['words_removed']} words. "
                   f"Headline: {c['new_title'] or ''}")
        heading = f"<p>{markupsafe.escape(summary)}</p>"
        if c["title_changed"]:
            heading += f"<p>Was: {markupsafe.escape(c['old_title'] or '')}</p>"
        entries.append(
            "<entry>"
            f"<id>{escape(link)}</id><title>{escape(c['new_title'] or c['url'])}</title>"
            f"<updated>{escape(c['detected_at'])}</updated><link rel=\"alternate\" href={quoteattr(link)}/>"
            f"<link rel=\"related\" href={quoteattr(c['url'])}/>"
            f"<summary>{escape(summary)}</summary>"
            f"<content type=\"html\">{escape(heading + str(body))}</content>"
            "</entry>")
    updated = rows[0]["detected_at"] if rows else "1970-01-01T00:00:00Z"
    xml = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
           f"<id>{escape(here)}</id><title>{escape(title)}</title><updated>{escape(updated)}</updated>"
           f"<link rel=\"self\" href={quoteattr(here)}/><author><name>pagekeep</name></author>"
           + "".join(entries) + "</feed>\n")
    return Response(xml, content_type="application/atom+xml; charset=utf-8",
                    headers={"X-Content-Type-Options": "nosniff"})


def routes():
    db = r"(?P<database>[^/]+)"
    return [
        (rf"^/-/pagekeep/{db}/changes\.atom$", feed_view),
        (rf"^/-/pagekeep/{db}/changes/(?P<change_id>\d+)$", change_view),
        (rf"^/-/pagekeep/{db}/changes/(?P<change_id>\d+)/blocks/(?P<idx>\d+)$", block_view),
    ]


def row_extras(datasette, database: str, conn, url: str) -> dict:
    """What the record page adds for watched URLs: the versions timeline and where its feed is."""
    return {
        "versions": timeline(conn, url),
        "change_url": lambda change_id: plugin_url(datasette, database, "changes", change_id),
        "url_feed": plugin_url(datasette, database, "changes.atom") + "?" + urlencode({"url": url}),
    }


def render_cell(value, column, table, database, datasette):
    """In queries, a column named `change` holding a change id links to its diff page."""
    if table is not None or column != "change" or not isinstance(value, int):
        return None

    async def link():
        if not await is_archive(datasette, database):
            return None
        return markupsafe.Markup('<a href="{}">change {}</a>').format(
            plugin_url(datasette, database, "changes", value), value)
    return link()
