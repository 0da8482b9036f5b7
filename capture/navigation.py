"""Keep the document that loaded when the page navigates itself somewhere that fails.

Pages move themselves after loading: an "upgrade to https" snippet, a redirect
to the site's original host, a link followed under a `<base href>` that points
at a dead site, a consent or geo redirect. When the new address fails, the
browser would replace the article it had with an error page. The keeper
watches main-frame document requests through the DevTools Fetch domain,
limited to `resourceType: Document`, so ordinary subresources never pause and
cost nothing:

- a navigation whose response is a network error, an HTTP error or not a web
  page is aborted (ERR_ABORTED leaves the current document in place);
- one that gets no answer within NAV_PATIENCE_S is stopped (while a navigation
  is pending, DevTools holds every command for the page, so it cannot wait);
- one that loads is let through: the capture is of the new page, as before;
- once the capture has begun (`hold()`), the page is not allowed to move.

Each outcome is a line in `notes`; `kept` says which document was captured.
"""

from __future__ import annotations

import asyncio
from fnmatch import fnmatchcase

from .jsassets import script

NAV_PATIENCE_S = 6.0
INIT_SCRIPTS = ("bridge.js", "activity.js", "reveal.js")   # settle.install(): what settling relies on
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
REASONS = {
    "ConnectionRefused": "connection refused", "NameNotResolved": "unknown host", "TimedOut": "timed out",
    "ConnectionReset": "connection reset", "ConnectionClosed": "connection closed", "ConnectionFailed": "connection failed",
    "ConnectionAborted": "connection aborted", "AddressUnreachable": "address unreachable",
    "InternetDisconnected": "no network", "AccessDenied": "access denied", "BlockedByClient": "blocked",
    "BlockedByResponse": "blocked by the response", "Aborted": "aborted",
}
KEPT_LOADED = "loaded"        # the document that had loaded; the page's move failed or was refused
KEPT_NEW = "navigated"        # the page moved itself and the new document was captured


class NavigationKeeper:
    def __init__(self, page, cdp, notes: list[str], patience: float = NAV_PATIENCE_S):
        self.page = page
        self.cdp = cdp
        self.notes = notes
        self.patience = patience
        self.main_frame_id: str | None = None
        self.own: str | None = None          # networkId of the document being captured
        self.expecting = True                # the next main-frame document request is pagekeep's own
        self.move: tuple[str, str] | None = None   # (networkId, url) of a move still waiting for an answer
        self.held = False
        self.failed_moves = 0                # since pagekeep last loaded the document
        self.kept: str | None = None
        self.blocked: list[str] = []         # URL patterns of hosts known not to answer (stalls.py)
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> "NavigationKeeper":
        tree = await self.cdp.send("Page.getFrameTree")
        self.main_frame_id = tree["frameTree"]["frame"]["id"]
        self.cdp.on("Fetch.requestPaused", self._on_paused)
        await self._intercept()
        return self

    async def block(self, patterns: list[str]) -> None:
        """Fail every later request matching these URL patterns at once, whatever its kind
        (Network.setBlockedURLs would be simpler, but fonts slip past it)."""
        self.blocked = list(dict.fromkeys(self.blocked + patterns))
        await self._intercept()

    async def _intercept(self) -> None:
        await self._send("Fetch.enable", patterns=[
            {"resourceType": "Document", "requestStage": "Request"},
            {"resourceType": "Document", "requestStage": "Response"},
            *({"urlPattern": p, "requestStage": "Request"} for p in self.blocked),
        ])

    def expect_document(self) -> None:
        """pagekeep is about to load a document itself (the first load, or a reload)."""
        self.expecting = True
        self.failed_moves = 0

    async def reload(self, deadline, cap: float, wait_until: str = "commit"):
        """Load the page again (pagekeep's own navigation). A move the page starts at the same
        moment cancels it (ERR_ABORTED): then it is tried once more."""
        for tries_left in (1, 0):
            self.expect_document()
            try:
                return await self.page.reload(wait_until=wait_until, timeout=deadline.ms(cap=cap, floor=1))
            except Exception as exc:
                if not tries_left or "ERR_ABORTED" not in str(exc):
                    raise

    async def reload_without_scripts(self, deadline, cap: float):
        """A page that moves itself while it is still being parsed (an inline "upgrade to https"
        snippet in <head>) stops its own parser, so when the move fails the body was never
        parsed. Load it again with scripts off, so it cannot move, then turn them back on for
        pagekeep's own steps. Returns the new response."""
        await self._send("Emulation.setScriptExecutionDisabled", value=True)
        try:
            response = await self.reload(deadline, cap, wait_until="domcontentloaded")
        finally:
            await self._send("Emulation.setScriptExecutionDisabled", value=False)
        for name in INIT_SCRIPTS:  # they could not run in a document whose scripts were off
            await self.page.evaluate(script(name))
        self.notes.append("the page navigated away while it was still loading, which stops its parser: "
                          "loaded it again with its scripts off")
        return response

    async def hold(self) -> None:
        """The capture has begun: refuse every later move, and stop one still waiting for an answer."""
        self.held = True
        if self.move:
            await self._stop_waiting("still no answer when the capture began")

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()

    def _on_paused(self, event: dict) -> None:
        task = asyncio.ensure_future(self._decide(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _decide(self, ev: dict) -> None:
        nid = ev.get("networkId") or ev["requestId"]
        at_response = "responseStatusCode" in ev or "responseErrorReason" in ev
        main = ev.get("frameId") == self.main_frame_id and ev.get("resourceType") == "Document"
        try:
            if main and self.expecting and not at_response:
                self.own, self.expecting = nid, False
            dead = not at_response and nid != self.own and any(fnmatchcase(ev["request"]["url"], p) for p in self.blocked)
            if dead and main:
                return await self._refuse(ev, ev["request"]["url"], "a host that did not answer before")
            if dead:
                return await self._send("Fetch.failRequest", requestId=ev["requestId"], errorReason="BlockedByClient")
            if not main or nid == self.own:
                return await self._send("Fetch.continueRequest", requestId=ev["requestId"])
            url = ev["request"]["url"]
            if self.held:
                return await self._refuse(ev, url, "it tried after the capture began")
            if not at_response:
                return await self._leaving(ev, nid, url)
            failure = _failure(ev)
            if failure:
                self.move = None
                return await self._refuse(ev, url, failure)
            if not 300 <= ev.get("responseStatusCode", 0) < 400:  # a redirect's next hop is still this move
                self.move, self.own, self.kept = None, nid, KEPT_NEW
                moved = "reloaded itself" if url == self.page.url else f"navigated itself to {url}"
                self.notes.append(f"the page {moved}; captured that new document")
            await self._send("Fetch.continueRequest", requestId=ev["requestId"])
        except Exception:
            pass  # the page or the session is gone: nothing left to keep

    async def _leaving(self, ev: dict, nid: str, url: str) -> None:
        """A move starts (or a redirect of it goes on): let it try, for NAV_PATIENCE_S at most."""
        first = self.move is None or self.move[0] != nid
        self.move = (nid, url)   # a newer move replaces an older one, as in the browser
        await self._send("Fetch.continueRequest", requestId=ev["requestId"])
        if first:
            await asyncio.sleep(self.patience)
            if self.move and self.move[0] == nid:
                await self._stop_waiting(f"no answer within {self.patience:g} s")

    async def _refuse(self, ev: dict, url: str, why: str) -> None:
        await self._send("Fetch.failRequest", requestId=ev["requestId"], errorReason="Aborted")
        self._kept_loaded(url, why)

    async def _stop_waiting(self, why: str) -> None:
        _, url = self.move
        self.move = None
        await self._send("Page.stopLoading")
        self._kept_loaded(url, why)

    def _kept_loaded(self, url: str, why: str) -> None:
        self.failed_moves += 1
        if self.kept != KEPT_NEW:
            self.kept = KEPT_LOADED
        self.notes.append(f"the page tried to navigate to {url} ({why}); kept the document that had loaded")

    async def _send(self, method: str, **params) -> None:
        await asyncio.wait_for(self.cdp.send(method, params), timeout=5)


def _failure(ev: dict) -> str | None:
    """Why a paused response is not a page worth leaving the loaded one for; None if it is."""
    reason = ev.get("responseErrorReason")
    if reason:
        if reason == "Failed" and ev["request"]["url"].startswith("https:"):
            return "secure connection failed"
        return REASONS.get(reason, f"network error: {reason}")
    status = ev.get("responseStatusCode", 0)
    if status >= 400:
        return f"HTTP {status}"
    if 300 <= status < 400:
        return None
    headers = {h["name"].lower(): h["value"] for h in ev.get("responseHeaders") or []}
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    if "attachment" in headers.get("content-disposition", "").lower() or (ctype and not ctype.startswith(PAGE_TYPES)):
        return f"not a web page: {ctype or 'a download'}"
    return None


async def attach(context, page, notes: list[str]) -> NavigationKeeper:
    """A keeper on its own DevTools session for `page`."""
    cdp = await context.new_cdp_session(page)
    return await NavigationKeeper(page, cdp, notes).start()
