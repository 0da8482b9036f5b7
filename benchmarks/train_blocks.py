#!/usr/bin/env python3
"""Fit a block model (benchmarks/block_model.py) on one public set, check it on the others.

Block features come from pages rendered by an earlier full run of
benchmarks/extraction.py (`--keep-db`), so this needs no browser:

    .venv/bin/python benchmarks/extraction.py --keep-db /tmp/pk-bench.db      # once, all sets
    .venv/bin/python benchmarks/train_blocks.py --db /tmp/pk-bench.db          # cross-set table
    .venv/bin/python benchmarks/train_blocks.py --db /tmp/pk-bench.db --trees  # gradient-boosted trees instead

A block's label is whether most of its word 4-grams are in the page's gold body
(article-extraction, dragnet); trafilatura-eval, which has only snippets, is
never trained on. Each page weighs the same, its blocks by their length, as
the sets' metric weighs them. The table compares, on every set the model did
not see, the text of the blocks the rules keep with the text of the blocks the
model keeps (before the finishing steps both share).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from extraction import load_offline, score  # noqa: E402
from extraction_sets import SETS, load_set  # noqa: E402

BODY_SETS = [n for n, s in SETS.items() if s["kind"] == "body"]


def page_rows(p: dict) -> dict | None:
    """Features, texts and the rules' decisions for one stored page."""
    from capture.extract import _candidates, visible_tree
    from capture.extract_blocks import blocks_of
    from block_model import FEATURES, features
    from capture.extract_select import Coverage, analyse, tokens
    from capture.metadata import extract_metadata

    doc = visible_tree(p["rendered"])
    result, outputs = _candidates(doc, p["final_url"])
    title = extract_metadata(doc, p["final_url"], result).get("title")
    body = doc.find("body")
    a = analyse(blocks_of(body if body is not None else doc), outputs, title)
    if a is None:
        return None
    rows = features(a)
    gold = Coverage(p["truth"]) if isinstance(p["truth"], str) else None
    labels = [gold.of(t) >= 0.5 for t in a.toks] if gold else None
    rk = FEATURES.index("rule_keep")
    return {"rows": rows, "labels": labels, "ntok": [len(t) for t in a.toks], "texts": [b.text for b in a.blocks],
            "rules": [bool(r[rk]) for r in rows]}


def load_features(names: list[str], db: str, cache: Path | None) -> dict:
    out = {}
    for name in names:
        path = cache / f"{name}.pkl" if cache else None
        if path and path.exists():
            out[name] = pickle.loads(path.read_bytes())
            continue
        pages = load_set(name)
        load_offline(pages, db)
        done = []
        for n, p in enumerate(pages, 1):
            if p.get("rendered"):
                p["blocks"] = page_rows(p)
            done.append({k: p.get(k) for k in ("id", "set", "truth", "blocks")})
            print(f"  {name}: {n}/{len(pages)}", end="\r", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        out[name] = done
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pickle.dumps(done))
    return out


def training_arrays(pages: list[dict]):
    import numpy as np

    X, y, w = [], [], []
    for p in pages:
        b = p.get("blocks")
        if not b or b["labels"] is None:
            continue
        total = sum(b["ntok"]) or 1
        for row, label, n in zip(b["rows"], b["labels"], b["ntok"]):
            X.append(row)
            y.append(int(label))
            w.append(n / total)
    return np.array(X), np.array(y), np.array(w)


def fit(pages: list[dict], c: float):
    """Logistic regression on standardised features, folded back into raw-feature weights."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from block_model import BlockModel

    X, y, w = training_arrays(pages)
    mu, sd = X.mean(axis=0), X.std(axis=0)
    sd[sd == 0] = 1.0
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit((X - mu) / sd, y, sample_weight=w * len(w) / w.sum())
    coef = lr.coef_[0] / sd
    bias = float(lr.intercept_[0] - (lr.coef_[0] * mu / sd).sum())
    return BlockModel([float(x) for x in coef], bias, 0.5, info={"blocks": int(len(y))})


def fit_trees(pages: list[dict]):
    """Gradient-boosted trees: can the features say more when combined non-linearly?"""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y, w = training_arrays(pages)
    trees = HistGradientBoostingClassifier(max_depth=3, max_iter=150, learning_rate=0.08)
    trees.fit(X, y, sample_weight=w * len(w) / w.sum())
    return lambda rows: trees.predict_proba(np.array(rows))[:, 1]


def texts(pages: list[dict], decide) -> list[tuple]:
    out = []
    for p in pages:
        b = p.get("blocks")
        kept = [t for i, t in enumerate(b["texts"]) if decide(b, i)] if b else []
        out.append((p, "\n\n".join(kept)))
    return out


def evaluate(pages: list[dict], decide) -> dict:
    pairs = texts(pages, decide)
    for p, text in pairs:
        p["_text"] = text
    return score(pages, "_text")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="archive written by benchmarks/extraction.py --keep-db")
    ap.add_argument("--cache", type=Path, help="folder to keep computed features in between runs")
    ap.add_argument("--train", choices=BODY_SETS, action="append", help="fit on this set (default: each in turn)")
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    ap.add_argument("--trees", action="store_true", help="gradient-boosted trees instead of a logistic regression")
    args = ap.parse_args(argv)
    try:
        import sklearn  # noqa: F401  (an experiment's tool, not a dependency of pagekeep)
    except ImportError:
        print("train_blocks.py needs scikit-learn: .venv/bin/pip install scikit-learn", file=sys.stderr)
        return 2

    data = load_features(list(SETS), args.db, args.cache)
    trainings = [args.train] if args.train else [[n] for n in BODY_SETS]
    print(f"{'fitted on':<28} {'checked on':<20} {'rules F1':>9} {'model F1':>9} {'change':>8}")
    for train in trainings:
        fitted = [p for n in train for p in data[n]]
        if args.trees:
            predict = fit_trees(fitted)
        else:
            model = fit(fitted, args.c)
            predict = lambda rows, m=model: [m.probability(r) for r in rows]  # noqa: E731
        for name, pages in data.items():
            if name in train:
                continue
            probs = {id(p["blocks"]): predict(p["blocks"]["rows"]) for p in pages if p.get("blocks")}
            rules = evaluate(pages, lambda b, i: b["rules"][i])
            learned = evaluate(pages, lambda b, i: probs[id(b)][i] >= 0.5)
            print(f"{'+'.join(train):<28} {name:<20} {rules['f1']:9.3f} {learned['f1']:9.3f} {learned['f1'] - rules['f1']:+8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
