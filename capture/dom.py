"""Reading the rendered page: each step is one call into the page (pagekeep's own world of it, isolated.py).

Every call into the page is a round trip through the Playwright driver and the
browser process, which costs CPU on both sides; steps that always follow one
another are composed into one script here instead of being called in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import isolated
from .jsassets import script
from .screenshots import PAGE_SIZE_JS, widen_to_headline

_HEADLINE_JS = """() => { const h = Array.from(document.querySelectorAll('h1')).find(el => el.getBoundingClientRect().height > 0);
    if (!h) return null; const r = h.getBoundingClientRect();
    return {x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height}; }"""


@lru_cache(maxsize=None)
def _visible_html_js() -> str:
    return f"() => {{ ({script('visibility.js')})(); return ({script('serialize.js')})(); }}"


@lru_cache(maxsize=None)
def _mark_article_js() -> str:
    # Order as before: locate (box before pinning), serialize (with data-pk-article, before
    # the pinning styles), then pin fixed bars for the full-page shot.
    return f"""(paragraphs) => {{
        const box = ({script('locate.js')})(paragraphs);
        const html = ({script('serialize.js')})();
        try {{ ({script('freeze.js')})(); }} catch (e) {{ /* the screenshot is taken anyway */ }}
        return {{box, html}};
    }}"""


_SHOT_LAYOUT_JS = f"""() => {{
    let h1 = null;
    try {{ h1 = ({_HEADLINE_JS})(); }} catch (e) {{}}
    return {{h1, size: ({PAGE_SIZE_JS})()}};
}}"""


async def visible_html(page) -> str:
    """Mark what a reader cannot see (js/visibility.js), then serialize the page (js/serialize.js)."""
    return await isolated.evaluate(page, _visible_html_js())


@dataclass
class MarkedArticle:
    box: dict | None      # the article's box in page coordinates
    html: str             # the rendered page, with the article element marked data-pk-article


async def mark_article(page, paragraphs: list[str]) -> MarkedArticle:
    """Find and mark the article element, serialize the page, pin fixed bars for the full-page shot."""
    got = await isolated.evaluate(page, _mark_article_js(), paragraphs)
    return MarkedArticle(got["box"], got["html"])


@dataclass
class ShotLayout:
    box: dict | None      # the article's box, widened to its headline
    size: dict            # {"w", "h"}: the page's scroll size, for the full-page screenshot


async def shot_layout(page, box: dict | None) -> ShotLayout:
    """Headline and page size as the screenshot will see them (once the page is ready to paint)."""
    got = await isolated.evaluate(page, _SHOT_LAYOUT_JS)
    return ShotLayout(widen_to_headline(box, got["h1"]), got["size"])
