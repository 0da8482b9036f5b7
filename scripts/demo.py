"""The README's first command: capture the bundled example pages, then browse them.

The example pages are the fixture site under tests/site (a cluttered news page
with a consent bar, a sign-in modal and late content; a blog post; pages in
German and Japanese; consent-manager look-alikes …). They are served on
loopback by this script, so no internet is needed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from capture.localsite import Site  # noqa: E402

EXAMPLES = [
    "news/seed.html",
    "news/seed-continue.html",
    "blog/plain-post.html",
    "nojsonld/story.html",
    "multipage/part1.html",
    "intl/de-artikel.html",
    "intl/ja-kiji.html",
    "intl/ru-statya.html",
    "consent/onetrust.html",
    "consent/didomi.html",
    "consent/wall.html",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=str(ROOT / "demo" / "pagekeep.db"), help="archive to (re)build")
    ap.add_argument("--port", type=int, default=8001, help="Datasette port")
    ap.add_argument("--no-serve", action="store_true", help="capture only; do not start Datasette")
    args = ap.parse_args()

    pagekeep = str(Path(sys.executable).with_name("pagekeep"))
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)

    site = Site(ROOT / "tests" / "site").start()
    try:
        urls = [site.url(p) for p in EXAMPLES if (ROOT / "tests" / "site" / p).exists()]
        print(f"demo: serving {len(urls)} example pages at {site.base} (loopback only)")
        print(f"demo: pagekeep capture --from - --db {db}")
        rc = subprocess.run([pagekeep, "capture", "--from", "-", "--db", str(db)], input="\n".join(urls), text=True).returncode
    finally:
        site.stop()
    summarise(db)
    if rc not in (0, 1):
        return rc
    if args.no_serve:
        return rc
    print()
    return subprocess.run([pagekeep, "serve", "--db", str(db), "--port", str(args.port)]).returncode


def summarise(db: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    conn = sqlite3.connect(db)
    table = Table(title=f"Captured into {db}")
    for col, width in (("id", 4), ("site", 22), ("lang", 4), ("published", 10), ("words", 5), ("consent", 20), ("title", 60)):
        fixed = col in ("id", "lang", "published", "words")
        table.add_column(col, no_wrap=True, overflow="ellipsis", min_width=width if fixed else None, max_width=width)
    for row in conn.execute(
        "select id, site_name, lang, substr(published, 1, 10), word_count, "
        "coalesce(consent_cmp || ': ' || consent_action, '-'), title from articles order by id"
    ):
        table.add_row(*["" if v is None else str(v) for v in row])
    shots = conn.execute("select count(*), sum(bytes) from screenshots").fetchone()
    Console(width=max(132, Console().width)).print(table)
    print(f"{shots[0]} screenshots ({(shots[1] or 0) / 1e6:.1f} MB); attempts: "
          + ", ".join(f"{n} {'ok' if ok else 'failed'}" for ok, n in conn.execute("select ok, count(*) from attempts group by ok")))
    conn.close()


if __name__ == "__main__":
    sys.exit(main())
