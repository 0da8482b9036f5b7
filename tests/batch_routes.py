"""Server behaviour for batch tests: flaky pages and a concurrency meter."""

from __future__ import annotations

import threading
import time
from collections import Counter
from urllib.parse import parse_qs, urlsplit

PAGE = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<article><h1>{title}</h1><p>A report from the flaky server, which fails a few times before it answers, "
        "the way busy news sites do under load on election nights.</p><p>Once it answers, the story is ordinary: "
        "the count went late into the night and the result was close.</p></article></body></html>")


class Flaky:
    """Answers 500 (or drops the connection) the first `fails` times each URL is asked for."""

    def __init__(self, fails: int = 2, mode: str = "500"):
        self.fails = fails
        self.mode = mode
        self.seen: Counter = Counter()
        self.lock = threading.Lock()

    def __call__(self, h):
        with self.lock:
            self.seen[h.path] += 1
            n = self.seen[h.path]
        if n <= self.fails:
            if self.mode == "reset":
                h.close_connection = True
                h.connection.shutdown(2)
                return
            body = b"<h1>busy</h1>"
            h.send_response(500)
        else:
            body = PAGE.format(title=f"Flaky story {h.path}").encode()
            h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


class Meter:
    """A slow page that records how many requests for it were in flight at once."""

    def __init__(self, seconds: float = 0.6):
        self.seconds = seconds
        self.now = 0
        self.peak = 0
        self.starts: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, h):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            self.starts.append(time.monotonic())
        try:
            time.sleep(self.seconds)
            n = parse_qs(urlsplit(h.path).query).get("n", ["0"])[0]
            body = PAGE.format(title=f"Metered story {n}").encode()
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        finally:
            with self.lock:
                self.now -= 1
