"""Serve an archive in Datasette with pagekeep's metadata and plugin.

`pagekeep serve` calls `serve()`; a demo script can too. Tests and the
benchmark use `make_datasette()` so they exercise exactly what users get.
"""

from __future__ import annotations

import asyncio
import copy
import errno
import socket
import sqlite3
import sys
from pathlib import Path
from typing import Callable

import yaml
from datasette.app import Datasette
from datasette.plugins import pm
from datasette.utils import tilde_encode
from datasette.version import __version__ as datasette_version

from capture.store import connect

from . import plugin, replay_host
from .schema import ensure_indexes

METADATA_PATH = Path(__file__).resolve().parent.parent / "metadata.yml"
TEMPLATE_DB = "pagekeep"  # the database key metadata.yml describes

SETTINGS = {
    # Facet suggestions run a GROUP BY per column on every table page; on a
    # 10,000-article archive with full text that alone takes seconds.
    "suggest_facets": False,
    "facet_time_limit_ms": 1000,
    "sql_time_limit_ms": 3000,
    # Long text and HTML cells on plain Datasette pages (JSON, SQL results) stay readable.
    "truncate_cells_html": 400,
}


class ServeError(Exception):
    """A problem `pagekeep serve` reports in one line (missing archive, port in use)."""


def ensure_plugin() -> None:
    """Register the plugin even where entry points are not loaded (Datasette's own test mode)."""
    if not pm.is_registered(plugin) and pm.get_plugin("pagekeep") is None:
        pm.register(plugin, name="pagekeep")


def load_metadata(db_name: str, path: Path | None = None) -> dict:
    """metadata.yml, with its `pagekeep` database entry applied to `db_name`."""
    path = Path(path) if path else METADATA_PATH
    if not path.exists():
        return {}
    metadata = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    databases = metadata.get("databases") or {}
    if TEMPLATE_DB in databases and db_name != TEMPLATE_DB:
        databases = {**databases, db_name: copy.deepcopy(databases[TEMPLATE_DB])}
        del databases[TEMPLATE_DB]
        metadata["databases"] = databases
        if "description_html" in metadata:
            metadata["description_html"] = metadata["description_html"].replace(
                f'href="{TEMPLATE_DB}/', f'href="{tilde_encode(db_name)}/')
    return metadata


def prepare_archive(db_path: str | Path) -> int:
    """Check the archive exists, bring its schema up to date; returns its article count."""
    path = Path(db_path)
    if not path.exists():
        raise ServeError(f"no archive at {path}: capture something first (pagekeep capture URL --db {path}) "
                         "or pass --db")
    if not looks_like_archive(path):
        raise ServeError(f"{path} is not a pagekeep archive (no articles and screenshots tables)")
    try:
        db = connect(path)
        try:
            ensure_indexes(db)
            return db.conn.execute("select count(*) from articles").fetchone()[0]
        finally:
            db.conn.close()
    except sqlite3.DatabaseError as exc:
        raise ServeError(f"{path} is not a pagekeep archive ({exc})") from None


def make_datasette(db_path: str | Path, *, metadata_path: Path | None = None,
                   settings: dict | None = None, replay_origin: str | None = None) -> Datasette:
    """A Datasette for the archive, configured as `pagekeep serve` runs it."""
    ensure_plugin()
    path = Path(db_path)
    metadata = load_metadata(path.stem, metadata_path)
    if not looks_like_archive(path):  # metadata.yml describes archives only
        metadata.pop("databases", None)
    if replay_origin:  # where record pages frame archived pages from (see replay_host.py)
        metadata.setdefault("plugins", {}).setdefault("pagekeep", {})["replay_origin"] = replay_origin
    return Datasette(
        [str(path)],
        metadata=metadata,
        settings={**SETTINGS, **(settings or {})},
    )


def looks_like_archive(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return {"articles", "screenshots"} <= names


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, so asyncio sets TCP_NODELAY on each connection; without it a response
    # sent in two writes (headers, body) waits ~40 ms for the browser's delayed ACK, every time
    # on a kept-alive connection
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is already in use: pass --port with another number "
                             "(or --port 0 for any free port)") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001, *, open_message: bool = True,
          echo: Callable[[str], None] | None = None, replay_name: str | None = None, replay_port: int = 0) -> None:
    """Serve the archive until interrupted; prints where to browse and the owner's login link."""
    import uvicorn

    echo = echo or (lambda line: print(line, flush=True))
    count = prepare_archive(db_path)
    replay_name = replay_name or replay_host.default_replay_name(host)
    if replay_name and replay_name.lower() in (host.lower(), _url_host(host).lower()):
        raise ServeError(f"--replay-host {replay_name} is Datasette's own host: replay needs another name")
    sock = bind_socket(host, port)
    actual_port = sock.getsockname()[1]
    base = f"http://{_url_host(host)}:{actual_port}"
    replay_sock = bind_socket(host, replay_port) if replay_name else None
    replay_origin = f"http://{_url_host(replay_name)}:{replay_sock.getsockname()[1]}" if replay_sock else None
    ds = make_datasette(db_path, replay_origin=replay_origin)
    asyncio.run(ds.invoke_startup())

    db_name = next(name for name in ds.databases if name != "_internal")
    listing = base + ds.urls.table(db_name, "articles")
    login = f"{base}{ds.urls.path('-/auth-token')}?token={ds._root_token}"
    if open_message:
        echo(f"pagekeep: serving {db_path} ({count:,} article{'s' if count != 1 else ''}) "
             f"with Datasette {datasette_version}")
        echo(f"  Browse the archive: {listing}")
        echo("  Log in to tag and write notes (one-time link for you, the owner):")
        echo(f"    {login}")
        if host not in ("127.0.0.1", "localhost", "::1"):
            echo(f"  Note: listening on {host}, so anyone who can reach this machine can read the archive.")
        echo("  " + replay_host.describe(replay_origin))
        echo("  Stop with Ctrl+C.")

    app = ds.app()
    if replay_sock:
        app = replay_host.by_socket(app, replay_host.ReplayHost(ds, replay_name, replay_sock.getsockname()[1], base))
    config = uvicorn.Config(app, host=host, port=actual_port, log_level="warning",
                            access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock] + ([replay_sock] if replay_sock else []))
    finally:
        sock.close()
        if replay_sock:
            replay_sock.close()
    if open_message:
        echo("pagekeep: stopped")


if __name__ == "__main__":  # python -m annotations.serve DB [PORT]
    try:
        serve(sys.argv[1], port=int(sys.argv[2]) if len(sys.argv) > 2 else 8001)
    except ServeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
