"""Notes and highlights out of the archive: W3C Web Annotation JSON-LD, Markdown, CSV.

JSON-LD follows the Web Annotation Data Model: an AnnotationCollection whose
first page holds one Annotation per note. A highlight targets the article
(`source` its URL, a TextQuoteSelector and a TextPositionSelector with
code-point offsets into articles.text, a TimeState with the capture time and
the record page as the cached copy) and, once per drawn line, the page
screenshot as served by `pagekeep serve` (FragmentSelector xywh=pixel:…).

Markdown and CSV are made to be opened by people: every piece of captured or
typed text is escaped so that a Markdown renderer shows it as text (no links,
images, HTML or headings from it) and a spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re

from . import highlights
from .tags import as_database

CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
MEDIA_FRAGMENTS = "http://www.w3.org/TR/media-frags/"
DEFAULT_BASE = "http://127.0.0.1:8001"
DEFAULT_DB_ROUTE = "pagekeep"
FORMATS = ("jsonld", "markdown", "csv")
CSV_COLUMNS = ["id", "article_id", "kind", "color", "quote", "note", "prefix", "suffix", "pos_start", "pos_end",
               "region", "boxes", "author", "created_at", "title", "url", "captured_at", "screenshot"]


class Links:
    """The URLs `pagekeep serve` gives an archive's records, screenshots and annotations."""

    def __init__(self, base: str = DEFAULT_BASE, db_route: str = DEFAULT_DB_ROUTE):
        self.base = base.rstrip("/")
        self.db = db_route

    def record(self, article_id) -> str:
        return f"{self.base}/{self.db}/articles/{article_id}"

    def shot(self, article_id, kind: str = "page") -> str:
        return f"{self.base}/-/pagekeep/{self.db}/shots/{article_id}/{kind}"

    def annotation(self, note_id=None) -> str:
        return f"{self.base}/-/pagekeep/{self.db}/annotations" + (f"/{note_id}" if note_id is not None else "")


def db_route_for(db_path) -> str:
    """The name Datasette (so `pagekeep serve`) gives an archive file in its URLs."""
    from pathlib import Path

    from datasette.utils import tilde_encode

    return tilde_encode(Path(db_path).stem)


def gather(db, article_id: int | None = None) -> list[dict]:
    """Every note (or one article's) with its article, page screenshot type and boxes."""
    conn = as_database(db).conn
    notes = highlights.notes_with_anchors(conn, article_id)
    articles: dict[int, dict] = {}
    out = []
    for note in notes:
        aid = note["article_id"]
        if aid not in articles:
            cur = conn.execute("select id, url, final_url, title, site_name, captured_at, text from articles "
                               "where id = ?", [aid])
            art = dict(zip([d[0] for d in cur.description], cur.fetchone()))
            shot = conn.execute("select mime from screenshots where article_id = ? and kind = 'page'", [aid]).fetchone()
            art["page_mime"] = shot[0] if shot else None
            art["boxes"] = highlights.load_boxes(conn, aid)
            articles[aid] = art
        art = articles[aid]
        boxes = highlights.note_boxes(conn, note, art["text"], art["boxes"]) if art["page_mime"] else []
        out.append({**note, "article": art, "boxes": boxes})
    return out


# ---------------------------------------------------------------- JSON-LD

def _time_state(art: dict, links: Links) -> dict:
    return {"type": "TimeState", "sourceDate": art["captured_at"], "cached": links.record(art["id"])}


def _targets(item: dict, links: Links) -> list[dict]:
    art = item["article"]
    style = f"pk-{item['color']}" if item.get("color") else None
    targets = []
    text_target = {"type": "SpecificResource", "source": art["url"], "state": _time_state(art, links)}
    if item["kind"] == "highlight" and item["pos_start"] is not None:
        text_target["selector"] = [
            {"type": "TextQuoteSelector", "exact": item["quote"], "prefix": item["prefix"] or "",
             "suffix": item["suffix"] or ""},
            {"type": "TextPositionSelector", "start": item["pos_start"], "end": item["pos_end"]},
        ]
    elif item.get("quote"):
        text_target["selector"] = {"type": "TextQuoteSelector", "exact": item["quote"]}
    if style and item["kind"] == "highlight":
        text_target["styleClass"] = style
    targets.append(text_target)
    for box in item["boxes"]:
        shot = {"type": "SpecificResource",
                "source": {"id": links.shot(art["id"]), "type": "Image", "format": art["page_mime"]},
                "selector": {"type": "FragmentSelector", "conformsTo": MEDIA_FRAGMENTS,
                             "value": f"xywh=pixel:{box['x']},{box['y']},{box['w']},{box['h']}"},
                "state": _time_state(art, links)}
        if style:
            shot["styleClass"] = style
        targets.append(shot)
    return targets


def annotation(item: dict, links: Links) -> dict:
    """One note as a W3C Annotation."""
    anno = {
        "@context": CONTEXT_URL,
        "id": links.annotation(item["id"]),
        "type": "Annotation",
        "motivation": "commenting" if item.get("body") else "highlighting",
        "created": item["created_at"],
        "target": _targets(item, links),
    }
    if item.get("body"):
        anno["body"] = {"type": "TextualBody", "value": item["body"], "format": "text/plain",
                        "purpose": "commenting"}
    if item.get("author"):
        anno["creator"] = {"type": "Person", "nickname": item["author"]}
    if item.get("color"):
        anno["stylesheet"] = {"type": "CssStylesheet",
                              "value": f".pk-{item['color']} {{ background-color: {highlights.COLORS[item['color']]} }}"}
    return anno


def to_jsonld(items: list[dict], links: Links, label: str = "pagekeep annotations") -> dict:
    """An AnnotationCollection with every annotation on its first (and last) page; with no
    annotations, no page at all, since a page must hold at least one (Data Model §5.2)."""
    collection = {
        "@context": CONTEXT_URL,
        "id": links.annotation(),
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
    }
    if items:
        page = links.annotation() + "?page=1"
        collection["first"] = {"id": page, "type": "AnnotationPage", "partOf": collection["id"], "startIndex": 0,
                               "items": [annotation(i, links) for i in items]}
        collection["last"] = page
    return collection


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")   # every ASCII punctuation character (CommonMark escapes)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def md_escape(text: str | None) -> str:
    """Text that Markdown renders as itself: ASCII punctuation backslash-escaped (no links,
    autolinks, images, HTML, emphasis, headings or list markers), control characters dropped,
    line breaks kept as hard breaks inside the same block."""
    lines = _CONTROL.sub("", str(text or "")).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "  \n".join(_MD_SPECIAL.sub(r"\\\1", line.strip()) for line in lines)


def _md_quote(text: str) -> str:
    return "\n".join("> " + line for line in md_escape(text).split("\n"))


def to_markdown(items: list[dict], links: Links) -> str:
    out = ["# pagekeep annotations", ""]
    current = None
    for item in items:
        art = item["article"]
        if art["id"] != current:
            current = art["id"]
            out += [f"## {md_escape(art['title'] or art['url'])}", "",
                    f"{md_escape(art['url'])} · captured {md_escape(art['captured_at'])} · "
                    f"record {md_escape(links.record(art['id']))}", ""]
        what = {"highlight": "Highlight", "region": "Region"}.get(item["kind"], "Note")
        meta = [what, f"\\#{item['id']}"]
        if item.get("color"):
            meta.append(md_escape(item["color"]))
        if item["kind"] == "highlight" and item["pos_start"] is not None:
            meta.append(f"characters {item['pos_start']}–{item['pos_end']}")
        if item["kind"] == "region" and item.get("region"):
            meta.append(f"page screenshot region {md_escape(item['region'])}")
        meta.append(md_escape(f"{item.get('author') or 'someone'}, {item.get('created_at') or ''}"))
        out += [" · ".join(meta), ""]
        if item.get("quote"):
            out += [_md_quote(item["quote"]), ""]
        if item.get("body"):
            out += [md_escape(item["body"]), ""]
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- CSV

_FORMULA_START = tuple("=+-@\t\r\n") + ("＝", "＋", "－", "＠")


def csv_cell(value) -> str | int | float:
    """A cell a spreadsheet shows as text: strings that would start a formula get a leading quote."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value).replace("\x00", "")
    if text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(items: list[dict], links: Links) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        art = item["article"]
        boxes = " ".join(f"xywh=pixel:{b['x']},{b['y']},{b['w']},{b['h']}" for b in item["boxes"])
        row = {**item, "note": item.get("body"), "boxes": boxes, "title": art["title"], "url": art["url"],
               "captured_at": art["captured_at"], "screenshot": links.shot(art["id"]) if art["page_mime"] else None}
        writer.writerow([csv_cell(row.get(col)) for col in CSV_COLUMNS])
    return buf.getvalue()


def export(db, fmt: str = "jsonld", article_id: int | None = None, links: Links | None = None) -> str:
    """The notes (of one article, or all) in one of FORMATS, as text."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    links = links or Links()
    items = gather(db, article_id)
    if fmt == "jsonld":
        return json.dumps(to_jsonld(items, links), ensure_ascii=False, indent=2) + "\n"
    return to_markdown(items, links) if fmt == "markdown" else to_csv(items, links)
