"""Highlights on an article's record page: in the clean text and over the screenshots.

The clean text is shown one <p> per paragraph, each holding its exact slice
of `articles.text` and its code-point offset (data-pk-start), so that a
selection made in the browser maps back to the same offsets the CLI would
store (static/highlights.js). Highlights become <mark> elements; boxes over a
screenshot are positioned in percent of the image, so they follow its scaling.
Everything here is escaped text and attributes: nothing from the page runs.
"""

from __future__ import annotations

import re

import markupsafe

from .highlights import COLORS

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def paragraph_spans(text: str | None) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of `text` (blank-line separated), surrounding white space left out."""
    spans = []
    pos = 0
    text = text or ""
    for m in list(_PARAGRAPH_BREAK.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        s, e = pos, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        pos = m.end() if m else len(text)
    return spans


def _segments(start: int, end: int, marks: list[dict]) -> list[tuple[int, int, list[dict]]]:
    """Split [start, end) at every highlight boundary; each piece with the highlights covering it."""
    cuts = {start, end}
    for m in marks:
        cuts.update(c for c in (m["start"], m["end"]) if start < c < end)
    points = sorted(cuts)
    return [(a, b, [m for m in marks if m["start"] < b and m["end"] > a]) for a, b in zip(points, points[1:])]


def text_with_highlights(text: str | None, marks: list[dict]) -> markupsafe.Markup:
    """The clean text as <p data-pk-start=N> paragraphs with <mark> around highlighted passages.

    `marks`: [{"id", "start", "end", "color"}], offsets into `text` (code points)."""
    text = text or ""
    out = []
    for s, e in paragraph_spans(text):
        inside = [m for m in marks if m["start"] < e and m["end"] > s]
        parts = []
        for a, b, covering in _segments(s, e, inside):
            piece = text[a:b]
            if not covering:
                parts.append(markupsafe.escape(piece))
                continue
            top = covering[-1]
            ids = " ".join(str(m["id"]) for m in covering)
            parts.append(markupsafe.Markup('<mark class="pk-hl" style="background-color:{}" data-pk-notes="{}" '
                                           'title="highlight #{}">{}</mark>').format(_hex(top["color"]), ids, ids, piece))
        out.append(markupsafe.Markup('<p data-pk-start="{}">{}</p>').format(s, markupsafe.Markup("").join(parts)))
    return markupsafe.Markup("\n").join(out)


def _hex(color: str | None) -> str:
    return COLORS.get(color or "", COLORS["yellow"])


def overlay(boxes: list[dict], width: int | None, height: int | None, dx: int = 0, dy: int = 0) -> list[dict]:
    """Boxes (page-screenshot pixels) placed over an image of `width`×`height` whose top-left sits
    at (dx, dy) in the page screenshot, as CSS percentages; boxes outside the image are dropped."""
    if not width or not height:
        return []
    out = []
    for b in boxes:
        x0, y0 = max(0, b["x"] - dx), max(0, b["y"] - dy)
        x1, y1 = min(width, b["x"] + b["w"] - dx), min(height, b["y"] + b["h"] - dy)
        if x1 <= x0 or y1 <= y0:
            continue
        out.append({**b, "style": f"left:{100 * x0 / width:.3f}%;top:{100 * y0 / height:.3f}%;"
                                  f"width:{100 * (x1 - x0) / width:.3f}%;height:{100 * (y1 - y0) / height:.3f}%;"
                                  f"background-color:{_hex(b.get('color'))}66;border-color:{_hex(b.get('color'))}"})
    return out
