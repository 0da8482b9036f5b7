"""Run a batch on a Dask cluster: rendering on the workers, everything else as in a local batch.

runner.capture_all() still drives the batch (queue in the archive, claims with
leases, host gate, retries, attempts, the one writer thread, progress);
ClusterRenderer is its renderer. It keeps a bounded window of capture tasks in
flight, as many as the cluster's workers have page slots (followed as workers
come and go); a slot is refilled only once its result is stored, so a slow
writer holds the workers back instead of piling results up in memory. No task
waits queued on a worker, so a worker's death touches only the pages it was
rendering.

Dask runs a task at least once (a task whose worker dies is run again
elsewhere); the archive stays exactly-once because a result is stored only
under the lease its URL was claimed with. A page that keeps killing workers
ends as Dask's KilledWorker (after `distributed.scheduler.allowed-failures`
deaths), which counts as one failed try, so --retries bounds how many workers
it can take down; a task that never answers is given up after a deadline and
retried like a timeout.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
import warnings
from dataclasses import replace

import dask
from distributed import Client, KilledWorker, LocalCluster
from distributed.client import FutureCancelledError

from .consent_config import load_policy
from .pipeline import Capture, CaptureError, CaptureOptions, one_line
from .runner import Renderer
from .cluster_worker import BrowserPlugin, capture_task, quiet_dask_logs, version_mismatch, versions

MAX_WINDOW = 1024  # page loops a cluster batch runs; the window below decides how many are busy


class ClusterError(Exception):
    """The cluster cannot run the batch (no scheduler, no workers, mismatched versions): the batch stops."""


class BadClusterAddress(ValueError):
    pass


def parse_local(address: str) -> int | None:
    """N for `local:N`, None for a scheduler address."""
    if not address.startswith("local:"):
        return None
    n = address.split(":", 1)[1]
    if not n.isdigit() or not 1 <= int(n) <= 64:
        raise BadClusterAddress(f"--cluster {address}: expected local:N with N from 1 to 64 workers")
    return int(n)


class Window:
    """At most `size` tasks in flight; the size follows the cluster."""

    def __init__(self, size: int = 1):
        self.size = size
        self.used = 0
        self.cond = asyncio.Condition()

    async def __aenter__(self):
        async with self.cond:
            await self.cond.wait_for(lambda: self.used < self.size)
            self.used += 1

    async def __aexit__(self, *exc):
        async with self.cond:
            self.used -= 1
            self.cond.notify(1)

    async def resize(self, size: int) -> None:
        async with self.cond:
            grown = size - self.size
            self.size = size
            if grown > 0:
                self.cond.notify(grown)


class ClusterRenderer(Renderer):
    """Renders a batch's URLs on a Dask cluster (`tcp://host:8786`, `tls://…`, or `local:N` on this machine)."""

    def __init__(self, address: str, concurrency: int = 4, restart_every: int = 200, task=capture_task,
                 connect_timeout: float = 15, worker_wait: float = 60):
        self.address = address
        self.local_workers = parse_local(address)
        self.concurrency = concurrency
        self.restart_every = restart_every
        self.task = task
        self.connect_timeout = connect_timeout
        self.worker_wait = worker_wait
        self.expected = versions()
        self.window = Window()
        self.cluster = self.client = self._follow = None
        self.stranded: str | None = None  # why the batch must stop: no workers, or no scheduler, for too long
        self._opts: tuple = (None, None)
        self._config = None  # Dask settings changed for a local cluster, restored on close

    def slots(self, concurrency: int) -> int:
        return MAX_WINDOW

    def turn(self) -> Window:
        return self.window

    async def start(self) -> "ClusterRenderer":
        quiet_dask_logs()  # the batch's own lines are the output
        if self.local_workers:
            await self._start_local()
        try:
            self.client = await Client(self.cluster or self.address, asynchronous=True, timeout=self.connect_timeout,
                                       direct_to_workers=True if self.cluster else None)
        except Exception as exc:  # refused, timed out, a bad address, tls:// without certificates
            warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)  # Dask's own clean-up
            raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: {one_line(exc)}") from None
        if self.cluster:
            await self.client.register_plugin(BrowserPlugin(self.restart_every))
        try:
            await self.client.wait_for_workers(1, timeout=self.worker_wait)
        except (asyncio.TimeoutError, TimeoutError):
            raise ClusterError(f"no workers joined the scheduler at {self.address} within {self.worker_wait:g}s; "
                               f"start some with `pagekeep worker {self.address}`") from None
        await self._check_versions()
        await self.window.resize(max(1, await self._capacity()))
        self._follow = asyncio.ensure_future(self._follow_cluster())
        return self

    async def _start_local(self) -> None:
        """N worker processes on loopback, splitting --concurrency between them; no dashboard.

        Each worker's nanny restarts it when it dies (a crash, a page that kills it). Dask's
        LocalCluster would also close a nanny whose worker is not back within
        `distributed.deploy.lost-worker-timeout` (15 s) of a death, which a worker dying twice
        in a row, or restarting slowly on a loaded machine, easily misses: the batch would lose
        that worker for good. Those nannies are in this process and cannot be lost, so that
        timeout is put out of reach for the cluster's life.
        """
        self._config = dask.config.set({"distributed.deploy.lost-worker-timeout": "365d"})
        try:
            self.cluster = await LocalCluster(
                n_workers=self.local_workers, threads_per_worker=max(1, math.ceil(self.concurrency / self.local_workers)),
                processes=True, host="127.0.0.1", scheduler_port=0, dashboard_address=None,
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # its HTTP port: any free one
                silence_logs=logging.ERROR, asynchronous=True)
        except Exception as exc:
            raise ClusterError(f"cannot start {self.local_workers} local Dask workers: {one_line(exc)}") from None

    async def _check_versions(self) -> None:
        replies = await self.client.run(versions, on_error="return")
        for worker, theirs in sorted(replies.items()):
            if isinstance(theirs, ImportError):
                raise ClusterError(f"worker {worker} cannot run pagekeep ({theirs.__class__.__name__}: {theirs.msg}); "
                                   f"install pagekeep there and start it with `pagekeep worker {self.address}`")
            if isinstance(theirs, BaseException):
                raise ClusterError(f"worker {worker} cannot run pagekeep: {one_line(theirs)}")
            _refuse(worker, version_mismatch(self.expected, theirs))

    async def _capacity(self) -> int:
        """Page slots of the workers connected now."""
        return sum((await self.client.scheduler.ncores()).values())

    async def _follow_cluster(self, every: float = 2.0) -> None:
        """Resize the window as workers come and go; stop the batch once none is left for `worker_wait`."""
        empty_since = None
        while True:
            await asyncio.sleep(every)
            try:
                slots, why = await self._capacity(), f"no workers left on the scheduler at {self.address}"
            except Exception as exc:
                slots, why = 0, f"lost the Dask scheduler at {self.address} ({one_line(exc)})"
            if slots:
                empty_since = None
                await self.window.resize(slots)
            elif empty_since is None:
                empty_since = time.monotonic()
            elif time.monotonic() - empty_since > self.worker_wait:
                self.stranded = f"{why} for {self.worker_wait:g}s"
                return

    def _portable(self, opts: CaptureOptions) -> CaptureOptions:
        """The options as workers need them: the consent config read here, not from their disks."""
        if self._opts[0] is not opts:
            self._opts = (opts, replace(opts, consent_config=load_policy(opts.consent, opts.consent_config)))
        return self._opts[1]

    def deadline(self, opts: CaptureOptions) -> float:
        """How long a task may stay unanswered (queued, worker wedged) before it counts as a timeout."""
        return opts.timeout * 4 + 60

    async def render(self, url: str, opts: CaptureOptions, before_navigate=None) -> Capture:
        if before_navigate is not None:
            await before_navigate()  # the host gate's spacing, applied when the task is sent
        if self.stranded:
            raise ClusterError(self.stranded)
        future = self.client.submit(self.task, url, self._portable(opts), self.expected, pure=False,
                                    key=f"pagekeep-capture-{uuid.uuid4().hex}")
        try:
            return _capture(await self._reply(future, url, opts))
        finally:
            future.release()

    async def _reply(self, future, url: str, opts: CaptureOptions) -> dict:
        """The worker's reply, or the failure that stands for it: deadline passed, workers killed, scheduler lost."""
        waiter = asyncio.ensure_future(_result(future))
        limit = time.monotonic() + self.deadline(opts)
        try:
            while not waiter.done():
                await asyncio.wait({waiter}, timeout=1)
                if self.stranded and not waiter.done():
                    raise ClusterError(self.stranded)
                if time.monotonic() > limit and not waiter.done():
                    await _cancel(self.client, future)
                    raise CaptureError("timeout", f"no worker answered for {url} within {self.deadline(opts):g}s",
                                       transient=True)
            return waiter.result()
        except KilledWorker as exc:
            raise CaptureError("worker_lost", f"{exc.allowed_failures + 1} worker(s) died while capturing {url}",
                               transient=True) from None
        except FutureCancelledError as exc:
            raise ClusterError(f"lost the Dask scheduler at {self.address} ({exc.reason})") from None
        except (CaptureError, ClusterError):
            raise
        except Exception as exc:  # the task itself failed on the worker (a bug): recorded, not retried
            raise CaptureError("worker_error", f"on the worker: {exc.__class__.__name__}: {one_line(exc)}") from None
        finally:
            waiter.cancel()

    async def close(self) -> None:
        if self._follow is not None:
            self._follow.cancel()
        for closing in (self.client, self.cluster):
            if closing is not None:
                try:
                    await asyncio.wait_for(closing.close(), timeout=30)
                except Exception:
                    pass
        if self._config is not None:
            self._config.__exit__(None, None, None)
            self._config = None


async def _result(future):
    return await future


async def _cancel(client, future) -> None:
    try:
        await asyncio.wait_for(client.cancel([future]), timeout=10)
    except Exception:
        pass


def _refuse(worker: str, differs: str | None) -> None:
    if differs:
        raise ClusterError(f"worker {worker} runs {differs}; install the same versions on every machine")


def _capture(reply: dict) -> Capture:
    if "mismatch" in reply:
        _refuse(reply["worker"], reply["mismatch"])
    if "error" in reply:
        e = reply["error"]
        raise CaptureError(e["kind"], e["message"], status=e["status"], transient=e["transient"])
    return Capture(reply["record"], reply["screenshots"], reply["rendered_html"], extraction=None,
                   related=reply.get("related") or {})
