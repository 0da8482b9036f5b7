"""Record the traffic of one capture, for its web archive (see wacz.py).

Listens to the browser context's network events rather than one page's
DevTools session: Playwright follows every frame through them, out-of-process
cross-origin iframes included. A body is asked for as soon as its request
finishes, while the browser still holds it; bodies come back as the browser
decoded them. Nothing here runs unless a capture asks for an archive.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timezone

MB = 1_000_000


@dataclass
class ArchiveOptions:
    max_resource_mb: float = 10.0    # a larger body is cut to this size, marked WARC-Truncated: length
    max_total_mb: float = 60.0       # past this, further bodies are left out, marked the same way
    finish_s: float = 5.0            # how long to wait for bodies still being read when the capture ends


@dataclass
class Exchange:
    """One http(s) request and what came back (a 3xx with no body for each redirect hop)."""

    url: str
    method: str
    resource_type: str
    started: datetime
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    post_data: bytes | None = None
    status: int | None = None
    status_text: str = ""
    http_version: str = "HTTP/1.1"   # status lines say HTTP/1.1 whatever the wire spoke (h2 too), as crawlers do
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    received: datetime | None = None
    body: bytes | None = None
    truncated: str | None = None     # WARC-Truncated reason ("length")
    missing: str | None = None       # why there is no body although there should be one
    error: str | None = None         # the request failed (blocked, reset, aborted)

    @property
    def recorded(self) -> bool:
        """True when this exchange becomes a response record in the WARC."""
        return self.status is not None and (self.body is not None or 300 <= self.status < 400)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _http(url: str) -> bool:
    return url.startswith(("http://", "https://"))


class ArchiveRecorder:
    """Collects Exchanges from a context's network events while a capture runs."""

    def __init__(self, opts: ArchiveOptions | None = None):
        self.opts = opts or ArchiveOptions()
        self.exchanges: dict[object, Exchange] = {}   # keyed by the Playwright Request (kept alive meanwhile)
        self.pending: set[asyncio.Task] = set()
        self.total = 0
        self.closed = False
        self.page = None

    def attach(self, context) -> "ArchiveRecorder":
        """Record the context's first page (the capture; pop-ups are closed unrecorded). Its
        network events already flow for settle.NetworkTracker, so listening costs no extra traffic."""
        context.on("page", self._on_page)
        return self

    def _on_page(self, page) -> None:
        if self.page is not None:
            return
        self.page = page
        page.on("request", self._on_request)
        page.on("requestfinished", lambda r: self._spawn(self._finished(r)))
        page.on("requestfailed", self._on_failed)

    def _spawn(self, coro) -> None:
        if self.closed:
            coro.close()
            return
        task = asyncio.ensure_future(coro)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    def _on_request(self, request) -> None:
        if self.closed or not _http(request.url):
            return
        self.exchanges[request] = Exchange(
            url=request.url.split("#")[0], method=request.method, resource_type=request.resource_type,
            started=_now(), post_data=request.post_data_buffer)

    def _on_failed(self, request) -> None:
        ex = self.exchanges.get(request)
        if ex is not None:
            ex.error = request.failure or "failed"

    async def _finished(self, request) -> None:
        ex = self.exchanges.get(request)
        if ex is None:
            return
        # One protocol round trip for the raw headers (Set-Cookie included) and one for the body,
        # side by side; the request's headers and the response itself are at hand already.
        response = request.existing_response
        if response is None:
            ex.error = ex.error or "no response"
            return
        ex.received = _now()
        ex.status, ex.status_text = response.status, response.status_text
        ex.request_headers = list(request.headers.items())
        bodiless = 300 <= ex.status < 400  # a redirect hop (or a 304): its record carries headers only
        headers, _ = await asyncio.gather(_quiet(response.headers_array()),
                                          _none() if bodiless else self._read_body(ex, response))
        if headers is None:  # the raw ones were lost (page closing): the provisional ones lack only cookies
            headers = [{"name": k, "value": v} for k, v in response.headers.items()]
        ex.response_headers = [(h["name"], h["value"]) for h in headers]

    async def _read_body(self, ex: Exchange, response) -> None:
        cap = int(self.opts.max_resource_mb * MB)
        declared = _declared_length(list(response.headers.items()))
        if declared is not None and declared > 4 * cap or self.total >= self.opts.max_total_mb * MB:
            ex.body, ex.truncated = b"", "length"
            return
        try:
            body = await response.body()
        except Exception as exc:
            ex.missing = _why_missing(exc)
            return
        room = max(0, int(self.opts.max_total_mb * MB) - self.total)
        keep = min(len(body), cap, room)
        if keep < len(body):
            body, ex.truncated = body[:keep], "length"
        self.total += len(body)
        ex.body = body

    async def finish(self) -> list[Exchange]:
        """Stop listening, give bodies still being read a moment, and return every exchange in order."""
        self.closed = True
        if self.pending:
            await asyncio.wait(list(self.pending), timeout=self.opts.finish_s)
            for task in list(self.pending):
                task.cancel()
        out = sorted(self.exchanges.values(), key=lambda e: e.started)
        for ex in out:
            if not ex.recorded and not ex.error and not ex.missing:
                ex.missing = "still loading when the capture ended"
        return out


async def _quiet(coro, default=None):
    try:
        return await coro
    except Exception:
        return default


async def _none():
    return None


def _declared_length(headers: list[tuple[str, str]]) -> int | None:
    for name, value in headers:
        if name.lower() == "content-length" and value.strip().isdigit():
            return int(value)
    return None


def _why_missing(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    if "No resource with given identifier" in msg or "No data found" in msg:
        return "the browser no longer held the body"
    return f"body unavailable: {msg[:160]}"
