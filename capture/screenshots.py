"""Full-page, article and thumbnail images: one browser screenshot, cropped with Pillow.

Taking the page once and cropping the article from it keeps the two images
consistent and renders the page only once.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

from PIL import Image

from . import isolated

Image.MAX_IMAGE_PIXELS = 400_000_000  # tall pages are legitimate, not decompression bombs

MAX_PAGE_HEIGHT = 20000   # px; taller pages are cut with a note, never a crash
THUMB_SIZE = (480, 360)

PAGE_SIZE_JS = """() => { const el = document.scrollingElement || document.documentElement;
    return {w: Math.max(el.scrollWidth, window.innerWidth),
            h: Math.max(el.scrollHeight, document.body ? document.body.scrollHeight : 0)}; }"""


@dataclass
class ShotOptions:
    format: str = "jpeg"     # "jpeg" or "png"
    quality: int = 85
    max_height: int = MAX_PAGE_HEIGHT


def _encode(img: Image.Image, opts: ShotOptions, quality: int | None = None, fmt: str | None = None) -> tuple[bytes, str]:
    fmt = fmt or opts.format
    buf = io.BytesIO()
    if fmt == "png":
        img.save(buf, "PNG", optimize=False, compress_level=6)
        return buf.getvalue(), "image/png"
    if img.mode != "RGB":
        img = img.convert("RGB")
    # Baseline, like the page image the browser encodes: progressive encoding costs Pillow
    # about 2.5x the CPU for a file about 10% smaller.
    img.save(buf, "JPEG", quality=quality or opts.quality, optimize=True)
    return buf.getvalue(), "image/jpeg"


def _shot(kind: str, img: Image.Image, opts: ShotOptions, note: str | None = None, **kw) -> dict:
    data, mime = _encode(img, opts, **kw)
    return {"kind": kind, "mime": mime, "width": img.width, "height": img.height, "image": data, "note": note}


def widen_to_headline(box: dict | None, h1: dict | None) -> dict | None:
    """Widen the article box to take in the headline (and lead image) when they sit just above it."""
    if not box or not h1:
        return box
    gap = box["y"] - (h1["y"] + h1["height"])
    same_column = h1["x"] >= box["x"] - 120 and h1["x"] + h1["width"] <= box["x"] + box["width"] + 120
    if 0 <= gap <= 1600 and same_column:
        x0 = min(box["x"], h1["x"])
        x1 = max(box["x"] + box["width"], h1["x"] + h1["width"])
        return {**box, "x": x0, "y": h1["y"], "width": x1 - x0, "height": box["y"] + box["height"] - h1["y"]}
    return box


async def take(page, article_box: dict | None, opts: ShotOptions, size: dict | None = None) -> tuple[list[dict], list[str]]:
    """Returns screenshot rows (page, article, thumb) and notes about cuts.

    `size` is the page's scroll size ({"w", "h"}) when the caller already measured it.
    """
    notes: list[str] = []
    dims = size or await isolated.evaluate(page, PAGE_SIZE_JS)
    vw = page.viewport_size["width"] if page.viewport_size else 1280
    height = max(1, int(dims["h"]))
    if height > opts.max_height:
        notes.append(f"page screenshot cut at {opts.max_height} px of {height} px")
        height = opts.max_height
    # The browser encodes the page image in its stored format, so it is stored as
    # taken; Pillow only decodes it to cut out the article and the thumbnail.
    kw = {"type": "png"} if opts.format == "png" else {"type": "jpeg", "quality": opts.quality}
    raw = await page.screenshot(
        full_page=True, clip={"x": 0, "y": 0, "width": vw, "height": height},
        animations="disabled", caret="hide", timeout=30000, **kw,
    )
    shots = await asyncio.to_thread(_derive, raw, article_box, opts, notes)
    return shots, notes


def _derive(raw: bytes, article_box: dict | None, opts: ShotOptions, notes: list[str]) -> list[dict]:
    full = Image.open(io.BytesIO(raw))
    full.load()
    page_note = notes[0] if notes else None
    shots = [{"kind": "page", "mime": "image/png" if opts.format == "png" else "image/jpeg",
              "width": full.width, "height": full.height, "image": raw, "note": page_note}]
    article_img = None
    if article_box and article_box.get("width", 0) >= 10 and article_box.get("height", 0) >= 10:
        x0 = max(0, int(article_box["x"]))
        y0 = max(0, int(article_box["y"]))
        x1 = min(full.width, int(article_box["x"] + article_box["width"] + 0.999))
        y1 = min(full.height, int(article_box["y"] + article_box["height"] + 0.999))
        cut = y0 + article_box["height"] > full.height
        if cut:
            notes.append(f"article screenshot cut at page height {full.height} px")
        if x1 - x0 >= 10 and y1 - y0 >= 10:
            article_img = full.crop((x0, y0, x1, y1))
            shots.append(_shot("article", article_img, opts, note=notes[-1] if cut else None))
    source = article_img or full
    w, h = THUMB_SIZE
    top = source.crop((0, 0, source.width, min(source.height, int(source.width * h / w))))
    top.thumbnail((w, h), Image.LANCZOS)
    shots.append(_shot("thumb", top, opts, quality=70, fmt="jpeg"))
    return shots
