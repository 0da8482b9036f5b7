"""Build a large, realistic pagekeep archive for benchmarks (default 10,000 articles).

Articles go in through capture.store.save_capture, one transaction each, as
the capture pipeline stores them: full text (300-2,000 words from a Zipf-like
vocabulary, so searches hit many, some or few articles), HTML, real JPEG
screenshots (page, article, thumb), the gzipped rendered page and an attempt.
About 8% are re-captures of an earlier URL (capture history), 5% of URLs also
have a failed attempt, a third of the articles are tagged and some have notes.

    .venv/bin/python benchmarks/make_archive.py --db /tmp/bench/pagekeep.db
    .venv/bin/python benchmarks/make_archive.py --db big.db --articles 50000 --shots small
"""

from __future__ import annotations

import argparse
import bisect
import io
import itertools
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from annotations import tags as tagging  # noqa: E402
from capture import store  # noqa: E402

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


def shot_pool(kind_sizes: dict, variants: int = 24) -> dict[str, list[dict]]:
    pool = {}
    for kind, (w, h, q) in kind_sizes.items():
        pool[kind] = [{"kind": kind, "mime": "image/jpeg", "width": w, "height": h, "image": jpeg(w, h, v, q)}
                      for v in range(variants)]
    return pool


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.words, self.cum = vocabulary(self.rng)
        self.sites = [f"{self.rng.choice(['The', 'Daily', 'Evening', 'Weekly', ''])} "
                      f"{''.join(self.rng.choice(SYLLABLES) for _ in range(3)).title()} "
                      f"{self.rng.choice(['Herald', 'Times', 'Post', 'Gazette', 'Courier', 'Review', 'News', 'Observer'])}".strip()
                      for _ in range(60)]
        self.site_cum = list(itertools.accumulate(1.0 / (i + 1) for i in range(len(self.sites))))
        self.bylines = [f"{''.join(self.rng.choice(SYLLABLES) for _ in range(2)).title()} "
                        f"{''.join(self.rng.choice(SYLLABLES) for _ in range(3)).title()}" for _ in range(400)]
        self.langs = [l for l, _ in SITES_LANG]
        self.lang_cum = list(itertools.accumulate(w for _, w in SITES_LANG))

    def sentence(self, n: int) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cum, k=n)
        return " ".join(words).capitalize() + "."

    def article(self, i: int, captured: datetime, url: str | None, site_index: int | None) -> dict:
        rng = self.rng
        site_index = site_index if site_index is not None else bisect.bisect(self.site_cum, rng.random() * self.site_cum[-1])
        site = self.sites[min(site_index, len(self.sites) - 1)]
        slug_words = self.rng.choices(self.words[:400], k=5)
        url = url or f"https://{site.lower().replace(' ', '')}.example/{captured:%Y/%m}/{'-'.join(slug_words)}-{i}"
        target_words = int(min(2000, max(300, rng.lognormvariate(6.6, 0.45))))
        paras, count = [], 0
        while count < target_words:
            para = " ".join(self.sentence(rng.randint(8, 28)) for _ in range(rng.randint(2, 5)))
            paras.append(para)
            count += len(para.split())
        title = self.sentence(rng.randint(6, 12))[:-1]
        html_parts = []
        for j, p in enumerate(paras):
            if j and j % 5 == 0:
                html_parts.append(f"<h2>{self.sentence(4)[:-1]}</h2>")
            if j % 7 == 3:
                html_parts.append(f"<blockquote><p>{p}</p></blockquote>")
            else:
                html_parts.append(f"<p>{p}</p>")
        text = "\n\n".join(paras)
        published = captured - timedelta(hours=rng.randint(1, 24 * 30))
        lang = self.langs[bisect.bisect(self.lang_cum, rng.random() * self.lang_cum[-1])]
        return {
            "url": url, "final_url": url, "canonical_url": url, "title": title,
            "byline": rng.choice(self.bylines), "published": published.isoformat(timespec="seconds"),
            "modified": None, "site_name": site, "lang": lang, "description": paras[0][:200],
            "image_url": f"https://cdn.{site.lower().replace(' ', '')}.example/img/{i}.jpg",
            "text": text, "html": "".join(html_parts), "word_count": len(text.split()),
            "captured_at": captured.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "status_code": 200, "content_type": "text/html; charset=utf-8",
            "consent_cmp": rng.choice([None, "onetrust", "didomi", "sourcepoint", "generic"]),
            "consent_action": "reject", "consent_ok": 1, "extractor": "trafilatura",
            "capture_notes": None, "capture_seconds": round(rng.uniform(2, 14), 2),
        }


def build(path: Path, n: int, seed: int, shots: str, echo=print) -> None:
    started = time.time()
    gen = Generator(seed)
    pool = shot_pool(SHOT_SIZES[shots])
    db = store.connect(path)
    start = datetime(2024, 6, 1, tzinfo=timezone.utc)
    span = timedelta(days=365).total_seconds()
    moments = sorted(start + timedelta(seconds=gen.rng.random() * span) for _ in range(n))
    urls: list[tuple[str, int]] = []
    for i, captured in enumerate(moments):
        recapture = urls and gen.rng.random() < 0.08
        url, site_index = gen.rng.choice(urls) if recapture else (None, None)
        rec = gen.article(i, captured, url, site_index)
        if not recapture:
            urls.append((rec["url"], gen.sites.index(rec["site_name"])))
        chrome = f"<html><head><title>{rec['title']}</title></head><body><nav>menu</nav><article>{rec['html']}</article><footer>footer</footer></body></html>"
        images = [pool[k][i % len(pool[k])] for k in pool]
        attempt = {"url": rec["url"], "started_at": rec["captured_at"], "seconds": rec["capture_seconds"],
                   "error": None, "error_kind": None, "status_code": 200}
        store.save_capture(db, rec, images, chrome, attempt)
        if gen.rng.random() < 0.05:
            store.record_failure(db, {"url": rec["url"], "started_at": rec["captured_at"], "seconds": 30.0,
                                      "error": "navigation timeout after 30 s", "error_kind": "timeout",
                                      "status_code": None})
        if (i + 1) % 1000 == 0:
            echo(f"  {i + 1:,} articles ({time.time() - started:.0f} s)")
    ids = [r[0] for r in db.conn.execute("select id from articles")]
    for k, name in enumerate(TAGS):
        share = 0.25 / (k + 1) ** 0.6
        chosen = [i for i in ids if gen.rng.random() < share]
        if chosen:
            tagging.add_tags(db, chosen, name)
    for article_id in gen.rng.sample(ids, k=max(1, len(ids) // 30)):
        tagging.add_note(db, article_id, gen.sentence(14), quote=gen.sentence(8), author="bench")
    db.conn.execute("PRAGMA optimize")
    db.conn.execute("ANALYZE")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {t: db.conn.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("articles", "screenshots", "attempts", "article_tags", "notes")}
    db.conn.close()
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
    args = ap.parse_args()
    path = Path(args.db)
    if path.exists():
        if not args.force:
            print(f"error: {path} exists (use --force to replace it)", file=sys.stderr)
            return 2
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {args.articles:,} articles into {path} (seed {args.seed}, {args.shots} screenshots)")
    build(path, args.articles, args.seed, args.shots)
    return 0


if __name__ == "__main__":
    sys.exit(main())
