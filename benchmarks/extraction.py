#!/usr/bin/env python3
"""Article-extraction benchmark: pagekeep's capture pipeline vs trafilatura and readability-lxml.

Every benchmark page is served on loopback (capture/localsite.py, as UTF-8,
over TLS with a throwaway certificate when the page was published on https, so
inline "upgrade to https" scripts stay put) and captured through the real
pipeline (`capture_urls` into a temporary SQLite archive with
`CaptureOptions(block_outside=True)`: every request to a non-loopback host is
aborted, so the pages' own scripts run but their external scripts, styles and
images never load). The `articles.text` that pagekeep stores is scored with
the benchmark's own method (benchmarks/extraction_score.py). In the same run
trafilatura (comments excluded) and readability-lxml (+ html-text when
installed, as upstream) read the saved HTML directly.

    .venv/bin/python benchmarks/extraction.py                 # full run, 181 pages
    .venv/bin/python benchmarks/extraction.py --limit 20      # quick look
    .venv/bin/python benchmarks/extraction.py --only 04a6711c # one page (id prefix)
    .venv/bin/python benchmarks/extraction.py --keep-db /tmp/bench.db
    .venv/bin/python benchmarks/extraction.py --offline /tmp/bench.db   # re-extract stored rendered HTML

`--offline` re-runs `extract()` on the rendered HTML stored by an earlier run
(seconds instead of minutes, for iterating on the extractor); its figures are
labelled as such and are not the pipeline's.

The same run reports metadata accuracy (title, byline, published) and body
token F1 on pagekeep's own fixture pages (tests/site_expectations.json).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import ssl
import subprocess
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from extraction_score import page_f1, summarise, token_f1  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "article-extraction"


# ---------------------------------------------------------------- data

def load_pages(data: Path, limit: int | None, only: list[str]) -> list[dict]:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    if only:
        ids = [i for i in ids if any(i.startswith(o) for o in only)]
    if limit:
        ids = ids[:limit]
    pages = []
    for i in ids:
        with gzip.open(data / "html" / f"{i}.html.gz", "rt", encoding="utf-8") as f:
            html = f.read()
        pages.append({"id": i, "url": truth[i]["url"], "truth": truth[i]["articleBody"], "html": html})
    return pages


# ---------------------------------------------------------------- pagekeep

def run_pagekeep(pages: list[dict], db_path: str, concurrency: int, timeout: float, quiet: bool) -> None:
    from capture.localsite import serve
    from capture.pipeline import CaptureOptions
    from capture.runner import capture_urls

    def page_route(body: bytes):
        # The saved pages are UTF-8 (many lack a <meta charset>); say so as their server did.
        def handler(req):
            req.send_response(200)
            req.send_header("Content-Type", "text/html; charset=utf-8")
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            if req.command != "HEAD":
                req.wfile.write(body)
        return handler

    routes = {f"/{p['id']}.html": page_route(p["html"].encode("utf-8")) for p in pages}
    with tempfile.TemporaryDirectory(prefix="pk-bench-") as tmp:
        # Each page is served with the scheme it was published with: several saved pages
        # run an inline "upgrade to https" redirect that would otherwise leave the capture.
        with serve(tmp, routes=routes) as site, serve_tls(tmp, routes) as tls_site:
            def local_url(p):
                https = p["url"].startswith("https:") and tls_site is not None
                return (tls_site if https else site).url(f"{p['id']}.html")
            by_url = {local_url(p): p for p in pages}
            done = [0]

            def progress(outcome):
                done[0] += 1
                p = by_url[outcome.url]
                p["seconds"] = outcome.seconds
                p["error"] = None if outcome.ok else outcome.error
                if not quiet:
                    mark = "ok " if outcome.ok else "ERR"
                    print(f"  [{done[0]:3d}/{len(pages)}] {mark} {outcome.seconds:5.1f}s {p['id'][:12]} "
                          f"{outcome.word_count if outcome.ok else outcome.error}", file=sys.stderr, flush=True)

            opts = CaptureOptions(block_outside=True, timeout=timeout)
            capture_urls(list(by_url), db_path, opts, concurrency=concurrency, on_outcome=progress)
            db = sqlite3.connect(db_path)
            rows = db.execute(
                "select a.url, a.text, a.id, r.html_gz, a.title from articles a "
                "left join rendered_pages r on r.article_id = a.id").fetchall()
            db.close()
            for url, text, _aid, html_gz, _title in rows:
                p = by_url.get(url)
                if p is None:
                    continue
                p["pagekeep"] = text or ""
                p["rendered"] = gzip.decompress(html_gz).decode("utf-8") if html_gz else None
                p["final_url"] = url


@contextmanager
def serve_tls(root: str, routes: dict):
    """The loopback server over TLS with a throwaway self-signed certificate (None without openssl)."""
    from capture.localsite import Site

    openssl = shutil.which("openssl")
    if not openssl:
        print("note: openssl not found; https pages are served over http", file=sys.stderr)
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="pk-tls-") as d:
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        site = Site(root, routes=routes)
        site.httpd.socket = ctx.wrap_socket(site.httpd.socket, server_side=True)
        site.start()
        try:
            yield _TLSSite(site)
        finally:
            site.stop()


class _TLSSite:
    def __init__(self, site):
        self.site = site

    def url(self, path: str) -> str:
        return f"https://{self.site.host}:{self.site.port}/{path.lstrip('/')}"


def load_offline(pages: list[dict], db_path: str) -> None:
    db = sqlite3.connect(db_path)
    rows = db.execute("select a.url, r.html_gz, a.capture_seconds from articles a "
                      "join rendered_pages r on r.article_id = a.id order by a.id").fetchall()
    db.close()
    by_id = {p["id"]: p for p in pages}
    for url, html_gz, secs in rows:
        pid = Path(urlsplit(url).path).name.split(".")[0]
        p = by_id.get(pid)
        if p is not None:
            p["rendered"] = gzip.decompress(html_gz).decode("utf-8")
            p["final_url"] = url
            p["seconds"] = secs


def reextract(pages: list[dict], use_for_score: bool) -> int:
    """Run extract() on each stored rendered page: times the extraction step alone, and
    checks it reproduces what the pipeline stored. Returns the number of mismatches."""
    from capture.extract import extract

    mismatches = 0
    for p in pages:
        if not p.get("rendered"):
            continue
        t0 = time.perf_counter()
        # the served document is the saved page itself (what the pipeline passes as source_html)
        ex = extract(p["rendered"], p["final_url"], source_html=p["html"])
        p["extract_seconds"] = time.perf_counter() - t0
        if use_for_score:
            p["pagekeep"] = ex.text
        elif ex.text != p.get("pagekeep"):
            mismatches += 1
    return mismatches


# ---------------------------------------------------------------- baselines

def html_to_text(fragment: str) -> str:
    try:
        import html_text  # what the benchmark's own readability runner uses
        return html_text.extract_text(fragment)
    except ImportError:
        from lxml import html as lxml_html
        doc = lxml_html.fromstring(fragment or "<div></div>")
        for el in doc.iter():
            if isinstance(el.tag, str) and el.tag in {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6",
                                                      "blockquote", "pre", "tr", "td", "th", "figcaption", "section"}:
                el.tail = "\n" + (el.tail or "")
        return doc.text_content()


def run_baselines(pages: list[dict]) -> None:
    import trafilatura
    from readability import Document

    for p in pages:
        t0 = time.perf_counter()
        p["trafilatura"] = trafilatura.extract(p["html"], include_comments=False) or ""
        p["trafilatura_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        try:
            p["readability"] = html_to_text(Document(p["html"]).summary(html_partial=True))
        except Exception:
            p["readability"] = ""
        p["readability_seconds"] = time.perf_counter() - t0


# ---------------------------------------------------------------- fixtures (metadata)

def _norm(s):
    return " ".join((s or "").split()).casefold()


def run_fixtures(concurrency: int, timeout: float) -> dict | None:
    """Capture pagekeep's own fixture pages and compare title, byline, published and body."""
    exp_path = ROOT / "tests" / "site_expectations.json"
    site_root = ROOT / "tests" / "site"
    if not exp_path.exists():
        return None
    from capture.localsite import serve
    from capture.pipeline import CaptureOptions
    from capture.runner import capture_urls

    expectations = json.loads(exp_path.read_text(encoding="utf-8"))
    if isinstance(expectations, dict) and "pages" in expectations:
        expectations = expectations["pages"]
    if isinstance(expectations, dict):
        items = list(expectations.items())
    else:
        items = [(e.get("path") or e.get("page"), e) for e in expectations]
    results = []
    with tempfile.TemporaryDirectory(prefix="pk-fixtures-") as tmp, serve(site_root) as site:
        db_path = os.path.join(tmp, "fixtures.db")
        urls = {site.url(path): (path, exp) for path, exp in items if path}
        capture_urls(list(urls), db_path, CaptureOptions(block_outside=True, timeout=timeout), concurrency=concurrency)
        db = sqlite3.connect(db_path)
        db.row_factory = sqlite3.Row
        got = {r["url"]: dict(r) for r in db.execute("select url, title, byline, published, text from articles")}
        db.close()
        for url, (path, exp) in urls.items():
            row = got.get(url)
            res = {"page": path, "captured": row is not None}
            if row:
                if "title" in exp:
                    res["title"] = _norm(row["title"]) == _norm(exp["title"])
                if "byline" in exp:
                    res["byline"] = _norm(row["byline"]) == _norm(exp["byline"])
                if "published" in exp:
                    res["published"] = (row["published"] or "").startswith(exp["published"])
                paras = exp.get("paragraphs") or exp.get("body")
                if paras:
                    truth = "\n\n".join(paras) if isinstance(paras, list) else paras
                    res["body_f1"] = token_f1(truth, row["text"])
                bad = [b for b in exp.get("boilerplate", []) if _norm(b) in _norm(row["text"])]
                res["boilerplate_leaked"] = bad
            results.append(res)
    summary = {}
    for key in ("title", "byline", "published"):
        vals = [r[key] for r in results if key in r]
        summary[key] = (sum(vals), len(vals))
    f1s = [r["body_f1"] for r in results if "body_f1" in r]
    summary["body_f1_min"] = min(f1s) if f1s else None
    summary["leaks"] = sum(len(r.get("boilerplate_leaked", [])) for r in results)
    return {"pages": results, "summary": summary}


# ---------------------------------------------------------------- report

def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark folder (html/, ground-truth.json)")
    ap.add_argument("--limit", type=int, help="only the first N pages (sorted by id)")
    ap.add_argument("--only", action="append", default=[], help="page id or id prefix (repeatable)")
    ap.add_argument("--concurrency", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0, help="per-capture timeout, seconds")
    ap.add_argument("--keep-db", help="keep the capture archive here (for --offline re-runs)")
    ap.add_argument("--offline", metavar="DB", help="re-run extract() on rendered HTML stored in DB instead of capturing")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--no-fixtures", action="store_true")
    ap.add_argument("--worst", type=int, default=10, help="list the N worst pages for pagekeep")
    ap.add_argument("--json", type=Path, help="write per-page results here")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)

    pages = load_pages(args.data, args.limit, args.only)
    if not pages:
        print("no pages selected", file=sys.stderr)
        return 2
    t_start = time.monotonic()
    mismatches = 0
    if args.offline:
        load_offline(pages, args.offline)
        reextract(pages, use_for_score=True)
        label = "pagekeep (offline re-extract)"
    else:
        db_path = args.keep_db or os.path.join(tempfile.mkdtemp(prefix="pk-bench-db-"), "bench.db")
        if args.keep_db and os.path.exists(args.keep_db):
            os.remove(args.keep_db)
        run_pagekeep(pages, db_path, args.concurrency, args.timeout, args.quiet)
        mismatches = reextract(pages, use_for_score=False)
        label = "pagekeep"
        if not args.keep_db:
            shutil.rmtree(os.path.dirname(db_path), ignore_errors=True)
    if not args.no_baselines:
        run_baselines(pages)

    systems = [(label, "pagekeep", "seconds")]
    if not args.no_baselines:
        systems += [("trafilatura (no comments)", "trafilatura", "trafilatura_seconds"),
                    ("readability-lxml", "readability", "readability_seconds")]
    print()
    print(f"{len(pages)} pages from {args.data}")
    print(f"{'extractor':<32} {'F1':>6} {'prec':>6} {'recall':>6} {'acc':>6} {'s/page':>7}")
    scores = {}
    for name, key, tkey in systems:
        m = summarise([(p["truth"], p.get(key)) for p in pages])
        scores[key] = m
        print(f"{name:<32} {m['f1']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f} {m['accuracy']:6.3f} "
              f"{median(p.get(tkey) for p in pages):7.3f}")
    failed = [p for p in pages if p.get("pagekeep") is None]
    print(f"pagekeep extraction step alone: median {median(p.get('extract_seconds') for p in pages):.3f} s/page")
    if failed:
        print(f"pagekeep failed on {len(failed)} page(s): " + ", ".join(f"{p['id'][:12]} ({p.get('error')})" for p in failed))
    if mismatches:
        print(f"note: offline re-extraction differed from the stored text on {mismatches} page(s)")
    if "trafilatura" in scores:
        print(f"pagekeep - trafilatura: F1 {scores['pagekeep']['f1'] - scores['trafilatura']['f1']:+.3f}")

    for p in pages:
        p["p"], p["r"], p["f1"] = page_f1(p["truth"], p.get("pagekeep"))
    if args.worst:
        print(f"\nworst {args.worst} pages for pagekeep:")
        print(f"  {'id':<12} {'F1':>5} {'prec':>5} {'rec':>5}  host")
        for p in sorted(pages, key=lambda p: p["f1"])[:args.worst]:
            print(f"  {p['id'][:12]} {p['f1']:5.3f} {p['p']:5.3f} {p['r']:5.3f}  {urlsplit(p['url']).hostname}")

    if not args.no_fixtures and not args.offline:
        fx = run_fixtures(min(args.concurrency, 2), args.timeout)
        print()
        if fx is None:
            print("fixture metadata: tests/site_expectations.json not found, skipped")
        else:
            s = fx["summary"]
            print("fixture pages (tests/site): metadata accuracy")
            for key in ("title", "byline", "published"):
                ok, n = s[key]
                print(f"  {key:<10} {ok}/{n}")
            if s["body_f1_min"] is not None:
                print(f"  body token F1: min {s['body_f1_min']:.3f}; boilerplate strings leaked: {s['leaks']}")
            for r in fx["pages"]:
                bad = [k for k in ("title", "byline", "published") if r.get(k) is False]
                extra = f" body F1 {r['body_f1']:.3f}" if "body_f1" in r else ""
                leaks = f" leaked {r['boilerplate_leaked']}" if r.get("boilerplate_leaked") else ""
                print(f"  {r['page']:<32} {'captured' if r['captured'] else 'FAILED'}{extra}"
                      f"{' wrong: ' + ', '.join(bad) if bad else ''}{leaks}")
    print(f"\ntotal wall time {time.monotonic() - t_start:.0f} s")

    if args.json:
        keep = ("id", "url", "f1", "p", "r", "seconds", "extract_seconds", "error")
        args.json.write_text(json.dumps([{k: p.get(k) for k in keep} for p in pages], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
