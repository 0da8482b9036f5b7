"""Article text, sanitized HTML and metadata from the rendered DOM.

The browser has already marked what a reader cannot see (js/visibility.js) and
what pagekeep removed (overlays, banners); those parts are dropped first, so
hidden teasers, screen reader labels and dismissed modals never leak into the
text. Then several extractors read the visible DOM (trafilatura by default and
in precision mode, a readability port) and vote block by block; the article
element, the layout the browser recorded and the shape of the text decide the
rest (extract_select.py). `extract()` needs only the rendered HTML and the URL,
so it can be re-run offline on what the archive stores (rendered_pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import trafilatura
from lxml import html as lxml_html

from trafilatura.readability_lxml import Document as ReadabilityDocument

from .extract_blocks import blocks_of
from .extract_select import TOKEN_RE, Choice, Coverage, choose
from .metadata import extract_metadata
from .sanitize import clean_html

WORD_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@dataclass
class Extraction:
    text: str
    html: str
    paragraphs: list[str]
    word_count: int
    metadata: dict = field(default_factory=dict)
    extractor: str = "pagekeep"


def count_words(text: str) -> int:
    return len(WORD_RE.findall(text or ""))


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")


def parse_html(html: str | None):
    """lxml refuses a str that carries an XML declaration (XHTML pages); drop it first."""
    return lxml_html.fromstring(_XML_DECL.sub("", html or "", count=1) or "<html></html>")


def visible_tree(rendered_html: str):
    """Parse the rendered page, dropping what the browser marked invisible or removed."""
    doc = parse_html(rendered_html)
    for el in doc.xpath("//template[@shadowrootmode]"):
        el.drop_tag()  # a web component's shadow content, serialized in place: part of the page
    for el in doc.xpath("//*[@data-pk-hidden or @data-pk-removed]"):
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()
    for el in doc.xpath("//rt|//rp"):  # ruby readings (furigana) annotate the text; they are not part of it
        el.drop_tree()
    _drop_heading_tools(doc)
    return doc


_BRACKETED = re.compile(r"^\s*\[[^\]]{1,60}\]\s*$")


def _drop_heading_tools(doc) -> None:
    """'History[edit]': a bracketed link-only part of a heading is a tool (edit, source, hide),
    not part of the section's name."""
    for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6"):
        for el in list(h.iterdescendants()):
            if not isinstance(el.tag, str) or el.getparent() is None:
                continue
            text = el.text_content()
            links = "".join(a.text_content() for a in el.iter("a"))
            if _BRACKETED.match(text) and links.strip() and len(re.sub(r"[\[\]|\s]", "", text)) <= len(
                    re.sub(r"[|\s]", "", links)):
                el.drop_tree()


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s or "").strip()


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


def _run_trafilatura(tree_html: str, url: str, **kw):
    try:
        return trafilatura.bare_extraction(
            tree_html, url=url, include_comments=False, include_tables=True, include_images=False,
            deduplicate=False, **kw)
    except Exception:
        return None


def _doc_text(result) -> str:
    return (getattr(result, "text", None) or "") if result is not None else ""


def _readability_text(tree_html: str) -> str:
    try:
        summary = ReadabilityDocument(lxml_html.fromstring(tree_html)).summary()
        frag = lxml_html.fromstring(summary or "<div></div>")
    except Exception:
        return ""
    return "\n\n".join(b.text for b in blocks_of(frag))


def _candidates(doc, url: str):
    """Metadata run (trafilatura defaults) plus the texts each extractor chose."""
    cleaned = lxml_html.tostring(doc, encoding="unicode")
    # htmldate's extensive search turns a footer's "© 2023" into 2023-01-01: no guessing.
    default = _run_trafilatura(cleaned, url, with_metadata=True,
                               date_extraction_params={"original_date": True, "extensive_search": False})
    precise = _run_trafilatura(cleaned, url, favor_precision=True)
    outputs = {"default": _doc_text(default), "precision": _doc_text(precise), "readability": _readability_text(cleaned)}
    return default, outputs


def _select(doc, url: str, title: str | None, outputs: dict):
    body = doc.find("body")
    try:
        blocks = blocks_of(body if body is not None else doc)
        return choose(blocks, outputs, title)
    except RecursionError:  # absurdly deep markup: keep what the extractors agreed on, as text
        return _text_choice(outputs.get("precision") or outputs.get("default") or "")


def _text_choice(text: str) -> Choice:
    """An extractor's plain text as blocks, one per line."""
    frag = lxml_html.fromstring("<div>" + "".join(f"<p>{_esc(t)}</p>" for t in text.split("\n") if t.strip()) + "</div>")
    return Choice(blocks_of(frag), None, 0)


def _overlap(a: str, b: str) -> float:
    """Share of b's word 4-grams that a contains."""
    cov = Coverage(a)
    return cov.of(TOKEN_RE.findall(b or ""))


NOSCRIPT_BELOW = 50   # rendered words under which a page's <noscript> fallback is read as its text


def _served_tree(source_html: str, rendered_words: int):
    """The served document. When the scripts rendered next to nothing ("Loading…"), what the
    page shows readers without scripts (<noscript>) is read as part of it."""
    src = parse_html(source_html)
    if rendered_words < NOSCRIPT_BELOW:
        for el in list(src.iter("noscript")):
            el.drop_tag()
    return src


def _page_lost_text(paragraphs: list[str], source_html: str) -> bool:
    """Cheap test before any extraction of the served document: does it hold far more
    words than were extracted from the rendered page?"""
    rendered_words = sum(count_words(p) for p in paragraphs)
    try:
        src = _served_tree(source_html, rendered_words)
    except Exception:
        return False
    body = src.find("body")
    if body is None:
        return False
    for el in body.iter("script", "style", "noscript", "template"):
        el.text = None
    served_words = count_words(body.text_content())
    return served_words >= 3 * max(50, rendered_words)


def extract(rendered_html: str, url: str, source_html: str | None = None) -> Extraction:
    """Extract the article from the rendered page.

    `source_html`, when given, is the document as the server sent it: used only when the
    page's own scripts replaced the article (an error screen, a failed hydration), i.e.
    when the rendered page holds little of the text the served one has.
    """
    doc = visible_tree(rendered_html)
    result, outputs = _candidates(doc, url)
    meta = extract_metadata(doc, url, result)
    choice = _select(doc, url, meta.get("title"), outputs)
    extractor = "pagekeep"
    paragraphs = [b.text for b in choice.blocks]
    if source_html and _page_lost_text(paragraphs, source_html):
        text = "\n\n".join(paragraphs)
        src_doc = _served_tree(source_html, count_words(text))
        src_text = _doc_text(_run_trafilatura(lxml_html.tostring(src_doc, encoding="unicode"), url, favor_precision=True))
        if count_words(src_text) >= 2 * max(50, count_words(text)) and _overlap(text, src_text) < 0.3:
            _, src_outputs = _candidates(src_doc, url)
            src_choice = _select(src_doc, url, meta.get("title"), src_outputs)
            if sum(count_words(b.text) for b in src_choice.blocks) < count_words(src_text) / 10:
                # the served page was never laid out (no boxes, no styles to tell regions apart):
                # when the blocks chosen hold under a tenth of what trafilatura found, trust its text
                src_choice = _text_choice(src_text)
            choice, extractor = src_choice, "pagekeep-served-html"
            paragraphs = [b.text for b in choice.blocks]
    html = clean_html(blocks_html(choice.blocks)) if choice.blocks else ""
    if not paragraphs:
        extractor = "fallback"
        paragraphs = _fallback_paragraphs(doc)
        html = clean_html("".join(f"<p>{_esc(p)}</p>" for p in paragraphs))
    text = "\n\n".join(paragraphs)
    return Extraction(text=text, html=html, paragraphs=paragraphs, word_count=count_words(text),
                      metadata=meta, extractor=extractor)


_INLINE_OK = {"a", "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark", "code", "kbd", "abbr",
              "time", "span", "q", "cite", "br", "img"}


def _inner_html(el) -> str:
    parts = [_esc(el.text or "")]
    for child in el:
        parts.append(lxml_html.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def blocks_html(blocks) -> str:
    """Simple article HTML from the chosen blocks (sanitized by the caller)."""
    out: list[str] = []
    open_list = None
    for b in blocks:
        tag = b.tag
        whole = all((not isinstance(d.tag, str)) or d.tag in _INLINE_OK for d in b.el.iterdescendants()) \
            and _norm(b.el.text_content()) == b.text
        inner = _inner_html(b.el) if whole else _esc(b.text)
        if tag == "li":
            parent = b.el.getparent()
            kind = "ol" if parent is not None and parent.tag == "ol" else "ul"
            if open_list != kind:
                if open_list:
                    out.append(f"</{open_list}>")
                out.append(f"<{kind}>")
                open_list = kind
            out.append(f"<li>{inner}</li>")
            continue
        if open_list:
            out.append(f"</{open_list}>")
            open_list = None
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            out.append(f"<{tag}>{inner}</{tag}>")
        elif tag == "blockquote":
            out.append(f"<blockquote><p>{inner}</p></blockquote>")
        elif tag == "pre":
            out.append(f"<pre>{inner}</pre>")
        else:
            out.append(f"<p>{inner}</p>")
    if open_list:
        out.append(f"</{open_list}>")
    return "".join(out)
