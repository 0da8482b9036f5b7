"""The blocks whose text changed, cropped side by side from the old and new page screenshots.

A whole-page pixel diff lights up everything below an inserted paragraph; the
text diff already knows which paragraphs changed, so only those are cut out of
each version's screenshot and put next to each other.

Where a paragraph sits on the screenshot comes from the capture's text boxes
(capture/text_boxes.py: line boxes in page-screenshot pixels keyed by offsets
into articles.text). Captures made before those were recorded fall back on the
rendered DOM pagekeep stores with every capture, where js/visibility.js wrote
each visible element's box (data-pk-box, page CSS pixels, which are screenshot
pixels at the scale pagekeep renders at).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

from PIL import Image, ImageDraw

from .diff import TextDiff, normalize, paragraphs, tokenize

PAD = 6
SIDE_WIDTH = 560         # each side is scaled to at most this width
MAX_SIDE_HEIGHT = 900    # and cut at this height (a very long paragraph)
GAP = 12
LABEL_H = 22
MISSING = (238, 238, 238)
DELETED = (220, 40, 60, 90)     # tint over removed words (before)
INSERTED = (30, 170, 70, 90)    # and over added words (after)


@dataclass
class Block:
    index: int
    old_para: int | None
    new_para: int | None
    old_box: tuple | None
    new_box: tuple | None
    image: bytes | None = None
    width: int = 0
    height: int = 0

    def as_row(self) -> dict:
        box = lambda b: ",".join(str(v) for v in b) if b else None  # noqa: E731
        return {"idx": self.index, "old_para": self.old_para, "new_para": self.new_para,
                "old_box": box(self.old_box), "new_box": box(self.new_box), "mime": "image/jpeg",
                "width": self.width, "height": self.height, "image": self.image}


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    return [(p.start, p.end) for p in paragraphs(text, tokenize(text))]


def decode_text_boxes(row: dict | None) -> dict | None:
    """A text_boxes row as stored (JSON strings) → what annotations.highlights.boxes_for reads."""
    if not row:
        return None
    return {**row, **{k: json.loads(row.get(k) or ("{}" if k == "drift" else "[]")) for k in ("lines", "blocks", "drift")}}


def boxes_from_text_boxes(boxes: dict | None, spans: list[tuple[int, int]]) -> list[tuple | None]:
    """Each paragraph's box: the union of its line (or block) boxes."""
    from annotations.highlights import boxes_for

    out = []
    for start, end in spans:
        parts = boxes_for(boxes, start, end) if boxes else []
        if not parts:
            out.append(None)
            continue
        x0, y0 = min(b["x"] for b in parts), min(b["y"] for b in parts)
        x1, y1 = max(b["x"] + b["w"] for b in parts), max(b["y"] + b["h"] for b in parts)
        out.append((x0, y0, x1 - x0, y1 - y0))
    return out


def locate(text: str, boxes: dict | None, rendered_html: str | None) -> list[tuple | None]:
    """Paragraph boxes from the text boxes, and from the rendered DOM for any they lack."""
    spans = paragraph_spans(text)
    found = boxes_from_text_boxes(boxes, spans)
    missing = [i for i, box in enumerate(found) if box is None]
    if missing:
        from_dom = locate_paragraphs(rendered_html, [text[spans[i][0]:spans[i][1]] for i in missing])
        for i, box in zip(missing, from_dom):
            found[i] = box
    return found


def locate_paragraphs(rendered_html: str | None, texts: list[str]) -> list[tuple | None]:
    """Each paragraph's box (x, y, w, h) on the page: the smallest visible element holding exactly its text,
    inside the article element when there is one; else the smallest one containing it."""
    if not rendered_html or not texts:
        return [None] * len(texts)
    from .extract import visible_tree

    doc = visible_tree(rendered_html)
    article = doc.xpath("//*[@data-pk-article]")
    in_article = set(article[0].iter()) if article else set()
    longest = max(len(t) for t in texts) * 3 + 200  # larger elements are page regions, not paragraphs
    candidates = []
    for el in doc.iter():
        raw = el.get("data-pk-box") if isinstance(el.tag, str) else None
        if not raw:
            continue
        content = el.text_content()
        if len(content) > longest:
            continue
        try:
            x, y, w, h = (int(float(v)) for v in raw.split(","))
        except ValueError:
            continue
        if w <= 0 or h <= 0:
            continue
        candidates.append((normalize(content), el not in in_article, w * h, (x, y, w, h)))
    out = []
    for text in texts:
        key = normalize(text)
        exact = [c for c in candidates if c[0] == key]
        pool = exact or [c for c in candidates if key and key in c[0]]
        out.append(min(pool, key=lambda c: (c[1], c[2], c[3]))[3] if pool else None)
    return out


def changed_blocks(diff: TextDiff, old: dict, new: dict) -> list[Block]:
    """One Block per changed paragraph (pair), with its side-by-side crop when either side was located.

    `old` and `new` are {"page": screenshot bytes, "boxes": decoded text boxes, "html": rendered DOM}, any None."""
    pairs = diff.blocks()
    if not pairs:
        return []
    old_boxes = locate(diff.old, old.get("boxes"), old.get("html"))
    new_boxes = locate(diff.new, new.get("boxes"), new.get("html"))
    old_page, new_page = old.get("page"), new.get("page")
    old_img, new_img = _open(old_page), _open(new_page)
    blocks = []
    for pa, pb in pairs:
        ob = old_boxes[pa] if pa is not None and pa < len(old_boxes) else None
        nb = new_boxes[pb] if pb is not None and pb < len(new_boxes) else None
        block = Block(len(blocks), pa, pb, ob, nb)
        edits = [op for op in diff.ops if op["level"] == "word" and (op["pa"], op["pb"]) == (pa, pb)]
        left = _crop(old_img, ob, _word_boxes(old.get("boxes"), [op["a"] for op in edits]), DELETED)
        right = _crop(new_img, nb, _word_boxes(new.get("boxes"), [op["b"] for op in edits]), INSERTED)
        if left is not None or right is not None:
            block.image, block.width, block.height = _side_by_side(left, right)
        blocks.append(block)
    return blocks


def _open(data: bytes | None) -> Image.Image | None:
    if not data:
        return None
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
        return img.convert("RGB")
    except Exception:
        return None


def _word_boxes(boxes: dict | None, spans: list[list[int]]) -> list[dict]:
    """The line boxes of the edited words (needs text boxes: DOM boxes stop at elements)."""
    from annotations.highlights import boxes_for

    return [b for start, end in spans if end > start for b in boxes_for(boxes, start, end)] if boxes else []


def _crop(img: Image.Image | None, box: tuple | None, marks: list[dict] = (), colour: tuple = ()) -> Image.Image | None:
    """The box cut from the screenshot, its edited words tinted, scaled to one side's size."""
    if img is None or box is None:
        return None
    x, y, w, h = box
    x0, y0 = max(0, x - PAD), max(0, y - PAD)
    x1, y1 = min(img.width, x + w + PAD), min(img.height, y + h + PAD)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None  # below the end of a cut screenshot
    part = img.crop((x0, y0, x1, y1))
    if marks:
        tint = Image.new("RGBA", part.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(tint)
        for m in marks:
            draw.rectangle((m["x"] - x0, m["y"] - y0, m["x"] + m["w"] - x0 - 1, m["y"] + m["h"] - y0 - 1), fill=colour)
        part = Image.alpha_composite(part.convert("RGBA"), tint).convert("RGB")
    if part.width > SIDE_WIDTH:
        part = part.resize((SIDE_WIDTH, max(1, round(part.height * SIDE_WIDTH / part.width))), Image.LANCZOS)
    if part.height > MAX_SIDE_HEIGHT:
        part = part.crop((0, 0, part.width, MAX_SIDE_HEIGHT))
    return part


def _side_by_side(left: Image.Image | None, right: Image.Image | None) -> tuple[bytes, int, int]:
    lw = left.width if left is not None else (right.width if right is not None else SIDE_WIDTH)
    rw = right.width if right is not None else lw
    body_h = max(p.height for p in (left, right) if p is not None)
    canvas = Image.new("RGB", (lw + GAP + rw, LABEL_H + body_h), "white")
    draw = ImageDraw.Draw(canvas)
    for x0, part, label, colour in ((0, left, "before", (176, 0, 32)), (lw + GAP, right, "after", (0, 110, 50))):
        width = part.width if part is not None else (lw if x0 == 0 else rw)
        draw.rectangle((x0, 0, x0 + width - 1, LABEL_H - 3), fill=colour)
        draw.text((x0 + 6, 4), label if part is not None else f"{label}: (not in this version)", fill="white")
        if part is not None:
            canvas.paste(part, (x0, LABEL_H))
        else:
            draw.rectangle((x0, LABEL_H, x0 + width - 1, LABEL_H + body_h - 1), fill=MISSING)
    buf = io.BytesIO()
    canvas.save(buf, "JPEG", quality=82, optimize=True)
    return buf.getvalue(), canvas.width, canvas.height
