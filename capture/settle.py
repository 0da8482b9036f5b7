"""Wait until the page is what a reader would see: loaded, quiet, lazy parts filled in.

"Quiet" means no DOM content arriving, no young network requests and no short
timers pending (see js/activity.js), each bounded so a page with endless
analytics or a never-ending load cannot hang a capture.
"""

from __future__ import annotations

import asyncio
import time

from . import isolated
from .deadline import Deadline
from .jsassets import script

QUIET_MS = 500          # how long the page must stay quiet
REQUEST_STALE_S = 5.0   # requests older than this are long polls, not content
SCROLL_STEP = 1.0       # of the viewport height; lazy loaders watch a margin around it
SCROLL_PAUSE_S = 0.08
MAX_SCROLL_PX = 20000   # as deep as the page screenshot goes; infinite scroll must end somewhere
REVEAL_ROUNDS = 3       # revealed content that reveals more (lazy images in a lazy grid), without scrolling
POLL_AFTER = 3          # the same call made this often is polling (a live score, analytics), not content


class NetworkTracker:
    """Counts in-flight requests from Playwright's events. A page's script calling the same
    address again and again (XHR, fetch, EventSource: polling) stops counting after POLL_AFTER
    calls, so polling cannot keep a capture waiting for quiet."""

    def __init__(self, page):
        self.inflight: dict = {}
        self.last_change = time.monotonic()
        self.calls: dict[tuple, int] = {}     # (method, address without query) -> script calls so far
        self.polls: set = set()               # requests not counted: polling
        # The address of the document the page shows: history.pushState (infinite scroll moving
        # on to the next story) changes page.url without loading anything, so it is not that.
        self.document_url: str | None = None
        self.failed_document = None   # the main document's request, when it did not load (a download, say)
        self._main = page.main_frame
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfinished", self._document)
        page.on("requestfailed", self._end)
        page.on("requestfailed", self._failed)

    def _is_document(self, request) -> bool:
        try:
            return request.is_navigation_request() and request.frame is self._main
        except Exception:
            return False  # a worker's request has no frame

    def _document(self, request):
        if self._is_document(request):
            self.document_url = request.url

    def _failed(self, request):
        if self._is_document(request):
            self.failed_document = request

    async def failed_document_type(self) -> str | None:
        """Content type of a main document that was answered but not shown (a headless shell
        downloads PDFs that full Chromium displays), for the failure line."""
        try:
            response = await self.failed_document.response() if self.failed_document else None
            ctype = await response.header_value("content-type") if response else None
        except Exception:
            return None
        return ctype.split(";")[0].strip().lower() if ctype else None

    def _polling(self, request) -> bool:
        try:
            if request.resource_type not in ("xhr", "fetch", "eventsource"):
                return False
            key = (request.method, request.url.split("?", 1)[0].split("#", 1)[0])
        except Exception:
            return False
        self.calls[key] = self.calls.get(key, 0) + 1
        return self.calls[key] > POLL_AFTER

    def _start(self, request):
        if self._polling(request):
            self.polls.add(request)
            return
        self.inflight[request] = time.monotonic()
        self.last_change = time.monotonic()

    def _end(self, request):
        if request in self.polls:
            self.polls.discard(request)
            return
        self.inflight.pop(request, None)
        self.last_change = time.monotonic()

    def busy(self) -> bool:
        now = time.monotonic()
        return any(now - t < REQUEST_STALE_S for t in self.inflight.values())

    def quiet_for(self) -> float:
        return 0.0 if self.busy() else time.monotonic() - self.last_change


async def install(context) -> None:
    """Activity tracking and the reveal hold must exist before the page's own scripts run,
    and the bridge to them from pagekeep's isolated world (js/bridge.js)."""
    await context.add_init_script(script("bridge.js"))
    await context.add_init_script(script("activity.js"))
    await context.add_init_script(script("reveal.js"))


_WAIT_JS = "([quiet, max]) => window.__pk && window.__pk.waitQuiet ? window.__pk.waitQuiet(quiet, max) : null"


async def wait_quiet(page, network: NetworkTracker, deadline: Deadline, max_s: float, quiet_ms: int = QUIET_MS) -> bool:
    """True once DOM, network and short timers have been quiet for quiet_ms; False on timeout.

    The page waits for its own quiet (js/activity.js) in one call; the network is
    watched here, from Playwright's events, so neither side polls the other.
    """
    stop = time.monotonic() + min(max_s, deadline.left())
    while (left := stop - time.monotonic()) > 0:
        try:
            snap = await asyncio.wait_for(isolated.evaluate(page, _WAIT_JS, [quiet_ms, int(left * 1000)]), timeout=left + 1)
        except Exception:
            snap = None  # navigating, or a frozen main thread the watchdog is about to stop: try again
        if snap is None:
            await asyncio.sleep(0.1)
            continue
        if not snap.get("quiet"):
            return False  # the page stayed busy until the time was up
        if network.quiet_for() * 1000 >= quiet_ms:
            return True
        # Requests still running: wait here until the network has been quiet long enough, then look again.
        while time.monotonic() < stop and network.quiet_for() * 1000 < quiet_ms:
            await asyncio.sleep(max(0.05, min(0.25, quiet_ms / 1000 - network.quiet_for())))
    return False


async def scroll_through(page, network: NetworkTracker, deadline: Deadline, max_s: float = 3.0) -> dict:
    """Fill in lazy images and IntersectionObserver content, then hold what was revealed
    (js/reveal.js, js/scroll.js), and wait for it to arrive. Content revealed that way can
    bring more (a grid whose images are lazy too): a few rounds until nothing new is told."""
    opts = {"step": SCROLL_STEP, "pauseMs": int(SCROLL_PAUSE_S * 1000), "maxPx": MAX_SCROLL_PX}
    result = {"y": 0, "told": 0, "stepped": True}
    for round_ in range(REVEAL_ROUNDS):
        budget = min(max_s, deadline.left())
        if budget <= 0:
            break
        try:
            got = await asyncio.wait_for(isolated.evaluate(page, script("scroll.js"), dict(opts, maxMs=int(budget * 1000))),
                                         timeout=budget + 2) or {}
        except Exception:
            break  # navigated away or frozen: what was revealed so far stays
        result = {"y": max(result["y"], got.get("y") or 0), "told": result["told"] + (got.get("told") or 0),
                  "stepped": bool(got.get("stepped", True))}
        if round_ and not got.get("told"):
            break  # nothing new to reveal, and the page was quiet after the last round
        await wait_quiet(page, network, deadline, max_s=4)
        if result["stepped"]:
            break
    return result


async def back_to_top(page) -> None:
    """Scroll home, then finish the fades and slides that scrolling set off, so neither the
    visibility pass nor the screenshot catches a paragraph half-way through appearing."""
    try:
        await isolated.evaluate(page, script("home.js"))
    except Exception:
        pass


async def expand_in_place(page, network: NetworkTracker, deadline: Deadline) -> int:
    """Click "Continue reading"-style controls that reveal text in place; never follow links away."""
    clicked = 0
    for _ in range(3):  # some articles reveal in several steps
        if deadline.left() < 2:
            break
        try:
            n = await isolated.evaluate(page, script("expand.js"))
        except Exception:
            break
        if not n:
            break
        clicked += n
        await wait_quiet(page, network, deadline, max_s=3.0)
    return clicked
