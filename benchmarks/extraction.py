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
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from extraction_score import page_f1, summarise, token_f1  # noqa: E402
from extraction_sets import SETS, load_set, snippet_page_score, snippet_summary  # noqa: E402


# ---------------------------------------------------------------- pagekeep

def page_path(p: dict) -> str:
    return f"/{SETS[p['set']]['short']}/{quote(p['id'])}.html"


def page_of_url(url: str, by_path: dict) -> dict | None:
    return by_path.get(urlsplit(url).path)


def run_pagekeep(pages: list[dict], db_path: str, concurrency: int, timeout: float, quiet: bool) -> None:
    from capture.localsite import body_route, serve
    from capture.pipeline import CaptureOptions
    from capture.runner import capture_urls

    routes = {page_path(p): body_route(p["raw"], p["ctype"]) for p in pages}
    by_path = {page_path(p): p for p in pages}
    with tempfile.TemporaryDirectory(prefix="pk-bench-") as tmp:
        # Each page is served with the scheme it was published with: several saved pages
        # run an inline "upgrade to https" redirect that would otherwise leave the capture.
        with serve(tmp, routes=routes) as site, serve_tls(tmp, routes) as tls_site:
            def local_url(p):
                https = p["url"].startswith("https:") and tls_site is not None
                return (tls_site if https else site).url(page_path(p))
            urls = [local_url(p) for p in pages]
            done = [0]

            def progress(outcome):
                done[0] += 1
                p = page_of_url(outcome.url, by_path)
                p["seconds"] = outcome.seconds
                p["error"] = None if outcome.ok else outcome.error
                if not quiet:
                    mark = "ok " if outcome.ok else "ERR"
                    print(f"  [{done[0]:3d}/{len(pages)}] {mark} {outcome.seconds:5.1f}s {p['set'][:10]:<10} {p['id'][:16]} "
                          f"{outcome.word_count if outcome.ok else outcome.error}", file=sys.stderr, flush=True)

            opts = CaptureOptions(block_outside=True, timeout=timeout)
            capture_urls(urls, db_path, opts, concurrency=concurrency, on_outcome=progress)
            load_offline(pages, db_path, texts=True)


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


def load_offline(pages: list[dict], db_path: str, texts: bool = False) -> None:
    """Attach what an earlier (or this) run stored: rendered HTML, and the stored text if asked."""
    by_path = {page_path(p): p for p in pages}
    db = sqlite3.connect(db_path)
    rows = db.execute("select a.url, r.html_gz, a.capture_seconds, a.text, a.final_url from articles a "
                      "left join rendered_pages r on r.article_id = a.id order by a.id").fetchall()
    db.close()
    for url, html_gz, secs, text, final_url in rows:
        p = page_of_url(url, by_path)
        if p is None:
            continue
        p["rendered"] = gzip.decompress(html_gz).decode("utf-8") if html_gz else None
        p["final_url"] = final_url or url
        p["seconds"] = secs
        if texts:
            p["pagekeep"] = text or ""


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
        # as each set's README ran it: the snippet set gives trafilatura the raw bytes
        source = p["raw"] if SETS[p["set"]]["kind"] == "snippets" else p["html"]
        try:
            p["trafilatura"] = trafilatura.extract(source, include_comments=False) or ""
        except Exception:
            p["trafilatura"] = ""
        p["trafilatura_seconds"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        try:
            p["readability"] = html_to_text(Document(p["html"]).summary(html_partial=True))
        except Exception:
            p["readability"] = ""
        p["readability_seconds"] = time.perf_counter() - t0


def score(pages: list[dict], key: str) -> dict:
    """The set's own metric over (truth, what `key` extracted)."""
    pairs = [(p["truth"], p.get(key)) for p in pages]
    if pages and SETS[pages[0]["set"]]["kind"] == "snippets":
        return snippet_summary(pairs)
    return summarise(pairs)


def page_score(p: dict, key: str = "pagekeep") -> tuple[float, float, float]:
    if SETS[p["set"]]["kind"] == "snippets":
        return snippet_page_score(p["truth"], p.get(key))
    return page_f1(p["truth"], p.get(key))


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


SYSTEMS = [("pagekeep", "seconds"), ("trafilatura", "trafilatura_seconds"), ("readability", "readability_seconds")]


def report_set(name: str, pages: list[dict], label: str, baselines: bool, worst: int) -> dict:
    spec = SETS[name]
    print(f"\n{name}: {len(pages)} pages, "
          + ("snippets, trafilatura's micro F1" if spec["kind"] == "snippets" else "article bodies, shingle F1"))
    print(f"  {'extractor':<30} {'F1':>6} {'prec':>6} {'recall':>6} {'acc':>6} {'s/page':>7}")
    names = {"pagekeep": label, "trafilatura": "trafilatura 2.3.1 (no comments)", "readability": "readability-lxml 0.9"}
    out = {}
    for key, tkey in SYSTEMS if baselines else SYSTEMS[:1]:
        m = score(pages, key)
        out[key] = m
        print(f"  {names[key]:<30} {m['f1']:6.3f} {m['precision']:6.3f} {m['recall']:6.3f} {m['accuracy']:6.3f} "
              f"{median(p.get(tkey) for p in pages):7.3f}")
    failed = [p for p in pages if p.get("pagekeep") is None]
    if failed:
        print(f"  pagekeep failed on {len(failed)} page(s): "
              + ", ".join(f"{p['id'][:16]} ({p.get('error')})" for p in failed[:20]))
    for p in pages:
        p["p"], p["r"], p["f1"] = page_score(p)
    if worst:
        print(f"  worst {worst} for pagekeep:")
        for p in sorted(pages, key=lambda p: (p["f1"], p["r"]))[:worst]:
            extra = ""
            if spec["kind"] == "snippets":
                from extraction_sets import snippet_counts
                _, _, _, _, missed, leaked = snippet_counts(p["truth"], p.get("pagekeep"))
                extra = f" missed {missed[:2]} leaked {leaked[:2]}"
            print(f"    {p['id'][:24]:<24} F1 {p['f1']:5.3f} P {p['p']:5.3f} R {p['r']:5.3f}  "
                  f"{urlsplit(p['url']).hostname or ''}{extra}")
    return out


def print_summary(results: dict) -> None:
    print("\nall sets, one run (F1 by each set's own metric):")
    print(f"  {'set':<20} {'pagekeep':>8} {'trafil.':>8} {'readab.':>8} {'margin':>8}")
    for name, m in results.items():
        if "trafilatura" not in m:
            print(f"  {name:<20} {m['pagekeep']['f1']:8.3f}")
            continue
        best = max(m["trafilatura"]["f1"], m["readability"]["f1"])
        print(f"  {name:<20} {m['pagekeep']['f1']:8.3f} {m['trafilatura']['f1']:8.3f} {m['readability']['f1']:8.3f} "
              f"{m['pagekeep']['f1'] - best:+8.3f}")


def print_fixtures(fx: dict | None) -> None:
    print()
    if fx is None:
        print("fixture metadata: tests/site_expectations.json not found, skipped")
        return
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", action="append", choices=list(SETS), help="one set (repeatable); default: all three")
    ap.add_argument("--limit", type=int, help="only the first N pages of each set (sorted by id)")
    ap.add_argument("--only", action="append", default=[], help="page id or id prefix (repeatable)")
    ap.add_argument("--concurrency", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0, help="per-capture timeout, seconds")
    ap.add_argument("--keep-db", help="keep the capture archive here (for --offline re-runs)")
    ap.add_argument("--offline", metavar="DB", help="re-run extract() on rendered HTML stored in DB instead of capturing")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--no-fixtures", action="store_true")
    ap.add_argument("--worst", type=int, default=10, help="list the N worst pages of each set for pagekeep")
    ap.add_argument("--json", type=Path, help="write per-page results here")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)

    names = args.set or list(SETS)
    by_set = {n: load_set(n, args.limit, args.only) for n in names}
    by_set = {n: ps for n, ps in by_set.items() if ps}
    pages = [p for ps in by_set.values() for p in ps]
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
        label = "pagekeep (full capture)"
        if not args.keep_db:
            shutil.rmtree(os.path.dirname(db_path), ignore_errors=True)
    if not args.no_baselines:
        run_baselines(pages)

    results = {name: report_set(name, ps, label, not args.no_baselines, args.worst) for name, ps in by_set.items()}
    print(f"\npagekeep extraction step alone: median {median(p.get('extract_seconds') for p in pages):.3f} s/page")
    if mismatches:
        print(f"note: offline re-extraction differed from the stored text on {mismatches} page(s)")
    print_summary(results)
    if not args.no_fixtures and not args.offline:
        print_fixtures(run_fixtures(min(args.concurrency, 2), args.timeout))
    print(f"\ntotal wall time {time.monotonic() - t_start:.0f} s")

    if args.json:
        keep = ("id", "set", "url", "f1", "p", "r", "seconds", "extract_seconds", "error")
        args.json.write_text(json.dumps([{k: p.get(k) for k in keep} for p in pages], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
