"""The changed blocks, cut side by side from two screenshots: located by text boxes or, for older captures, the DOM."""

from __future__ import annotations

import io
import json

from PIL import Image

from capture.diff import diff_texts
from capture.visual_diff import GAP, LABEL_H, PAD, changed_blocks, decode_text_boxes


def page(width=400, height=200) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buf, "PNG")
    return buf.getvalue()


def boxes(lines) -> dict:
    return decode_text_boxes({"shot_width": 400, "shot_height": 200, "lines": json.dumps(lines), "blocks": "[]"})


# One line each: "alpha beta" → "alpha gamma"; word boxes are [start, end, x offset, width] per word.
OLD = boxes([[0, 10, 20, 30, 200, 20, [0, 5, 0, 50, 6, 10, 60, 40]]])
NEW = boxes([[0, 11, 20, 30, 200, 20, [0, 5, 0, 50, 6, 11, 60, 50]]])


def test_a_changed_paragraph_is_cut_from_both_screenshots_with_the_edited_words_tinted():
    (block,) = changed_blocks(diff_texts("alpha beta", "alpha gamma"),
                              {"page": page(), "boxes": OLD}, {"page": page(), "boxes": NEW})
    assert (block.old_box, block.new_box) == ((20, 30, 100, 20), (20, 30, 110, 20))  # where the words are
    img = Image.open(io.BytesIO(block.image)).convert("RGB")
    left = 100 + 2 * PAD
    assert img.width == left + GAP + 110 + 2 * PAD and img.height == LABEL_H + 20 + 2 * PAD

    def at(x, y, right=False):
        return img.getpixel(((left + GAP if right else 0) + PAD + x, LABEL_H + PAD + y))

    r, g, b = at(60 + 20, 10)                  # "beta", before: tinted red
    assert r > g + 30 and r > b + 30
    r, g, b = at(60 + 25, 10, right=True)      # "gamma", after: tinted green
    assert g > r + 30 and g > b + 30
    assert min(at(25, 10)) > 235 and min(at(25, 10, right=True)) > 235   # "alpha" untouched on both sides


def test_an_inserted_paragraph_has_only_an_after_side():
    new = boxes([[0, 10, 20, 30, 200, 20, [0, 10, 0, 100]], [12, 21, 20, 60, 200, 20, [0, 9, 0, 200]]])
    (block,) = changed_blocks(diff_texts("alpha beta", "alpha beta\n\ngamma one"),
                              {"page": page(), "boxes": OLD}, {"page": page(), "boxes": new})
    assert block.old_box is None and block.new_box == (20, 60, 200, 20)
    img = Image.open(io.BytesIO(block.image)).convert("RGB")
    blank = [img.getpixel((x, LABEL_H + 8)) for x in (5, 40, 80)]   # the missing side is one flat grey
    assert all(abs(a - b) <= 3 for pixel in blank for a, b in zip(pixel, blank[0])) and max(blank[0]) < 245


def test_older_captures_without_text_boxes_are_located_in_the_rendered_dom():
    html = ('<html><body><article data-pk-article="1" data-pk-box="0,0,400,200">'
            '<p data-pk-box="20,30,200,20">alpha beta</p><p data-pk-box="20,60,200,20">delta</p></article></body></html>')
    new_html = html.replace("alpha beta", "alpha gamma")
    (block,) = changed_blocks(diff_texts("alpha beta\n\ndelta", "alpha gamma\n\ndelta"),
                              {"page": page(), "html": html}, {"page": page(), "html": new_html})
    assert block.old_box == block.new_box == (20, 30, 200, 20) and block.image


def test_nothing_located_means_no_image_rather_than_a_wrong_crop():
    (block,) = changed_blocks(diff_texts("alpha beta", "alpha gamma"), {"page": page()}, {"page": page()})
    assert block.image is None
