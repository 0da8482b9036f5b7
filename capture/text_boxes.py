"""Where the article's text is drawn on the page screenshot.

Just before the full-page screenshot (after sticky bars are pinned, so the
layout is the one the image shows), js/text_boxes.js finds every extracted
paragraph in the page's visible text and measures its words. Here those words
become line boxes in page-screenshot pixels, keyed by code-point offsets into
`articles.text` (what highlights store), and a few probe words measured again
after the shot tell whether the layout moved while the image was taken.

One `text_boxes` row per capture keeps it compact:
  lines   JSON [[start, end, x, y, w, h, [ws, we, wx, ww, ...]], ...]: one entry
          per drawn line; start/end are code-point offsets into articles.text,
          x/y/w/h the line's box in page-screenshot pixels; the flat list holds
          each word's offsets and horizontal extent relative to the line
          (ws, we from `start`, wx from `x`), so a highlight that starts or ends
          mid-line gets a box that starts or ends at the right word.
  blocks  JSON [[start, end, x, y, w, h], ...]: paragraphs whose words could not
          be matched or measured, boxed as a whole block.
  drift   JSON {"probes", "moved", "dx", "dy", "max"}: probe words re-measured
          after the screenshot (px; 0 when nothing moved).
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import time
from dataclasses import dataclass

from . import isolated
from .jsassets import script

MAX_WORDS = 30_000      # per page; beyond this, paragraphs get block boxes (cheap) instead of word boxes
TIMEOUT_S = 10
VERSION = 1


@dataclass
class Measured:
    raw: dict
    paragraphs: list[str]
    seconds: float


async def measure(page, paragraphs: list[str]) -> Measured | None:
    """Measure word boxes of the extracted paragraphs as the page is laid out now (None on failure)."""
    if not paragraphs:
        return None
    t0 = time.monotonic()
    try:
        raw = json.loads(await asyncio.wait_for(
            isolated.evaluate(page, script("text_boxes.js"), {"paragraphs": paragraphs, "maxWords": MAX_WORDS}),
            timeout=TIMEOUT_S))
    except Exception:
        return None
    if not raw or len(raw.get("paras") or []) != len(paragraphs):
        return None
    return Measured(raw, paragraphs, time.monotonic() - t0)


async def after_screenshot(page, measured: Measured | None, article_box: dict | None, shots: list[dict],
                           notes: list[str]) -> dict:
    """Re-measure the probe words and build the `text_boxes` row; returns {table: [rows]} to store."""
    if measured is None:
        return {}
    t0 = time.monotonic()
    try:
        probes = await asyncio.wait_for(isolated.evaluate(page, script("text_boxes.js"), {"probe": True}), timeout=TIMEOUT_S)
    except Exception:
        probes = []
    row = build_row(measured.raw, measured.paragraphs, shots, article_box, probes)
    row["measure_ms"] = round((measured.seconds + time.monotonic() - t0) * 1000, 1)
    drift = json.loads(row["drift"])
    if drift["max"] > 2:
        notes.append(f"text boxes: the layout moved up to {drift['max']:g} px while the page screenshot was taken")
    return {"text_boxes": [row]}


def build_row(raw: dict, paragraphs: list[str], shots: list[dict], article_box: dict | None,
              probes: list[dict]) -> dict:
    """The stored row from what the browser measured (pure: unit-testable without a browser)."""
    scale = float(raw.get("scale") or 1)
    lines: list[list] = []
    blocks: list[list] = []
    base = 0
    matched = 0
    for para, found in zip(paragraphs, raw["paras"]):
        if found and found.get("w"):
            matched += 1
            to_cp = _utf16_to_codepoints(para)
            words = [(base + to_cp[s], base + to_cp[e], *_scaled(rect, scale)) for s, e, *rect in found["w"]]
            lines.extend(_lines(words))
        elif found and found.get("b"):
            blocks.append([base, base + len(para), *_pixels(_scaled(found["b"], scale))])
        base += len(para) + 2  # paragraphs are joined by a blank line
    page = next((s for s in shots if s.get("kind") == "page"), None)
    article = next((s for s in shots if s.get("kind") == "article"), None)
    crop = article_crop(article_box) if article and article_box else (None, None)
    return {
        "version": VERSION,
        "shot_width": page["width"] if page else None,
        "shot_height": page["height"] if page else None,
        "article_x": crop[0],
        "article_y": crop[1],
        "paragraphs": len(paragraphs),
        "matched": matched,
        "words": int(raw.get("words") or 0),
        "lines": json.dumps(lines, separators=(",", ":")),
        "blocks": json.dumps(blocks, separators=(",", ":")),
        "drift": json.dumps(drift_of(probes), separators=(",", ":")),
    }


def article_crop(box: dict) -> tuple[int, int]:
    """Top-left of the article screenshot within the page screenshot (screenshots._derive cuts it there)."""
    return max(0, int(box["x"])), max(0, int(box["y"]))


def _scaled(rect, scale: float) -> tuple:
    return tuple(v * scale for v in rect)


def _pixels(rect) -> list[int]:
    """Round a float box outwards to whole pixels."""
    x, y, w, h = rect
    x0, y0 = math.floor(x), math.floor(y)
    return [x0, y0, math.ceil(x + w) - x0, math.ceil(y + h) - y0]


def _utf16_to_codepoints(text: str) -> list[int]:
    """index in UTF-16 code units -> index in code points, for every boundary of `text`."""
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return range(len(text) + 1)  # type: ignore[return-value]
    out = []
    for i, c in enumerate(text):
        out.append(i)
        if ord(c) >= 0x10000:
            out.append(i)  # the low surrogate sits inside the same code point
    out.append(len(text))
    return out


def _lines(words: list[tuple]) -> list[list]:
    """Group measured words (in reading order) into drawn lines: a word whose middle lies
    within the current line's height belongs to it."""
    lines: list[list] = []
    cur = None
    for s, e, x, y, w, h in words:
        mid = y + h / 2
        if cur is None or not (cur["y0"] <= mid <= cur["y1"]):
            cur = {"s": s, "e": e, "x0": x, "y0": y, "x1": x + w, "y1": y + h, "words": []}
            lines.append(cur)
        cur["s"], cur["e"] = min(cur["s"], s), max(cur["e"], e)
        cur["x0"], cur["x1"] = min(cur["x0"], x), max(cur["x1"], x + w)
        cur["y0"], cur["y1"] = min(cur["y0"], y), max(cur["y1"], y + h)
        cur["words"].append((s, e, x, w))
    out = []
    for ln in lines:
        x, y, w, h = _pixels((ln["x0"], ln["y0"], ln["x1"] - ln["x0"], ln["y1"] - ln["y0"]))
        flat: list[int] = []
        for s, e, wx, ww in ln["words"]:
            px, _, pw, _ = _pixels((wx, 0, ww, 0))
            flat += [s - ln["s"], e - ln["s"], px - x, pw]
        out.append([ln["s"], ln["e"], x, y, w, h, flat])
    return out


def drift_of(probes: list[dict]) -> dict:
    """How far the probe words moved between the measurement and the end of the screenshot."""
    dxs, dys, lost = [], [], 0
    for p in probes or []:
        before, after = p.get("before"), p.get("after")
        if not before or not after:
            lost += 1
            continue
        dxs.append(after[0] - before[0])
        dys.append(after[1] - before[1])
    moved = lost + sum(1 for dx, dy in zip(dxs, dys) if abs(dx) > 1 or abs(dy) > 1)
    biggest = max([abs(v) for v in dxs + dys] or [0])
    return {"probes": len(probes or []), "moved": moved,
            "dx": round(statistics.median(dxs), 1) if dxs else 0, "dy": round(statistics.median(dys), 1) if dys else 0,
            "max": round(biggest, 1)}
