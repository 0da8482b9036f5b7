"""One capture, start to finish: URL → render → settle → consent → extract → screenshots.

`capture_page()` takes a browser and returns everything to store, or raises
CaptureError with a one-line reason. Single URLs and batches share this path.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import consent, dom, isolated, navigation, overlays, settle, text_boxes
from .archive_recorder import ArchiveOptions, ArchiveRecorder
from .browser import new_context
from .deadline import Deadline
from .extract import Extraction, extract
from .laps import Laps
from .screenshots import ShotOptions, take
from .stalls import Stalls, ThreadHeld, blocked_from_start, held_by, unanswered
from .store import utcnow
from .urls import BadURL, check_url, DEFAULT_SCHEMES
from .wacz import archive_capture

HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass
class CaptureOptions:
    consent: str = "reject"
    timeout: float = 30.0
    wait: float = 0.0             # at least this long after load before extracting (slow APIs)
    shots: ShotOptions = field(default_factory=ShotOptions)
    allowed_schemes: tuple = DEFAULT_SCHEMES
    viewport: tuple = (1280, 900)
    keep_rendered_html: bool = True
    max_page_mb: float = 20.0     # larger documents are refused: the browser cannot settle them in time
    block_outside: bool = False   # abort every request not to a loopback host (benchmarks, offline tests)
    archive: ArchiveOptions | None = None   # record the traffic as a WACZ (--archive); None: no recording at all
    consent_config: str | None = None   # per-domain consent modes file; None: $PAGEKEEP_CONSENT_CONFIG or ~/.config/pagekeep/consent.toml if present
    text_boxes: bool = True       # measure where the text is drawn on the page screenshot (text_boxes.py)


class CaptureError(Exception):
    """A capture that failed for a reason worth one line to the user."""

    def __init__(self, kind: str, message: str, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.transient = transient


@dataclass
class Capture:
    record: dict
    screenshots: list
    rendered_html: str | None
    extraction: Extraction
    related: dict = field(default_factory=dict)   # {table: [rows]} stored with the article (store.save_capture)


NET_ERRORS = [
    ("ERR_NAME_NOT_RESOLVED", "dns", "unknown host", False),
    ("ERR_NAME_RESOLUTION_FAILED", "dns", "unknown host", False),
    ("ERR_CONNECTION_REFUSED", "refused", "connection refused", False),
    ("ERR_CONNECTION_RESET", "reset", "connection reset", True),
    ("ERR_CONNECTION_CLOSED", "reset", "connection closed", True),
    ("ERR_EMPTY_RESPONSE", "reset", "empty response", True),
    ("ERR_TOO_MANY_REDIRECTS", "redirects", "too many redirects", False),
    ("ERR_ADDRESS_UNREACHABLE", "unreachable", "address unreachable", True),
    ("ERR_CONNECTION_TIMED_OUT", "timeout", "connection timed out", True),
    ("ERR_TIMED_OUT", "timeout", "timed out", True),
    ("ERR_CERT", "tls", "TLS certificate error", False),
    ("ERR_SSL", "tls", "TLS error", False),
    ("ERR_ABORTED", "aborted", "navigation aborted (a download or a non-page response?)", False),
    ("ERR_INVALID_URL", "bad_url", "invalid URL", False),
    ("ERR_UNSAFE_PORT", "bad_url", "port refused by the browser as unsafe", False),
    ("ERR_BLOCKED", "blocked", "request blocked", False),
    ("ERR_INVALID_RESPONSE", "bad_response", "invalid response", False),
    ("ERR_CONTENT_DECODING_FAILED", "bad_response", "content decoding failed", False),
    ("ERR_RESPONSE_HEADERS_TRUNCATED", "bad_response", "truncated response headers", True),
    ("ERR_HTTP2", "reset", "HTTP/2 protocol error", True),
]


def _navigation_error(exc: Exception, url: str, ctype: str | None = None) -> CaptureError:
    msg = str(exc)
    if "Download is starting" in msg:
        return CaptureError("not_html", f"not a web page: {url} is a download" + (f" ({ctype})" if ctype else ""))
    for code, kind, text, transient in NET_ERRORS:
        if code in msg:
            return CaptureError(kind, f"{text} ({url})", transient=transient)
    if "Timeout" in exc.__class__.__name__ or "Timeout" in msg.split("\n")[0]:
        return CaptureError("timeout", f"timed out loading {url}", transient=True)
    first = msg.strip().splitlines()[0] if msg.strip() else exc.__class__.__name__
    return CaptureError("navigation", f"could not load {url}: {first[:200]}")


async def capture_page(browser, url: str, opts: CaptureOptions, before_navigate=None) -> Capture:
    """Render and capture one URL, bounded by opts.timeout from the moment it is requested.

    `before_navigate` (a coroutine function) runs once the context is ready and
    before the clock starts: batches use it to space out requests to one host.
    """
    try:
        check_url(url, opts.allowed_schemes)
    except BadURL as exc:
        raise CaptureError("bad_url", str(exc)) from None
    laps = Laps()
    context = await new_context(browser, viewport=opts.viewport)
    recorder = ArchiveRecorder(opts.archive).attach(context) if opts.archive else None
    watchdog = keeper = None
    captured = None
    try:
        page, network, notes = await asyncio.wait_for(_prepare(context, url, opts), timeout=opts.timeout)
        keeper = await asyncio.wait_for(navigation.attach(context, page, notes), timeout=opts.timeout)
        isolated.attach(page, keeper.cdp)   # pagekeep's page scripts run in a world of their own, over this session
        held = asyncio.get_running_loop().create_future()
        watchdog = asyncio.ensure_future(_watchdog(context, page, notes, network, url, held))
        if before_navigate is not None:
            await before_navigate()
        laps("open")
        deadline = Deadline(opts.timeout)
        captured = await _unless_held(held, asyncio.wait_for(
            _render_and_extract(page, network, url, opts, deadline, notes, deadline.start, keeper, laps),
            timeout=opts.timeout), url)
        if recorder is not None:
            captured.related["archives"] = [await archive_capture(recorder, captured, browser.version, opts.consent,
                                                                  opts.viewport)]
            laps("archive")
        captured.record["chromium_version"] = browser.version
        return captured
    except asyncio.TimeoutError:
        raise CaptureError("timeout", f"capture of {url} exceeded --timeout {opts.timeout:g}s", transient=True) from None
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if keeper is not None:
            keeper.close()
        try:
            await asyncio.wait_for(context.close(), timeout=10)
        except Exception:
            pass
        laps("close")
        if captured is not None:
            captured.record["timings"] = laps.dumps()


async def _unless_held(held: asyncio.Future, work, url: str):
    """The capture's result, unless the watchdog finds the page held first (then a transient
    failure: the retry blocks the host that held it)."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.wait({task, held}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not task.done():
            task.cancel()
    if not task.done() or task.cancelled():
        raise CaptureError("stalled", f"{held.result()} ({url}); trying again without it", transient=True)
    return task.result()


async def _prepare(context, url: str, opts: CaptureOptions):
    """A fresh page with pagekeep's scripts installed before any of the page's own."""
    await settle.install(context)
    await consent.install(context, opts.consent, opts.consent_config)
    if opts.block_outside:
        await context.route(_is_outside, _block_outside)
    page = await context.new_page()
    # Pop-ups and dialogs never block a capture.
    page.on("popup", lambda p: asyncio.ensure_future(_close_quietly(p)))
    page.on("dialog", lambda d: asyncio.ensure_future(_dismiss(d)))
    return page, settle.NetworkTracker(page), []


async def _watchdog(context, page, notes: list[str], network, url: str, held: asyncio.Future,
                    every: float = 2.0, patience: float = 4.0) -> None:
    """Stop runaway page scripts (an endless loop freezes every later step) via CDP.

    A page must miss two pings in a row, so a merely busy page on a loaded
    machine is left alone. A page that misses one, and a second look soon
    after, while an XHR has stalled is held by a synchronous request no script
    can end: `held` gets the message.
    """
    try:
        cdp = await context.new_cdp_session(page)
    except Exception:
        return  # not Chromium, or the page is gone
    missed = 0
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.wait_for(page.evaluate("1"), timeout=patience)
            missed = 0
        except asyncio.TimeoutError:
            if await unanswered(page, patience / 2) and (message := held_by(network, url)):
                held.set_result(message)
                return
            missed += 1
            if missed < 2:
                continue
            try:
                await asyncio.wait_for(cdp.send("Runtime.terminateExecution"), timeout=5)
                if not any(n.startswith("stopped a runaway") for n in notes):
                    notes.append("stopped a runaway page script")
            except Exception:
                return
        except asyncio.CancelledError:
            raise
        except Exception:
            pass  # navigating, or closed: try again next tick


async def _render_and_extract(page, network, url: str, opts: CaptureOptions, deadline: Deadline,
                              notes: list[str], started: float, keeper, laps: Laps) -> Capture:
    stalls = Stalls(page, network, keeper.cdp, keeper.block, url)
    if held_before := blocked_from_start(url):
        await keeper.block(held_before)
        hosts = ", ".join(p.removeprefix("*://").removesuffix("/*") for p in held_before)
        notes.append(f"no answer from {hosts} on an earlier try, which it held; blocked from the start")
    try:
        response = await page.goto(url, wait_until="commit", timeout=deadline.ms(cap=opts.timeout * 0.6, floor=1))
    except Exception as exc:
        raise _navigation_error(exc, url, await network.failed_document_type()) from None
    if response is None:
        raise CaptureError("navigation", f"no response for {url}")
    status = response.status
    headers = await response.all_headers()
    ctype = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if status >= 400:
        raise CaptureError("http", f"HTTP {status} {response.status_text or ''}".strip() + f" for {url}",
                           status=status, transient=status >= 500 or status == 429)
    if ctype and not ctype.startswith(HTML_TYPES):
        raise CaptureError("not_html", f"not a web page: {url} is {ctype}", status=status)
    size = int(headers.get("content-length") or 0) if (headers.get("content-length") or "").isdigit() else 0
    if size > opts.max_page_mb * 1e6:
        raise CaptureError("too_large", f"page too large: {url} is {size / 1e6:.0f} MB (limit {opts.max_page_mb:g} MB)",
                           status=status)
    try:
        response = await stalls.document_ready(deadline, opts.timeout * 0.6, keeper.reload,
                                               lambda: keeper.failed_moves > 0) or response
        if stalls.parser_stopped:
            response = await keeper.reload_without_scripts(deadline, opts.timeout * 0.6) or response
    except ThreadHeld as exc:
        raise CaptureError("stalled", f"{exc} ({url}); trying again without it", transient=True) from None
    except Exception as exc:
        raise _navigation_error(exc, url) from None
    loaded_at = time.monotonic()
    laps("load")
    if not await stalls.wait_for_load(deadline, min(8, opts.timeout * 0.25)):
        notes.append("page never finished loading; captured what had arrived")
    await settle.wait_quiet(page, network, deadline, max_s=8)
    if opts.wait:
        await asyncio.sleep(max(0.0, min(loaded_at + opts.wait - time.monotonic(), deadline.left() - 2)))
        await settle.wait_quiet(page, network, deadline, max_s=4)
    laps("settle")
    consent_result = await consent.handle(page, opts.consent, deadline)
    laps("consent")
    notes += await overlays.clear(page)
    await settle.scroll_through(page, network, deadline)
    await stalls.cut_off(only_if_nothing_else=True)  # embeds that never answer are cut off, not waited for
    laps("scroll")
    expanded = await settle.expand_in_place(page, network, deadline)
    if expanded:
        notes.append(f"expanded {expanded} in-article control(s)")
    if consent_result.action is None:
        consent_result = await consent.handle(page, opts.consent, deadline, last=True)  # late banners
    if consent_result.detail:
        notes.append(f"consent: {consent_result.detail}")
    notes += await overlays.clear(page)
    await settle.back_to_top(page)
    await keeper.hold()
    await stalls.cut_off()
    laps("overlays")

    for tries_left in (1, 0):
        try:
            rendered = await dom.visible_html(page)  # hidden parts marked (js/visibility.js)
            final_url = page.url
            if network.document_url and not final_url.startswith(("chrome-error:", "about:")):
                final_url = network.document_url
            break
        except Exception as exc:
            # A page that navigates itself away: capture where it went, once it has loaded.
            if tries_left and _navigated(exc):
                notes.append(f"page navigated away to {page.url}; captured where it went")
                try:
                    await page.wait_for_load_state("load", timeout=deadline.ms(cap=8, floor=1))
                except Exception:
                    pass
                await settle.wait_quiet(page, network, deadline, max_s=3)
                continue
            raise
    if final_url.startswith("chrome-error:") or final_url == "about:blank":
        raise CaptureError("navigation", f"{url} navigated to a page that failed to load")
    served = await _served_html(response, final_url, stalls.aborted)
    if stalls.parser_cut and served:
        rendered = served  # the parser never got through the page: the document as served holds more
    extraction = await asyncio.to_thread(extract, rendered, final_url, served)
    laps("extract")
    marked = await dom.mark_article(page, extraction.paragraphs[:200])
    rendered = marked.html  # now with the article element marked (data-pk-article)
    box, measured = marked.box, None
    if await stalls.ready_for_screenshot():
        layout = await dom.shot_layout(page, box)
        box = layout.box
        measured = await text_boxes.measure(page, extraction.paragraphs) if opts.text_boxes else None
        shots, shot_notes = await take(page, box, opts.shots, layout.size)
    else:
        shots, shot_notes = [], ["no screenshots: the page never got to paint"]
    notes += shot_notes
    related = await text_boxes.after_screenshot(page, measured, box, shots, notes)
    laps("screenshots")

    meta = extraction.metadata
    record = {
        "url": url,
        "final_url": final_url,
        "canonical_url": meta.get("canonical_url"),
        "title": meta.get("title"),
        "byline": meta.get("byline"),
        "published": meta.get("published"),
        "modified": meta.get("modified"),
        "site_name": meta.get("site_name"),
        "lang": meta.get("lang"),
        "description": meta.get("description"),
        "image_url": meta.get("image_url"),
        "text": extraction.text,
        "html": extraction.html,
        "word_count": extraction.word_count,
        "captured_at": utcnow(),
        "status_code": status,
        "content_type": ctype or None,
        "consent_cmp": consent_result.cmp,
        "consent_action": consent_result.action,
        "consent_ok": None if consent_result.ok is None else int(consent_result.ok),
        "extractor": extraction.extractor,
        "capture_notes": "\n".join(notes + [n for n in [stalls.note()] if n]) or None,
        "document_kept": keeper.kept,
        "capture_seconds": round(time.monotonic() - started, 3),
        "timings": laps.dumps(),
    }
    return Capture(record, shots, rendered if opts.keep_rendered_html else None, extraction, related)


LOOPBACK_HOSTS = {"localhost", "::1", "[::1]"}


def _is_outside(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if url.startswith(("data:", "blob:", "about:")):
        return False
    return not (host in LOOPBACK_HOSTS or host.startswith("127."))


async def _served_html(response, final_url: str, stopped: bool = False) -> str | None:
    """The document as the server sent it, for extraction to fall back on when the page's
    own scripts replaced the article (see extract()); None if it is not the page captured.
    `stopped`: the page stopped its own load, so the browser will not hand over the body."""
    try:
        if response.url != final_url or response.request.redirected_to is not None:
            return None
        body = None if stopped else await asyncio.wait_for(response.body(), 5)
    except asyncio.TimeoutError:
        body = None
    except Exception:
        return None
    if body is None:
        # The browser never hands over a body it did receive when the page stopped its own
        # load (window.stop()): ask the server once more, with the page's cookies.
        try:
            again = await response.frame.page.context.request.get(final_url, timeout=8000)
            body = await again.body() if again.ok else b""
        except Exception:
            return None
    if len(body) > 8_000_000:
        return None
    return body.decode("utf-8", errors="replace") if _declared_utf8(response, body) else None


def _declared_utf8(response, body: bytes) -> bool:
    ctype = (response.headers.get("content-type") or "").lower()
    if "charset=" in ctype:
        return "utf-8" in ctype or "utf8" in ctype
    head = body[:4096].lower()
    return b"charset" not in head or b"utf-8" in head or b"utf8" in head


async def _block_outside(route) -> None:
    """Abort requests to hosts off this machine. A top-level navigation aborted here fails like
    any other, and the navigation keeper (navigation.py) keeps the document that had loaded."""
    try:
        await route.abort("blockedbyclient")
    except Exception:
        pass


def _navigated(exc: Exception) -> bool:
    msg = str(exc)
    return "Execution context was destroyed" in msg or "navigation" in msg.lower()


async def _dismiss(dialog) -> None:
    try:
        await dialog.dismiss()
    except Exception:
        pass


async def _close_quietly(page) -> None:
    try:
        await page.close()
    except Exception:
        pass


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return re.sub(r"\s+", " ", text)[:300]
