"""The three public extraction sets, loaded into one shape, each scored by its own truth.

- article-extraction (Zyte): 181 news pages, gold article bodies, shingle F1;
- dragnet: 300 older news and blog pages, hand-copied bodies (usually with the
  headline), shingle F1;
- trafilatura-eval: 400 varied, mostly German pages, snippets that must or must
  not be in the text, trafilatura's micro-averaged F1 (its own tuning corpus).

Each page: id, set, url (as published), raw (bytes to serve), ctype (the
Content-Type header its server would have sent), html (decoded, for the
baselines), truth (a body string, or {"with": [...], "without": [...]}).
The data stays in ../shared/benchmarks; nothing is copied.
"""

from __future__ import annotations

import codecs
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "benchmarks"

SETS = {
    "article-extraction": {"dir": "article-extraction", "kind": "body", "short": "ae"},
    "dragnet": {"dir": "dragnet", "kind": "body", "short": "dn"},
    "trafilatura-eval": {"dir": "trafilatura-eval", "kind": "snippets", "short": "te"},
}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.I)


def _body_set(name: str, data: Path, ids_wanted) -> list[dict]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for i in ids_wanted(sorted(truth)):
        with gzip.open(data / "html" / f"{i}.html.gz", "rt", encoding="utf-8") as f:
            html = f.read()
        # Saved as UTF-8 (some lack or misstate a <meta charset>); their servers said so in a header.
        pages.append({"id": i, "set": name, "url": truth[i]["url"], "truth": truth[i]["articleBody"],
                      "html": html, "raw": html.encode("utf-8"), "ctype": "text/html; charset=utf-8"})
    return pages


def decode_page(raw: bytes) -> str:
    """As the set's score.py decodes for readability: BOM, else UTF-8 if valid, else <meta>, else cp1252."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(enc, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(raw[:4096])
    if m:
        try:
            return raw.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return raw.decode("cp1252", errors="replace")


def served_ctype(raw: bytes) -> str:
    """The header that lets a browser read the stored bytes as their author meant (set README):
    a BOM or a <meta charset> speaks for itself; bare UTF-8 needs the header to say so."""
    if raw.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _META_CHARSET.search(raw[:4096]):
        return "text/html"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "text/html"
    return "text/html; charset=utf-8"


def _snippet_set(name: str, data: Path, ids_wanted) -> list[dict]:
    truth = json.loads((data / "snippets.json").read_text(encoding="utf-8"))
    pages = []
    for i in ids_wanted(sorted(truth)):
        with gzip.open(data / "html" / f"{i}.html.gz", "rb") as f:
            raw = f.read()
        item = truth[i]
        pages.append({"id": i, "set": name, "url": item.get("url") or "", "lang": item.get("lang"),
                      "truth": {"with": item["with"], "without": item["without"]},
                      "html": decode_page(raw), "raw": raw, "ctype": served_ctype(raw)})
    return pages


def load_set(name: str, limit: int | None = None, only: list[str] | None = None) -> list[dict]:
    spec = SETS[name]
    data = SHARED / spec["dir"]
    if not data.exists():
        print(f"note: {data} not found; set {name} skipped", file=sys.stderr)
        return []

    def ids_wanted(ids):
        if only:
            ids = [i for i in ids if any(i.startswith(o) for o in only)]
        return ids[:limit] if limit else ids

    loader = _snippet_set if spec["kind"] == "snippets" else _body_set
    return loader(name, data, ids_wanted)


# ---------------------------------------------------------------- snippet metric

_WS = re.compile(r"\s+")


def _snorm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def snippet_counts(item: dict, text: str | None) -> tuple[int, int, int, int, list, list]:
    """(tp, fp, fn, tn, missed, leaked) as trafilatura's eval_common.count_item."""
    if text:
        s = _snorm(text)
        missed = [w for w in item["with"] if _snorm(w) not in s]
        leaked = [w for w in item["without"] if _snorm(w) in s]
    else:
        missed, leaked = list(item["with"]), []
    tp = len(item["with"]) - len(missed)
    return tp, len(leaked), len(missed), len(item["without"]) - len(leaked), missed, leaked


def snippet_summary(pairs) -> dict:
    """Counts summed over pages, then P, R, F1 = 2TP/(2TP+FP+FN), accuracy."""
    tp = fp = fn = tn = 0
    for item, text in pairs:
        a, b, c, d, _, _ = snippet_counts(item, text)
        tp, fp, fn, tn = tp + a, fp + b, fn + c, tn + d
    total = tp + fp + fn + tn
    return {"precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0,
            "f1": 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0,
            "accuracy": (tp + tn) / total if total else 0.0, "pages": len(pairs)}


def snippet_page_score(item: dict, text: str | None) -> tuple[float, float, float]:
    """(precision, recall, F1) of one page, for ranking the worst pages."""
    tp, fp, fn, _, _, _ = snippet_counts(item, text)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 1.0)
