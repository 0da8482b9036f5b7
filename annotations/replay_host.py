"""The replay host: ReplayWeb.page and the stored WACZ files, on an origin apart from Datasette's.

Replaying an archived page runs the page's own scripts. On Datasette's origin
they could read the owner's actor cookie and post tags with it, so `pagekeep
serve` opens a second socket for replay only, reached under another host name
(`localhost` when Datasette is on 127.0.0.1): another origin, another cookie
jar. It answers nothing but the replay files, a small page per archive and the
WACZ itself, and only under its own host name. The record page frames it.

A WACZ is named by a token Datasette signs when it shows the record page to
someone allowed to read it, so the replay host hands out nothing Datasette
would not.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from urllib.parse import urlsplit

from . import replay_assets

TOKEN_NAMESPACE = "pagekeep-replay"
# What an archived page may do inside the replay (given to ReplayWeb.page, which sends it with
# every replayed document): talk to the replay origin only, never to the live web or another
# loopback service. wabac's own default also allows ws:, wss: and mediastream: anywhere.
REPLAY_CSP = ("default-src 'unsafe-eval' 'unsafe-inline' 'self' data: blob:; form-action 'self'; "
              "object-src 'none'; base-uri 'self'")
# The page that hosts <replay-web-page>: our markup and ReplayWeb.page's scripts, from this origin only.
VIEW_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            "font-src 'self' data:; connect-src 'self' data:; frame-src 'self'; worker-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors {parent}")
DEFAULT_NAMES = {"127.0.0.1": "localhost", "0.0.0.0": "localhost", "localhost": "127.0.0.1",
                 "::1": "localhost", "::": "localhost"}
TOKEN = r"[A-Za-z0-9_.-]+"


def default_replay_name(datasette_host: str) -> str | None:
    """Another name for the same loopback interface, so the browser sees another origin."""
    return DEFAULT_NAMES.get(datasette_host)


def describe(origin: str | None) -> str:
    """One line for `pagekeep serve`: where archived pages replay, or why they do not."""
    if not origin:
        return ("Archived pages: download only (pass --replay-host with another name for this machine "
                "to replay them here)")
    if not replay_assets.installed():
        return "Archived pages: download only, ReplayWeb.page is missing (run scripts/setup.sh)"
    secure = urlsplit(origin).hostname in ("localhost", "::1") or (urlsplit(origin).hostname or "").startswith("127.")
    note = "" if secure else " (browsers allow the replay's service worker on localhost or https only)"
    return f"Archived pages replay from {origin}, another origin than Datasette's{note}"


def sign(datasette, database: str, article_id: int) -> str:
    return datasette.sign({"d": database, "a": int(article_id)}, TOKEN_NAMESPACE)


def _unsign(datasette, token: str) -> tuple[str, int] | None:
    try:
        data = datasette.unsign(token, TOKEN_NAMESPACE)
        return str(data["d"]), int(data["a"])
    except Exception:
        return None


class ReplayHost:
    """An ASGI app for the replay socket. `parent` is Datasette's origin, the only one allowed to frame it."""

    def __init__(self, datasette, name: str, port: int, parent: str):
        self.ds = datasette
        self.name = name
        self.port = port
        self.origin = f"http://{_url_host(name)}:{port}"
        self.parent = parent

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
        if host != urlsplit(self.origin).netloc.lower():
            # Reached under another name (127.0.0.1 would share Datasette's cookies): refuse.
            return await _respond(send, 421, b"replay is served at " + self.origin.encode(), "text/plain")
        path, method = scope["path"], scope["method"]
        if method not in ("GET", "HEAD"):
            return await _respond(send, 405, b"read only", "text/plain", {"allow": "GET, HEAD"})
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        if m := re.fullmatch(r"/replay/(ui\.js|sw\.js)", path):
            return await self._asset(send, m.group(1), method)
        if path in ("/replay/", "/replay/index.html"):  # the viewer frame, before the service worker serves it
            return await _respond(send, 200, APP_PAGE.encode(), "text/html; charset=utf-8", {
                "content-security-policy": VIEW_CSP.format(parent=f"'self' {self.parent}"), "cache-control": "no-store"})
        if m := re.fullmatch(rf"/view/({TOKEN})", path):
            return await self._view(send, m.group(1))
        if m := re.fullmatch(rf"/wacz/({TOKEN})/archive\.wacz", path):
            return await self._wacz(send, m.group(1), method, headers.get("range"))
        return await _respond(send, 404, b"not found", "text/plain")

    async def _asset(self, send, name: str, method: str):
        path = replay_assets.assets_dir() / name
        if not path.is_file():
            return await _respond(send, 404, b"ReplayWeb.page is not installed: run scripts/setup.sh", "text/plain")
        body = path.read_bytes()
        await _respond(send, 200, b"" if method == "HEAD" else body, "text/javascript; charset=utf-8",
                       {"cache-control": "no-cache", "etag": f'"{hashlib.sha256(body).hexdigest()[:16]}"'},
                       length=len(body))

    async def _row(self, token: str):
        found = _unsign(self.ds, token)
        if found is None or found[0] not in self.ds.databases:
            return None
        database, article_id = found
        db = self.ds.databases[database]
        if "archives" not in await db.table_names():
            return None
        rows = (await db.execute(
            "select a.url, a.title, r.bytes, r.sha256 from archives r join articles a on a.id = r.article_id "
            "where r.article_id = ?", [article_id])).rows
        return (db, article_id, dict(rows[0])) if rows else None

    async def _view(self, send, token: str):
        found = await self._row(token)
        if found is None:
            return await _respond(send, 404, b"no such archive", "text/plain")
        _, _, row = found
        if not replay_assets.installed():
            return await _respond(send, 503, b"ReplayWeb.page is not installed: run scripts/setup.sh", "text/plain")
        page = VIEW_PAGE.format(
            title=html.escape(row["title"] or row["url"]), url=html.escape(row["url"]),
            source=f"/wacz/{token}/archive.wacz", config=html.escape(json.dumps({"csp": REPLAY_CSP})))
        await _respond(send, 200, page.encode(), "text/html; charset=utf-8", {
            "content-security-policy": VIEW_CSP.format(parent=self.parent), "referrer-policy": "no-referrer",
            "cache-control": "no-store"})

    async def _wacz(self, send, token: str, method: str, range_header: str | None):
        found = await self._row(token)
        if found is None:
            return await _respond(send, 404, b"no such archive", "text/plain")
        db, article_id, row = found
        size = row["bytes"]
        start, end = _byte_range(range_header, size)
        status = 206 if range_header and start is not None else 200
        if range_header and start is None:
            return await _respond(send, 416, b"", "text/plain", {"content-range": f"bytes */{size}"})
        if status == 200:
            start, end = 0, size - 1
        length = end - start + 1
        body = b""
        if method == "GET" and length > 0:
            body = await db.execute_fn(lambda conn: bytes(conn.execute(
                "select substr(wacz, ?, ?) from archives where article_id = ?",
                [start + 1, length, article_id]).fetchone()[0]))
        headers = {"accept-ranges": "bytes", "etag": f'"{row["sha256"][:32]}"', "cache-control": "no-cache",
                   "content-security-policy": "default-src 'none'; sandbox",
                   "cross-origin-resource-policy": "same-origin"}
        if status == 206:
            headers["content-range"] = f"bytes {start}-{end}/{size}"
        await _respond(send, status, body, "application/wacz", headers, length=length)


VIEW_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Archived: {title}</title>
<style>html, body {{ margin: 0; height: 100%; overflow: hidden; }} replay-web-page {{ display: block; height: 100%; }}</style>
<script src="/replay/ui.js"></script>
</head><body>
<replay-web-page source="{source}" url="{url}" replaybase="/replay/" embed="replayonly" config="{config}"></replay-web-page>
</body></html>
"""


APP_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><script src="/replay/ui.js"></script></head>
<body><replay-app-main></replay-app-main></body></html>
"""


def _byte_range(header: str | None, size: int) -> tuple[int | None, int | None]:
    """One `bytes=a-b`, `bytes=a-` or `bytes=-n` range, clipped to the file; (None, None) if unusable."""
    m = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header or "")
    if not m or (not m.group(1) and not m.group(2)) or size == 0:
        return None, None
    if m.group(1):
        start = int(m.group(1))
        end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
    else:
        start, end = max(0, size - int(m.group(2))), size - 1
    return (start, end) if start <= end and start < size else (None, None)


async def _respond(send, status: int, body: bytes, ctype: str, headers: dict | None = None, length: int | None = None):
    out = [(b"content-type", ctype.encode()), (b"content-length", str(len(body) if length is None else length).encode()),
           (b"x-content-type-options", b"nosniff")]
    out += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})


def _url_host(name: str) -> str:
    return f"[{name}]" if ":" in name else name


def by_socket(datasette_app, replay: ReplayHost):
    """One ASGI app for both sockets: requests that arrived on the replay port go to the replay host.

    Datasette in turn refuses to be browsed under the replay's host name: a login there would
    put its cookie in the jar replayed scripts can read (cookies ignore ports)."""
    async def app(scope, receive, send):
        server = scope.get("server") or (None, None)
        if scope["type"] == "http" and server[1] == replay.port:
            return await replay(scope, receive, send)
        if scope["type"] == "http" and _host_name(scope) == replay.name.lower():
            return await _respond(send, 421, f"browse the archive at {replay.parent}".encode(), "text/plain")
        return await datasette_app(scope, receive, send)
    return app


def _host_name(scope) -> str:
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
    return urlsplit(f"//{host}").hostname or ""
