"""Capture many URLs with one browser: a pool of workers, one writer thread.

The browser side is asyncio; SQLite writes go to a single writer thread so a
slow disk never stalls rendering, and each capture is one short transaction.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from playwright.async_api import async_playwright

from . import store
from .browser import launch
from .pipeline import CaptureError, CaptureOptions, capture_page, one_line


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
    details: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        d = {"url": self.url, "ok": self.ok, "seconds": round(self.seconds, 2)}
        if self.ok:
            d.update(id=self.article_id, title=self.title, words=self.word_count, **self.details)
        else:
            d.update(error=self.error, kind=self.kind)
        return d


class Writer:
    """The only thread that writes to the archive."""

    def __init__(self, db_path: str):
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagekeep-writer")
        self.db = self.pool.submit(store.connect, db_path).result()

    async def call(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, self.db, *args)

    def close(self):
        self.pool.submit(self.db.close).result()
        self.pool.shutdown()


def _details(record: dict) -> dict:
    keys = ("final_url", "byline", "published", "site_name", "lang", "consent_cmp", "consent_action", "consent_ok", "capture_notes")
    return {k: record.get(k) for k in keys}


async def capture_one(browser, writer: Writer, url: str, opts: CaptureOptions) -> Outcome:
    started_at = store.utcnow()
    t0 = time.monotonic()
    attempt = {"url": url, "started_at": started_at}
    try:
        cap = await capture_page(browser, url, opts)
    except CaptureError as exc:
        seconds = time.monotonic() - t0
        await writer.call(store.record_failure, {**attempt, "seconds": round(seconds, 3), "error": one_line(exc),
                                                 "error_kind": exc.kind, "status_code": exc.status})
        return Outcome(url, False, seconds, error=one_line(exc), kind=exc.kind)
    except Exception as exc:  # a browser crash or a bug: recorded, never fatal to the batch
        seconds = time.monotonic() - t0
        msg = f"{exc.__class__.__name__}: {one_line(exc)}"
        await writer.call(store.record_failure, {**attempt, "seconds": round(seconds, 3), "error": msg, "error_kind": "internal"})
        return Outcome(url, False, seconds, error=msg, kind="internal")
    seconds = time.monotonic() - t0
    attempt.update(seconds=round(seconds, 3), status_code=cap.record.get("status_code"))
    article_id = await writer.call(store.save_capture, cap.record, cap.screenshots, cap.rendered_html, attempt)
    return Outcome(url, True, seconds, article_id=article_id, title=cap.record.get("title"),
                   word_count=cap.record.get("word_count"), details=_details(cap.record))


async def capture_all(urls: list[str], db_path: str, opts: CaptureOptions, concurrency: int = 1,
                      on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    writer = Writer(db_path)
    outcomes: list[Outcome] = []
    queue: asyncio.Queue = asyncio.Queue()
    for u in urls:
        queue.put_nowait(u)
    try:
        async with async_playwright() as pw:
            browser = await launch(pw)

            async def worker():
                while True:
                    try:
                        url = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    outcome = await capture_one(browser, writer, url, opts)
                    outcomes.append(outcome)
                    if on_outcome:
                        on_outcome(outcome)

            try:
                await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(urls))))))
            finally:
                await browser.close()
    finally:
        writer.close()
    return outcomes


def capture_urls(urls: list[str], db_path: str, opts: CaptureOptions | None = None, concurrency: int = 1,
                 on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Synchronous entry point for the CLI, tests and benchmarks."""
    return asyncio.run(capture_all(urls, db_path, opts or CaptureOptions(), concurrency, on_outcome))
