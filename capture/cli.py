"""The `pagekeep` command: a thin typer layer over capture and annotations."""

from __future__ import annotations

import typer

import os
import sqlite3
import sys
from enum import Enum
from typing import List, Optional

from . import browser as browser_mod
from .defaults import default_concurrency, default_db_path
from .urls import OPTIONAL_SCHEMES

app = typer.Typer(
    help="Capture web articles faithfully into SQLite; browse, tag and search them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main():
    """Capture web articles faithfully into SQLite; browse, tag and search them."""


@app.command("browser")
def browser_cmd(
    install: bool = typer.Option(False, "--install", help="Install a Chromium if none is found."),
):
    """Show which Chromium pagekeep will use (and install one with --install)."""
    try:
        if install:
            browser_mod.install_chromium(echo=typer.echo)
        else:
            found = browser_mod.find_chromium()
            typer.echo(found.describe())
    except browser_mod.BrowserNotFound as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)


class ConsentMode(str, Enum):
    reject = "reject"
    accept = "accept"
    off = "off"


ExtraScheme = Enum("ExtraScheme", {s: s for s in OPTIONAL_SCHEMES}, type=str)  # what --allow-scheme accepts


class ImageFormat(str, Enum):
    jpeg = "jpeg"
    png = "png"


def db_option():
    return typer.Option(None, "--db", help="SQLite archive (default: $PAGEKEEP_DB or ./pagekeep.db).", show_default=False)


def resolve_db(db: Optional[str]) -> str:
    path = db or default_db_path()
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        typer.echo(f"error: folder for --db {path} does not exist", err=True)
        raise typer.Exit(2)
    return path


@app.command()
def capture(
    urls: List[str] = typer.Argument(None, help="URLs to capture.", show_default=False),
    db: Optional[str] = db_option(),
    from_file: Optional[str] = typer.Option(None, "--from", help="File of URLs, one per line ('-' for stdin; blank lines and # comments ignored)."),
    concurrency: int = typer.Option(default_concurrency(), "--concurrency", "-c", min=1, max=32, help="Pages rendered at once."),
    per_host: Optional[int] = typer.Option(None, "--per-host", min=1, help="At most this many pages of one host at once [default: the concurrency]."),
    host_delay: float = typer.Option(0.0, "--host-delay", min=0.0, help="Seconds between starting two pages of the same host."),
    consent: ConsentMode = typer.Option(ConsentMode.reject, "--consent", help="Consent banners: refuse, accept, or leave alone."),
    consent_config: Optional[str] = typer.Option(None, "--consent-config", metavar="PATH", help="Per-domain consent modes, TOML or YAML (default: $PAGEKEEP_CONSENT_CONFIG, else ~/.config/pagekeep/consent.toml when it exists).", show_default=False),
    timeout: float = typer.Option(30.0, "--timeout", min=1.0, help="Seconds allowed for each capture, all stages included."),
    wait: float = typer.Option(0.0, "--wait", min=0.0, help="Wait at least this many seconds after the page loads before extracting (for pages whose content comes from a slow API; pagekeep already waits for the page to go quiet)."),
    retries: int = typer.Option(2, "--retries", min=0, help="Extra tries for transient failures (timeouts, resets, 5xx)."),
    recapture: bool = typer.Option(False, "--recapture", help="Capture URLs again even if the archive already has them."),
    image_format: ImageFormat = typer.Option(ImageFormat.jpeg, "--image-format", help="Screenshot format for page and article images."),
    max_page_mb: float = typer.Option(20.0, "--max-page-mb", min=0.1, help="Refuse documents larger than this (MB)."),
    allow_scheme: List[ExtraScheme] = typer.Option([], "--allow-scheme", help="Also capture file: or data: URLs (refused by default: a file: page can read your local files).", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per URL on stdout."),
    archive: bool = typer.Option(False, "--archive/--no-archive", envvar="PAGEKEEP_ARCHIVE", help="Also record the page's traffic and store a web archive (WACZ) with each article (default: on when $PAGEKEEP_ARCHIVE=1)."),
    archive_max_mb: float = typer.Option(60.0, "--archive-max-mb", min=1.0, help="With --archive: at most this many MB of bodies per capture (each body at most a sixth of it); the rest is listed and marked truncated."),
    cluster: Optional[str] = typer.Option(None, "--cluster", metavar="ADDRESS", help="Render on a Dask cluster: a scheduler address (tcp://HOST:8786) whose workers run `pagekeep worker`, or local:N for N worker processes here (then --concurrency is split among them). Queue, output and exit codes as a local batch.", show_default=False),
):
    """Capture URLs: render, dismiss banners and modals, extract the article, screenshot, store.

    A batch is a queue in the archive: stop it any time (Ctrl-C) and run the same
    command again to continue; URLs already captured are skipped unless
    --recapture. Exit status: 0 when every URL was captured, 1 when any failed
    (the others are still stored), 2 for bad usage, 130 when interrupted.
    """
    from .pipeline import CaptureOptions
    from .progress import LineReporter, RichReporter
    from .runner import ArchiveError, BatchOptions, capture_urls
    from .screenshots import ShotOptions
    from .urls import DEFAULT_SCHEMES, read_url_list

    targets = list(urls or [])
    if from_file:
        try:
            targets += read_url_list(from_file)
        except OSError as exc:
            typer.echo(f"error: cannot read --from {from_file}: {exc.strerror}", err=True)
            raise typer.Exit(2)
    if not targets:
        typer.echo("error: no URLs given (pass URLs or --from FILE)", err=True)
        raise typer.Exit(2)
    from .consent_config import ConsentConfigError, load_policy

    try:
        load_policy(consent.value, consent_config)
    except ConsentConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)
    db_path = resolve_db(db)
    try:
        browser_mod.find_chromium()
    except browser_mod.BrowserNotFound as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    if wait >= timeout:
        typer.echo(f"error: --wait {wait:g} leaves no time within --timeout {timeout:g}", err=True)
        raise typer.Exit(2)
    opts = CaptureOptions(consent=consent.value, timeout=timeout, wait=wait, shots=ShotOptions(format=image_format.value),
                          consent_config=consent_config, max_page_mb=max_page_mb, archive=_archive_options(archive, archive_max_mb),
                          allowed_schemes=DEFAULT_SCHEMES + tuple(s.value for s in allow_scheme))
    renderer, stop_errors = _cluster_renderer(cluster, concurrency) if cluster else (None, ())
    slots = renderer.slots(concurrency) if renderer else concurrency
    batch = BatchOptions(concurrency=concurrency, per_host=per_host or slots, host_delay=host_delay,
                         retries=retries, recapture=recapture)
    live = sys.stderr.isatty() and not as_json and len(targets) > 1
    reporter = RichReporter() if live else LineReporter(as_json=as_json)
    try:
        outcomes = capture_urls(targets, db_path, opts, reporter=reporter, batch=batch, renderer=renderer)
    except KeyboardInterrupt:
        typer.echo("interrupted: finished captures are stored; run the same command again to continue", err=True)
        raise typer.Exit(130)
    except (ArchiveError, *stop_errors) as exc:
        typer.echo(f"error: {exc}; finished captures are stored, run the same command again once fixed", err=True)
        raise typer.Exit(1)
    failed = sum(1 for o in outcomes if not o.ok)
    if live:
        done = sum(1 for o in outcomes if o.ok and not o.skipped)
        typer.echo(f"{done} captured, {failed} failed, {sum(o.skipped for o in outcomes)} skipped → {db_path}", err=True)
    raise typer.Exit(0 if failed == 0 else 1)


def _archive_options(archive: bool, max_mb: float):
    from .archive_recorder import ArchiveOptions

    return ArchiveOptions(max_total_mb=max_mb, max_resource_mb=max_mb / 6) if archive else None


@app.command()
def wacz(
    article_id: int = typer.Argument(..., metavar="ID", help="Article id."),
    output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE", help="Where to write it (default: ./ID.wacz; '-' for stdout).", show_default=False),
    db: Optional[str] = db_option(),
):
    """Write an article's web archive (WACZ, stored by `capture --archive`) to a file.

    Open it in ReplayWeb.page, pywb (`wb-manager add`), or unzip it: the WARC is
    archive/data.warc.gz.
    """
    from .store import wacz_of

    data = wacz_of(_open_archive(db), article_id)
    if data is None:
        typer.echo(f"error: article {article_id} has no web archive (capture it with --archive)", err=True)
        raise typer.Exit(1)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = output or f"{article_id}.wacz"
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        typer.echo(f"error: cannot write {path}: {exc.strerror}", err=True)
        raise typer.Exit(1)
    typer.echo(f"article {article_id}: {len(data):,} bytes → {path}")


def _cluster_module(name: str):
    """capture.cluster or capture.cluster_worker, or exit 1 when Dask is not installed."""
    import importlib

    try:
        return importlib.import_module(f"capture.{name}")
    except ImportError as exc:
        typer.echo(f"error: the cluster needs Dask ({exc}): pip install 'pagekeep[cluster]'", err=True)
        raise typer.Exit(1)


def _cluster_renderer(address: str, concurrency: int):
    cluster = _cluster_module("cluster")
    try:
        return cluster.ClusterRenderer(address, concurrency=concurrency), (cluster.ClusterError,)
    except cluster.BadClusterAddress as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2)


@app.command()
def worker(
    address: str = typer.Argument(..., metavar="SCHEDULER_ADDRESS", help="The Dask scheduler to join, e.g. tcp://10.0.0.5:8786."),
    concurrency: int = typer.Option(default_concurrency(), "--concurrency", "-c", min=1, max=32, help="Pages this worker renders at once."),
    name: Optional[str] = typer.Option(None, "--name", help="Worker name shown by the scheduler (default: its address)."),
    host: Optional[str] = typer.Option(None, "--host", help="Interface to listen on for the scheduler and clients (default: the one facing the scheduler)."),
):
    """Join a Dask cluster as a capture worker: one Chromium, --concurrency pages at once.

    Start the scheduler with `dask scheduler`, a worker on each machine, then run
    `pagekeep capture --from FILE --cluster tcp://SCHEDULER:8786` beside the archive.
    Ctrl-C or SIGTERM stops the worker; pages in flight go back to the cluster.
    """
    cluster_worker = _cluster_module("cluster_worker")
    try:
        browser_mod.find_chromium()
    except browser_mod.BrowserNotFound as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    raise typer.Exit(cluster_worker.run(address, concurrency, name=name, host=host,
                                        echo=typer.echo, err=lambda line: typer.echo(line, err=True)))


# --- browse, tag and search (annotations/) -------------------------------------------------

def _open_archive(db: Optional[str]):
    """An existing archive, or exit 1 with a one-line reason (never creates one by accident)."""
    from .store import connect

    path = resolve_db(db)
    if not os.path.exists(path):
        typer.echo(f"error: no archive at {path} (capture something first, or pass --db)", err=True)
        raise typer.Exit(1)
    from annotations.serve import looks_like_archive

    if not looks_like_archive(path):
        typer.echo(f"error: {path} is not a pagekeep archive", err=True)
        raise typer.Exit(1)
    try:
        return connect(path)
    except sqlite3.DatabaseError as exc:
        typer.echo(f"error: archive {path}: {exc}", err=True)
        raise typer.Exit(1)


@app.command()
def serve(
    db: Optional[str] = db_option(),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8001, "--port", min=0, max=65535, help="Port (0 picks a free one)."),
    replay_host: Optional[str] = typer.Option(None, "--replay-host", metavar="NAME", help="Another name for this machine, where archived pages (--archive) replay apart from Datasette's origin (default: localhost when --host is 127.0.0.1).", show_default=False),
    replay_port: int = typer.Option(0, "--replay-port", min=0, max=65535, help="Port for archived-page replay (0 picks a free one)."),
):
    """Browse, search, tag and annotate the archive in Datasette.

    Prints the address to open and a one-time login link for you, the owner:
    anyone who can reach the server may read; only a logged-in user may tag
    and write notes.
    """
    from annotations.serve import ServeError, serve as run_server

    try:
        run_server(resolve_db(db), host=host, port=port, echo=lambda line: typer.echo(line),
                   replay_name=replay_host, replay_port=replay_port)
    except ServeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)


def _change_tags(db: Optional[str], article_id: int, tags: List[str], add: bool) -> None:
    from annotations import tags as annotations_tags

    archive = _open_archive(db)
    change = annotations_tags.add_tags if add else annotations_tags.remove_tags
    try:
        n = change(archive, article_id, tags)
    except annotations_tags.AnnotationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    current = annotations_tags.tags_for(archive, article_id)
    typer.echo(f"article {article_id}: {n} tag{'s' if n != 1 else ''} {'added' if add else 'removed'}; "
               f"tags: {', '.join(current) if current else '(none)'}")


@app.command()
def tag(
    article_id: int = typer.Argument(..., metavar="ID", help="Article id."),
    tags: List[str] = typer.Argument(..., metavar="TAG...", help="Tags to add (commas also separate tags)."),
    db: Optional[str] = db_option(),
):
    """Add tags to an article."""
    _change_tags(db, article_id, tags, add=True)


@app.command()
def untag(
    article_id: int = typer.Argument(..., metavar="ID", help="Article id."),
    tags: List[str] = typer.Argument(..., metavar="TAG...", help="Tags to remove."),
    db: Optional[str] = db_option(),
):
    """Remove tags from an article."""
    _change_tags(db, article_id, tags, add=False)


@app.command()
def note(
    article_id: int = typer.Argument(..., metavar="ID", help="Article id."),
    text: str = typer.Argument("", metavar="TEXT", help="The note."),
    quote: Optional[str] = typer.Option(None, "--quote", "-q", help="A passage of the article the note is about."),
    author: Optional[str] = typer.Option(None, "--author", help="Who wrote the note [default: $USER]."),
    db: Optional[str] = db_option(),
):
    """Add a note to an article, optionally quoting a passage of it."""
    from annotations import tags as annotations_tags

    archive = _open_archive(db)
    try:
        note_id = annotations_tags.add_note(archive, article_id, text, quote=quote,
                                            author=author or os.environ.get("USER") or None)
    except annotations_tags.AnnotationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    typer.echo(f"article {article_id}: note {note_id} added")


class NotesFormat(str, Enum):
    jsonld = "jsonld"
    markdown = "markdown"
    csv = "csv"


@app.command()
def highlight(
    article_id: int = typer.Argument(..., metavar="ID", help="Article id."),
    quote: Optional[str] = typer.Option(None, "--quote", "-q", help="The passage to highlight, as it reads in the article's text.", show_default=False),
    occurrence: Optional[int] = typer.Option(None, "--occurrence", "-n", min=1, help="Which occurrence, when the passage occurs more than once (1 = first)."),
    note: Optional[str] = typer.Option(None, "--note", help="A comment on the passage."),
    color: str = typer.Option("yellow", "--color", help="yellow, green, blue, pink, orange or purple."),
    author: Optional[str] = typer.Option(None, "--author", help="Who made the highlight (default: $USER)."),
    region: Optional[str] = typer.Option(None, "--region", metavar="X,Y,W,H", help="Instead of a passage, mark this rectangle of the page screenshot (pixels).", show_default=False),
    db: Optional[str] = db_option(),
):
    """Highlight a passage of an article (or a region of its page screenshot); prints the new note's id.

    The highlight keeps the passage's exact position in the article's text and,
    for captures that measured it, where it is drawn on the page screenshot.
    """
    from annotations import highlights

    if (quote is None) == (region is None):
        typer.echo("error: give either --quote TEXT or --region X,Y,W,H", err=True)
        raise typer.Exit(1)
    archive = _open_archive(db)
    who = author or os.environ.get("USER") or None
    try:
        if region is not None:
            note_id = highlights.add_region(archive, article_id, *highlights.parse_region(region), note=note,
                                            color=color, author=who)
        else:
            note_id = highlights.add_highlight(archive, article_id, quote=quote, occurrence=occurrence, note=note,
                                               color=color, author=who)
    except highlights.AnnotationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1)
    typer.echo(note_id)


@app.command("export-notes")
def export_notes(
    fmt: NotesFormat = typer.Option(NotesFormat.jsonld, "--format", "-f", help="W3C Web Annotation JSON-LD, Markdown or CSV."),
    article_id: Optional[int] = typer.Option(None, "--article", metavar="ID", help="Only this article's notes."),
    base_url: str = typer.Option("http://127.0.0.1:8001", "--base-url", help="Where `pagekeep serve` runs, for screenshot and record links."),
    db: Optional[str] = db_option(),
):
    """Write notes and highlights to stdout (JSON-LD by default)."""
    from annotations import export_notes as exporter
    from annotations.tags import NoSuchArticle, _check_articles

    archive = _open_archive(db)
    if article_id is not None:
        try:
            _check_articles(archive.conn, [article_id])
        except NoSuchArticle as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1)
    links = exporter.Links(base_url, exporter.db_route_for(db or default_db_path()))
    sys.stdout.write(exporter.export(archive, fmt.value, article_id, links))


@app.command()
def search(
    query: str = typer.Argument(..., metavar="QUERY", help='Words, "a phrase", prefix*, AND/OR/NOT.'),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="Show at most this many matches."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per match."),
    db: Optional[str] = db_option(),
):
    """Full-text search over titles, bylines and article text, best matches first."""
    import json

    from annotations.search import search as run_search

    archive = _open_archive(db)
    results = run_search(archive, query, limit=limit)
    if as_json:
        for r in results:
            typer.echo(json.dumps(r, ensure_ascii=False))
        return
    if not results:
        typer.echo(f"no articles match {query!r}", err=True)
        return
    for r in results:
        day = (r["published"] or r["captured_at"] or "")[:10]
        typer.echo(f"{r['id']:>6}  {day:10}  {r['site_name'] or '':20.20}  {r['title'] or r['url']}")
        typer.echo(f"        {' '.join((r['snippet'] or '').split())}")


from .watch_cli import register as _register_watch_commands  # noqa: E402  (watch, unwatch, changes, diff)

_register_watch_commands(app)

if __name__ == "__main__":
    app()
