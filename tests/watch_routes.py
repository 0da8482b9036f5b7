"""The watch fixture's server: one article at /watch/story.html in five versions, served in turn.

v1 is tests/site/watch/story.html; the later versions are written here as
edits of it, so what changed is in one place:

    v2  headline rewritten, one sentence changed, a paragraph inserted near
        the top; the modified date stays
    v3  the same as v2
    v4  v2 behind a pay-or-accept consent wall (site/watch/wall.html): only
        the first paragraph is in the page
    v5  404

Every response gets a new advertisement and a later "N minutes ago", so no two
are byte-identical. Used by tests/test_watch.py and benchmarks/watch.py.
"""

from __future__ import annotations

import itertools
from pathlib import Path

SITE = Path(__file__).parent / "site"
PATH = "/watch/story.html"

HEADLINE = ("Harbour council approves tidal barrier after long debate",
            "Harbour council narrowly backs tidal barrier despite protests")
EDITED = ("Work is expected to begin in the spring and to last three years.",
          "Work is expected to begin in the autumn and to last four years.")
INSERTED = "The decision follows a winter in which the quay flooded eleven times, more than in any year since records began."
ELSEWHERE = "The mayor, who voted for the plan, said the town could not wait for a perfect answer."


def version(name: str) -> str | None:
    """The HTML of a version (None: a 404), before the per-request ad and time are filled in."""
    v1 = (SITE / "watch" / "story.html").read_text("utf-8")
    if name == "v1":
        return v1
    if name == "v5":
        return None
    v2 = (v1.replace(*HEADLINE).replace(*EDITED)
          .replace("<p>Councillors approved", f"<p>{INSERTED}</p>\n<p>Councillors approved", 1))
    if name in ("v2", "v3"):
        return v2
    start, end = v2.index(f"<p>{INSERTED}"), v2.index("</article>")
    teaser = '<p class="more">The rest of this article is available to readers who accept cookies or subscribe.</p>\n'
    wall = (SITE / "watch" / "wall.html").read_text("utf-8")
    return (v2[:start] + teaser + v2[end:]).replace("</body>", wall + "</body>")


class StoryServer:
    """Serves the current version at /watch/story.html; a new ad and a later "minutes ago" on every request."""

    def __init__(self):
        self.version = "v1"
        self.served: dict[str, list[str]] = {}
        self.minutes = itertools.count(5, 7)
        self.ads = itertools.cycle(["Fresh oysters delivered to your door.", "Sea kayaks: 20% off this week.",
                                    "Harbour-view flats to rent from June."])

    def __call__(self, handler):
        html = version(self.version)
        if html is None:
            handler.send_error(404)
            return
        html = html.replace("{{ago}}", f"{next(self.minutes)} minutes ago").replace("{{ad}}", next(self.ads))
        self.served.setdefault(self.version, []).append(html)
        body = html.encode("utf-8")
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
