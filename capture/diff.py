"""What changed between two texts: paragraphs first, then words, as offsets into both texts.

Paragraphs (separated by blank lines) are aligned first, so an inserted
paragraph is one insertion, not a cascade of word edits; paragraphs that
changed are paired by similarity and diffed token by token. Tokens are words,
single punctuation marks, and single characters of scripts written without
spaces (Chinese, Japanese, Thai, ...), so a one-character edit in Japanese is
one token, not a whole sentence.

Volatile labels ("5 minutes ago", "vor 3 Stunden") compare equal whatever
their number, so a ticking relative time is never an edit. Everything here is
deterministic: the same two texts give byte-identical JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from difflib import SequenceMatcher

# Scripts written without spaces between words: one token per character.
NOSPACE = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN_RE = re.compile(
    rf"[{NOSPACE}]"                                   # one character of a script without spaces
    rf"|(?:(?![{NOSPACE}])[^\W_])+(?:['’](?:(?![{NOSPACE}])[^\W_])+)*"  # a word (with inner apostrophes)
    r"|\S",                                            # any other mark: one token
    re.UNICODE,
)
WORDISH_RE = re.compile(r"[^\W_]", re.UNICODE)
PARA_SPLIT_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")

_UNITS_EN = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|[smhd])"
VOLATILE_RE = re.compile(
    "|".join([
        rf"\b(?:\d+|an?|one)\s*{_UNITS_EN}\s+ago\b",                             # 5 minutes ago, an hour ago, 3h ago
        r"\bjust now\b",
        r"\bvor\s+(?:\d+|einer?|einem)\s+(?:Sekunden?|Minuten?|Stunden?|Tag(?:en)?|Wochen?|Monat(?:en)?)\b",
        r"\bil y a\s+(?:\d+|une?)\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois)\b",
        r"\bhace\s+(?:\d+|una?)\s+(?:segundos?|minutos?|horas?|días?|semanas?|meses?)\b",
        r"\bhá\s+(?:\d+|uma?)\s+(?:segundos?|minutos?|horas?|dias?|semanas?|meses?)\b",
        r"\b(?:\d+|un'?)\s*(?:secondi|minuti|minuto|ore|ora|giorni|giorno)\s+fa\b",
        r"\b\d+\s+(?:seconden|minuten|minuut|uur|dagen|dag)\s+geleden\b",
    ]),
    re.IGNORECASE,
)
VOLATILE_KEY = "\x00volatile"
MIN_PAIR_SIMILARITY = 0.5   # two paragraphs less alike than this are a deletion and an insertion


@dataclass
class Token:
    start: int
    end: int
    key: str       # what is compared: the token (NFC), or VOLATILE_KEY inside a volatile label
    word: bool     # a word (counted in words added/removed), not punctuation


@dataclass
class Paragraph:
    start: int
    end: int
    lo: int        # first token index
    hi: int        # one past the last token index

    def keys(self, tokens: list[Token]) -> tuple:
        return tuple(t.key for t in tokens[self.lo:self.hi])


def tokenize(text: str) -> list[Token]:
    volatile = [(m.start(), m.end()) for m in VOLATILE_RE.finditer(text)]
    out: list[Token] = []
    vi = 0
    for m in TOKEN_RE.finditer(text):
        s, e = m.span()
        while vi < len(volatile) and volatile[vi][1] <= s:
            vi += 1
        inside = vi < len(volatile) and volatile[vi][0] <= s and e <= volatile[vi][1]
        if inside:
            # One key for the whole label, carried by its first token only.
            if out and out[-1].key == VOLATILE_KEY and out[-1].end >= volatile[vi][0] and out[-1].start >= volatile[vi][0]:
                out[-1].end = e
                continue
            out.append(Token(s, e, VOLATILE_KEY, False))
            continue
        tok = unicodedata.normalize("NFC", m.group())
        out.append(Token(s, e, tok, bool(WORDISH_RE.search(tok))))
    return out


def paragraphs(text: str, tokens: list[Token]) -> list[Paragraph]:
    """Paragraph spans (blank-line separated), each with its token range; empty ones dropped."""
    spans, pos = [], 0
    for m in PARA_SPLIT_RE.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    starts = [t.start for t in tokens]
    out = []
    for s, e in spans:
        lo, hi = bisect_left(starts, s), bisect_left(starts, e)
        if hi > lo:
            out.append(Paragraph(tokens[lo].start, tokens[hi - 1].end, lo, hi))
    return out


def normalize(text: str | None) -> str:
    """Tokens of a short field (title, byline) joined by spaces: what comparisons see."""
    return " ".join(t.key for t in tokenize(text or ""))


def fingerprint_text(text: str | None) -> str:
    """Token keys, paragraph by paragraph: equal for texts that differ only in spacing or volatile labels."""
    text = text or ""
    toks = tokenize(text)
    return "\n".join(" ".join(p.keys(toks)) for p in paragraphs(text, toks))


def fingerprint(fields: dict) -> str:
    """sha256 of what a check compares: title, byline, dates and text, normalized."""
    payload = [normalize(fields.get("title")), normalize(fields.get("byline")),
               normalize_date(fields.get("published")), normalize_date(fields.get("modified")),
               fingerprint_text(fields.get("text"))]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()


def normalize_date(value: str | None) -> str:
    """ISO 8601 instants compare as instants: 08:10:00Z equals 08:10:00+00:00."""
    from datetime import datetime, timezone

    if not value:
        return ""
    raw = value.strip()
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return normalize(raw)
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt.isoformat()


@dataclass
class TextDiff:
    """The edits turning `old` into `new`.

    ops: non-equal stretches, each {"op": insert|delete|replace, "level":
    paragraph|word, "a": [start, end] in old, "b": [start, end] in new, "pa":
    old paragraph index, "pb": new paragraph index}; the side an insertion or
    deletion lacks is an empty range where it would be.
    """

    old: str
    new: str
    ops: list[dict] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    a_tokens: list[Token] = field(default_factory=list, repr=False)
    b_tokens: list[Token] = field(default_factory=list, repr=False)
    a2b: dict[int, int] = field(default_factory=dict, repr=False)   # matched tokens, old index → new index

    def as_dict(self) -> dict:
        return {"ops": self.ops, "stats": self.stats}

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @property
    def changed(self) -> bool:
        return bool(self.ops)

    def blocks(self) -> list[tuple[int | None, int | None]]:
        """Changed paragraphs as (old index, new index) pairs, None on the side that lacks one."""
        seen: dict[tuple, None] = {}
        for op in self.ops:
            seen[(op["pa"], op["pb"])] = None
        return list(seen)

    def tokens_in(self, side: str, start: int, end: int) -> list[int]:
        toks = self.a_tokens if side == "a" else self.b_tokens
        starts = [t.start for t in toks]
        i = bisect_left(starts, start)
        out = []
        while i < len(toks) and toks[i].end <= end:
            out.append(i)
            i += 1
        return out

    def map_span(self, start: int, end: int) -> tuple[tuple[int, int] | None, bool]:
        """Where old[start:end] is in new: (new span or None, intact).

        intact: every token of the span is matched, in order and adjacent, so the
        passage is unchanged. Otherwise the span is the stretch of new text
        between the nearest matched tokens at either end (None when neither
        end is matched), for fuzzy comparison.
        """
        idx = self.tokens_in("a", start, end)
        if not idx:
            return None, False
        mapped = [self.a2b.get(i) for i in idx]
        if None not in mapped and all(mapped[k + 1] == mapped[k] + 1 for k in range(len(mapped) - 1)):
            return (self.b_tokens[mapped[0]].start, self.b_tokens[mapped[-1]].end), True
        lo = mapped[0] if mapped[0] is not None else self._bound(idx[0], -1)
        hi = mapped[-1] if mapped[-1] is not None else self._bound(idx[-1], +1)
        if hi < lo:
            return None, False  # removed outright: its neighbours now touch
        return (self.b_tokens[lo].start, self.b_tokens[hi].end), False

    def _bound(self, i: int, step: int) -> int:
        """For an unmatched old token: the new token just inside its nearest matched neighbour
        (or the text's first/last token when there is none on that side)."""
        j = i + step
        while 0 <= j < len(self.a_tokens):
            if j in self.a2b:
                return self.a2b[j] - step
            j += step
        return 0 if step < 0 else len(self.b_tokens) - 1


def diff_texts(old: str | None, new: str | None) -> TextDiff:
    old, new = old or "", new or ""
    at, bt = tokenize(old), tokenize(new)
    ap, bp = paragraphs(old, at), paragraphs(new, bt)
    d = TextDiff(old, new, a_tokens=at, b_tokens=bt)
    ak, bk = [p.keys(at) for p in ap], [p.keys(bt) for p in bp]
    sm = SequenceMatcher(None, ak, bk, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                _match_tokens(d, ap[i1 + k], bp[j1 + k])
            continue
        pairs = _pair(ak[i1:i2], bk[j1:j2])
        ia, jb = i1, j1
        for pi, pj in pairs + [(i2 - i1, j2 - j1)]:
            pi, pj = pi + i1, pj + j1
            for i in range(ia, pi):
                d.ops.append(_para_op("delete", ap[i], i, _anchor(bp, jb, len(new))))
            for j in range(jb, pj):
                d.ops.append(_para_op("insert", bp[j], j, _anchor(ap, pi, len(old))))
            if pi < i2 and pj < j2:
                _word_diff(d, ap[pi], bp[pj], pi, pj)
            ia, jb = pi + 1, pj + 1
    d.ops.sort(key=lambda o: (o["a"][0], o["b"][0], o["a"][1], o["b"][1]))
    d.stats = _stats(d, len(ap), len(bp))
    return d


def _match_tokens(d: TextDiff, pa: Paragraph, pb: Paragraph) -> None:
    for k in range(pa.hi - pa.lo):
        d.a2b[pa.lo + k] = pb.lo + k


def _anchor(paras: list[Paragraph], index: int, length: int) -> list[int]:
    pos = paras[index].start if index < len(paras) else length
    return [pos, pos]


def _para_op(kind: str, para: Paragraph, index: int, anchor: list[int]) -> dict:
    span = [para.start, para.end]
    if kind == "delete":
        return {"op": "delete", "level": "paragraph", "a": span, "b": anchor, "pa": index, "pb": None}
    return {"op": "insert", "level": "paragraph", "a": anchor, "b": span, "pa": None, "pb": index}


def _similarity(a: tuple, b: tuple) -> float:
    sm = SequenceMatcher(None, a, b, autojunk=False)
    if sm.real_quick_ratio() < MIN_PAIR_SIMILARITY or sm.quick_ratio() < MIN_PAIR_SIMILARITY:
        return 0.0
    return sm.ratio()


def _pair(a: list[tuple], b: list[tuple]) -> list[tuple[int, int]]:
    """Order-keeping pairing of changed paragraphs that maximizes total similarity (pairs only above the floor)."""
    m, n = len(a), len(b)
    if not m or not n:
        return []
    if m * n > 40_000:  # an enormous rewrite: pair by position, what similarity would mostly do anyway
        return [(k, k) for k in range(min(m, n)) if _similarity(a[k], b[k]) >= MIN_PAIR_SIMILARITY]
    sim = [[_similarity(a[i], b[j]) for j in range(n)] for i in range(m)]
    best = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(m - 1, -1, -1):
        for j in range(n - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= MIN_PAIR_SIMILARITY else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < m and j < n:
        if sim[i][j] >= MIN_PAIR_SIMILARITY and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _word_diff(d: TextDiff, pa: Paragraph, pb: Paragraph, ia: int, jb: int) -> None:
    at, bt = d.a_tokens, d.b_tokens
    sm = SequenceMatcher(None, pa.keys(at), pb.keys(bt), autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                d.a2b[pa.lo + i1 + k] = pb.lo + j1 + k
            continue
        a_span = _token_span(at, pa, i1, i2)
        b_span = _token_span(bt, pb, j1, j2)
        d.ops.append({"op": tag, "level": "word", "a": a_span, "b": b_span, "pa": ia, "pb": jb})


def _token_span(tokens: list[Token], para: Paragraph, i1: int, i2: int) -> list[int]:
    if i2 > i1:
        return [tokens[para.lo + i1].start, tokens[para.lo + i2 - 1].end]
    pos = tokens[para.lo + i1].start if para.lo + i1 < para.hi else para.end
    return [pos, pos]


def _stats(d: TextDiff, n_old: int, n_new: int) -> dict:
    def words(side: str, span: list[int]) -> int:
        toks = d.a_tokens if side == "a" else d.b_tokens
        return sum(1 for i in d.tokens_in(side, *span) if toks[i].word)

    changed_pairs = {(o["pa"], o["pb"]) for o in d.ops if o["level"] == "word"}
    return {
        "words_added": sum(words("b", o["b"]) for o in d.ops),
        "words_removed": sum(words("a", o["a"]) for o in d.ops),
        "paragraphs_added": sum(1 for o in d.ops if o["level"] == "paragraph" and o["op"] == "insert"),
        "paragraphs_removed": sum(1 for o in d.ops if o["level"] == "paragraph" and o["op"] == "delete"),
        "paragraphs_changed": len(changed_pairs),
        "paragraphs_old": n_old,
        "paragraphs_new": n_new,
    }
