"""Article text, sanitized HTML and metadata from the rendered DOM.

The browser has already marked what a reader cannot see (js/visibility.js) and
what pagekeep removed (overlays, banners); those parts are dropped before a
text-density extractor (trafilatura) reads the page, so hidden teasers, screen
reader labels and dismissed modals never leak into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from .metadata import extract_metadata
from .sanitize import clean_html

WORD_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
BLOCK_TAGS = {"p", "head", "list", "quote", "table", "code", "item"}


@dataclass
class Extraction:
    text: str
    html: str
    paragraphs: list[str]
    word_count: int
    metadata: dict = field(default_factory=dict)
    extractor: str = "trafilatura"


def count_words(text: str) -> int:
    return len(WORD_RE.findall(text or ""))


def visible_tree(rendered_html: str):
    """Parse the rendered page, dropping what the browser marked invisible or removed."""
    doc = lxml_html.fromstring(rendered_html or "<html></html>")
    for el in doc.xpath("//*[@data-pk-hidden or @data-pk-removed]"):
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()
    return doc


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


def _block_text(el) -> str:
    if el.tag == "list":
        return "\n".join(_norm("".join(item.itertext())) for item in el.iter("item") if _norm("".join(item.itertext())))
    if el.tag == "table":
        rows = []
        for row in el.iter("row"):
            cells = [_norm("".join(c.itertext())) for c in row.iter("cell")]
            rows.append(" | ".join(c for c in cells if c))
        return "\n".join(r for r in rows if r)
    if el.tag == "code":
        return "".join(el.itertext()).strip("\n")
    return _norm("".join(el.itertext()))


_HTML_MAP = {"p": "p", "quote": "blockquote", "code": "pre", "list": "ul", "item": "li", "lb": "br",
             "table": "table", "row": "tr", "cell": "td", "ref": "a", "del": "s", "graphic": "img"}


def _to_html(el) -> str:
    """trafilatura's XML body → plain HTML, before sanitizing."""
    out = []

    def conv(node):
        tag = node.tag
        if tag == "head":
            level = (node.get("rend") or "h2").lower()
            name = level if re.fullmatch(r"h[1-6]", level) else "h2"
        elif tag == "hi":
            rend = node.get("rend") or ""
            name = "strong" if "b" in rend else "em" if "i" in rend else "span"
        elif tag == "list":
            name = "ol" if (node.get("rend") or "").startswith("ol") else "ul"
        else:
            name = _HTML_MAP.get(tag, "span" if tag not in ("body", "doc", "main") else None)
        attrs = ""
        if name == "a" and node.get("target"):
            attrs = f' href="{_esc(node.get("target"))}"'
        if name == "img" and node.get("src"):
            attrs = f' src="{_esc(node.get("src"))}" alt="{_esc(node.get("alt") or "")}"'
        if name:
            out.append(f"<{name}{attrs}>")
        if node.text:
            out.append(_esc(node.text))
        for child in node:
            conv(child)
            if child.tail:
                out.append(_esc(child.tail))
        if name and name not in ("br", "img"):
            out.append(f"</{name}>")

    conv(el)
    return "".join(out)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _fallback_paragraphs(doc) -> list[str]:
    """When trafilatura finds nothing: the visible paragraphs of <article>, <main> or the body."""
    for xp in ("//article", "//main", "//*[@role='main']", "//body"):
        roots = doc.xpath(xp)
        if roots:
            paras = [_norm(p.text_content()) for p in roots[0].iter("p", "li", "h2", "h3", "blockquote", "pre")]
            paras = [p for p in paras if len(p) > 1]
            if paras:
                return paras
            text = _norm(roots[0].text_content())
            if text:
                return [text]
    return []


def extract(rendered_html: str, url: str) -> Extraction:
    doc = visible_tree(rendered_html)
    cleaned = lxml_html.tostring(doc, encoding="unicode")
    result = trafilatura.bare_extraction(
        cleaned, url=url, with_metadata=True, include_comments=False, include_tables=True,
        include_images=False, include_formatting=True, include_links=True, deduplicate=False,
    )
    meta = extract_metadata(doc, url, result)
    paragraphs: list[str] = []
    html = ""
    extractor = "trafilatura"
    body = getattr(result, "body", None) if result is not None else None
    if body is not None and len(body):
        blocks = [el for el in body if el.tag in BLOCK_TAGS]
        # trafilatura keeps the headline as the first block; it is stored as `title`.
        if blocks and blocks[0].tag == "head" and meta.get("title") and _norm(_block_text(blocks[0])) == _norm(meta["title"]):
            body.remove(blocks[0])
            blocks = blocks[1:]
        paragraphs = [t for t in (_block_text(b) for b in blocks) if t]
        html = clean_html(_to_html(body))
    if not paragraphs:
        extractor = "fallback"
        paragraphs = _fallback_paragraphs(doc)
        html = clean_html("".join(f"<p>{_esc(p)}</p>" for p in paragraphs))
    text = "\n\n".join(paragraphs)
    return Extraction(text=text, html=html, paragraphs=paragraphs, word_count=count_words(text),
                      metadata=meta, extractor=extractor)


def _debug_xml(el) -> str:  # handy in a REPL when tuning
    return etree.tostring(el, encoding="unicode", pretty_print=True)
