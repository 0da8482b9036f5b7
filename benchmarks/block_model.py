"""An experiment: a learned keep-or-drop decision per block instead of capture's rules.

Each block is described by what capture/extract_select.analyse() already
measures: the extractors' votes, where it sits (inside the article element,
between the first and last agreed prose block, in the main column, floated
aside), what it looks like (prose shape, link density, length, tag, font size
against the story's) and what its neighbours got. benchmarks/train_blocks.py
fits a logistic regression (or gradient-boosted trees) on one public set and
scores it on the others. It did not beat the rules on the sets it had not
seen (README, "Extraction quality"), so pagekeep does not ship it.
"""

from __future__ import annotations

import math
import statistics

from capture.extract_blocks import HEADINGS
from capture.extract_select import SENTENCE_END, Analysis, rule_keep

EXTRACTORS = ("default", "precision", "readability")

FEATURES = (
    "vote_default", "vote_precision", "vote_readability", "support", "seed", "inside", "in_span", "span_distance",
    "prose", "log_tokens", "link_density", "sentence_end", "tag_heading", "tag_li", "tag_p", "tag_cell",
    "tag_pre_quote", "tag_other", "boilerplate", "strong_boilerplate", "in_column", "floated", "rule_keep",
    "neighbour_support", "font_ratio", "digit_share",
)


def _font(el) -> float | None:
    while el is not None:
        fs = el.get("data-pk-fs") if hasattr(el, "get") else None
        if fs:
            try:
                return float(fs)
            except ValueError:
                return None
        el = el.getparent()
    return None


def _story_font(a: Analysis) -> float | None:
    sizes = [f for f in (_font(a.blocks[i].el) for i in a.seeds) if f]
    return statistics.median(sizes) if sizes else None


def features(a: Analysis) -> list[list[float]]:
    """One row of FEATURES per block of the page."""
    n = len(a.blocks)
    story_font = _story_font(a)
    support = [a.support(i) / a.n_ext for i in range(n)]
    seeds = set(a.seeds)
    rows = []
    for i, b in enumerate(a.blocks):
        tag = b.tag
        inside = i in a.inside
        in_span = a.first_seed <= i <= a.last_seed
        gap = 0 if in_span else min(abs(i - a.first_seed), abs(i - a.last_seed))
        font = _font(b.el)
        text = b.text
        neigh = [support[j] for j in (i - 1, i + 1) if 0 <= j < n]
        rows.append([
            *(a.votes[i].get(name, 0.0) for name in EXTRACTORS),
            support[i], float(i in seeds), float(inside), float(in_span), math.log1p(gap),
            float(a.prose(i)), math.log1p(len(a.toks[i])), b.link_density, float(bool(SENTENCE_END.search(text))),
            float(tag in HEADINGS), float(tag == "li"), float(tag == "p"), float(tag in ("td", "th", "dd", "dt")),
            float(tag in ("pre", "blockquote")), float(tag not in HEADINGS | {"li", "p", "td", "th", "dd", "dt", "pre", "blockquote"}),
            float(a.boilerplate_region(i)), float(a.strong_boilerplate(i)), float(a.in_column(i)), float(a.floated(i)),
            float(inside and rule_keep(a, i)), sum(neigh) / len(neigh) if neigh else 0.0,
            min(3.0, font / story_font) if font and story_font else 1.0,
            sum(c.isdigit() for c in text) / max(1, len(text)),
        ])
    return rows


class BlockModel:
    """Logistic regression over FEATURES (weights already scaled for raw feature values)."""

    def __init__(self, weights: list[float], bias: float, threshold: float = 0.5, names=FEATURES, info: dict | None = None):
        if list(names) != list(FEATURES):
            raise ValueError("model was fitted on other features than this version computes")
        self.weights, self.bias, self.threshold, self.info = weights, bias, threshold, info or {}

    def probability(self, row: list[float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, row))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

