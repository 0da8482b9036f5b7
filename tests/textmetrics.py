"""Text comparison used by the tests: token F1 as extraction benchmarks define it."""

from __future__ import annotations

import re
from collections import Counter

TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    return TOKEN.findall((text or "").lower())


def token_f1(got: str, want: str) -> tuple[float, float, float]:
    """(precision, recall, f1) over bags of \\w+ tokens."""
    g, w = Counter(tokens(got)), Counter(tokens(want))
    tp = sum((g & w).values())
    p = tp / max(1, sum(g.values()))
    r = tp / max(1, sum(w.values()))
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s or "").strip()
