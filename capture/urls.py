"""What counts as a URL pagekeep will open, and reading URL lists."""

from __future__ import annotations

import ipaddress
import re
import sys
from urllib.parse import urlsplit

DEFAULT_SCHEMES = ("http", "https")
OPTIONAL_SCHEMES = ("file", "data")   # only when the user asks (--allow-scheme)


class BadURL(ValueError):
    pass


def check_url(url: str, allowed_schemes=DEFAULT_SCHEMES) -> str:
    """Return the URL if pagekeep may open it, else raise BadURL with a one-line reason."""
    raw = url
    url = (url or "").strip()
    if not url:
        raise BadURL("empty URL")
    if any(c in url for c in "\x00\r\n\t") or " " in url:
        raise BadURL(f"malformed URL {raw!r}: contains whitespace or control characters")
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    if not m:
        raise BadURL(f"malformed URL {raw!r}: no scheme (did you mean https://{url}?)")
    scheme = m.group(1).lower()
    if scheme not in allowed_schemes:
        hint = f"; --allow-scheme {scheme} to capture it" if scheme in OPTIONAL_SCHEMES else ""
        raise BadURL(f"refused URL {raw!r}: scheme {scheme}: is not allowed (only {', '.join(allowed_schemes)}){hint}")
    if scheme in ("http", "https"):
        try:
            parts = urlsplit(url)
            port = parts.port  # raises on a bad port
        except ValueError as exc:
            raise BadURL(f"malformed URL {raw!r}: {exc}") from None
        host = parts.hostname
        if not host or not re.fullmatch(r"[A-Za-z0-9._~%\-\[\]:]+|[^\x00-\x20/?#@]+", host):
            raise BadURL(f"malformed URL {raw!r}: no valid host")
        if port == 0:
            raise BadURL(f"malformed URL {raw!r}: port 0")
        if host.startswith(".") or ".." in host:
            raise BadURL(f"malformed URL {raw!r}: invalid host {host!r}")
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            if len(host) > 253:
                raise BadURL(f"malformed URL {raw!r}: host name too long") from None
    return url


def read_url_list(path: str) -> list[str]:
    """One URL per line; blank lines and # comments ignored; '-' reads stdin."""
    if path == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    urls = []
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls
