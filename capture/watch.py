"""Check watched articles: capture again with the normal pipeline, compare, store only what changed.

A check renders the URL exactly as `pagekeep capture` does (runner.py's
capture_with_retries, one browser, retries), but instead of storing the
capture as a new article it hands it to `_Saver`, on the archive's writer
thread, which compares it with the URL's latest article (compare.py) and
records one of:

    same     nothing that counts changed: a `checks` row, no new article
    changed  a new article, a `changes` row with the diff and the changed
             blocks' crops, notes and tags carried over; all in one transaction
    suspect  the capture looks broken (consent wall, paywall, far less text,
             an HTTP error, a redirect elsewhere): a `checks` row, nothing else
    gone     HTTP 404 or 410

A URL with no article yet gets its first capture stored as the baseline.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable


from annotations.carry import carry_notes, carry_tags
from annotations.highlights import load_boxes

from . import store, watch_store
from .compare import judge
from .pipeline import CaptureOptions
from .runner import BatchOptions, LocalBrowser, Writer, _stoppable, capture_with_retries
from .schedule import parse_time
from .visual_diff import changed_blocks, decode_text_boxes

GONE_STATUSES = (404, 410)
HOOK_TIMEOUT_S = 120


@dataclass
class CheckResult:
    url: str
    outcome: str                 # same | changed | suspect | gone | baseline | skipped
    article_id: int | None = None
    old_id: int | None = None
    reason: str | None = None
    change: dict | None = None   # watch_store.change_as_json() of a change
    seconds: float = 0.0
    notes: list = field(default_factory=list)

    def line(self) -> str:
        if self.outcome == "baseline":
            return f"captured  {self.url}  #{self.article_id} (first capture, the baseline for later checks)"
        if self.outcome == "same":
            return f"same      {self.url}  (#{self.old_id})"
        if self.outcome == "changed":
            c = self.change or {}
            return (f"changed   {self.url}  #{self.old_id} → #{self.article_id}: {watch_store.flags_text(c)}; "
                    f"+{c.get('words_added', 0)}/−{c.get('words_removed', 0)} words, {c.get('blocks', 0)} changed blocks")
        return f"{self.outcome:<9} {self.url}: {self.reason}"

    def as_json(self) -> dict:
        return {"url": self.url, "outcome": self.outcome, "article_id": self.article_id, "old_id": self.old_id,
                "reason": self.reason, "change": self.change, "seconds": round(self.seconds, 2)}


class _Saver:
    """capture_with_retries' `save` hook: runs on the writer thread with the archive open."""

    def __init__(self):
        self.results: dict[str, CheckResult] = {}

    def __call__(self, db, cap, attempt: dict) -> int | None:
        record = cap.record
        url = record["url"]
        prev = watch_store.latest_article(db, url)
        if prev is None:
            with store.write_transaction(db):
                new_id = store.insert_capture(db, record, cap.screenshots, cap.rendered_html, attempt, cap.related)
                watch_store.after_check(db, url, "baseline", record)
            self.results[url] = CheckResult(url, "baseline", article_id=new_id)
            return new_id
        verdict = judge(prev, record)
        check = {"url": url, "compared_to": prev["id"], "fingerprint": verdict.fingerprint, "reason": verdict.reason,
                 "status_code": record.get("status_code"), "seconds": attempt.get("seconds")}
        if verdict.outcome != "changed":
            same = verdict.outcome == "same"
            with store.write_transaction(db):
                db["attempts"].insert({**attempt, "ok": int(same), "article_id": prev["id"] if same else None,
                                       "error": None if same else f"suspect: {verdict.reason}",
                                       "error_kind": None if same else "suspect"})
                watch_store.insert_check(db, {**check, "outcome": verdict.outcome,
                                              "article_id": prev["id"] if same else None})
                watch_store.after_check(db, url, verdict.outcome, prev)
            self.results[url] = CheckResult(url, verdict.outcome, prev["id"] if same else None, prev["id"],
                                            reason=verdict.reason)
            return prev["id"] if same else None
        return self._changed(db, cap, attempt, prev, verdict, check)

    def _changed(self, db, cap, attempt, prev, verdict, check) -> int:
        record, url = cap.record, cap.record["url"]
        old = {"page": watch_store.page_shot(db, prev["id"]), "boxes": load_boxes(db, prev["id"]),
               "html": store.rendered_html(db, prev["id"])}
        new = {"page": next((s["image"] for s in cap.screenshots if s["kind"] == "page"), None),
               "boxes": decode_text_boxes(next(iter(cap.related.get("text_boxes") or []), None)),
               "html": cap.rendered_html}
        blocks = changed_blocks(verdict.text, old, new)
        with store.write_transaction(db):
            new_id = store.insert_capture(db, record, cap.screenshots, cap.rendered_html, attempt, cap.related)
            change_id = watch_store.insert_change(db, url, prev, new_id, record, verdict, blocks)
            notes = carry_notes(db.conn, change_id, prev["id"], new_id, verdict.text)
            carry_tags(db.conn, prev["id"], new_id)
            watch_store.insert_check(db, {**check, "outcome": "changed", "article_id": new_id, "change_id": change_id})
            watch_store.after_check(db, url, "changed", record, changed=True)
            row = db.execute("select * from changes where id = ?", [change_id])
            change = watch_store.change_as_json(dict(zip([c[0] for c in row.description], row.fetchone())))
        self.results[url] = CheckResult(url, "changed", new_id, prev["id"], change=change, notes=notes)
        return new_id


def _failed_check(db, url: str, outcome: str, reason: str, status: int | None, seconds: float) -> int | None:
    prev = watch_store.latest_article(db, url)
    with store.write_transaction(db):
        watch_store.insert_check(db, {"url": url, "outcome": outcome, "compared_to": prev["id"] if prev else None,
                                      "reason": reason, "status_code": status, "seconds": round(seconds, 3)})
        watch_store.after_check(db, url, outcome, prev)
    return prev["id"] if prev else None


async def _check_all(urls: list[str] | None, db_path: str, opts: CaptureOptions, concurrency: int,
                     on_result: Callable[[CheckResult], None]) -> list[CheckResult]:
    writer = Writer(db_path)
    results: list[CheckResult] = []
    claimed: list[str] = []
    try:
        writer.call_sync(watch_store.ensure_watch_schema)
        claimed, held = writer.call_sync(watch_store.claim, urls)
        for url in held:
            results.append(CheckResult(url, "skipped", reason="another pagekeep watch is checking it"))
            on_result(results[-1])
        if not claimed:
            return results
        saver = _Saver()
        bopts = BatchOptions(concurrency=concurrency, retries=1)
        gate = asyncio.Semaphore(max(1, concurrency))
        browser = await LocalBrowser(bopts.restart_every).start()

        async def one(url: str) -> None:
            async with gate:
                outcome = await capture_with_retries(browser, writer, url, opts, bopts, save=saver)
            if outcome.ok:
                result = saver.results.pop(url)
            else:
                kind = "gone" if outcome.status in GONE_STATUSES else "suspect"
                old = await writer.call(_failed_check, url, kind, outcome.error, outcome.status, outcome.seconds)
                result = CheckResult(url, kind, old_id=old, reason=outcome.error)
            result.seconds = outcome.seconds
            results.append(result)
            on_result(result)

        try:
            await asyncio.gather(*(one(u) for u in claimed))
        finally:
            await browser.close()
    finally:
        try:
            if claimed:
                writer.call_sync(watch_store.release, claimed)
        finally:
            writer.close()
    return results


def check(db_path: str, urls: list[str] | None, opts: CaptureOptions | None = None, concurrency: int = 2,
          on_result: Callable[[CheckResult], None] | None = None) -> list[CheckResult]:
    """Check the named URLs now (None: the watches that are due). Synchronous, for the CLI and tests."""
    try:
        return asyncio.run(_stoppable(_check_all(urls, db_path, opts or CaptureOptions(), concurrency,
                                                 on_result or (lambda r: None))))
    except asyncio.CancelledError:
        raise KeyboardInterrupt from None


def watch_forever(db_path: str, opts: CaptureOptions, concurrency: int, on_result: Callable[[CheckResult], None],
                  poll: float = 60.0, sleep=time.sleep) -> None:
    """Check what is due, sleep until the next watch is due (looking again at least every `poll` seconds
    for watches added meanwhile), forever. Ctrl-C or SIGTERM stops it between or during checks."""
    while True:
        check(db_path, None, opts, concurrency, on_result)
        db = store.connect(db_path)
        try:
            due = parse_time(watch_store.next_due(db))
        finally:
            db.close()
        wait = poll if due is None else (due - datetime.now(timezone.utc)).total_seconds()
        sleep(min(max(wait, 1.0), poll))


def hook_environment(change: dict, db_path: str) -> dict:
    """What an --on-change command learns about a change: environment variables, never its command line."""
    env = {
        "PAGEKEEP_DB": os.path.abspath(db_path),
        "PAGEKEEP_CHANGE_ID": str(change["id"]),
        "PAGEKEEP_URL": change["url"] or "",
        "PAGEKEEP_OLD_ID": str(change["old_id"]),
        "PAGEKEEP_NEW_ID": str(change["new_id"]),
        "PAGEKEEP_OLD_TITLE": change.get("old_title") or "",
        "PAGEKEEP_NEW_TITLE": change.get("new_title") or "",
        "PAGEKEEP_FLAGS": ",".join(k for k, v in change.items() if isinstance(v, bool) and v),
        "PAGEKEEP_CHANGE_JSON": json.dumps(change, sort_keys=True, ensure_ascii=False),
    }
    for key, value in change.items():
        if isinstance(value, bool):
            env[f"PAGEKEEP_{key.upper()}"] = "1" if value else "0"
        elif key in ("words_added", "words_removed", "paragraphs_added", "paragraphs_removed", "blocks"):
            env[f"PAGEKEEP_{key.upper()}"] = str(value or 0)
    return env


def run_hook(command: str, change: dict, db_path: str) -> str | None:
    """Run an --on-change command (split like a shell would, run without one); a one-line problem, or None."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"--on-change: cannot parse the command: {exc}"
    if not argv:
        return None
    try:
        done = subprocess.run(argv, env={**os.environ, **hook_environment(change, db_path)},
                              timeout=HOOK_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return f"--on-change: no such command: {argv[0]}"
    except subprocess.TimeoutExpired:
        return f"--on-change: {argv[0]} still running after {HOOK_TIMEOUT_S}s; stopped"
    except OSError as exc:
        return f"--on-change: cannot run {argv[0]}: {exc.strerror}"
    return None if done.returncode == 0 else f"--on-change: {argv[0]} exited with status {done.returncode}"
