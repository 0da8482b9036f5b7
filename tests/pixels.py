"""Reading stored screenshots as pixels, so tests check what a reader would see."""

from __future__ import annotations

import io

from PIL import Image


def hex_rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def mask_near(image_bytes: bytes, colour: str, tolerance: int = 40) -> Image.Image:
    """A mode-L mask, 255 where a pixel is within `tolerance` (per channel) of colour."""
    from PIL import ImageChops

    im = Image.open(io.BytesIO(image_bytes)).convert("RGB")
    r0, g0, b0 = hex_rgb(colour)
    bands = im.split()
    masks = [band.point(lambda v, c=c: 255 if abs(v - c) <= tolerance else 0) for band, c in zip(bands, (r0, g0, b0))]
    return ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])


def count_near(image_bytes: bytes, colour: str, tolerance: int = 40) -> int:
    """Pixels within `tolerance` (per channel) of colour; JPEG noise needs some slack."""
    return mask_near(image_bytes, colour, tolerance).histogram()[255]


def screenshot(db, article_id: int, kind: str) -> dict:
    rows = list(db.query("select * from screenshots where article_id = ? and kind = ?", [article_id, kind]))
    assert rows, f"no {kind} screenshot for article {article_id}"
    return rows[0]
