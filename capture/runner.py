"""Capture many URLs with one browser: a pool of workers over a queue kept in the archive.

The browser side is asyncio; SQLite writes go to one writer thread so a slow
disk never stalls rendering, and each capture is one short transaction that
also marks its queue entry done — which is what makes a batch resumable after
Ctrl-C, a crash or SIGKILL without capturing any URL twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from playwright.async_api import async_playwright

from . import store
from .browser import launch
from .pipeline import Capture, CaptureError, CaptureOptions, capture_page, one_line


@dataclass
class BatchOptions:
    concurrency: int = 4
    per_host: int = 4            # pages of one host rendered at once
    host_delay: float = 0.0      # seconds between starting two pages of one host
    retries: int = 2             # extra tries for transient failures
    backoff: float = 1.5         # seconds before the first retry; doubles after
    recapture: bool = False
    restart_every: int = 200     # pages per browser process, to keep memory bounded


@dataclass
class Outcome:
    url: str
    ok: bool
    seconds: float
    article_id: int | None = None
    title: str | None = None
    word_count: int | None = None
    error: str | None = None
    kind: str | None = None
    skipped: bool = False
    tries: int = 1
    details: dict = field(default_factory=dict)
    status: int | None = None    # HTTP status of a failed capture, when there was one

    def as_json(self) -> dict:
        d = {"url": self.url, "ok": self.ok, "seconds": round(self.seconds, 2)}
        if self.skipped:
            d.update(id=self.article_id, skipped=True)
        elif self.ok:
            d.update(id=self.article_id, title=self.title, words=self.word_count, tries=self.tries, **self.details)
        else:
            d.update(error=self.error, kind=self.kind, tries=self.tries)
        return d


class Reporter:
    """What the CLI (or a test) wants to hear about a batch."""

    def start(self, total: int, skipped: int) -> None: ...
    def begin(self, url: str) -> None: ...
    def outcome(self, outcome: Outcome) -> None: ...
    def finish(self) -> None: ...


class ArchiveError(Exception):
    """The archive cannot be written (disk full, read-only, corrupt): the batch stops, nothing half-written."""


class Writer:
    """The only thread that writes to the archive."""

    def __init__(self, db_path: str):
        self.path = db_path
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagekeep-writer")
        try:
            self.db = self.pool.submit(store.connect, db_path).result()
        except (sqlite3.Error, OSError) as exc:
            self.pool.shutdown()
            raise ArchiveError(f"cannot open the archive {db_path}: {exc}") from None

    def _guarded(self, fn, *args, **kw):
        try:
            return fn(self.db, *args, **kw)
        except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
            raise ArchiveError(f"cannot write to the archive {self.path}: {exc}") from None

    async def call(self, fn, *args, **kw):
        return await asyncio.get_running_loop().run_in_executor(self.pool, lambda: self._guarded(fn, *args, **kw))

    def call_sync(self, fn, *args, **kw):
        return self.pool.submit(lambda: self._guarded(fn, *args, **kw)).result()

    def close(self):
        try:
            self.pool.submit(self.db.close).result()
        finally:
            self.pool.shutdown()


class BrowserHost:
    """One Chromium shared by all workers; relaunched after a crash or every N pages.

    A planned restart waits until the pages in flight are done, so no work is lost.
    """

    def __init__(self, pw, restart_every: int):
        self.pw = pw
        self.restart_every = restart_every
        self.browser = None
        self.pages_on_browser = 0
        self.active = 0
        self.restarts = 0
        self.lock = asyncio.Lock()
        self.idle = asyncio.Condition()

    async def start(self):
        """Launch up front, so the first pages do not pay for start-up inside their time budget."""
        async with self.lock:
            if self.browser is None:
                self.browser = await launch(self.pw)
                self.pages_on_browser = 0

    async def acquire(self):
        async with self.lock:
            needs_restart = self.browser is not None and (
                not self.browser.is_connected() or self.pages_on_browser >= self.restart_every
            )
            if needs_restart:
                async with self.idle:
                    await self.idle.wait_for(lambda: self.active == 0 or not self.browser.is_connected())
                await self._close()
                self.restarts += 1
            if self.browser is None:
                self.browser = await launch(self.pw)
                self.pages_on_browser = 0
            self.pages_on_browser += 1
            self.active += 1
            return self.browser

    async def release(self):
        async with self.idle:
            self.active -= 1
            self.idle.notify_all()

    async def _close(self):
        if self.browser is not None:
            try:
                await asyncio.wait_for(self.browser.close(), timeout=15)
            except Exception:
                pass
            self.browser = None

    async def close(self):
        async with self.lock:
            await self._close()


class HostGate:
    """At most `per_host` pages of one host at once, and an optional delay between their requests."""

    def __init__(self, per_host: int, delay: float):
        self.sems: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(max(1, per_host)))
        self.delay = delay
        self.next_start: dict[str, float] = defaultdict(float)

    @staticmethod
    def host(url: str) -> str:
        try:
            return (urlsplit(url).hostname or "").lower()
        except ValueError:
            return ""

    def slot(self, url: str) -> asyncio.Semaphore:
        return self.sems[self.host(url)]

    def spacer(self, url: str):
        """Coroutine function run just before navigation: waits for the host's next turn."""
        if not self.delay:
            return None
        host = self.host(url)

        async def wait_turn():
            now = time.monotonic()
            start = max(now, self.next_start[host])
            self.next_start[host] = start + self.delay
            if start > now:
                await asyncio.sleep(start - now)

        return wait_turn


def _details(record: dict) -> dict:
    keys = ("final_url", "byline", "published", "site_name", "lang", "consent_cmp", "consent_action",
            "consent_ok", "capture_notes", "document_kept")
    return {k: record.get(k) for k in keys}


BROWSER_GONE = ("Target closed", "Browser has been closed", "browser has disconnected", "Connection closed",
                "Target page, context or browser has been closed")


def _browser_loss(exc: Exception, browser) -> CaptureError | None:
    """A failure caused by the browser dying (mid-navigation too) is worth a retry on the relaunched one."""
    msg = one_line(exc)
    if any(s.lower() in msg.lower() for s in BROWSER_GONE) or not browser.is_connected():
        return CaptureError("browser", f"browser lost: {msg}", transient=True)
    return None


class Renderer:
    """What a batch renders with. It asks for `slots()` page loops, each holding a
    `turn()` per URL; `render()` returns a Capture or raises CaptureError. These
    defaults suit a renderer in this process: --concurrency loops, no window."""

    def slots(self, concurrency: int) -> int:
        return concurrency

    def turn(self):
        return contextlib.nullcontext()

    async def start(self) -> "Renderer":
        return self

    async def render(self, url: str, opts: CaptureOptions, before_navigate=None) -> Capture:
        raise NotImplementedError

    async def close(self) -> None:
        pass


class LocalBrowser(Renderer):
    """Renders on this machine with one BrowserHost; each cluster worker owns one too."""

    def __init__(self, restart_every: int = 200):
        self.restart_every = restart_every
        self.pw = self.host = None

    async def start(self) -> "LocalBrowser":
        """Launch up front, so the first pages do not pay for start-up inside their time budget."""
        self.pw = await async_playwright().start()
        self.host = BrowserHost(self.pw, self.restart_every)
        try:
            await self.host.start()
        except BaseException:
            await self.close()
            raise
        return self

    async def render(self, url: str, opts: CaptureOptions, before_navigate=None) -> Capture:
        browser = await self.host.acquire()
        try:
            return await capture_page(browser, url, opts, before_navigate=before_navigate)
        except CaptureError as exc:
            raise _browser_loss(exc, browser) or exc from None
        except Exception as exc:  # browser crash or a bug: recorded, never fatal to the batch
            raise _browser_loss(exc, browser) or CaptureError("internal", f"{exc.__class__.__name__}: {one_line(exc)}") from None
        finally:
            await self.host.release()

    async def close(self) -> None:
        if self.host is not None:
            await self.host.close()
        if self.pw is not None:
            with contextlib.suppress(Exception):
                await self.pw.stop()


async def capture_with_retries(renderer, writer: Writer, url: str, opts: CaptureOptions,
                               bopts: BatchOptions, before_navigate=None, save=None,
                               lease: str | None = None) -> Outcome:
    """Capture one URL, retrying transient failures; `save(db, capture, attempt)` (on the writer
    thread) replaces storing it as a new article: watch checks compare first, then decide.
    With the `lease` the URL was claimed under, a result or failure is stored only while it holds."""
    t_all = time.monotonic()
    tries = 0
    while True:
        tries += 1
        started_at = store.utcnow()
        t0 = time.monotonic()
        attempt = {"url": url, "started_at": started_at}
        try:
            cap = await renderer.render(url, opts, before_navigate)
            error = None
        except CaptureError as exc:
            error = exc
        seconds = time.monotonic() - t0
        if error is None:
            attempt.update(seconds=round(seconds, 3), status_code=cap.record.get("status_code"))
            if save is None:
                article_id = await writer.call(store.save_capture, cap.record, cap.screenshots, cap.rendered_html,
                                               attempt, cap.related, lease=lease)
                if article_id is None:  # the lease moved on: another run owns this URL now
                    return Outcome(url, True, time.monotonic() - t_all, skipped=True, tries=tries,
                                   error="another pagekeep run took it over")
            else:
                article_id = await writer.call(save, cap, attempt)
            return Outcome(url, True, time.monotonic() - t_all, article_id=article_id, title=cap.record.get("title"),
                           word_count=cap.record.get("word_count"), tries=tries, details=_details(cap.record))
        final = not error.transient or tries > bopts.retries
        await writer.call(store.record_failure, {**attempt, "seconds": round(seconds, 3), "error": one_line(error),
                                                 "error_kind": error.kind, "status_code": error.status}, final=final,
                          lease=lease)
        if final:
            return Outcome(url, False, time.monotonic() - t_all, error=one_line(error), kind=error.kind, tries=tries,
                           status=error.status)
        await asyncio.sleep(bopts.backoff * (2 ** (tries - 1)) * (0.8 + 0.4 * random.random()))


def _dedupe(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(u.strip() for u in urls if u and u.strip()))


async def capture_all(urls: list[str], db_path: str, opts: CaptureOptions, bopts: BatchOptions,
                      reporter: Reporter | None = None, renderer=None) -> list[Outcome]:
    """The batch: `renderer` renders (default: a LocalBrowser here; capture/cluster.py's on Dask)."""
    reporter = reporter or Reporter()
    urls = _dedupe(urls)
    writer = Writer(db_path)
    outcomes: list[Outcome] = []
    claimed: set[str] = set()
    try:
        writer.call_sync(store.release_stale)
        already = writer.call_sync(store.enqueue, urls, recapture=bopts.recapture)
        todo = [u for u in urls if u not in already]
        for u in urls:
            if u in already:
                outcomes.append(Outcome(u, True, 0.0, article_id=already[u], skipped=True))
        reporter.start(len(todo), len(already))
        for o in outcomes:
            reporter.outcome(o)
        if todo:
            queue: asyncio.Queue = asyncio.Queue()
            for u in todo:
                queue.put_nowait(u)
            gate = HostGate(bopts.per_host, bopts.host_delay)
            renderer = renderer or LocalBrowser(bopts.restart_every)
            try:
                await renderer.start()

                async def worker():
                    while True:
                        async with renderer.turn():
                            try:
                                url = queue.get_nowait()
                            except asyncio.QueueEmpty:
                                return
                            claimed.add(url)  # before the claim: a stop while claiming still hands it back
                            lease = await writer.call(store.claim, url)
                            if not lease:
                                claimed.discard(url)
                                continue  # another pagekeep process has it, or it finished meanwhile
                            async with gate.slot(url):
                                reporter.begin(url)
                                outcome = await capture_with_retries(renderer, writer, url, opts, bopts,
                                                                     gate.spacer(url), lease=lease)
                            claimed.discard(url)
                        outcomes.append(outcome)
                        reporter.outcome(outcome)

                slots = renderer.slots(bopts.concurrency)
                workers = [asyncio.ensure_future(worker()) for _ in range(max(1, min(slots, len(todo))))]
                try:
                    # One worker's fatal error (the archive cannot be written) stops the others.
                    done, pending = await asyncio.wait(workers, return_when=asyncio.FIRST_EXCEPTION)
                    for task in pending:
                        task.cancel()
                    await asyncio.gather(*pending, return_exceptions=True)
                    for task in done:
                        task.result()
                finally:
                    for task in workers:
                        task.cancel()
            finally:
                await renderer.close()
    finally:
        try:
            if claimed:
                writer.call_sync(store.unclaim, sorted(claimed))
        except ArchiveError:
            pass  # entries left 'running' are released by the next run
        finally:
            writer.close()
            reporter.finish()
    return outcomes


def capture_urls(urls: list[str], db_path: str, opts: CaptureOptions | None = None, concurrency: int = 1,
                 reporter: Reporter | None = None, batch: BatchOptions | None = None,
                 on_outcome: Callable[[Outcome], None] | None = None, renderer=None) -> list[Outcome]:
    """Synchronous entry point for the CLI, tests and benchmarks."""
    bopts = batch or BatchOptions(concurrency=concurrency, per_host=max(concurrency, 1))
    if on_outcome and reporter is None:
        reporter = Reporter()
        reporter.outcome = on_outcome  # type: ignore[method-assign]
    try:
        return asyncio.run(_stoppable(capture_all(urls, db_path, opts or CaptureOptions(), bopts, reporter, renderer)))
    except asyncio.CancelledError:
        raise KeyboardInterrupt from None  # stopped by SIGTERM: the same clean stop as Ctrl-C


async def _stoppable(job):
    """SIGTERM (what `kill` and service managers send) stops a batch as cleanly as Ctrl-C does."""
    task = asyncio.ensure_future(job)
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    except (NotImplementedError, RuntimeError, ValueError):
        pass  # not the main thread, or no signals on this platform
    try:
        return await task
    finally:
        try:
            loop.remove_signal_handler(signal.SIGTERM)
        except (NotImplementedError, RuntimeError, ValueError):
            pass


