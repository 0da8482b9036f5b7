"""Hosts that never answer (a tracker behind a firewall, a font CDN that is down) never cost the page.

A request is *stalled* when it has been in flight for STALL_S; it *hung* when
in that time not even the response headers came. Nothing here costs anything
per request on a page that loads normally: it reads the requests that
settle.NetworkTracker already follows, and acts only once one has stalled.

- A script or stylesheet in `<head>` that stalls holds up the parser, so the
  body is never parsed: the page is loaded again with the stalled hosts
  blocked (for the page's own host, only the stalled addresses), where they
  fail at once and the parser goes on. Blocking goes through the navigation
  keeper's Fetch interception, which pauses only requests to those hosts.
- After that, loads that only stall (fonts, which hold the screenshot; frames,
  images, which hold the load event) are cut off with `Page.stopLoading` once
  nothing else is still coming, and before the capture proper begins.
- `note()` names the hosts that hung, for `capture_notes`.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from . import isolated

STALL_S = 3.0
MAX_RELOADS = 2
PARSER_BLOCKERS = ("script", "stylesheet")
CALLS = ("xhr", "fetch", "eventsource", "websocket", "ping")   # long polls and beacons: never cut for, never named
ADD_BODY = """() => { if (document.body || !document.documentElement) return false;
                      document.documentElement.appendChild(document.createElement('body')); return true; }"""
PAINTS = "() => new Promise((done) => requestAnimationFrame(() => done(true)))"
FONTS_LOADING = """(ms) => document.fonts && document.fonts.status === 'loading' ? Promise.race([
    document.fonts.ready.then(() => false), new Promise((done) => setTimeout(() => done(true), ms))]) : false"""


HELD_PROBE_S = 1.0      # a main thread that cannot run "1" in this long is held, not busy
_EARLIER: dict[str, tuple[float, list[str]]] = {}   # URL -> (when, URL patterns that held it on a try)
EARLIER_TTL_S = 600


class ThreadHeld(Exception):
    """The page's one thread waits on a synchronous request to a host that never answers: nothing
    pagekeep sends the page (a reload included) is handled until it does. The retry blocks the host."""


def blocked_from_start(url: str) -> list[str]:
    """URL patterns of hosts that held this page's thread on an earlier try (this process, recently)."""
    when, patterns = _EARLIER.get(url, (0.0, []))
    return patterns if time.monotonic() - when < EARLIER_TTL_S else []


def held_by(network, url: str) -> str | None:
    """Once the page has stopped answering: the XHRs stalled meanwhile are what holds it (a
    synchronous request waits with the page's one thread). Their hosts are remembered for the
    retry of `url` (the URL as requested); returns the failure message, or None."""
    calls = [r for r in _stalled_requests(network) if _kind(r) == "xhr"]
    if not calls:
        return None
    if len(_EARLIER) >= 1000:
        _EARLIER.pop(next(iter(_EARLIER)))
    _EARLIER[url] = (time.monotonic(), list(dict.fromkeys(blocked_from_start(url) + patterns_of(calls, url))))
    hosts = ", ".join(sorted({_netloc(r.url) for r in calls}))
    return f"the page's own thread is held by a synchronous request to {hosts} that never answers"


def _stalled_requests(network) -> list:
    """Requests in flight for STALL_S or more."""
    now = time.monotonic()
    return [r for r, t in list(network.inflight.items()) if now - t >= STALL_S]


async def unanswered(page, seconds: float) -> bool:
    """The page's main thread cannot run "1" within `seconds` (navigating or closed: False)."""
    try:
        await asyncio.wait_for(page.evaluate("1"), seconds)
        return False
    except asyncio.TimeoutError:
        return True
    except Exception:
        return False


def patterns_of(requests: list, page_url: str) -> list[str]:
    """URL patterns that block these requests' hosts (on the page's own host, only these URLs)."""
    own = _netloc(page_url)
    return [req.url if _netloc(req.url) == own else f"*://{_netloc(req.url)}/*" for req in requests]


class Stalls:
    def __init__(self, page, network, cdp, block, url: str):
        self.page = page
        self.url = url                            # as requested: what a retry looks up (blocked_from_start)
        self.network = network
        self.cdp = cdp
        self.block = block                        # async (URL patterns) -> later requests fail at once
        self.hung: dict[str, set[str]] = {}       # host[:port] -> resource types that got no answer
        self.slow: dict[str, set[str]] = {}       # answered, but never finished
        self.blocked: list[str] = []
        self.reloads = 0
        self.cuts = 0
        self.parser_cut = False
        self.parser_stopped = False
        self.aborted = False                      # the page stopped its own load: no load event either

    async def document_ready(self, deadline, cap: float, reload, parser_stopped=lambda: False):
        """Wait for DOMContentLoaded. When stalled scripts or styles hold up the parser of a
        document that has fully arrived, load it again without them; when even that does not
        free the parser, stop loading and keep the DOM parsed so far. `reload(deadline, cap)`
        loads the page again (NavigationKeeper.reload). Returns the response of
        the last reload (None if there was none); raises Playwright's error if the document
        itself never arrived. When `parser_stopped()` turns true (the page moved itself away
        while it was parsed) it returns at once with `self.parser_stopped` set."""
        response = None
        while True:
            ready = asyncio.ensure_future(self.page.wait_for_load_state("domcontentloaded", timeout=deadline.ms(cap=cap, floor=1)))
            ready.add_done_callback(_retrieved)
            blockers = await self._until_ready_or_blocked(ready, deadline, parser_stopped)
            if self.parser_stopped:
                ready.cancel()
                return response
            if not blockers:
                break
            ready.cancel()
            await self._remember(blockers)
            await self._block(blockers)
            self.reloads += 1
            response = await reload(deadline, cap)
        try:
            ready.result()   # not done when the parser was aborted: then, like a parser never done
        except Exception:
            if not ready.done():
                ready.cancel()
            elif self.network.document_url is None or self._document_arriving():
                raise
            await self._remember(self._stalled())
            await self._stop()
            self.parser_cut = True
        return response

    async def _until_ready_or_blocked(self, ready, deadline, parser_stopped) -> list:
        """[] once `ready` is done or the parser was stopped; else the stalled scripts and styles
        holding up the parser."""
        started = time.monotonic()
        while True:
            done, _ = await asyncio.wait({ready}, timeout=0.5)
            if done:
                return []
            if parser_stopped():
                self.parser_stopped = True
                return []
            if self.reloads >= MAX_RELOADS or deadline.left() < 2 * STALL_S:
                continue
            stalled = self._stalled()
            # A held thread does not even report its document as arrived: look before that check.
            if any(_kind(r) == "xhr" for r in stalled) and await unanswered(self.page, HELD_PROBE_S):
                held = held_by(self.network, self.url)
                if held:
                    raise ThreadHeld(held)
            if time.monotonic() - started >= STALL_S and await self._parser_aborted():
                self.aborted = True
                return []  # window.stop() while parsing: no DOMContentLoaded will ever come
            if self._document_arriving():
                continue
            blockers = [r for r in stalled if _kind(r) in PARSER_BLOCKERS]
            if blockers:
                return blockers

    async def wait_for_load(self, deadline, cap: float) -> bool:
        """Wait for the load event; cut off what stalled once nothing else is coming.
        False if the page was still loading other things when `cap` ran out."""
        if self.aborted:
            return True
        stop = time.monotonic() + min(cap, deadline.left())
        idle_since = None
        while time.monotonic() < stop:
            try:
                await self.page.wait_for_load_state("load", timeout=max(1, min(500, (stop - time.monotonic()) * 1000)))
                return True
            except Exception:
                pass
            if await self.cut_off(only_if_nothing_else=True):
                return True  # nothing else was coming; a stopped page fires no load event
            idle_since = (idle_since or time.monotonic()) if not self.network.inflight else None
            if idle_since and time.monotonic() - idle_since >= 0.5:
                return True  # stopped (by the navigation keeper): nothing is coming
        return False

    async def cut_off(self, only_if_nothing_else: bool = False) -> bool:
        """Stop loading when a request hung (Page.stopLoading stops every load in flight: it
        knows no other way). With only_if_nothing_else, only when every load in flight stalled."""
        stalled = self._stalled()
        if not stalled or (only_if_nothing_else and len(stalled) < len(self._subresources())):
            return False
        loads = [r for r in stalled if _kind(r) not in CALLS]
        answered = await asyncio.gather(*(_answered(r) for r in loads))
        hung = [r for r, got in zip(loads, answered) if not got]
        for req in hung:
            self.hung.setdefault(_netloc(req.url), set()).add(_kind(req))
        if not hung:
            return False  # streams that answered and the page's own calls are the page's business
        await self._block(hung)  # later requests to them (lazy embeds, retries) fail at once
        if self._document_arriving():
            return False  # a pending move is the navigation keeper's to stop
        return await self._stop()

    async def _stop(self) -> bool:
        try:
            await asyncio.wait_for(self.cdp.send("Page.stopLoading"), timeout=5)
        except Exception:
            return False
        self.cuts += 1
        return True

    async def ready_for_screenshot(self, seconds: float = 2.0) -> bool:
        """The page screenshot waits, unbounded, for a first paint and for document.fonts.ready.
        A page without a <body> (its script removed it) gets an empty one, so it paints; a page
        whose parser was stopped before the body never paints: False, take no screenshot. A font
        from a host that never answers would hold the screenshot for good: fonts get a moment,
        then what stalled is cut off."""
        try:
            added = await isolated.evaluate(self.page, ADD_BODY)
            if (added or self.parser_cut) and not await asyncio.wait_for(isolated.evaluate(self.page, PAINTS), seconds):
                return False
            loading = await isolated.evaluate(self.page, FONTS_LOADING, seconds * 1000)
        except Exception:
            return not self.parser_cut
        if loading:
            await self.cut_off()
        return True

    def note(self) -> str | None:
        if self.aborted:
            return "the page stopped its own loading while it was parsed; its text is taken from the document as served"
        parts = []
        if self.hung:
            parts.append("no answer from " + _hosts(self.hung))
        if self.slow:
            parts.append("never finished: " + _hosts(self.slow))
        if not parts:
            return None
        how = "loaded the page again without them" if self.reloads else "captured without them"
        if self.parser_cut:
            how += "; the parser never got through the page: its text is taken from the document as served"
        return f"stalled for {STALL_S:g} s or more ({'; '.join(parts)}); {how}"

    # ------------------------------------------------------------ helpers

    def _subresources(self) -> list:
        return [r for r in list(self.network.inflight) if not _main_navigation(r, self.page)]

    def _stalled(self) -> list:
        return [r for r in _stalled_requests(self.network) if not _main_navigation(r, self.page)]

    def _document_arriving(self) -> bool:
        return any(_main_navigation(r, self.page) for r in list(self.network.inflight))

    async def _remember(self, requests: list) -> None:
        answered = await asyncio.gather(*(_answered(r) for r in requests))
        for req, got in zip(requests, answered):
            bucket = self.slow if got else self.hung
            bucket.setdefault(_netloc(req.url), set()).add(_kind(req))

    async def _parser_aborted(self) -> bool:
        """The page calls itself complete, yet DOMContentLoaded never fired: its own script
        stopped the parser (window.stop(); its document request may never be seen to finish)."""
        try:
            return await asyncio.wait_for(isolated.evaluate(self.page, "() => document.readyState"), 2) == "complete"
        except Exception:
            return False

    async def _block(self, requests: list) -> None:
        for pattern in patterns_of(requests, self.page.url):
            if pattern not in self.blocked:
                self.blocked.append(pattern)
        try:
            await asyncio.wait_for(self.block(self.blocked), 5)
        except Exception:
            pass  # the page is gone or busy: the next stall tries again


def _retrieved(task) -> None:
    if not task.cancelled():
        task.exception()


def _main_navigation(request, page) -> bool:
    try:
        return request.is_navigation_request() and request.frame == page.main_frame
    except Exception:
        return False  # a service worker's request has no frame


def _kind(request) -> str:
    try:
        return request.resource_type
    except Exception:
        return "other"


async def _answered(request, wait: float = 0.25) -> bool:
    """Whether response headers came (request.response() waits for them; a hung host sends none)."""
    try:
        return await asyncio.wait_for(request.response(), wait) is not None
    except asyncio.TimeoutError:
        return False
    except Exception:
        return True


def _netloc(url: str) -> str:
    try:
        return urlsplit(url).netloc or url[:60]
    except ValueError:
        return url[:60]


def _hosts(found: dict[str, set[str]]) -> str:
    return ", ".join(f"{host} ({', '.join(sorted(kinds))})" for host, kinds in sorted(found.items()))
