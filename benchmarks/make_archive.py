"""Build a large, realistic pagekeep archive for benchmarks (default 10,000 articles).

The archive has pagekeep's own schema (capture.store) and the rows a capture
stores: full text (300-2,000 words drawn from a Zipf-like vocabulary, so
searches hit many, some or few articles), HTML, JPEG screenshots, the gzipped
rendered page and an attempt per article. About 8% are re-captures of an
earlier URL (capture history), 5% of URLs also have a failed attempt, a third
of the articles are tagged and some have notes.

It is built the way bulk loads should be, not one capture transaction at a
time: rows go in with executemany in large transactions with the triggers
(full-text index, kept facet counts) switched off and no journal, then the
full-text index and the kept counts are built once at the end and the
archive is switched to WAL like any other. A million articles take minutes.

    .venv/bin/python benchmarks/make_archive.py --db /tmp/bench/pagekeep.db
    .venv/bin/python benchmarks/make_archive.py --db /work/bench/1m.db --articles 1000000 --shots thumbs
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import gzip
import io
import itertools
import multiprocessing
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from annotations import schema  # noqa: E402
from capture import facet_counts, store, watch_store  # noqa: E402

COMMON = (
    "the of and to in a is that for on with as was by at it from said be has have an are this which "
    "will not but were been their more after its who also had one new people two over than year first "
    "city council government police minister court state president election party vote budget plan "
    "school health hospital water energy prices climate storm flood river bridge harbour port rail "
    "strike union workers wages housing rent market trade tax report data research university students "
    "farmers drought wildfire heatwave museum festival league match coach transfer vaccine border "
    "airport ferry coast mayor officials talks summit military defence china europe america africa"
).split()
SYLLABLES = "ka lo mi ne ra ti su ve do pa ri no ta le mo si ku be fa gi ha ju ze xo wy".split()
SITES_LANG = [("en", 0.70), ("de", 0.10), ("fr", 0.08), ("es", 0.07), ("it", 0.03), ("ja", 0.02)]
TAGS = ("climate politics elections transport health housing economy courts education energy europe "
        "local-government police sport culture science technology agriculture weather migration labour "
        "defence trade water infrastructure follow-up fact-check sources-needed interview explainer opinion "
        "investigation obituary profile data-story correction archive-priority legal-hold todo").split()
SENTENCE_POOL = 150_000  # articles are drawn from these: fast to build, same word statistics
BATCH = 2_000  # articles per transaction
COLUMNS = list(store.ARTICLE_COLUMNS)
START = datetime(2024, 6, 1, tzinfo=timezone.utc)
SPAN_S = timedelta(days=365).total_seconds()


def vocabulary(rng: random.Random, size: int = 6000) -> tuple[list[str], list[float]]:
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    weights = [1.0 / (rank + 2) ** 1.07 for rank in range(len(words))]  # Zipf-like
    return words, list(itertools.accumulate(weights))


def jpeg(width: int, height: int, hue: int, quality: int) -> bytes:
    img = Image.new("RGB", (width, height), (250, 250, 246))
    d = ImageDraw.Draw(img)
    colour = ((hue * 53) % 200 + 30, (hue * 97) % 160 + 40, (hue * 31) % 180 + 50)
    d.rectangle([0, 0, width, height // 14], fill=colour)
    d.rectangle([width // 12, height // 9, width * 5 // 6, height // 9 + height // 28], fill=(30, 30, 30))
    d.rectangle([width // 12, height // 5, width * 11 // 12, height // 5 + height // 5], fill=colour)
    y, line = height * 2 // 5 + 10, max(3, height // 120)
    rng = random.Random(hue)
    while y < height - 3 * line:
        d.rectangle([width // 12, y, width // 12 + rng.randint(width // 2, width * 5 // 6), y + line], fill=(140, 140, 140))
        y += line * 3
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


SHOT_SIZES = {
    # kind: (width, height, quality) per --shots setting
    "full": {"page": (1280, 4000, 70), "article": (800, 2000, 75), "thumb": (320, 200, 75)},
    "small": {"page": (960, 2000, 55), "article": (640, 900, 60), "thumb": (320, 200, 70)},
    "thumbs": {"thumb": (320, 200, 70)},
    "none": {},
}


def shot_pool(kind_sizes: dict, variants: int = 24) -> dict[str, list[tuple]]:
    """(kind, mime, width, height, bytes, image) per kind, a few variants each."""
    pool = {}
    for kind, (w, h, q) in kind_sizes.items():
        images = [jpeg(w, h, v, q) for v in range(variants)]
        pool[kind] = [(kind, "image/jpeg", w, h, len(img), img) for img in images]
    return pool


class Generator:
    """Deterministic articles: article i depends only on (seed, i)."""

    def __init__(self, seed: int, n: int):
        self.seed, self.n = seed, n
        rng = random.Random(seed)
        self.words, self.cum = vocabulary(rng)
        self.sites = [f"{rng.choice(['The', 'Daily', 'Evening', 'Weekly', ''])} "
                      f"{''.join(rng.choice(SYLLABLES) for _ in range(3)).title()} "
                      f"{rng.choice(['Herald', 'Times', 'Post', 'Gazette', 'Courier', 'Review', 'News', 'Observer'])}".strip()
                      for _ in range(60)]
        self.site_hosts = [s.lower().replace(" ", "") for s in self.sites]
        self.site_cum = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(self.sites))))
        self.bylines = [f"{''.join(rng.choice(SYLLABLES) for _ in range(2)).title()} "
                        f"{''.join(rng.choice(SYLLABLES) for _ in range(3)).title()}" for _ in range(400)]
        self.langs = [lang for lang, _ in SITES_LANG]
        self.lang_cum = list(itertools.accumulate(w for _, w in SITES_LANG))
        self.pool = [self.sentence(rng, rng.randint(8, 28)) for _ in range(SENTENCE_POOL)]
        self.pool_words = [s.count(" ") + 1 for s in self.pool]

    def sentence(self, rng: random.Random, n: int) -> str:
        return " ".join(rng.choices(self.words, cum_weights=self.cum, k=n)).capitalize() + "."

    def _rng(self, i: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + i)

    def _unit(self, i: int, salt: int) -> float:
        """A cheap deterministic pseudo-random number in [0, 1) for (i, salt)."""
        x = (i * 0x9E3779B97F4A7C15 + (self.seed * 4 + salt) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        x = ((x ^ (x >> 31)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return ((x ^ (x >> 29)) & 0xFFFFFFFFFFFF) / float(1 << 48)

    def moment(self, i: int) -> datetime:
        """Capture times spread over a year, in id order (ids grow with captures)."""
        return START + timedelta(seconds=SPAN_S * (i + self._unit(i, 1)) / self.n)

    def origin(self, i: int) -> int:
        """The article whose URL article i captures again (itself unless a re-capture)."""
        while i > 0 and self._unit(i, 2) < 0.08:
            i = int(self._unit(i, 3) * i)
        return i

    def identity(self, i: int) -> tuple[int, str]:
        """(site index, URL) of an original capture."""
        site = min(bisect.bisect(self.site_cum, self._unit(i, 4) * self.site_cum[-1]), len(self.sites) - 1)
        slug = "-".join(self.words[int(self._unit(i, 10 + k) * 400)] for k in range(5))
        return site, f"https://{self.site_hosts[site]}.example/{self.moment(i):%Y/%m}/{slug}-{i}"

    def article(self, i: int) -> dict:
        rng = self._rng(i)
        site_index, url = self.identity(self.origin(i))
        site = self.sites[site_index]
        target_words = int(min(2000, max(300, rng.lognormvariate(6.6, 0.45))))
        paras, count = [], 0
        pool, pool_words, random_ = self.pool, self.pool_words, rng.random
        while count < target_words:
            picks = [int(random_() * SENTENCE_POOL) for _ in range(2 + int(random_() * 4))]
            paras.append(" ".join([pool[p] for p in picks]))
            count += sum([pool_words[p] for p in picks])
        html_parts = []
        for j, p in enumerate(paras):
            if j and j % 5 == 0:
                html_parts.append(f"<h2>{self.pool[rng.randrange(SENTENCE_POOL)][:40]}</h2>")
            html_parts.append(f"<blockquote><p>{p}</p></blockquote>" if j % 7 == 3 else f"<p>{p}</p>")
        text = "\n\n".join(paras)
        captured = self.moment(i)
        published = captured - timedelta(hours=rng.randint(1, 24 * 30))
        return {
            "id": i + 1, "url": url, "final_url": url, "canonical_url": url,
            "title": self.sentence(rng, rng.randint(6, 12))[:-1],
            "byline": rng.choice(self.bylines), "published": published.isoformat(timespec="seconds"),
            "modified": None, "site_name": site,
            "lang": self.langs[bisect.bisect(self.lang_cum, rng.random() * self.lang_cum[-1])],
            "description": paras[0][:200], "image_url": f"https://cdn.{self.site_hosts[site_index]}.example/img/{i}.jpg",
            "text": text, "html": "".join(html_parts), "word_count": count,
            "captured_at": captured.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "status_code": 200, "content_type": "text/html; charset=utf-8",
            "consent_cmp": rng.choice([None, "onetrust", "didomi", "sourcepoint", "generic"]),
            "consent_action": "reject", "consent_ok": 1, "extractor": "trafilatura",
            "capture_notes": None, "capture_seconds": round(rng.uniform(2, 14), 2), "timings": None,
            "_failed_too": rng.random() < 0.05,
        }


def rendered_pool(gen: "Generator", variants: int = 64) -> list[tuple[int, bytes]]:
    """Gzipped rendered pages made from real generated articles. Each article gets one of
    these stand-ins: compressing a page per article would be a fifth of the build time,
    and nothing browses them."""
    pool = []
    for i in range(variants):
        rec = gen.article(i)
        page = (f"<html><head><title>{rec['title']}</title></head><body><nav>menu</nav>"
                f"<article>{rec['html']}</article><footer>footer</footer></body></html>")
        blob = gzip.compress(page.encode("utf-8"), compresslevel=6)
        pool.append((len(blob), blob))
    return pool


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"


class BulkLoad:
    """Switch an archive's triggers and journal off for a bulk load, and rebuild what they keep at the end."""

    def __init__(self, db):
        self.db, self.conn = db, db.conn
        self.triggers = self.conn.execute("select name, sql from sqlite_master where type = 'trigger'").fetchall()

    def __enter__(self):
        self.conn.isolation_level = None  # explicit transactions only
        for name, _ in self.triggers:
            self.conn.execute(f"drop trigger [{name}]")
        self.conn.execute("pragma journal_mode = delete")
        self.conn.execute("pragma journal_mode = off")
        self.conn.execute("pragma synchronous = off")
        self.conn.execute("pragma cache_size = -1000000")  # 1 GB: keeps the indexes' pages in memory
        return self

    def __exit__(self, *exc):
        return False

    def finish(self, echo) -> None:
        conn = self.conn
        started = time.time()
        conn.execute("begin")
        for name, sql in self.triggers:
            if not name.startswith(facet_counts.PREFIX):  # those come back with a rebuild of the counts
                conn.execute(sql)
        conn.execute("insert into articles_fts (articles_fts) values ('rebuild')")
        conn.execute("commit")
        echo(f"  full-text index built ({time.time() - started:.0f} s, {time.process_time():.0f} CPU s so far)")
        conn.execute("pragma journal_mode = wal")
        conn.execute("pragma synchronous = normal")


_GEN: Generator | None = None


def _start_worker(seed: int, n: int) -> None:
    global _GEN
    _GEN = Generator(seed, n)


def article_rows(first: int, last: int, columns: list[str], gen: Generator | None = None) -> tuple[list, list]:
    """Articles first..last-1 as (article rows, attempt rows): what the worker processes make."""
    gen = gen or _GEN
    articles, attempts = [], []
    for i in range(first, last):
        rec = gen.article(i)
        articles.append(tuple(rec.get(c) for c in columns))  # columns it does not make stay null
        attempts.append((rec["url"], rec["captured_at"], rec["capture_seconds"], 1, None, None, 200, rec["id"]))
        if rec["_failed_too"]:
            attempts.append((rec["url"], rec["captured_at"], 30.0, 0, "navigation timeout after 30 s", "timeout",
                             None, None))
    return articles, attempts


def insert_batch(conn, first: int, rows: tuple[list, list], shots: dict, pages: list) -> None:
    articles, attempts = rows
    ids = range(first + 1, first + 1 + len(articles))
    conn.execute("begin")
    conn.executemany(_insert_sql("articles", COLUMNS), articles)
    conn.executemany(_insert_sql("screenshots", ["article_id", "kind", "mime", "width", "height", "bytes", "image"]),
                     [(aid, *variants[aid % len(variants)]) for variants in shots.values() for aid in ids])
    conn.executemany(_insert_sql("rendered_pages", ["article_id", "bytes", "html_gz"]),
                     [(aid, *pages[aid % len(pages)]) for aid in ids])
    conn.executemany(_insert_sql("attempts", ["url", "started_at", "seconds", "ok", "error", "error_kind",
                                              "status_code", "article_id"]), attempts)
    conn.execute("commit")


def tag_and_note(conn, gen: Generator, n: int) -> None:
    """A third of the articles tagged (a few tags are common, most rare), one in 30 with a note."""
    rng = random.Random(gen.seed + 7)
    conn.execute("begin")
    conn.executemany("insert into tags (id, name) values (?, ?)", list(enumerate(TAGS, start=1)))
    for k in range(len(TAGS)):
        share = 0.25 / (k + 1) ** 0.6
        conn.executemany("insert into article_tags (article_id, tag_id) values (?, ?)",
                         ((aid, k + 1) for aid in range(1, n + 1) if rng.random() < share))
    conn.executemany(
        "insert into notes (article_id, body, quote, created_at, author) values (?, ?, ?, ?, 'bench')",
        ((aid, gen.sentence(rng, 14), gen.sentence(rng, 8), store.utcnow())
         for aid in sorted(rng.sample(range(1, n + 1), k=max(1, n // 30)))))
    conn.execute("commit")


def _article_rows_star(batch: tuple) -> tuple[list, list]:
    return article_rows(*batch)


def build(path: Path, n: int, seed: int, shots: str, jobs: int = 2, echo=print) -> None:
    started = time.time()
    gen = Generator(seed, n)
    shot_variants, pages = shot_pool(SHOT_SIZES[shots]), rendered_pool(gen)
    db = store.connect(path)
    watch_store.ensure_watch_schema(db)  # browsing's indexes cover the watcher's tables too
    conn = db.conn
    for sql in schema.INDEXES.values():  # browsing's indexes grow with the rows: no table scans afterwards
        conn.execute(sql)
    conn.commit()
    load = BulkLoad(db)
    batches = [(first, min(n, first + BATCH), COLUMNS) for first in range(0, n, BATCH)]
    workers = multiprocessing.get_context("fork").Pool(jobs, _start_worker, (seed, n)) if jobs else None
    with load, workers or contextlib.nullcontext():
        made = workers.imap(_article_rows_star, batches) if workers else \
            (article_rows(*b, gen=gen) for b in batches)
        for (first, last, _), rows in zip(batches, made):
            insert_batch(conn, first, rows, shot_variants, pages)
            done = last
            if done % 20_000 == 0 or done == n:
                elapsed = time.time() - started
                echo(f"  {done:,} articles ({elapsed:.0f} s, {done / elapsed:,.0f}/s, {time.process_time():.0f} CPU s)")
        tag_and_note(conn, gen, n)
        echo(f"  tags and notes ({time.time() - started:.0f} s)")
        load.finish(echo)
    db.conn.close()
    started_counts = time.time()
    db = store.connect(path)  # what any later open does: installs the kept counts, counting everything once
    conn = db.conn
    echo(f"  kept facet counts built ({time.time() - started_counts:.0f} s)")
    schema.ensure_indexes(db)  # statistics for the planner, as `pagekeep serve` would
    conn.execute("pragma wal_checkpoint(truncate)")
    counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("articles", "screenshots", "attempts", "article_tags", "notes")}
    conn.close()
    size = path.stat().st_size / 1e6
    echo(f"built {path}: " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
         + f"; {size:,.0f} MB in {time.time() - started:.0f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="archive to create (must not exist unless --force)")
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shots", choices=sorted(SHOT_SIZES), default="small",
                    help="screenshot sizes: full (like real captures, ~10x bigger file), small, thumbs, none")
    ap.add_argument("--force", action="store_true", help="replace an existing file")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="processes writing article text while this one inserts (0: none)")
    args = ap.parse_args()
    path = Path(args.db)
    if args.articles < 1:
        print("error: --articles must be at least 1", file=sys.stderr)
        return 2
    if path.exists():
        if not args.force:
            print(f"error: {path} exists (use --force to replace it)", file=sys.stderr)
            return 2
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {args.articles:,} articles into {path} (seed {args.seed}, {args.shots} screenshots)")
    build(path, args.articles, args.seed, args.shots, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
