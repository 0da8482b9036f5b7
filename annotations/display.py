"""Turning stored captures into markup that is safe to show in Datasette.

The capture pipeline sanitizes article HTML before storing it, but what a
captured page contained must never run in Datasette even if an unsanitized
value reached the database (an older pipeline, a hand-edited row, an import).
So the HTML is cleaned again here, on output, with a short allow-list: text
structure and links only. No images, media, forms, frames, styles, event
handlers or non-http(s) URLs survive; links open the original site with
rel="noopener noreferrer nofollow". Pages that show article content also get a
strict Content-Security-Policy (see plugin.py) as a second line of defence.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import markupsafe
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
# Content of these is dropped, not just the tags.
CLEAN_CONTENT_TAGS = {"script", "style", "noscript", "template", "iframe", "object", "embed",
                      "svg", "math", "select", "textarea", "button", "title"}
URL_SCHEMES = {"http", "https", "mailto"}


def _http_base(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    return None


def sanitize_article_html(html: str | None, base_url: str | None = None) -> markupsafe.Markup:
    """Clean stored article HTML for display; relative links point at the original site."""
    if not html:
        return markupsafe.Markup("")
    base = _http_base(base_url)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        url_relative=("rewrite_with_base", base) if base else "deny",
        strip_comments=True,
    )
    return markupsafe.Markup(cleaned)


def paragraphs(text: str | None) -> list[str]:
    """Plain text (paragraphs separated by blank lines) → list of paragraphs."""
    if not text:
        return []
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [b for b in blocks if b]


def text_as_html(text: str | None) -> markupsafe.Markup:
    """Escaped <p> per paragraph: the text view of an article."""
    return markupsafe.Markup("\n").join(
        markupsafe.Markup("<p>{}</p>").format(p) for p in paragraphs(text)
    )


def safe_local_path(value: str | None, default: str) -> str:
    """Only allow redirects to paths on this server ("/x", not "//evil" or "http://…")."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(ch) < 32 for ch in value):
        return default
    return value
