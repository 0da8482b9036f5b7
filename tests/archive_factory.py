"""Build real pagekeep archives for the Datasette tests, without a browser.

Records go in through `capture.store.save_capture`, exactly as the capture
pipeline stores them, with real JPEG screenshots drawn by Pillow.
"""

from __future__ import annotations

import io
import random
import sqlite3
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from PIL import Image, ImageDraw

from capture import store

WORDS = (
    "council budget river flood storm city mayor vote school teachers hospital rail strike energy prices "
    "climate harbour bridge report police court trial election minister housing rent farmers drought "
    "museum festival league match coach transfer vaccine research university students border trade "
    "market inflation wages union airport delays ferry coast wildfire heatwave water supply"
).split()


@lru_cache(maxsize=64)
def jpeg(width: int, height: int, hue: int = 0, label: str = "") -> bytes:
    """A real JPEG that looks roughly like a page: a header band, a title bar, text lines."""
    img = Image.new("RGB", (width, height), (250, 250, 247))
    draw = ImageDraw.Draw(img)
    colour = ((hue * 53) % 200 + 30, (hue * 97) % 160 + 40, (hue * 31) % 180 + 50)
    draw.rectangle([0, 0, width, max(8, height // 12)], fill=colour)
    draw.rectangle([width // 12, height // 8, width - width // 6, height // 8 + max(6, height // 30)], fill=(40, 40, 40))
    y = height // 8 + max(6, height // 30) + max(8, height // 40)
    line = max(3, height // 90)
    while y < height - line * 2:
        draw.rectangle([width // 12, y, width - width // 12 - (y * 7) % (width // 5 + 1), y + line], fill=(150, 150, 150))
        y += line * 3
    if label:
        draw.text((width // 12, 4), label, fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return out.getvalue()


def screenshots(hue: int = 0, label: str = "") -> list[dict]:
    return [
        {"kind": "page", "mime": "image/jpeg", "width": 1280, "height": 2400, "image": jpeg(1280, 2400, hue, label)},
        {"kind": "article", "mime": "image/jpeg", "width": 800, "height": 1100, "image": jpeg(800, 1100, hue, label)},
        {"kind": "thumb", "mime": "image/jpeg", "width": 320, "height": 200, "image": jpeg(320, 200, hue, label)},
    ]


def paragraphs_text(rng: random.Random, n: int = 6) -> list[str]:
    paras = []
    for _ in range(n):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
            sentences.append(" ".join(words).capitalize() + ".")
        paras.append(" ".join(sentences))
    return paras


def record(n: int = 0, **overrides) -> dict:
    """A realistic `articles` row (without id)."""
    rng = random.Random(n)
    paras = overrides.pop("paragraphs", None) or paragraphs_text(rng)
    captured = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc) + timedelta(hours=7 * n)
    url = overrides.pop("url", None) or f"https://news{n % 3}.example.org/2025/story-{n}.html"
    title = overrides.pop("title", None) or f"Story {n}: {rng.choice(WORDS).title()} {rng.choice(WORDS)} {rng.choice(WORDS)}"
    text = "\n\n".join(paras)
    rec = {
        "url": url,
        "final_url": url,
        "canonical_url": url,
        "title": title,
        "byline": f"Reporter {n % 4}",
        "published": (captured - timedelta(hours=3)).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "modified": None,
        "site_name": ["Riverside Herald", "Coastal Times", "Metro Daily"][n % 3],
        "lang": "en" if n % 5 else "de",
        "description": paras[0][:160],
        "image_url": f"https://cdn.example.org/img/{n}.jpg",
        "text": text,
        "html": "".join(f"<p>{p}</p>" for p in paras),
        "word_count": len(text.split()),
        "captured_at": captured.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "status_code": 200,
        "content_type": "text/html; charset=utf-8",
        "consent_cmp": "generic",
        "consent_action": "reject",
        "consent_ok": 1,
        "extractor": "trafilatura",
        "capture_notes": None,
        "capture_seconds": 3.2,
    }
    rec.update(overrides)
    return rec


def add_article(db, n: int = 0, shots: bool = True, **overrides) -> int:
    rec = record(n, **overrides)
    attempt = {"url": rec["url"], "started_at": rec["captured_at"], "seconds": rec["capture_seconds"],
               "error": None, "error_kind": None, "status_code": 200}
    html = f"<html><head><title>{rec['title']}</title></head><body>{rec['html']}</body></html>"
    return store.save_capture(db, rec, screenshots(n, f"#{n}") if shots else [], html, attempt)


def add_failure(db, url: str, started_at: str, error: str = "timeout after 30 s") -> None:
    store.record_failure(db, {"url": url, "started_at": started_at, "seconds": 30.0, "error": error,
                              "error_kind": "timeout", "status_code": None})


# Everything a hostile page might try. Each payload, if it ran, would set
# window.__pwned, change document.title, or fetch the beacon URL.
def hostile_html(beacon: str) -> str:
    return f"""
<h2>Ordinary heading</h2>
<p>Body text that should be shown.</p>
<script>window.__pwned = "script"; document.title = "PWNED"; fetch("{beacon}?via=script");</script>
<p onclick="window.__pwned='onclick'" onmouseover="window.__pwned='onmouseover'">Hover me</p>
<img src="x" onerror="window.__pwned='img-onerror'; fetch('{beacon}?via=img')">
<img src="{beacon}?via=img-src">
<a id="jslink" href="javascript:window.__pwned='jslink'">a javascript: link</a>
<a href="JaVaScRiPt:fetch('{beacon}?via=jslink2')">mixed case javascript: link</a>
<svg onload="window.__pwned='svg-onload'"><script>window.__pwned='svg-script'; fetch('{beacon}?via=svg')</script><circle r="4"/></svg>
<iframe src="javascript:parent.__pwned='iframe'"></iframe>
<iframe srcdoc="<script>parent.__pwned='srcdoc'</script>"></iframe>
<object data="{beacon}?via=object"></object>
<embed src="{beacon}?via=embed">
<form action="{beacon}"><input name="q" autofocus onfocus="window.__pwned='autofocus'"></form>
<details open ontoggle="window.__pwned='ontoggle'"><summary>details</summary></details>
<style>body {{ background: url("{beacon}?via=css") }}</style>
<div style="background-image: url('{beacon}?via=inline-style')">styled</div>
<base href="{beacon}/">
<meta http-equiv="refresh" content="0;url=javascript:window.__pwned='meta'">
<math><maction actiontype="statusline" xlink:href="javascript:window.__pwned='math'">m</maction></math>
<noscript><p title="</noscript><img src=x onerror=window.__pwned='noscript'>"></p></noscript>
<p>Closing paragraph.</p>
"""


def add_hostile_article(db, beacon: str, n: int = 900) -> int:
    html = hostile_html(beacon)
    return add_article(
        db, n,
        title='Hostile <script>window.__pwned="title"</script> page',
        byline='<img src=x onerror="window.__pwned=\'byline\'">',
        site_name="<b onmouseover=alert(1)>Evil Site</b>",
        url=f"https://evil.example.net/article?x=<script>window.__pwned='url'</script>",
        final_url="javascript:window.__pwned='final_url'",
        canonical_url="javascript:window.__pwned='canonical'",
        image_url=f"{beacon}?via=image_url",
        description='<svg onload="window.__pwned=\'description\'">',
        html=html,
        text="Body text that should be shown.\n\n<script>window.__pwned='text'</script> shown as text.",
    )


def rows(path, sql: str, params=()) -> list[tuple]:
    """What plain SQL says about an archive file (the truth tests compare views with)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def build(path, n: int = 6, shots: bool = True) -> "store.sqlite_utils.Database":
    db = store.connect(path)
    for i in range(n):
        add_article(db, i, shots=shots)
    return db


def add_text_boxes(db, article_id: int, paragraphs: list[str], width: int = 1280, height: int = 2400) -> None:
    """A text_boxes row as capture/text_boxes.py builds it from what the browser measured,
    for text laid out as six-character "words", ten to a 20 px line, one paragraph under another."""
    from capture.text_boxes import build_row

    def words(p, top):
        return [[i * 6, i * 6 + 5, 60.0 + 10.0 * (i % 10), top + 20.0 * (i // 10), 9.0, 18.0] for i in range(len(p) // 6)]
    raw = {"paras": [{"w": words(p, 100.0 + 400 * n)} for n, p in enumerate(paragraphs)], "scale": 1}
    row = build_row(raw, paragraphs, [{"kind": "page", "width": width, "height": height},
                                      {"kind": "article", "width": 800, "height": 1100}],
                    {"x": 40, "y": 60, "width": 800, "height": 1100}, [])
    db["text_boxes"].insert({**row, "article_id": article_id})
