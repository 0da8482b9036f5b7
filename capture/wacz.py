"""Package one capture as a WACZ: its traffic as WARC records, plus what pagekeep made of it.

Layout (WACZ 1.1.1): archive/data.warc.gz, indexes/index.cdxj, pages/pages.jsonl,
datapackage.json (sha256 and size of each file) and datapackage-digest.json.
The WARC holds a warcinfo record, a response and a request record per http(s)
exchange (redirect hops as 3xx responses without a body), pagekeep's
screenshots, text and rendered DOM as resource records named
`urn:pagekeep:<what>:<url>`, and a page-info record listing every URL the page
asked for with its status, bodies that could not be kept included.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from . import __version__
from .archive_recorder import Exchange

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
SOFTWARE = f"pagekeep {__version__}"
RENAMED = ("content-encoding", "transfer-encoding")   # bodies are stored decoded
SHOT_TYPES = {"image/jpeg", "image/png", "image/webp"}


@dataclass
class CaptureFacts:
    """What the WACZ says about the capture besides its traffic."""

    url: str
    final_url: str
    title: str | None
    text: str
    rendered_html: str | None
    screenshots: list[dict]
    captured_at: str
    browser: str = ""
    consent: str = ""
    viewport: tuple = (1280, 900)


@dataclass
class _Written:
    """Where a record landed in data.warc.gz, for the CDXJ index."""

    url: str
    date: str
    mime: str
    status: int
    digest: str
    offset: int
    length: int


@dataclass
class _Warc:
    buf: io.BytesIO = field(default_factory=io.BytesIO)
    index: list[_Written] = field(default_factory=list)

    def __post_init__(self):
        self.writer = WARCWriter(self.buf, gzip=True, warc_version="WARC/1.1")

    def write(self, record, status: int | None = None, mime: str = "") -> None:
        start = self.buf.tell()
        self.writer.write_record(record)
        if status is not None:
            h = record.rec_headers
            self.index.append(_Written(h.get_header("WARC-Target-URI"), h.get_header("WARC-Date"), mime, status,
                                       h.get_header("WARC-Payload-Digest"), start, self.buf.tell() - start))


def build_wacz(exchanges: list[Exchange], facts: CaptureFacts) -> dict:
    """The WACZ and what the archives table keeps beside it (size, sha256, counts)."""
    warc = _Warc()
    warc.write(warc.writer.create_warcinfo_record(WARC_NAME, _warcinfo(facts)))
    for ex in exchanges:
        if ex.recorded:
            _write_exchange(warc, ex)
    stamp = _warc_date(facts.captured_at)
    for kind, mime, payload in _resources(facts):
        record = warc.writer.create_warc_record(
            f"urn:pagekeep:{kind}:{facts.final_url}", "resource", payload=io.BytesIO(payload), length=len(payload),
            warc_content_type=mime, warc_headers_dict={"WARC-Date": stamp, "WARC-Payload-Digest": _digest(payload)})
        warc.write(record, 200, mime)
    info = json.dumps(page_info(exchanges, facts), indent=1, ensure_ascii=False).encode()
    record = warc.writer.create_warc_record(
        f"urn:pagekeep:pageinfo:{facts.final_url}", "resource", payload=io.BytesIO(info), length=len(info),
        warc_content_type="application/json", warc_headers_dict={"WARC-Date": stamp, "WARC-Payload-Digest": _digest(info)})
    warc.write(record, 200, "application/json")

    page_ts = _page_date(exchanges, facts) or stamp
    files = {
        f"archive/{WARC_NAME}": warc.buf.getvalue(),
        "indexes/index.cdxj": cdxj(warc.index).encode(),
        "pages/pages.jsonl": _pages(facts, page_ts).encode(),
    }
    recorded = [ex for ex in exchanges if ex.recorded]
    wacz = _zip(files, facts, page_ts)
    return {
        "wacz": wacz,
        "bytes": len(wacz),
        "sha256": hashlib.sha256(wacz).hexdigest(),
        "warc_bytes": len(files[f"archive/{WARC_NAME}"]),
        "resources": len(recorded),
        "truncated": sum(1 for ex in recorded if ex.truncated),
        "missing": sum(1 for ex in exchanges if not ex.recorded),
    }


async def archive_capture(recorder, capture, browser_version: str, consent: str, viewport: tuple) -> dict:
    """The pipeline's hook: finish recording, then package off the event loop (its seconds join the timings)."""
    started = time.monotonic()
    exchanges = await recorder.finish()
    r = capture.record
    facts = CaptureFacts(url=r["url"], final_url=r.get("final_url") or r["url"], title=r.get("title"),
                         text=r.get("text") or "", rendered_html=capture.rendered_html, screenshots=capture.screenshots,
                         captured_at=r["captured_at"], browser=f"Chromium {browser_version}", consent=consent,
                         viewport=viewport)
    archive = await asyncio.to_thread(build_wacz, exchanges, facts)
    seconds = round(time.monotonic() - started, 3)
    r["timings"] = json.dumps({**json.loads(r.get("timings") or "{}"), "archive": seconds})
    r["capture_seconds"] = round((r.get("capture_seconds") or 0) + seconds, 3)
    return archive


# ------------------------------------------------------------------ records

def _write_exchange(warc: _Warc, ex: Exchange) -> None:
    body = ex.body or b""
    date = _warc_date(ex.received or ex.started)
    headers = response_headers(ex.response_headers, len(body))
    extra = {"WARC-Date": date, "WARC-Payload-Digest": _digest(body), "WARC-Resource-Type": ex.resource_type}
    if ex.truncated:
        extra["WARC-Truncated"] = ex.truncated
    response = warc.writer.create_warc_record(
        ex.url, "response", payload=io.BytesIO(body), length=len(body), warc_headers_dict=extra,
        http_headers=StatusAndHeaders(f"{ex.status} {_clean(ex.status_text)}".strip(), headers, protocol=ex.http_version))
    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    post = ex.post_data or b""
    request = warc.writer.create_warc_record(
        ex.url, "request", payload=io.BytesIO(post), length=len(post),
        warc_headers_dict={"WARC-Date": date, "WARC-Resource-Type": ex.resource_type},
        http_headers=StatusAndHeaders(f"{ex.method} {target}", _plain(ex.request_headers),
                                      protocol=ex.http_version, is_http_request=True))
    response_id = response.rec_headers.get_header("WARC-Record-ID")
    request.rec_headers.add_header("WARC-Concurrent-To", response_id)
    warc.write(response, ex.status, _mime(headers))
    warc.write(request)


def response_headers(headers: list[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    """As the browser received them, fit for a decoded body: Content-Encoding and Transfer-Encoding
    renamed X-Orig-…, Content-Length set to what is stored, HTTP/2 pseudo-headers dropped."""
    out = []
    for name, value in _plain(headers):
        low = name.lower()
        if low == "content-length":
            continue
        out.append((f"X-Orig-{name}" if low in RENAMED else name, value))
    out.append(("Content-Length", str(length)))
    return out


def _plain(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(_clean(n), _clean(v)) for n, v in headers if n and not n.startswith(":")]


def _clean(value: str) -> str:
    """One header line, never two: a value with CR/LF cannot forge WARC headers."""
    return re.sub(r"[\r\n]+", " ", value or "")


def _mime(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-type":
            return value.split(";")[0].strip().lower()
    return ""


def _resources(facts: CaptureFacts):
    for shot in facts.screenshots:
        if shot.get("image") and shot.get("mime") in SHOT_TYPES:
            yield f"screenshot:{shot['kind']}", shot["mime"], bytes(shot["image"])
    yield "text", "text/plain; charset=utf-8", (facts.text or "").encode()
    if facts.rendered_html is not None:
        yield "dom", "text/html; charset=utf-8", facts.rendered_html.encode()


def page_info(exchanges: list[Exchange], facts: CaptureFacts) -> dict:
    """Every URL the page asked for, whether its body is in the archive, and if not, why."""
    urls = []
    for ex in exchanges:
        entry = {"url": ex.url, "method": ex.method, "type": ex.resource_type, "status": ex.status,
                 "recorded": ex.recorded}
        if ex.body is not None:
            entry["bytes"] = len(ex.body)
        for key in ("truncated", "missing", "error"):
            if getattr(ex, key):
                entry[key] = getattr(ex, key)
        urls.append(entry)
    return {"url": facts.url, "final_url": facts.final_url, "title": facts.title, "captured_at": facts.captured_at,
            "software": SOFTWARE, "browser": facts.browser, "urls": urls}


def _warcinfo(facts: CaptureFacts) -> dict:
    return {
        "software": f"{SOFTWARE} (warcio)",
        "format": "WARC File Format 1.1",
        "browser": facts.browser or "Chromium",
        "consent": facts.consent,
        "viewport": f"{facts.viewport[0]}x{facts.viewport[1]}",
        "isPartOf": facts.url,
    }


# ------------------------------------------------------------------ index, pages, package

def cdxj(index: list[_Written]) -> str:
    """One line per response and resource record, sorted: `SURT TIMESTAMP {json}`."""
    lines = []
    for w in index:
        data = {"url": w.url, "mime": w.mime, "status": str(w.status), "digest": w.digest,
                "length": str(w.length), "offset": str(w.offset), "filename": WARC_NAME}
        lines.append(f"{surt(w.url)} {_timestamp14(w.date)} {json.dumps(data)}")
    return "".join(line + "\n" for line in sorted(lines))


def surt(url: str) -> str:
    """Sort-friendly URL key (the SURT form pywb and wabac index by): host reversed, `www.` and
    default ports dropped, query arguments sorted, lower case."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return url.lower()
    host = re.sub(r"^www\d*\.", "", parts.hostname.lower().strip("."))
    if not re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
        host = ",".join(reversed(host.split(".")))
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != {"http": 80, "https": 443}[parts.scheme]:
        host += f":{port}"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return (f"{host})" + (parts.path or "/") + (f"?{query}" if query else "")).lower()


def _pages(facts: CaptureFacts, ts: str) -> str:
    header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages", "hasText": True}
    page = {"id": hashlib.sha1(f"{facts.url} {facts.captured_at}".encode()).hexdigest()[:24], "url": facts.url,
            "ts": ts, "title": facts.title or facts.url, "text": facts.text or ""}
    return json.dumps(header) + "\n" + json.dumps(page, ensure_ascii=False) + "\n"


def _zip(files: dict[str, bytes], facts: CaptureFacts, page_ts: str) -> bytes:
    package = {
        "profile": "data-package",
        "resources": [{"name": path.rsplit("/", 1)[-1], "path": path, "hash": _digest(data), "bytes": len(data)}
                      for path, data in files.items()],
        "wacz_version": WACZ_VERSION,
        "software": SOFTWARE,
        "created": _warc_date(facts.captured_at),
        "title": facts.title or facts.url,
        "mainPageUrl": facts.url,
        "mainPageDate": page_ts,
    }
    package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode()
    digest = json.dumps({"path": "datapackage.json", "hash": _digest(package_bytes)}).encode()
    when = _zip_time(facts.captured_at)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for path, data in [*files.items(), ("datapackage.json", package_bytes), ("datapackage-digest.json", digest)]:
            info = zipfile.ZipInfo(path, when)
            # The WARC is already gzip'd and replay reads it by byte ranges: stored, never deflated.
            info.compress_type = zipfile.ZIP_STORED if path.endswith(".warc.gz") else zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out.getvalue()


# ------------------------------------------------------------------ small helpers

def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _parse(when: str | datetime) -> datetime:
    if isinstance(when, datetime):
        return when.astimezone(timezone.utc)
    return datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(timezone.utc)


def _warc_date(when: str | datetime) -> str:
    return _parse(when).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timestamp14(warc_date: str) -> str:
    return re.sub(r"\D", "", warc_date)[:14]


def _zip_time(when: str) -> tuple:
    return _parse(when).timetuple()[:6]


def _page_date(exchanges: list[Exchange], facts: CaptureFacts) -> str | None:
    """The main document's record date, so replay opens the page at the moment it was captured."""
    for ex in exchanges:
        if ex.recorded and ex.resource_type == "document" and ex.url in (facts.url, facts.final_url):
            return _warc_date(ex.received or ex.started)
    return None
