#!/usr/bin/env python3
"""What a watch check costs beyond the capture, and what a whole-page pixel diff would have flagged instead.

Serves the watch fixture (tests/site/watch, see tests/watch_routes.py) on
loopback; per repeat, in a fresh archive: captures v1, then checks v2 (a
change) and v3 (the same). Prints wall seconds of the capture and of each
check (browser start-up excluded: one browser per run, as `pagekeep watch`
uses), then, on the stored captures, the CPU milliseconds of each step a check
adds (comparison, diff, block crops, notes), and how much of the page a
whole-page pixel diff of the two screenshots marks as changed against the
changed blocks pagekeep crops.

    .venv/bin/python benchmarks/watch.py --repeat 5
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from PIL import Image, ImageChops  # noqa: E402

from annotations.carry import place  # noqa: E402
from annotations.highlights import load_boxes  # noqa: E402
from capture import store, watch, watch_store  # noqa: E402
from capture.compare import judge  # noqa: E402
from capture.localsite import Site  # noqa: E402
from capture.runner import capture_urls  # noqa: E402
from capture.visual_diff import changed_blocks  # noqa: E402
from watch_routes import PATH, SITE, StoryServer  # noqa: E402


def cpu_ms(fn, rounds=20):
    start = time.process_time()
    for _ in range(rounds):
        fn()
    return (time.process_time() - start) * 1000 / rounds


def one_run(url: str, server: StoryServer, folder: Path) -> dict:
    db_path = str(folder / "watch.db")
    server.version = "v1"
    (first,) = capture_urls([url], db_path)
    out = {"capture": first.seconds}
    for version, key in (("v2", "changed"), ("v3", "same")):
        server.version = version
        (result,) = watch.check(db_path, [url])
        assert result.outcome == key, (version, result.line())
        out[key] = result.seconds
    return out


def step_costs(db_path: str) -> dict:
    db = store.connect(db_path)
    arts = {r["id"]: dict(r) for r in db.query("select * from articles order by id")}
    old, new = arts[1], arts[2]
    side = {i: {"page": watch_store.page_shot(db, i), "boxes": load_boxes(db, i), "html": store.rendered_html(db, i)}
            for i in (1, 2)}
    shot = {i: side[i]["page"] for i in (1, 2)}
    verdict = judge(old, new)
    note = {"quote": old["text"].split("\n\n")[3][:60]}
    costs = {
        "judge, nothing changed": cpu_ms(lambda: judge(new, new)),
        "judge and diff, a change": cpu_ms(lambda: judge(old, new)),
        "crop the changed blocks": cpu_ms(lambda: changed_blocks(verdict.text, side[1], side[2]), 5),
        "place one note": cpu_ms(lambda: place(verdict.text, note)),
    }
    blocks = changed_blocks(verdict.text, side[1], side[2])
    a, b = (Image.open(io.BytesIO(shot[i])).convert("L") for i in (1, 2))
    height = min(a.height, b.height)
    diff = ImageChops.difference(a.crop((0, 0, a.width, height)), b.crop((0, 0, b.width, height)))
    rows = sum(1 for y in range(height) if diff.crop((0, y, diff.width, y + 1)).getbbox())
    block_rows = sum(blk.new_box[3] for blk in blocks if blk.new_box)
    db.close()
    return {"costs": costs, "pixel_rows": (rows, height), "block_rows": block_rows, "blocks": len(blocks)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    server = StoryServer()
    site = Site(SITE, routes={PATH: server}).start()
    runs, steps = [], None
    try:
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(one_run(site.url(PATH), server, Path(tmp)))
                steps = step_costs(str(Path(tmp) / "watch.db"))
                print(f"run {len(runs)}: " + ", ".join(f"{k} {v:.2f}s" for k, v in runs[-1].items()), flush=True)
    finally:
        site.stop()
    print("\n| step | seconds, median (min–max) |\n|---|---|")
    for key, label in (("capture", "capture v1 (`pagekeep capture`)"), ("changed", "check v2: changed, stored with diff, crops, notes"),
                       ("same", "check v3: same, nothing stored")):
        values = [r[key] for r in runs]
        print(f"| {label} | {statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f}) |")
    print("\n| what a check adds | CPU ms |\n|---|---|")
    for label, ms in steps["costs"].items():
        print(f"| {label} | {ms:.1f} |")
    rows, height = steps["pixel_rows"]
    print(f"\nwhole-page pixel diff of v1 and v2: {rows} of {height} screenshot rows differ ({rows / height:.0%}); "
          f"pagekeep's {steps['blocks']} changed blocks: {steps['block_rows']} rows ({steps['block_rows'] / height:.0%})")


if __name__ == "__main__":
    main()
