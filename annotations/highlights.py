"""Highlights: notes anchored to a passage of `articles.text` and to where it is drawn.

A highlight is a row in `notes` with kind 'highlight' and, like a W3C
TextPositionSelector and TextQuoteSelector together (what Hypothesis stores),
`pos_start`/`pos_end` (code-point offsets into articles.text), the exact
`quote` and up to 32 characters of `prefix` and `suffix`. Positions make the
anchor exact; quote and context let it be found again if the text it points
into ever differs (`resolve`). A region is a note with kind 'region' and a
rectangle on the page screenshot. Plain notes (kind 'note') are unchanged.

The boxes a highlight covers on the page screenshot come from the capture's
`text_boxes` row (capture/text_boxes.py): one box per drawn line.
"""

from __future__ import annotations

import json
import re

from capture.store import utcnow, write_transaction

from .tags import MAX_NOTE_LENGTH, MAX_QUOTE_LENGTH, AnnotationError, _check_articles, _ids, as_database

CONTEXT = 32  # characters of prefix and suffix kept with a highlight
COLORS = {"yellow": "#ffe066", "green": "#8ce99a", "blue": "#74c0fc", "pink": "#faa2c1",
          "orange": "#ffc078", "purple": "#d0bfff"}
DEFAULT_COLOR = "yellow"
NOTE_COLUMNS = ["id", "article_id", "kind", "body", "quote", "prefix", "suffix", "pos_start", "pos_end",
                "color", "region", "created_at", "author"]


class QuoteNotFound(AnnotationError):
    pass


class AmbiguousQuote(AnnotationError):
    pass


def check_color(color: str | None) -> str:
    name = (color or DEFAULT_COLOR).strip().lower()
    if name not in COLORS:
        raise AnnotationError(f"unknown colour {color!r}: use one of {', '.join(COLORS)}")
    return name


def occurrences(text: str, quote: str) -> list[tuple[int, int]]:
    """Where `quote` occurs in `text`, whitespace differences ignored (a quote typed on one
    line still finds a passage that spans paragraphs)."""
    words = (quote or "").split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [(m.start(), m.end()) for m in pattern.finditer(text or "")]


def anchor(text: str, start: int, end: int) -> dict:
    """The selectors for text[start:end], trimmed of surrounding whitespace."""
    if not (0 <= start < end <= len(text)):
        raise AnnotationError(f"no such passage: {start}–{end} is outside the text (0–{len(text)})")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise AnnotationError("a highlight needs some text, not only white space")
    if end - start > MAX_QUOTE_LENGTH:
        raise AnnotationError(f"a highlight can be at most {MAX_QUOTE_LENGTH:,} characters")
    return {"pos_start": start, "pos_end": end, "quote": text[start:end],
            "prefix": text[max(0, start - CONTEXT):start], "suffix": text[end:end + CONTEXT]}


def find_anchor(text: str, quote: str, occurrence: int | None = None) -> dict:
    """Anchor the n-th (1-based) occurrence of `quote`; without n, the quote must be unique."""
    found = occurrences(text, quote)
    shown = " ".join((quote or "").split())
    shown = shown if len(shown) <= 60 else shown[:57] + "…"
    if not found:
        raise QuoteNotFound(f"quote not found in the article: “{shown}”")
    if occurrence is None:
        if len(found) > 1:
            raise AmbiguousQuote(f"quote occurs {len(found)} times; pick one with --occurrence 1..{len(found)}")
        occurrence = 1
    if not 1 <= occurrence <= len(found):
        raise QuoteNotFound(f"quote occurs {len(found)} time{'s' if len(found) != 1 else ''}, "
                            f"so there is no occurrence {occurrence}")
    return anchor(text, *found[occurrence - 1])


def resolve(text: str, note: dict) -> tuple[int, int] | None:
    """Where a highlight's passage is in `text`: its positions when they still hold the quote,
    else the occurrence of the quote whose context matches best (nearest the old place on ties)."""
    s, e, quote = note.get("pos_start"), note.get("pos_end"), note.get("quote") or ""
    if s is not None and e is not None and text[s:e] == quote:
        return s, e
    best = None
    for start, end in occurrences(text, quote):
        score = _common_suffix(text[max(0, start - CONTEXT):start], note.get("prefix") or "") \
            + _common_prefix(text[end:end + CONTEXT], note.get("suffix") or "")
        rank = (score, -abs(start - (s or 0)))
        if best is None or rank > best[0]:
            best = (rank, (start, end))
    return best[1] if best else None


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _article_text(conn, article_id: int) -> str:
    row = conn.execute("select text from articles where id = ?", [article_id]).fetchone()
    return (row[0] if row else None) or ""


def _insert(conn, article_id: int, row: dict) -> int:
    row = {**row, "article_id": article_id, "created_at": utcnow()}
    cols = list(row)
    return conn.execute(f"insert into notes ({', '.join(cols)}) values ({', '.join('?' * len(cols))})",
                        [row[c] for c in cols]).lastrowid


def _body(note: str | None) -> str:
    body = (note or "").strip()
    if len(body) > MAX_NOTE_LENGTH:
        raise AnnotationError(f"a note can be at most {MAX_NOTE_LENGTH:,} characters")
    return body


def add_highlight(db, article_id: int, *, quote: str | None = None, occurrence: int | None = None,
                  start: int | None = None, end: int | None = None, note: str | None = None,
                  color: str | None = None, author: str | None = None) -> int:
    """Highlight a passage, given by its quote (and occurrence) or by code-point offsets; returns the note id."""
    (article,) = _ids(article_id)
    body, color = _body(note), check_color(color)
    d = as_database(db)
    with write_transaction(d):
        _check_articles(d.conn, [article])
        text = _article_text(d.conn, article)
        if start is not None and end is not None:
            found = anchor(text, int(start), int(end))
        elif quote and quote.strip():
            found = find_anchor(text, quote, occurrence)
        else:
            raise AnnotationError("a highlight needs a quote or a start and end offset")
        return _insert(d.conn, article, {"kind": "highlight", "body": body, "color": color, **found, "author": author})


def add_region(db, article_id: int, x: int, y: int, w: int, h: int, *, note: str | None = None,
               color: str | None = None, author: str | None = None) -> int:
    """Mark a rectangle of the page screenshot (pixels); returns the note id."""
    (article,) = _ids(article_id)
    body, color = _body(note), check_color(color)
    if min(w, h) <= 0 or min(x, y) < 0:
        raise AnnotationError("a region needs x, y ≥ 0 and a positive width and height")
    d = as_database(db)
    with write_transaction(d):
        _check_articles(d.conn, [article])
        return _insert(d.conn, article, {"kind": "region", "body": body, "color": color, "author": author,
                                         "region": f"{int(x)},{int(y)},{int(w)},{int(h)}"})


def notes_with_anchors(db, article_id: int | None = None) -> list[dict]:
    """Every note (of one article, or all), oldest first, with its anchor columns."""
    conn = as_database(db).conn
    where, params = ("where article_id = ?", [int(article_id)]) if article_id is not None else ("", [])
    rows = conn.execute(f"select {', '.join(NOTE_COLUMNS)} from notes {where} order by article_id, created_at, id",
                        params)
    return [dict(zip(NOTE_COLUMNS, r)) for r in rows]


def load_boxes(db, article_id: int) -> dict | None:
    """The capture's text_boxes row, its JSON decoded; None for captures made without it."""
    conn = as_database(db).conn
    cur = conn.execute("select * from text_boxes where article_id = ?", [int(article_id)])
    row = cur.fetchone()
    if row is None:
        return None
    out = dict(zip([d[0] for d in cur.description], row))
    for key in ("lines", "blocks", "drift"):
        out[key] = json.loads(out[key] or ("{}" if key == "drift" else "[]"))
    return out


def boxes_for(boxes: dict | None, start: int, end: int) -> list[dict]:
    """Page-screenshot boxes of text[start:end]: one per drawn line (kind 'line'), or the
    whole block where only a block box was measured (kind 'block'); clipped to the image."""
    if not boxes:
        return []
    out = []
    for s, e, x, y, w, h, words in boxes["lines"]:
        if e <= start or s >= end:
            continue
        spans = [(x + words[i + 2], words[i + 3]) for i in range(0, len(words), 4)
                 if s + words[i] < end and s + words[i + 1] > start]
        if spans:
            x0 = min(sx for sx, _ in spans)
            x1 = max(sx + sw for sx, sw in spans)
            out.append({"kind": "line", "x": x0, "y": y, "w": x1 - x0, "h": h})
    for s, e, x, y, w, h in boxes["blocks"]:
        if s < end and e > start:
            out.append({"kind": "block", "x": x, "y": y, "w": w, "h": h})
    out.sort(key=lambda b: (b["y"], b["x"]))
    return [b for b in (_clip(b, boxes.get("shot_width"), boxes.get("shot_height")) for b in out) if b]


def _clip(box: dict, width: int | None, height: int | None) -> dict | None:
    x0, y0 = max(0, box["x"]), max(0, box["y"])
    x1 = box["x"] + box["w"] if width is None else min(width, box["x"] + box["w"])
    y1 = box["y"] + box["h"] if height is None else min(height, box["y"] + box["h"])
    if x1 <= x0 or y1 <= y0:
        return None
    return {**box, "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}


def parse_region(value: str) -> tuple[int, int, int, int]:
    """"x,y,w,h" (page-screenshot pixels) → four ints."""
    try:
        x, y, w, h = (int(v) for v in (value or "").split(","))
    except ValueError:
        raise AnnotationError(f"a region is x,y,w,h in whole pixels, not {value!r}") from None
    return x, y, w, h


def region_box(note: dict) -> dict | None:
    try:
        x, y, w, h = parse_region(note.get("region") or "")
    except AnnotationError:
        return None
    return {"kind": "region", "x": x, "y": y, "w": w, "h": h}


def note_boxes(db, note: dict, text: str | None = None, boxes: dict | None = None) -> list[dict]:
    """The boxes a note covers on the page screenshot (none for plain notes)."""
    if note.get("kind") == "region":
        box = region_box(note)
        return [box] if box else []
    if note.get("kind") != "highlight":
        return []
    conn = as_database(db).conn
    text = _article_text(conn, note["article_id"]) if text is None else text
    where = resolve(text, note)
    if where is None:
        return []
    return boxes_for(boxes if boxes is not None else load_boxes(conn, note["article_id"]), *where)
