"""The watch fixture's server: one article at /watch/story.html in five versions, served in turn.

v1; v2 (headline rewritten, one sentence changed, a paragraph inserted near
the top, modified date unchanged); v3 (the same as v2); v4 (behind a
pay-or-accept consent wall); v5 (404). Every response gets a new
advertisement and a later "N minutes ago", so no two are byte-identical.
Used by tests/test_watch.py and benchmarks/watch.py.
"""

from __future__ import annotations

import itertools
from pathlib import Path

SITE = Path(__file__).parent / "site"
FILES = {"v1": "v1.html", "v2": "v2.html", "v3": "v2.html", "v4": "v4.html", "v5": None}
PATH = "/watch/story.html"


class StoryServer:
    """Serves the current version at /watch/story.html; a new ad and a later "minutes ago" on every request."""

    def __init__(self):
        self.version = "v1"
        self.served: dict[str, list[str]] = {}
        self.minutes = itertools.count(5, 7)
        self.ads = itertools.cycle(["Fresh oysters delivered to your door.", "Sea kayaks: 20% off this week.",
                                    "Harbour-view flats to rent from June."])

    def __call__(self, handler):
        name = FILES[self.version]
        if name is None:
            handler.send_error(404)
            return
        html = (SITE / "watch" / name).read_text("utf-8")
        html = html.replace("{{ago}}", f"{next(self.minutes)} minutes ago").replace("{{ad}}", next(self.ads))
        self.served.setdefault(self.version, []).append(html)
        body = html.encode("utf-8")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
