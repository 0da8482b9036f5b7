#!/usr/bin/env python3
"""The seed replica, captured one at a time: what is stored, and how long one capture takes.

Serves tests/site on loopback and captures news/seed.html (and the "Continue
reading" variant) `--repeat` times each, one after another, with the CLI
defaults. Prints the extraction figures against tests/site_expectations.json,
the banner and modal pixels left in the page screenshot, and the median, min
and max seconds per capture (wall time of the whole capture, browser start-up
excluded) beside the stage timings pagekeep records.

    .venv/bin/python benchmarks/seed.py --repeat 7
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from capture import store  # noqa: E402
from capture.localsite import Site  # noqa: E402
from capture.runner import BatchOptions, capture_urls  # noqa: E402
from pixels import count_near  # noqa: E402
from textmetrics import norm, token_f1  # noqa: E402

PAGES = ["news/seed.html", "news/seed-continue.html"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args()
    expected = json.loads((ROOT / "tests" / "site_expectations.json").read_text("utf-8"))
    site = Site(ROOT / "tests" / "site").start()
    db_path = Path(tempfile.mkdtemp(prefix="pagekeep-seed-")) / "seed.db"
    try:
        urls = [site.url(f"{p}?run={i}") for p in PAGES for i in range(a.repeat)]
        outcomes = capture_urls(urls, str(db_path), batch=BatchOptions(concurrency=1))
    finally:
        site.stop()
    db = store.connect(db_path)
    print(f"{a.repeat} captures of each page, one at a time, on loopback\n")
    print("| page | title exact | byline | published | body F1 (P / R) | boilerplate leaked | late ¶ | hidden ¶ | banner px | modal px | s/capture median (min–max) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for page in PAGES:
        exp = expected[page]
        rows = list(db.query("select * from articles where url like ? order by id", [f"%/{page}?run=%"]))
        secs = [o.seconds for o in outcomes if o.ok and f"/{page}?" in o.url]
        body = "\n\n".join(exp["paragraphs"])
        f1s = [token_f1(r["text"], body) for r in rows]
        leaks = max(sum(1 for b in exp["boilerplate"] if norm(b) in norm(r["text"])) for r in rows)
        late = min(sum(1 for i in exp["late"] if norm(exp["paragraphs"][i]) in norm(r["text"])) for r in rows)
        hidden = min(sum(1 for i in exp["hidden_until_click"] if norm(exp["paragraphs"][i]) in norm(r["text"])) for r in rows)
        shots = [next(db.query("select image from screenshots where article_id = ? and kind = 'page'", [r["id"]]))["image"] for r in rows]
        banner = max(count_near(s, "#ff00aa") for s in shots)
        modal = max(count_near(s, "#00c853") for s in shots)
        p, r_, f = (statistics.mean(x[i] for x in f1s) for i in range(3))
        print(f"| {page} | {sum(r['title'] == exp['title'] for r in rows)}/{len(rows)} "
              f"| {sum(r['byline'] == exp['byline'] for r in rows)}/{len(rows)} "
              f"| {sum((r['published'] or '').startswith(exp['published']) for r in rows)}/{len(rows)} "
              f"| {f:.3f} ({p:.3f} / {r_:.3f}) | {leaks} | {late}/{len(exp['late'])} | {hidden}/{len(exp['hidden_until_click'])} "
              f"| {banner} | {modal} | {statistics.median(secs):.2f} ({min(secs):.2f}–{max(secs):.2f}) |")
    stages = {}
    for r in db.query("select timings from articles"):
        for k, v in json.loads(r["timings"]).items():
            if isinstance(v, (int, float)):  # not the CPU profile (PAGEKEEP_CPU_TIMINGS)
                stages.setdefault(k, []).append(v)
    print("\nmedian seconds per stage: " + ", ".join(f"{k} {statistics.median(v):.2f}" for k, v in stages.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
