"""Sanitize article HTML with nh3 (ammonia) before it is stored or shown.

Only structural and text-level tags survive; links keep http(s)/mailto hrefs and
are made inert to referrers; no scripts, handlers, styles, forms or SVG.
"""

from __future__ import annotations

import nh3

TAGS = {
    "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "q", "cite",
    "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark", "code", "pre", "kbd",
    "a", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption",
    "img", "hr", "dl", "dt", "dd", "abbr", "time", "span",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "time": {"datetime"},
    "abbr": {"title"},
}


def clean_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
