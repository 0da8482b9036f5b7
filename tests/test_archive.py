"""`pagekeep capture --archive`: the WACZ holds every body the page loaded, exactly, in a valid package.

One story page on loopback (tests/archive_routes.py) loads a gzip-encoded
stylesheet, an image behind a 302, a web font, a lazy image below the fold, a
fetched JSON file and a cross-origin iframe (127.0.0.2) with its own image. The
fixture server logs the sha256 of every body it sends with status 200; each
must come back out of the WARC with that payload digest.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import json
import zipfile

import pytest
from playwright.async_api import async_playwright
from warcio.archiveiterator import ArchiveIterator

from archive_routes import REFUSED, ArchiveSite
from typer.testing import CliRunner

from capture import store
from capture.cli import app
from capture.archive_recorder import ArchiveOptions
from capture.browser import launch
from capture.localsite import Site
from capture.pipeline import CaptureOptions, capture_page
from capture.wacz import response_headers, surt
from conftest import SITE

pytestmark = pytest.mark.timeout(180)


def run_cli(*args):
    """The `pagekeep` typer app, in-process (no interpreter start-up per command)."""
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    fixture = ArchiveSite()
    main = Site(SITE, host="127.0.0.1", routes=fixture.routes()).start()
    second = Site(SITE, host="127.0.0.2", routes=fixture.routes()).start()
    fixture.frame_origin = second.base
    tmp = tmp_path_factory.mktemp("archive")
    db = tmp / "archive.db"
    url = main.url("archive/story.html")
    try:
        run = run_cli("capture", "--db", str(db), "--archive", url)
    finally:
        main.stop()
        second.stop()
    assert run.exit_code == 0, run.output
    out = run_cli("wacz", "1", "--db", str(db), "-o", str(tmp / "story.wacz"))
    assert out.exit_code == 0, out.output
    wacz = (tmp / "story.wacz").read_bytes()
    z = zipfile.ZipFile(io.BytesIO(wacz))
    warc = z.read("archive/data.warc.gz")
    (tmp / "data.warc.gz").write_bytes(warc)
    return {"db": db, "url": url, "sent": dict(fixture.sent), "wacz_path": tmp / "story.wacz", "wacz": wacz,
            "zip": z, "warc": warc, "warc_path": tmp / "data.warc.gz", "records": list(_records(warc))}


def _records(warc: bytes):
    """(headers, http headers, payload) per record, read with warcio."""
    for rec in ArchiveIterator(io.BytesIO(warc)):
        payload = rec.content_stream().read()
        yield rec.rec_headers, rec.http_headers, payload


def responses(archived, url):
    return [(h, http, p) for h, http, p in archived["records"]
            if h.get_header("WARC-Type") == "response" and h.get_header("WARC-Target-URI") == url]


def test_the_fixture_sent_each_kind_of_resource(archived):
    """The control for the next test: the page really loaded everything it is meant to exercise."""
    paths = {u.split("/", 3)[3] for u in archived["sent"]}
    assert {"archive/story.html", "archive/site.css", "archive/map.png", "archive/keeper.woff2",
            "archive/lazy.png", "archive/data.json", "archive/frame.html", "archive/tide.png"} <= paths
    assert any(u.startswith("http://127.0.0.2:") for u in archived["sent"])


def test_every_body_sent_with_status_200_is_in_the_warc_with_the_same_payload_digest(archived):
    for url, sha in archived["sent"].items():
        found = responses(archived, url)
        assert found, f"no response record for {url}"
        headers, _, payload = found[-1]
        assert headers.get_header("WARC-Payload-Digest") == f"sha256:{sha}", url
        assert hashlib.sha256(payload).hexdigest() == sha, url


def test_a_gzip_response_is_stored_decoded_with_its_encoding_renamed_and_length_fixed(archived):
    css_url = next(u for u in archived["sent"] if u.endswith("/archive/site.css"))
    _, http, payload = responses(archived, css_url)[-1]
    assert payload.startswith(b"body {")
    assert http.get_header("Content-Encoding") is None
    assert http.get_header("X-Orig-Content-Encoding") == "gzip"
    assert http.get_header("Content-Length") == str(len(payload))


def test_a_redirect_is_a_3xx_record_without_a_body_before_its_target(archived):
    old = next(u for u in archived["sent"] if u.endswith("/archive/map.png")).replace("/map.png", "/old-map.png")
    [(headers, http, payload)] = responses(archived, old)
    assert http.get_statuscode() == "302" and http.get_header("Location") == "/archive/map.png"
    assert payload == b""
    order = [h.get_header("WARC-Target-URI") for h, _, _ in archived["records"]
             if h.get_header("WARC-Type") == "response"]
    assert order.index(old) < order.index(old.replace("/old-map.png", "/map.png"))


def test_each_response_has_its_request_record(archived):
    ids = {h.get_header("WARC-Record-ID"): h.get_header("WARC-Target-URI") for h, _, _ in archived["records"]
           if h.get_header("WARC-Type") == "response"}
    requests = [h for h, _, _ in archived["records"] if h.get_header("WARC-Type") == "request"]
    assert len(requests) == len(ids)
    for h in requests:
        assert ids[h.get_header("WARC-Concurrent-To")] == h.get_header("WARC-Target-URI")


def test_wacz_validate_and_warcio_check_pass(archived, capsys):
    """py-wacz's and warcio's own command-line checks, run in-process."""
    from wacz.main import main as wacz_main
    from warcio.cli import main as warcio_main

    assert wacz_main(["validate", "-f", str(archived["wacz_path"])]) == 0
    assert "is valid" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        warcio_main(["check", "-v", str(archived["warc_path"])])
    assert done.value.code == 0
    assert capsys.readouterr().out.count("digest pass") == len(archived["records"])


def test_each_cdxj_line_points_at_the_record_it_names(archived):
    lines = archived["zip"].read("indexes/index.cdxj").decode().splitlines()
    assert lines == sorted(lines) and len(lines) >= len(archived["sent"])
    for line in lines:
        key, stamp, data = line.split(" ", 2)
        entry = json.loads(data)
        chunk = archived["warc"][int(entry["offset"]):int(entry["offset"]) + int(entry["length"])]
        [(headers, http, payload)] = list(_records(chunk))  # exactly one whole gzip member
        assert headers.get_header("WARC-Target-URI") == entry["url"]
        assert key == surt(entry["url"])
        assert headers.get_header("WARC-Date").replace("-", "").replace(":", "").replace("T", "")[:14] == stamp
        assert headers.get_header("WARC-Payload-Digest") == entry["digest"]
        if http is not None:
            assert http.get_statuscode() == entry["status"]


def test_the_warc_holds_warcinfo_screenshots_text_dom_and_page_info(archived):
    db = store.connect(archived["db"])
    article = next(db["articles"].rows)
    shots = {r["kind"]: r["image"] for r in db["screenshots"].rows}
    dom = store.rendered_html(db, article["id"])
    db.close()
    first, _, info = archived["records"][0]
    assert first.get_header("WARC-Type") == "warcinfo"
    fields = info.decode()
    for word in ("pagekeep", "Chromium", "consent: reject", "viewport: 1280x900"):
        assert word in fields
    resources = {h.get_header("WARC-Target-URI"): p for h, _, p in archived["records"]
                 if h.get_header("WARC-Type") == "resource"}
    page = article["final_url"]
    for kind, image in shots.items():
        assert resources[f"urn:pagekeep:screenshot:{kind}:{page}"] == image
    assert resources[f"urn:pagekeep:text:{page}"].decode() == article["text"]
    assert resources[f"urn:pagekeep:dom:{page}"].decode() == dom
    listed = {e["url"]: e for e in json.loads(resources[f"urn:pagekeep:pageinfo:{page}"])["urls"]}
    for url in archived["sent"]:
        assert listed[url]["status"] == 200 and listed[url]["recorded"]
    assert any(e["status"] == 302 for e in listed.values())
    refused = listed[f"{REFUSED}/archive/pixel.png"]
    assert refused["recorded"] is False and refused["status"] is None and refused["error"]


def test_pages_and_datapackage_describe_the_capture(archived):
    header, page = [json.loads(x) for x in archived["zip"].read("pages/pages.jsonl").decode().splitlines()]
    assert header["format"] == "json-pages-1.0"
    db = store.connect(archived["db"])
    article = next(db["articles"].rows)
    row = next(db["archives"].rows)
    db.close()
    assert page["url"] == archived["url"] and page["title"] == article["title"] and page["text"] == article["text"]
    package = json.loads(archived["zip"].read("datapackage.json"))
    assert package["mainPageUrl"] == archived["url"] and package["wacz_version"] == "1.1.1"
    assert {r["path"] for r in package["resources"]} == {"archive/data.warc.gz", "indexes/index.cdxj",
                                                         "pages/pages.jsonl"}
    assert archived["zip"].getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
    assert row["bytes"] == len(archived["wacz"]) and row["sha256"] == hashlib.sha256(archived["wacz"]).hexdigest()


def test_pagekeep_wacz_refuses_an_article_without_archive_in_one_line(archived, tmp_path):
    out = run_cli("wacz", "99", "--db", str(archived["db"]), "-o", str(tmp_path / "x.wacz"))
    assert out.exit_code == 1 and out.stderr.count("\n") == 1 and "no web archive" in out.stderr
    assert not (tmp_path / "x.wacz").exists()


# 1.5 kB per body, 4 kB in all
SMALL_CAPS = ArchiveOptions(max_resource_mb=0.0015, max_total_mb=0.004)


@pytest.fixture(scope="module")
def in_process():
    """Two captures through the pipeline on one browser: with tiny archive caps, and with no archive."""
    fixture = ArchiveSite()
    main = Site(SITE, host="127.0.0.1", routes=fixture.routes()).start()
    second = Site(SITE, host="127.0.0.2", routes=fixture.routes()).start()
    fixture.frame_origin = second.base
    url = main.url("archive/story.html")

    async def both():
        async with async_playwright() as pw:
            browser = await launch(pw)
            try:
                return (await capture_page(browser, url, CaptureOptions(archive=SMALL_CAPS)),
                        await capture_page(browser, url, CaptureOptions()))
            finally:
                await browser.close()
    try:
        capped, plain = asyncio.run(both())
    finally:
        main.stop()
        second.stop()
    return {"url": url, "capped": capped, "plain": plain}


def test_bodies_over_the_size_caps_are_cut_and_marked_truncated(in_process):
    [archive] = in_process["capped"].related["archives"]
    records = list(_records(zipfile.ZipFile(io.BytesIO(archive["wacz"])).read("archive/data.warc.gz")))
    cut = [(h, p) for h, _, p in records if h.get_header("WARC-Truncated")]
    assert cut and archive["truncated"] == len(cut)
    assert all(h.get_header("WARC-Truncated") == "length" and len(p) <= 1500 for h, p in cut)
    kept = sum(len(p) for h, _, p in records if h.get_header("WARC-Type") == "response")
    assert kept <= 4000
    css = next(p for h, _, p in records if h.get_header("WARC-Target-URI", "").endswith("/site.css")
               and h.get_header("WARC-Type") == "response")
    assert gzip.decompress(gzip.compress(css)) == css and len(css) <= 1500  # a prefix, never re-encoded


def test_without_archive_nothing_is_recorded_or_stored(in_process, tmp_path):
    url, cap = in_process["url"], in_process["plain"]
    assert "archives" not in cap.related
    db = store.connect(tmp_path / "plain.db")
    store.save_capture(db, cap.record, cap.screenshots, cap.rendered_html, {"url": url, "started_at": "x"},
                       cap.related)
    assert db["archives"].count == 0 and store.wacz_of(db, 1) is None
    db.close()


def test_surt_keys_sort_by_host_then_path():
    assert surt("https://www.Example.com/a/B?z=1&a=2") == "com,example)/a/b?a=2&z=1"
    assert surt("http://127.0.0.1:8080/x") == "127.0.0.1:8080)/x"
    assert surt("http://news.example.co.uk:80/") == "uk,co,example,news)/"
    assert surt("urn:pagekeep:text:http://x/") == "urn:pagekeep:text:http://x/"


def test_response_headers_fit_the_decoded_body():
    got = response_headers([(":status", "200"), ("content-type", "text/css"), ("content-encoding", "br"),
                            ("transfer-encoding", "chunked"), ("content-length", "512"),
                            ("set-cookie", "a=1\r\nWARC-Type: forged")], length=2048)
    assert got == [("content-type", "text/css"), ("X-Orig-content-encoding", "br"),
                   ("X-Orig-transfer-encoding", "chunked"), ("set-cookie", "a=1 WARC-Type: forged"),
                   ("Content-Length", "2048")]
