"""`pagekeep watch`, `unwatch`, `changes` and `diff`: thin typer commands over watch.py and watch_store.py.

Registered on the main app by cli.py (`register(app)`), so cli.py stays small.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from typing import List, Optional

import typer


def _cli():
    """cli.py's helpers (resolve_db, _open_archive), imported late: cli.py imports this module."""
    from . import cli

    return cli


def _db_option():
    return typer.Option(None, "--db", help="SQLite archive (default: $PAGEKEEP_DB or ./pagekeep.db).", show_default=False)


def _fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _targets(urls: Optional[List[str]], from_file: Optional[str]) -> list[str]:
    from .urls import BadURL, DEFAULT_SCHEMES, check_url, read_url_list

    targets = list(urls or [])
    if from_file:
        try:
            targets += read_url_list(from_file)
        except OSError as exc:
            _fail(f"cannot read --from {from_file}: {exc.strerror}", 2)
    for url in targets:
        try:
            check_url(url, DEFAULT_SCHEMES)
        except BadURL as exc:
            _fail(str(exc), 2)
    return list(dict.fromkeys(targets))


def _writable_archive(db: Optional[str]):
    from .store import connect
    from .watch_store import ensure_watch_schema

    path = _cli().resolve_db(db)
    try:
        archive = connect(path)
        ensure_watch_schema(archive)
    except Exception as exc:  # sqlite3.DatabaseError, OSError: one line, not a traceback
        _fail(f"archive {path}: {exc}", 1)
    return path, archive


def watch(
    urls: List[str] = typer.Argument(None, help="URLs to watch (added to the archive's watch list).", show_default=False),
    from_file: Optional[str] = typer.Option(None, "--from", help="File of URLs to watch, one per line ('-' for stdin)."),
    every: Optional[str] = typer.Option(None, "--every", metavar="DURATION", help="Check every DURATION (30m, 2h, 1d) instead of by age: every 15 min while under 3 h old, hourly the first day, every 6 h the first week, daily the first month, weekly after; a change restarts that clock."),
    once: bool = typer.Option(False, "--once", help="Check and exit (for cron): the named URLs now, whatever their schedule; with no URLs, the watches that are due."),
    on_change: Optional[str] = typer.Option(None, "--on-change", metavar="COMMAND", help="Run COMMAND for every change; it gets the details in PAGEKEEP_* environment variables (PAGEKEEP_URL, PAGEKEEP_CHANGE_JSON, ...), never on its command line."),
    concurrency: int = typer.Option(2, "--concurrency", "-c", min=1, max=16, help="Pages checked at once."),
    timeout: float = typer.Option(30.0, "--timeout", min=1.0, help="Seconds allowed for each capture."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per check on stdout."),
    db: Optional[str] = _db_option(),
):
    """Watch articles for changes: re-capture them on a schedule and record what changed.

    Each check is a row in `checks`: same (nothing stored), changed (a new
    capture and a row in `changes` with the diff), suspect (a consent wall,
    paywall, error or far shorter text: never reported as an edit) or gone
    (404/410). Without --once it keeps running, checking watches as they fall due.
    """
    from . import browser as browser_mod
    from .pipeline import CaptureOptions
    from .schedule import BadDuration, parse_duration
    from .watch import check, run_hook, watch_forever
    from .watch_store import add_watches

    targets = _targets(urls, from_file)
    try:
        seconds = parse_duration(every) if every else None
    except BadDuration as exc:
        _fail(str(exc), 2)
    path, archive = _writable_archive(db)
    if targets:
        added, _known = add_watches(archive, targets, seconds)
        if added and not as_json:
            typer.echo(f"watching {len(added)} new URL{'s' if len(added) != 1 else ''} ({archive['watches'].count} in all)", err=True)
    elif not archive["watches"].count:
        _fail("nothing is watched yet (pass URLs or --from FILE)", 2)
    archive.close()
    try:
        browser_mod.find_chromium()
    except browser_mod.BrowserNotFound as exc:
        _fail(str(exc), 1)

    def report(result):
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False) if as_json else result.line())
        if on_change and result.change:
            problem = run_hook(on_change, result.change, path)
            if problem:
                typer.echo(problem, err=True)

    opts = CaptureOptions(timeout=timeout)
    try:
        if once:
            check(path, targets or None, opts, concurrency, report)
        else:
            watch_forever(path, opts, concurrency, report)
    except KeyboardInterrupt:
        typer.echo("stopped: finished checks are stored", err=True)
        raise typer.Exit(130)


def unwatch(
    urls: List[str] = typer.Argument(..., help="URLs to stop watching (their captures and changes stay).", show_default=False),
    db: Optional[str] = _db_option(),
):
    """Stop watching URLs. What was captured and found stays in the archive."""
    from .watch_store import remove_watches

    archive = _cli()._open_archive(db)
    from .watch_store import ensure_watch_schema

    ensure_watch_schema(archive)
    removed, unknown = remove_watches(archive, list(dict.fromkeys(urls)))
    for url in removed:
        typer.echo(f"unwatched {url}")
    for url in unknown:
        typer.echo(f"error: not watched: {url}", err=True)
    raise typer.Exit(1 if unknown else 0)


def changes(
    since: Optional[str] = typer.Option(None, "--since", metavar="DURATION", help="Only changes found in the last DURATION (2h, 7d)."),
    url: Optional[str] = typer.Option(None, "--url", help="Only changes of this URL."),
    as_json: bool = typer.Option(False, "--json", help="A JSON array, one object per change, flags as booleans."),
    db: Optional[str] = _db_option(),
):
    """List the changes watching found, oldest first."""
    from .schedule import BadDuration, iso, parse_duration
    from .watch_store import change_as_json, ensure_watch_schema, flags_text, list_changes

    cutoff = None
    if since:
        try:
            cutoff = iso(datetime.now(timezone.utc) - timedelta(seconds=parse_duration(since)))
        except BadDuration as exc:
            _fail(str(exc), 2)
    archive = _cli()._open_archive(db)
    ensure_watch_schema(archive)
    rows = [change_as_json(r) for r in list_changes(archive, since=cutoff, url=url)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True))
        return
    if not rows:
        typer.echo("no changes" + (f" in the last {since}" if since else ""), err=True)
        return
    for r in rows:
        typer.echo(f"{r['detected_at']}  #{r['old_id']} → #{r['new_id']}  {flags_text(r):<28}  "
                   f"+{r['words_added']}/−{r['words_removed']} words  {r['url']}")
        if r["new_title"] != r["old_title"]:
            typer.echo(f"        headline: {r['old_title']!r} → {r['new_title']!r}")


def diff(
    old_id: int = typer.Argument(..., metavar="OLD", help="Article id of the earlier capture."),
    new_id: int = typer.Argument(..., metavar="NEW", help="Article id of the later capture."),
    as_json: bool = typer.Option(False, "--json", help="The diff as JSON (offsets into both texts); byte-identical for the same two captures."),
    db: Optional[str] = _db_option(),
):
    """Compare any two captures: what was inserted, deleted and replaced, paragraph then word."""
    from .diff import diff_texts

    archive = _cli()._open_archive(db)
    texts = {r[0]: r[1:] for r in archive.execute(
        "select id, title, text from articles where id in (?, ?)", [old_id, new_id]).fetchall()}
    for wanted in (old_id, new_id):
        if wanted not in texts:
            _fail(f"no article with id {wanted}", 1)
    body = diff_texts(texts[old_id][1], texts[new_id][1])
    title = diff_texts(texts[old_id][0], texts[new_id][0])
    if as_json:
        sys.stdout.write(json.dumps({"old_id": old_id, "new_id": new_id, "title": title.as_dict(), "text": body.as_dict()},
                                    sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
        return
    if not body.ops and not title.ops:
        typer.echo("no differences in title or text")
        return
    for label, d in (("title", title), ("text", body)):
        for op in d.ops:
            old = " ".join(d.old[op["a"][0]:op["a"][1]].split())
            new = " ".join(d.new[op["b"][0]:op["b"][1]].split())
            where = f"{label} ¶{(op['pb'] if op['pb'] is not None else op['pa']) + 1}" if label == "text" else label
            typer.echo(f"{where:>9}  {op['op']:<7}  " + (f"−[{old}] " if old else "") + (f"+[{new}]" if new else ""))


def register(app: typer.Typer) -> None:
    app.command()(watch)
    app.command()(unwatch)
    app.command()(changes)
    app.command()(diff)
