"""Split a (visible) DOM into text blocks: the units extraction votes on.

A block is the inline text of one block-level element up to its next
block-level child (or a double line break), so `<div>intro<p>one</p>tail</div>`
gives three blocks: "intro", "one", "tail". Each block keeps its owning
element, its position in document order, how much of its text is link text,
and the layout the browser recorded (data-pk-box, data-pk-fs; js/visibility.js).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "output", "noscript",
}
# Never text a reader sees as prose.
SKIP_TAGS = {"script", "style", "template", "svg", "math", "canvas", "iframe", "object", "embed", "video",
             "audio", "select", "option", "textarea", "input", "button", "head", "title", "meta", "link",
             "noscript", "map", "source", "picture", "img"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

_WS = re.compile(r"\s+")


@dataclass
class Block:
    index: int
    el: object                 # owning block-level element
    text: str
    link_chars: int = 0
    parts: list = field(default_factory=list)   # inline elements that contributed (for HTML output)

    @property
    def tag(self) -> str:
        return self.el.tag if isinstance(self.el.tag, str) else ""

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _pre_text(raw: str) -> str:
    """Preformatted text (code, poetry, tables drawn in text) keeps its lines; blank lines are
    squeezed out so that a blank line still only ever separates blocks in articles.text."""
    lines = [ln.rstrip() for ln in raw.replace("\r\n", "\n").split("\n")]
    return "\n".join(ln for ln in lines if ln.strip()).strip("\n")


def blocks_of(root) -> list[Block]:
    """Blocks of `root` in document order (whitespace collapsed, empty ones dropped)."""
    blocks: list[Block] = []
    buf: list[str] = []
    link = [0]
    owner = [root]
    brs = [0]

    def flush():
        text = _pre_text("".join(buf)) if _tag(owner[0]) == "pre" else _WS.sub(" ", "".join(buf)).strip()
        if text:
            blocks.append(Block(len(blocks), owner[0], text, min(link[0], len(text))))
        buf.clear()
        link[0] = 0
        brs[0] = 0

    def add_text(s: str | None, in_link: bool):
        if not s:
            return
        if s.strip():
            brs[0] = 0
        buf.append(s)
        if in_link:
            link[0] += len(_WS.sub(" ", s).strip())

    def walk(el, in_link: bool):
        tag = _tag(el)
        if not tag:  # comments, processing instructions
            return
        if tag in SKIP_TAGS:
            return
        if tag in BLOCK_TAGS:
            flush()
            saved = owner[0]
            owner[0] = el
            add_text(el.text, in_link)
            for child in el:
                walk(child, in_link)
                _tail(child, in_link)
            flush()
            owner[0] = saved
            return
        if tag == "br":
            brs[0] += 1
            if brs[0] >= 2:
                flush()
            else:
                buf.append("\n")
            return
        a = in_link or tag == "a"
        add_text(el.text, a)
        for child in el:
            walk(child, a)
            _tail(child, a)

    def _tail(child, in_link):
        add_text(child.tail, in_link)

    walk(root, False)
    flush()
    return blocks
