"""An "evidence image" for a highlight: the page screenshot around it, the passage boxed,
captioned with where and when it was captured and the screenshot's SHA-256.

A reporter who must show "the page said this, here" can hand over this one
PNG; the hash ties it to the stored full-page screenshot, which anyone with
the archive can hash again.
"""

from __future__ import annotations

import hashlib
import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

from .highlights import COLORS

MARGIN_Y = 140      # page pixels kept above and below the highlight
FONT_SIZE = 15


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hex_rgb(color: str) -> tuple[int, int, int]:
    value = COLORS.get(color or "", COLORS["yellow"]).lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _font():
    try:
        return ImageFont.load_default(size=FONT_SIZE)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def caption_lines(url: str, captured_at: str, digest: str, note_id: int, article_id: int,
                  start: int | None, end: int | None) -> list[str]:
    where = f"characters {start}-{end} of the article text" if start is not None else "a region of the page"
    return [f"URL: {url}", f"Captured: {captured_at} (UTC)", f"Page screenshot SHA-256: {digest}",
            f"pagekeep article {article_id}, highlight #{note_id}: {where}"]


def render(page_image: bytes, boxes: list[dict], color: str, caption: list[str]) -> bytes:
    """PNG: the full width of the page screenshot, cut to the boxes plus a margin, with the
    boxes tinted and outlined, and the caption underneath."""
    page = Image.open(io.BytesIO(page_image)).convert("RGB")
    top = max(0, min(b["y"] for b in boxes) - MARGIN_Y)
    bottom = min(page.height, max(b["y"] + b["h"] for b in boxes) + MARGIN_Y)
    crop = page.crop((0, top, page.width, bottom)).convert("RGBA")
    rgb = _hex_rgb(color)
    layer = Image.new("RGBA", crop.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for b in boxes:
        rect = [b["x"] - 2, b["y"] - top - 2, b["x"] + b["w"] + 1, b["y"] - top + b["h"] + 1]
        draw.rectangle(rect, fill=(*rgb, 70), outline=(200, 30, 30, 255), width=2)
    crop = Image.alpha_composite(crop, layer).convert("RGB")
    font = _font()
    wrap = max(40, int(crop.width / (FONT_SIZE * 0.55)))
    lines = [piece for line in caption for piece in (textwrap.wrap(line, wrap) or [""])]
    line_h = FONT_SIZE + 6
    band = 16 + line_h * len(lines)
    out = Image.new("RGB", (crop.width, crop.height + band), (255, 255, 255))
    out.paste(crop, (0, 0))
    draw = ImageDraw.Draw(out)
    draw.line([(0, crop.height), (crop.width, crop.height)], fill=(120, 120, 120), width=1)
    for i, line in enumerate(lines):
        draw.text((12, crop.height + 8 + i * line_h), line, fill=(20, 20, 20), font=font)
    buf = io.BytesIO()
    out.save(buf, "PNG", optimize=False, compress_level=6)
    return buf.getvalue()
