"""The worker side of a cluster batch: a Dask worker plugin that owns one Chromium, and the capture task.

`pagekeep worker ADDRESS` starts a Dask worker with this plugin; a `--cluster
local:N` batch registers it on its own workers, and any other worker with
pagekeep installed gets it on its first task. Rendering is a local batch's own
LocalBrowser (crash restart, periodic restart). The task never writes: it
returns a plain dict (the capture, or the failure and its class) that travels
back to the client's one writer.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import signal
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from distributed import Worker, WorkerPlugin, get_worker

from .pipeline import CaptureError, CaptureOptions, one_line
from .runner import LocalBrowser

PLUGIN = "pagekeep-browser"


@lru_cache(maxsize=1)
def versions() -> dict:
    """What must match between the client and every worker for their captures to be the same."""
    return {"pagekeep": _pagekeep_version(), "Playwright": metadata.version("playwright"),
            "Python": "%d.%d" % sys.version_info[:2]}


def _pagekeep_version() -> str:
    """The release plus a digest of the capture code, so two checkouts of one release are told apart."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(p for pattern in ("*.py", "js/*.js") for p in root.glob(pattern)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    try:
        release = metadata.version("pagekeep")
    except metadata.PackageNotFoundError:
        release = "unknown"
    return f"{release}+{digest.hexdigest()[:10]}"


def quiet_dask_logs() -> None:
    """Dask logs routine events (a lost connection, a worker gone) with tracebacks; pagekeep says what matters in one line."""
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in ("distributed", "tornado")]
    for name in ["distributed", *names]:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def version_mismatch(mine: dict, theirs: dict) -> str | None:
    """One phrase naming what differs, or None."""
    diffs = [f"{k} {theirs.get(k)} (here {v})" for k, v in mine.items() if theirs.get(k) != v]
    return ", ".join(diffs) or None


class BrowserStartError(RuntimeError):
    """The worker's Chromium would not start: the worker does not join."""


class BrowserPlugin(WorkerPlugin):
    """One Chromium per worker for the worker's life: launched at setup, closed at teardown."""

    name = PLUGIN

    def __init__(self, restart_every: int = 200):
        self.restart_every = restart_every
        self.browser: LocalBrowser | None = None
        self.failure: str | None = None
        self._ready: asyncio.Event | None = None

    def __getstate__(self):
        return {"restart_every": self.restart_every}  # shipped to workers as configuration only

    def __setstate__(self, state):
        self.__init__(**state)

    async def setup(self, worker=None):
        self._ready = asyncio.Event()
        try:
            self.browser = await LocalBrowser(self.restart_every).start()
        except Exception as exc:
            self.failure = one_line(exc)
            raise BrowserStartError(self.failure) from exc
        finally:
            self._ready.set()

    async def teardown(self, worker=None):
        if self.browser is not None:
            await self.browser.close()
            self.browser = None

    async def render(self, url: str, opts: CaptureOptions):
        if self._ready is not None:
            await self._ready.wait()  # a task that arrives while the plugin is still starting
        if self.browser is None:
            raise CaptureError("browser", f"this worker has no browser ({self.failure or 'not started'})", transient=True)
        return await self.browser.render(url, opts)


_install_lock: asyncio.Lock | None = None


async def _plugin(worker) -> BrowserPlugin:
    """The worker's plugin; installed on first use on a worker started without one (plain `dask worker`)."""
    global _install_lock
    plugin = worker.plugins.get(PLUGIN)
    if plugin is None:
        _install_lock = _install_lock or asyncio.Lock()
        async with _install_lock:
            if worker.plugins.get(PLUGIN) is None:
                await worker.plugin_add(BrowserPlugin(), name=PLUGIN)
            plugin = worker.plugins[PLUGIN]
    return plugin


async def capture_task(url: str, opts: CaptureOptions, expected: dict) -> dict:
    """Render one URL on this worker's Chromium; the reply is plain data for the client's writer."""
    worker = get_worker()
    differs = version_mismatch(expected, versions())
    if differs:
        return {"mismatch": differs, "worker": worker.address}
    plugin = await _plugin(worker)
    try:
        cap = await plugin.render(url, opts)
    except CaptureError as exc:
        return {"error": {"kind": exc.kind, "message": str(exc), "status": exc.status, "transient": exc.transient}}
    return {"record": cap.record, "screenshots": cap.screenshots, "rendered_html": cap.rendered_html,
            "related": cap.related}


async def serve(address: str, concurrency: int, name: str | None = None, host: str | None = None,
                restart_every: int = 200, death_timeout: float = 60, echo=print) -> int:
    """Run one worker until SIGTERM/SIGINT (exit 0) or until the scheduler is gone for `death_timeout` (exit 1)."""
    quiet_dask_logs()
    worker = Worker(address, nthreads=concurrency, name=name, host=host, plugins={BrowserPlugin(restart_every)},
                    death_timeout=death_timeout, dashboard=False)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stop():
        stopped.set()
        asyncio.ensure_future(worker.close(reason="pagekeep worker stopped"))

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    await worker  # sets up the plugin (Chromium) first, then registers with the scheduler
    browser = worker.plugins[PLUGIN].browser
    echo(f"pagekeep worker {worker.address} joined {address}: {concurrency} page(s) at once, "
         f"Chromium {browser.host.browser.version}")
    await worker.finished()
    if stopped.is_set():
        return 0
    echo(f"pagekeep worker stopped: lost the scheduler at {address}")
    return 1


def run(address: str, concurrency: int, name: str | None = None, host: str | None = None, echo=print, err=print,
        death_timeout: float = 60) -> int:
    """`pagekeep worker`: the exit status, with one line on stderr when the worker cannot start."""
    try:
        return asyncio.run(serve(address, concurrency, name=name, host=host, echo=echo, death_timeout=death_timeout))
    except Exception as exc:  # no scheduler there, tls:// without certificates, no Chromium, …
        while exc.__cause__ is not None and not isinstance(exc, BrowserStartError):  # Dask wraps the reason
            exc = exc.__cause__
        if isinstance(exc, BrowserStartError):
            err(f"error: the worker's Chromium did not start: {exc}")
            return 1
        why = (f"no answer within {death_timeout:g} s" if isinstance(exc, (asyncio.CancelledError, TimeoutError))
               else f"{exc.__class__.__name__}: {one_line(exc)}")
        err(f"error: cannot join the Dask scheduler at {address}: {why}")
    return 1
