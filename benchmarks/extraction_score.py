"""The article-extraction benchmark's scoring method, re-implemented.

Text is split into `\\w+` tokens (Unicode, case kept); overlapping 4-token
shingles are counted as a multiset. Per page TP, FP and FN are divided by their
sum so every page weighs the same; precision is averaged over pages with
TP+FP > 0, recall over pages with TP+FN > 0, and F1 is the harmonic mean of
those two averages (not the mean of per-page F1). Accuracy is the share of
pages whose token sequence equals the truth exactly.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str | None) -> list[str]:
    return TOKEN_RE.findall(text or "")


def shingles(text: str | None, n: int = 4) -> Counter:
    toks = tokens(text)
    out: Counter = Counter()
    for i in range(0, max(1, len(toks) - n + 1)):
        sh = tuple(toks[i:i + n])
        if sh:
            out[sh] += 1
    return out


def tp_fp_fn(true: str | None, pred: str | None, n: int = 4) -> tuple[float, float, float]:
    t, p = shingles(true, n), shingles(pred, n)
    tp = fp = fn = 0.0
    for key in set(t) | set(p):
        tc, pc = t.get(key, 0), p.get(key, 0)
        tp += min(tc, pc)
        fp += max(0, pc - tc)
        fn += max(0, tc - pc)
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s > 0 else (tp, fp, fn)


def precision_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall_score(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def page_f1(true: str | None, pred: str | None) -> tuple[float, float, float]:
    """(precision, recall, F1) of one page, for ranking the worst pages."""
    c = tp_fp_fn(true, pred)
    p, r = precision_score(*c), recall_score(*c)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def summarise(pairs: list[tuple[str | None, str | None]]) -> dict:
    """pairs of (truth, prediction) → f1, precision, recall, accuracy."""
    counts = [tp_fp_fn(t, p) for t, p in pairs]
    precs = [precision_score(*c) for c in counts if c[0] + c[1] > 0]
    recs = [recall_score(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(precs) if precs else 0.0
    recall = statistics.mean(recs) if recs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    exact = sum(1 for t, p in pairs if tokens(t) == tokens(p))
    return {"f1": f1, "precision": precision, "recall": recall,
            "accuracy": exact / len(pairs) if pairs else 0.0, "pages": len(pairs)}


def token_f1(true: str | None, pred: str | None) -> float:
    """Bag-of-words F1 over lower-cased word tokens (used for pagekeep's own fixture pages)."""
    t, p = Counter(x.lower() for x in tokens(true)), Counter(x.lower() for x in tokens(pred))
    common = sum((t & p).values())
    if not common:
        return 0.0
    prec, rec = common / sum(p.values()), common / sum(t.values())
    return 2 * prec * rec / (prec + rec)
