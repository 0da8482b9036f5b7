#!/usr/bin/env python3
"""Pages that move themselves away or lean on hosts that never answer, captured as a user would meet them.

The trafilatura-eval set (../shared/benchmarks/trafilatura-eval) holds saved
pages that, served from another address, navigate away: an "upgrade to https"
snippet, a `location.replace()` towards the original host, and pages whose
`<base href>` points at their original site. Here each such page is served
plainly over http on loopback, and every request to a host off this machine
goes to a proxy on loopback that accepts the connection and never answers (as
behind a firewall): nothing is blocked, outside hosts simply hang. Each page
is captured through the real pipeline with the default settings; the report
says how many were stored, how long they took, which document was kept, and
what share of the set's `with` snippets the stored text holds.

Pages are chosen by what their HTML contains, not by name: an https-upgrade
or `location.replace` script, or a `<base href>` at an absolute http(s) address.

    .venv/bin/python benchmarks/unreachable.py                  # all such pages
    .venv/bin/python benchmarks/unreachable.py --limit 10 -v    # a quick look, page by page
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import re
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "trafilatura-eval"
MOVES = {
    "https-upgrade": re.compile(rb"location\.protocol\s*!==?\s*[\"']https:[\"']"),
    "location.replace": re.compile(rb"location\.replace\s*\("),
    "base-href": re.compile(rb"<base\s[^>]*href\s*=\s*[\"']?https?://", re.I),
}


def kinds_of(html: bytes) -> list[str]:
    return [kind for kind, rx in MOVES.items() if rx.search(html)]


def content_type(html: bytes) -> str:
    """As the README of the set says: declared charsets are honoured; undeclared UTF-8 is said to be UTF-8."""
    head = html[:4096].lower()
    if html.startswith(b"\xef\xbb\xbf") or b"charset" in head:
        return "text/html"
    try:
        html.decode("utf-8")
        return "text/html; charset=utf-8"
    except UnicodeDecodeError:
        return "text/html"


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


class SilentProxy:
    """A loopback 'proxy' that accepts every connection and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.3", 0))
        self.sock.listen(512)
        self.held: list = []
        threading.Thread(target=self._hold, daemon=True).start()

    @property
    def server(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def _hold(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.sock.close()
        for c in self.held:
            c.close()


def load(data: Path, limit: int | None) -> list[dict]:
    snippets = json.loads((data / "snippets.json").read_text("utf-8"))
    pages = []
    for pid in sorted(snippets):
        html = gzip.decompress((data / "html" / f"{pid}.html.gz").read_bytes())
        kinds = kinds_of(html)
        if kinds:
            pages.append({"id": pid, "kinds": kinds, "html": html, "with": snippets[pid]["with"]})
    return pages[:limit] if limit else pages


async def capture_all(pages: list[dict], base: str, concurrency: int, verbose: bool) -> None:
    from playwright.async_api import async_playwright

    from capture.browser import find_chromium, launch_args
    from capture.pipeline import CaptureError, CaptureOptions, capture_page

    proxy = SilentProxy()
    gate = asyncio.Semaphore(concurrency)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=find_chromium().path, headless=True, args=launch_args(),
                                               proxy={"server": proxy.server, "bypass": "<loopback>"})

            async def one(p):
                async with gate:
                    t = time.monotonic()
                    try:
                        cap = await capture_page(browser, f"{base}/{p['path']}", CaptureOptions())
                        p.update(ok=True, text=cap.record["text"] or "", kept=cap.record.get("document_kept"),
                                 notes=cap.record["capture_notes"] or "", timings=cap.record["timings"])
                    except CaptureError as exc:
                        p.update(ok=False, error=str(exc))
                    except Exception as exc:  # what the batch runner would record as an internal error
                        p.update(ok=False, error=f"internal: {exc.__class__.__name__}: {str(exc)[:120]}")
                    p["seconds"] = time.monotonic() - t
                    if verbose:
                        print(f"  {'+'.join(p['kinds']):16} {'ok ' if p['ok'] else 'ERR'} {p['seconds']:5.1f}s {p['id'][:40]:40} "
                              f"{p.get('kept') or ''} {p.get('error', '')[:80]}", file=sys.stderr, flush=True)
                        if p["ok"]:
                            print(f"      {p['timings']}\n      {p['notes']!r}", file=sys.stderr, flush=True)

            await asyncio.gather(*(one(p) for p in pages))
            await browser.close()
    finally:
        proxy.close()


def report(pages: list[dict]) -> None:
    print("| pages | n | stored | errors | median s | max s | kept loaded / navigated | `with` snippets found |")
    print("|---|---|---|---|---|---|---|---|")
    for kind in [*MOVES, "all"]:
        group = [p for p in pages if kind == "all" or kind in p["kinds"]]
        if not group:
            continue
        ok = [p for p in group if p.get("ok")]
        secs = [p["seconds"] for p in group]
        found = sum(norm(w) in norm(p["text"]) for p in ok for w in p["with"])
        total = sum(len(p["with"]) for p in group)
        kept = f"{sum(p.get('kept') == 'loaded' for p in ok)} / {sum(p.get('kept') == 'navigated' for p in ok)}"
        print(f"| {kind} | {len(group)} | {len(ok)} | {len(group) - len(ok)} | {statistics.median(secs):.1f} | "
              f"{max(secs):.1f} | {kept} | {found}/{total} ({found / max(1, total):.0%}) |")
    for p in pages:
        if not p.get("ok"):
            print(f"- failed: {p['id']} ({'+'.join(p['kinds'])}): {p['error']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the trafilatura-eval folder")
    ap.add_argument("--limit", type=int, help="only the first N chosen pages")
    ap.add_argument("--only", action="append", default=[], help="only pages whose id starts with this (repeatable)")
    ap.add_argument("--concurrency", type=int, default=3)
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per page as it finishes")
    args = ap.parse_args()
    if not (args.data / "snippets.json").exists():
        print(f"no benchmark set at {args.data}", file=sys.stderr)
        return 2
    pages = [p for p in load(args.data, args.limit) if not args.only or any(p["id"].startswith(o) for o in args.only)]
    from capture.localsite import body_route, serve

    routes = {}
    for i, p in enumerate(pages):
        p["path"] = f"page{i}.html"  # ids hold spaces and other characters a browser and `quote` encode differently
        body, ctype = p["html"], content_type(p["html"])
        routes[f"/{p['path']}"] = body_route(body, ctype)
    started = time.monotonic()
    with serve(ROOT / "tests" / "site", routes=routes) as site:
        asyncio.run(capture_all(pages, site.base, args.concurrency, args.verbose))
    print(f"{len(pages)} pages in {time.monotonic() - started:.0f} s, concurrency {args.concurrency}, default timeout")
    report(pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
