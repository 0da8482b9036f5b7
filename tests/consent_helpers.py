"""The consent fixture set (tests/site/consent/fixtures.json) for tests and benchmarks/consent.py.

Every consent UI in those pages is magenta (#ff00aa): a banner that is gone
leaves no magenta in the screenshot. Sourcepoint's message is served from a
second loopback origin (127.0.0.2) out of tests/site/consent/sp/.
"""

from __future__ import annotations

import json
from pathlib import Path

from lxml import html as lxml_html

CONSENT_DIR = Path(__file__).parent / "site" / "consent"
SP_DIR = CONSENT_DIR / "sp"
BANNER = "#ff00aa"
MANIFEST = json.loads((CONSENT_DIR / "fixtures.json").read_text("utf-8"))


def page_url(site, page: str, sp_site=None, prefix: str = "consent/") -> str:
    """URL of a fixture page on `site`; Sourcepoint pages get the second origin as ?sp=."""
    url = site.url(prefix + page)
    if MANIFEST[page].get("second_origin"):
        if sp_site is None:
            raise ValueError(f"{page} needs the second origin")
        url += ("&" if "?" in url else "?") + f"sp={sp_site.base}"
    return url


def article_text(page: str) -> str:
    """The story as written in the fixture source: paragraphs of <article>, byline left out."""
    name = MANIFEST[page].get("article") or page.split("?")[0]
    doc = lxml_html.fromstring((CONSENT_DIR / name).read_text("utf-8"))
    paras = [p.text_content().strip() for p in doc.xpath("//article//p[not(contains(@class, 'byline'))]")]
    return "\n\n".join(paras)
