"""A story page for the web-archive tests, served on two loopback origins.

It loads what a recorder must get right: a stylesheet sent gzip-encoded, an
image behind a 302, a web font, a lazy image far below the fold, a script that
fetches JSON, a cross-origin iframe (the second origin) with its own image, and
an image from an address where nothing listens.
Every response the server sends with status 200 is logged with the sha256 of
its body as sent before any content encoding, so a test can look each one up
in the WARC.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import threading
from urllib.parse import parse_qs, urlsplit

from PIL import Image, ImageDraw

PARAGRAPHS = [
    "The lighthouse on Skerry Point will be switched off for good at the end of the season, the harbour "
    "board confirmed on Tuesday, ending one hundred and forty years of keepers on the rock.",
    "Margaret Aird, who has kept the light for twenty-two winters, said she would miss the storms more than "
    "the calm evenings, and that the new automatic beacon on the breakwater would do the job well enough.",
    "The board expects the automatic beacon to cost a third of the keeper's house to run each year, and says "
    "the savings will pay for dredging the inner harbour, which has silted up since the spring floods.",
    "Fishermen at the quay were divided. Some welcomed the dredging; others said a person on the rock had "
    "saved more than one boat that a machine would have left to the weather.",
    "The lighthouse will open to visitors next summer, when the trust that owns the keeper's cottage plans a "
    "small museum of lamps, logbooks and the brass foghorn that was silenced in nineteen ninety-eight.",
]
LATE = "Visitors will reach the rock by a ferry from the quay that runs twice a day at low tide."
REFUSED = "http://127.0.0.1:9"  # discard port: nothing listens, the request fails at once
FRAME_TEXT = "Tide tables from the harbour office: high water at 06:12 and 18:40."


def png(colour: str, size=(480, 270), label: str = "") -> bytes:
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle([20, 20, size[0] - 20, size[1] - 20], outline="white", width=6)
    if label:
        ImageDraw.Draw(image).text((40, 40), label, fill="white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


CSS = b"""body { font-family: Georgia, serif; margin: 0; background: #f6f1e7; color: #222; }
main { max-width: 760px; margin: 0 auto; padding: 24px; }
h1 { font-family: Keeper, Georgia, serif; font-size: 40px; color: #123a5c; }
figure img { display: block; width: 100%; height: auto; }
.below { margin-top: 3600px; }
iframe { border: 2px solid #123a5c; width: 100%; height: 120px; }
""" * 3  # long enough that gzip is worth it
FONT = bytes((i * 37 + 11) % 256 for i in range(6000))  # served as a font; the browser downloads it either way
MAP = png("#2e6f95", label="harbour map")
LAZY = png("#8c3b2a", label="the foghorn")
TIDE = png("#3d7a3a", (200, 80))
DATA = b'{"late": "' + LATE.encode() + b'"}'
SCRIPT = (b"fetch('/archive/data.json').then(r => r.json()).then(d => {"
          b" const p = document.createElement('p'); p.textContent = d.late;"
          b" document.querySelector('article').appendChild(p); });")


def story_html(frame_origin: str) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])
    more = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[3:])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Skerry Point light to go dark after 140 years</title>
<link rel="stylesheet" href="/archive/site.css">
<style>@font-face {{ font-family: Keeper; src: url(/archive/keeper.woff2) format("woff2"); }}</style>
</head><body><main>
<article>
<h1>Skerry Point light to go dark after 140 years</h1>
<p class="byline">By Ewan Rennie</p>
<figure><img src="/archive/old-map.png" alt="The harbour" width="480" height="270"></figure>
<img src="{REFUSED}/archive/pixel.png" alt="" width="1" height="1">
{paras}
<iframe src="{frame_origin}/archive/frame.html" title="Tide tables"></iframe>
{more}
</article>
<figure class="below"><img src="/archive/lazy.png" loading="lazy" alt="The foghorn" width="480" height="270"></figure>
</main><script src="/archive/app.js"></script></body></html>""".encode()


FRAME = f"""<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:8px;font:16px sans-serif">
<p>{FRAME_TEXT}</p><img src="/archive/tide.png" alt="" width="200" height="80"></body></html>""".encode()


class ArchiveSite:
    """The route table plus the log of every 200 body sent: {url: sha256 hex}."""

    def __init__(self):
        self.sent: dict[str, str] = {}
        self.lock = threading.Lock()
        self.frame_origin = ""

    def _log(self, h, body: bytes) -> None:
        host, port = h.server.server_address[:2]
        with self.lock:
            self.sent[f"http://{host}:{port}{h.path}"] = hashlib.sha256(body).hexdigest()

    def send(self, h, ctype: str, body: bytes, encoding: str | None = None, status: int = 200, headers=None):
        wire = gzip.compress(body) if encoding == "gzip" else body
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(wire)))
        if encoding:
            h.send_header("Content-Encoding", encoding)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(wire)
        if status == 200:
            self._log(h, body)

    def routes(self) -> dict:
        def page(h):
            frame = parse_qs(urlsplit(h.path).query).get("frame", [self.frame_origin])[0]
            self.send(h, "text/html; charset=utf-8", story_html(frame))

        def redirect(h):
            h.send_response(302)
            h.send_header("Location", "/archive/map.png")
            h.send_header("Content-Length", "0")
            h.end_headers()

        static = {
            "/archive/site.css": ("text/css", CSS, "gzip"),
            "/archive/keeper.woff2": ("font/woff2", FONT, None),
            "/archive/map.png": ("image/png", MAP, None),
            "/archive/lazy.png": ("image/png", LAZY, None),
            "/archive/tide.png": ("image/png", TIDE, None),
            "/archive/data.json": ("application/json", DATA, None),
            "/archive/app.js": ("text/javascript", SCRIPT, None),
            "/archive/frame.html": ("text/html; charset=utf-8", FRAME, None),
        }
        table = {path: (lambda h, s=spec: self.send(h, s[0], s[1], s[2])) for path, spec in static.items()}
        return {**table, "/archive/story.html": page, "/archive/old-map.png": redirect}
