"""How a batch reports itself: a live rich display on a terminal, plain lines otherwise."""

from __future__ import annotations

import json
import sys
import time

from rich.console import Console, Group
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from .runner import Outcome, Reporter


def outcome_line(o: Outcome) -> str:
    if o.skipped and o.error:
        return f"-\tskipped: {o.error} ({o.url})"
    if o.skipped:
        return f"{o.article_id}\tskipped: already captured ({o.url}); use --recapture to capture again"
    if o.ok:
        return f"{o.article_id}\t{o.word_count} words\t{o.title or '(untitled)'}"
    return f"failed: {o.url}: {o.error}"


class LineReporter(Reporter):
    """One line per URL: successes on stdout, failures on stderr; or JSON lines on stdout."""

    def __init__(self, as_json: bool = False, out=None, err=None):
        self.as_json = as_json
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def outcome(self, o: Outcome) -> None:
        if self.as_json:
            print(json.dumps(o.as_json(), ensure_ascii=False), file=self.out, flush=True)
        else:
            print(outcome_line(o), file=self.out if o.ok else self.err, flush=True)


class RichReporter(Reporter):
    """Done/failed/remaining, rate, ETA and the URLs in flight; each result still printed above it."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            TextColumn("[bold]capturing"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console,
        )
        self.current: dict[str, float] = {}
        self.done = self.failed = 0
        self.t0 = time.monotonic()
        self.live: Live | None = None
        self.task = None

    def _render(self):
        now = time.monotonic()
        lines = [Text(f"  … {url}  ({now - t:.0f}s)", style="dim") for url, t in list(self.current.items())[:8]]
        return Group(self.progress, *lines)

    def _stats(self) -> str:
        rate = self.done / max(1e-6, time.monotonic() - self.t0) * 60
        return f"[green]{self.done} ok[/] [red]{self.failed} failed[/] {rate:.0f}/min"

    def start(self, total: int, skipped: int) -> None:
        if skipped:
            self.console.print(f"{skipped} URL(s) already in the archive, skipped (use --recapture to capture again)")
        self.task = self.progress.add_task("capture", total=total, stats=self._stats())
        self.live = Live(self._render(), console=self.console, refresh_per_second=4, transient=True,
                         get_renderable=self._render)
        self.live.start()

    def begin(self, url: str) -> None:
        self.current[url] = time.monotonic()

    def outcome(self, o: Outcome) -> None:
        if o.skipped:
            return
        self.current.pop(o.url, None)
        if o.ok:
            self.done += 1
            self.console.print(f"[green]✓[/] {o.article_id}  {o.word_count} words  {o.title or '(untitled)'}", markup=True, highlight=False)
        else:
            self.failed += 1
            self.console.print(f"[red]✗[/] {o.url}: {o.error}", markup=True, highlight=False)
        if self.task is not None:
            self.progress.update(self.task, advance=1, stats=self._stats())

    def finish(self) -> None:
        if self.live:
            self.live.stop()
            self.live = None
