"""Serve a folder of pages on loopback: the demo's examples and the tests' fixture site.

Any path accepts `?delay=MS` to answer late, which is how fixtures make the
rest of a story or a banner arrive after load. Extra dynamic routes can be
passed as {path: handler(request_handler)} for tests of odd servers.
"""

from __future__ import annotations

import http.server
import socketserver
import ssl
import sys
import threading
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


class _Handler(http.server.SimpleHTTPRequestHandler):
    routes: dict = {}

    def log_message(self, *args):  # keep test and demo output clean
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _route(self) -> bool:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if "delay" in query:
            try:
                time.sleep(min(float(query["delay"][0]), 60000) / 1000)
            except ValueError:
                pass
        handler = self.routes.get(parts.path)
        if handler is None:
            return False
        try:
            handler(self)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return True

    def do_GET(self):
        if not self._route():
            try:
                super().do_GET()
            except (BrokenPipeError, ConnectionResetError):
                pass

    def do_HEAD(self):
        if not self._route():
            super().do_HEAD()

    def do_POST(self):
        if not self._route():
            self.send_error(405)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLEOFError)):
            return  # the browser gave up on a request (a capture ended, a blocked page): not news
        super().handle_error(request, client_address)


class Site:
    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = 0, routes: dict | None = None):
        handler = type("Handler", (_Handler,), {"routes": dict(routes or {})})
        self.httpd = _Server((host, port), partial(handler, directory=str(root)))
        self.host, self.port = self.httpd.server_address[:2]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def start(self) -> "Site":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def body_route(body: bytes, content_type: str):
    """A route answering every GET with one fixed body (HEAD: the headers alone)."""
    def handler(h) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)
    return handler


@contextmanager
def serve(root: str | Path, host: str = "127.0.0.1", routes: dict | None = None):
    site = Site(root, host=host, routes=routes).start()
    try:
        yield site
    finally:
        site.stop()
