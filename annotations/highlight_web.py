"""Highlights in Datasette: the highlight write, evidence images, JSON-LD, and record-page data.

Like annotations/web.py, this only translates HTTP to annotations.highlights,
annotations.export_notes and annotations.evidence and back. Writes need the
logged-in actor and Datasette's CSRF token, as tag and note writes do.
"""

from __future__ import annotations

import json

from datasette.utils.asgi import NotFound, Response

from . import evidence, export_notes, highlight_view, highlights
from .web import _archive_db, _db_route, _first, note_write, plugin_url


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.lstrip("-").isdigit() else None


def _highlight(conn, article_id: int, form: dict, author: str | None) -> int:
    start, end = _int_or_none(_first(form, "pos_start")), _int_or_none(_first(form, "pos_end"))
    if start is None or end is None:
        # Without script: the passage as typed, and which occurrence.
        where = {"quote": _first(form, "quote"), "occurrence": _int_or_none(_first(form, "occurrence"))}
    else:
        where = {"start": start, "end": end}
    return highlights.add_highlight(conn, article_id, note=_first(form, "body"),
                                    color=_first(form, "color") or None, author=author, **where)


def _anchor_of(conn, note_id: int) -> dict:
    note = _note(conn, note_id)
    return {k: note[k] for k in ("pos_start", "pos_end", "quote", "prefix", "suffix", "color")}


async def add_highlight_view(datasette, request):
    return await note_write(datasette, request, _highlight, "Highlighted", _anchor_of)


def _note(conn, note_id: int) -> dict | None:
    cols = highlights.NOTE_COLUMNS
    row = conn.execute(f"select {', '.join(cols)} from notes where id = ?", [note_id]).fetchone()
    return dict(zip(cols, row)) if row else None


def _evidence_png(conn, note_id: int) -> bytes | None:
    note = _note(conn, note_id)
    if note is None or note["kind"] not in ("highlight", "region"):
        return None
    art = conn.execute("select id, url, captured_at from articles where id = ?", [note["article_id"]]).fetchone()
    shot = conn.execute("select image from screenshots where article_id = ? and kind = 'page'",
                        [note["article_id"]]).fetchone()
    if not art or not shot or shot[0] is None:
        return None
    boxes = highlights.note_boxes(conn, note)
    if not boxes:
        return None
    image = bytes(shot[0])
    caption = evidence.caption_lines(art[1], art[2], evidence.sha256(image), note_id, art[0],
                                     note["pos_start"], note["pos_end"])
    return evidence.render(image, boxes, note["color"], caption)


async def evidence_view(datasette, request):
    db = await _archive_db(datasette, request)
    note_id = int(request.url_vars["note_id"])
    png = await db.execute_fn(lambda conn: _evidence_png(conn, note_id))
    if png is None:
        raise NotFound("No evidence image: not a highlight, or its capture did not record where its text is drawn")
    return Response(png, content_type="image/png", headers={
        "Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Content-Disposition": f'inline; filename="evidence-highlight-{note_id}.png"'})


async def annotations_view(datasette, request):
    """W3C Web Annotation JSON-LD: the archive's collection, or one annotation."""
    db = await _archive_db(datasette, request)
    note_id = request.url_vars.get("note_id")
    base = f"{request.scheme}://{request.host}{datasette.urls.path('')}".rstrip("/")
    links = export_notes.Links(base, _db_route(datasette, db.name))

    def build(conn):
        if note_id is None:
            return export_notes.to_jsonld(export_notes.gather(conn), links)
        items = [i for i in export_notes.gather(conn, _article_of(conn, int(note_id))) if i["id"] == int(note_id)]
        return export_notes.annotation(items[0], links) if items else None

    doc = await db.execute_fn(build)
    if doc is None:
        raise NotFound("No such annotation")
    return Response(json.dumps(doc, ensure_ascii=False, indent=2), content_type=(
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'), headers={"X-Content-Type-Options": "nosniff"})


def _article_of(conn, note_id: int) -> int | None:
    row = conn.execute("select article_id from notes where id = ?", [note_id]).fetchone()
    return row[0] if row else -1


def routes(db: str, article: str) -> list:
    return [
        (rf"^/-/pagekeep/{article}/highlights$", add_highlight_view),
        (rf"^/-/pagekeep/{db}/evidence/(?P<note_id>\d+)$", evidence_view),
        (rf"^/-/pagekeep/{db}/annotations$", annotations_view),
        (rf"^/-/pagekeep/{db}/annotations/(?P<note_id>\d+)$", annotations_view),
    ]


def row_extras(conn, article: dict, shots: list[dict]) -> dict:
    """What the record page needs for highlights: marks for the text, boxes over both
    screenshots, and per note its colour, boxes and evidence image."""
    text = article.get("text") or ""
    boxes = highlights.load_boxes(conn, article["id"])
    marks, per_note, page_boxes = [], {}, []
    for note in highlights.notes_with_anchors(conn, article["id"]):
        if note["kind"] not in ("highlight", "region"):
            continue
        where = highlights.resolve(text, note) if note["kind"] == "highlight" else None
        if where:
            marks.append({"id": note["id"], "start": where[0], "end": where[1], "color": note["color"]})
        nb = highlights.note_boxes(conn, note, text, boxes)
        page_boxes += [{**b, "id": note["id"], "color": note["color"]} for b in nb]
        per_note[note["id"]] = {"kind": note["kind"], "color": note["color"], "boxes": len(nb)}
    page_digest = None
    row = conn.execute("select image from screenshots where article_id = ? and kind = 'page'", [article["id"]]).fetchone()
    if row and row[0] is not None:
        page_digest = evidence.sha256(bytes(row[0]))
    by_kind = {s["kind"]: s for s in shots}
    page, art = by_kind.get("page"), by_kind.get("article")
    ax, ay = (boxes or {}).get("article_x"), (boxes or {}).get("article_y")
    return {
        "marks": marks,
        "note_extra": per_note,
        "page_overlay": highlight_view.overlay(page_boxes, page and page["width"], page and page["height"]),
        "article_overlay": highlight_view.overlay(page_boxes, art and art["width"], art and art["height"], ax or 0,
                                                  ay or 0) if ax is not None else [],
        "page_sha256": page_digest,
        "text_boxes": bool(boxes),
        "colors": list(highlights.COLORS),
    }


def row_urls(datasette, database: str, article_id: int) -> dict:
    return {
        "add_highlight_url": plugin_url(datasette, database, "articles", article_id, "highlights"),
        "evidence_url": lambda note_id: plugin_url(datasette, database, "evidence", note_id),
        "annotation_url": lambda note_id: plugin_url(datasette, database, "annotations", note_id),
        "annotations_url": plugin_url(datasette, database, "annotations"),
    }
