"""Misbehaving server endpoints for the hostile-input tests (served on loopback)."""

from __future__ import annotations

import time


def send(h, status=200, ctype="text/html; charset=utf-8", body=b"", headers=None):
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


def redirect_loop(h):
    h.send_response(302)
    h.send_header("Location", "/redirect-loop")
    h.send_header("Content-Length", "0")
    h.end_headers()


def never_ends(h):
    """Headers and the start of a document, then silence until the client gives up."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.end_headers()
    h.wfile.write(b"<!doctype html><html><head><title>Still loading</title></head><body><p>The start")
    h.wfile.flush()
    for _ in range(600):
        time.sleep(0.1)
        try:
            h.wfile.write(b" ")
            h.wfile.flush()
        except OSError:
            return


def status(code):
    return lambda h: send(h, code, body=f"<h1>{code}</h1>".encode())


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def pdf(h):
    send(h, ctype="application/pdf", body=PDF)


def image(h):
    send(h, ctype="image/png", body=PNG)


def json_doc(h):
    send(h, ctype="application/json", body=b'{"title": "not a page", "items": [1, 2, 3]}')


def binary(h):
    send(h, ctype="application/octet-stream", body=bytes(range(256)) * 64)


def download(h):
    send(h, ctype="text/html", body=b"<p>save me</p>", headers={"Content-Disposition": 'attachment; filename="story.html"'})


def big_page(h):
    """A 50 MB article page: one story followed by a mountain of comment-like filler."""
    head = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>An enormous page</title></head><body>"
            "<article><h1>An enormous page</h1><p>This article sits at the top of a fifty megabyte document, "
            "the kind produced by endless comment threads or inlined data, and pagekeep must not fall over reading it.</p>"
            "<p>The second paragraph reports that the town's annual regatta drew more boats than ever before this year.</p>"
            "</article><section class='comments'>").encode()
    chunk = ("<div class='c'><p>" + "filler comment text " * 24 + "</p></div>").encode()
    tail = b"</section></body></html>"
    n = (50_000_000 - len(head) - len(tail)) // len(chunk)
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(head) + n * len(chunk) + len(tail)))
    h.end_headers()
    h.wfile.write(head)
    block = chunk * 1000
    for _ in range(n // 1000):
        h.wfile.write(block)
    h.wfile.write(chunk * (n % 1000))
    h.wfile.write(tail)


def tall_page(h):
    body = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>A very tall page</title></head><body>"
            "<article><h1>A very tall page</h1><p>This story is followed by an empty block two hundred thousand pixels "
            "tall, far beyond what any screenshot format can hold in one piece.</p><p>The harbour master reports calm "
            "seas for the rest of the week and a busy weekend for the ferries.</p></article>"
            "<div style='height:200000px;background:linear-gradient(#fff,#ccc)'></div><p>The end.</p></body></html>")
    send(h, body=body.encode())


def wrong_charset(h):
    """Declares UTF-8, sends Latin-1: the browser substitutes, the capture must not crash."""
    body = ("<!doctype html><html lang='fr'><head><title>Caf\u00e9 mal encod\u00e9</title></head><body><article>"
            "<h1>Caf\u00e9 mal encod\u00e9</h1><p>Le caf\u00e9 du port annonce une f\u00eate de la musique avec "
            "des groupes locaux et des cr\u00eapes pour tout le monde ce samedi soir.</p></article></body></html>")
    send(h, ctype="text/html; charset=utf-8", body=body.encode("latin-1"))


ROUTES = {
    "/redirect-loop": redirect_loop,
    "/never-ends": never_ends,
    "/status/404": status(404),
    "/status/500": status(500),
    "/doc.pdf": pdf,
    "/image.png": image,
    "/data.json": json_doc,
    "/blob.bin": binary,
    "/download": download,
    "/big": big_page,
    "/tall": tall_page,
    "/wrong-charset": wrong_charset,
}
