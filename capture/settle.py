"""Wait until the page is what a reader would see: loaded, quiet, lazy parts filled in.

"Quiet" means no DOM content arriving, no young network requests and no short
timers pending (see js/activity.js), each bounded so a page with endless
analytics or a never-ending load cannot hang a capture.
"""

from __future__ import annotations

import asyncio
import time

from .deadline import Deadline
from .jsassets import script

QUIET_MS = 500          # how long the page must stay quiet
REQUEST_STALE_S = 5.0   # requests older than this are long polls, not content
SCROLL_STEP = 1.0       # of the viewport height; lazy loaders watch a margin around it
SCROLL_PAUSE_S = 0.08
MAX_SCROLL_PX = 20000   # as deep as the page screenshot goes; infinite scroll must end somewhere


class NetworkTracker:
    """Counts in-flight requests from Playwright's events."""

    def __init__(self, page):
        self.inflight: dict = {}
        self.last_change = time.monotonic()
        # The address of the document the page shows: history.pushState (infinite scroll moving
        # on to the next story) changes page.url without loading anything, so it is not that.
        self.document_url: str | None = None
        self._main = page.main_frame
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfinished", self._document)
        page.on("requestfailed", self._end)

    def _document(self, request):
        try:
            if request.is_navigation_request() and request.frame is self._main:
                self.document_url = request.url
        except Exception:
            pass  # a worker's request has no frame

    def _start(self, request):
        self.inflight[request] = time.monotonic()
        self.last_change = time.monotonic()

    def _end(self, request):
        self.inflight.pop(request, None)
        self.last_change = time.monotonic()

    def busy(self) -> bool:
        now = time.monotonic()
        return any(now - t < REQUEST_STALE_S for t in self.inflight.values())

    def quiet_for(self) -> float:
        return 0.0 if self.busy() else time.monotonic() - self.last_change


async def install(context) -> None:
    """Activity tracking and the reveal hold must exist before the page's own scripts run."""
    await context.add_init_script(script("activity.js"))
    await context.add_init_script(script("reveal.js"))


async def wait_quiet(page, network: NetworkTracker, deadline: Deadline, max_s: float) -> bool:
    """True once DOM, network and short timers have been quiet for QUIET_MS; False on timeout."""
    stop = time.monotonic() + min(max_s, deadline.left())
    while time.monotonic() < stop:
        try:
            snap = await page.evaluate("() => window.__pk ? window.__pk.snapshot() : null")
        except Exception:
            snap = None  # navigating or a busy main thread: try again
        if snap is not None:
            quiet = (
                snap["quietFor"] >= QUIET_MS
                and snap["pendingTimers"] == 0
                and network.quiet_for() * 1000 >= QUIET_MS
            )
            if quiet:
                return True
        await asyncio.sleep(0.1)
    return False


async def scroll_through(page, deadline: Deadline, max_s: float = 3.0) -> int:
    """Scroll down a viewport at a time so lazy images and IntersectionObserver content load."""
    stop = time.monotonic() + min(max_s, deadline.left())
    y = 0
    while time.monotonic() < stop:
        try:
            pos = await page.evaluate(
                """(step) => {
                    const el = document.scrollingElement || document.documentElement;
                    const h = Math.max(el.scrollHeight, document.body ? document.body.scrollHeight : 0);
                    const next = Math.min(window.scrollY + Math.round(window.innerHeight * step), h);
                    window.scrollTo(0, next);
                    return {y: window.scrollY, h, vh: window.innerHeight};
                }""",
                SCROLL_STEP,
            )
        except Exception:
            break
        await asyncio.sleep(SCROLL_PAUSE_S)
        if pos["y"] + pos["vh"] >= pos["h"] - 2 or pos["y"] >= MAX_SCROLL_PX or pos["y"] == y:
            y = pos["y"]
            break
        y = pos["y"]
    try:  # what scrolling revealed stays revealed when we return to the top (js/reveal.js)
        await page.evaluate("() => window.__pkReveal ? window.__pkReveal.hold() : 0")
    except Exception:
        pass
    return y


async def back_to_top(page) -> None:
    """Scroll home, then finish the fades and slides that scrolling set off, so neither the
    visibility pass nor the screenshot catches a paragraph half-way through appearing."""
    try:
        await page.evaluate(script("home.js"))
    except Exception:
        pass


async def expand_in_place(page, network: NetworkTracker, deadline: Deadline) -> int:
    """Click "Continue reading"-style controls that reveal text in place; never follow links away."""
    clicked = 0
    for _ in range(3):  # some articles reveal in several steps
        if deadline.left() < 2:
            break
        try:
            n = await page.evaluate(script("expand.js"))
        except Exception:
            break
        if not n:
            break
        clicked += n
        await wait_quiet(page, network, deadline, max_s=3.0)
    return clicked
