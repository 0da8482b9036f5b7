"""The article's headline: what the publisher declared, or the visible heading that agrees with it.

A page's first <h1> is often not the story's (a logo, a sidebar's "Hi, I'm
Nicolas.", a widget's "About This Site"), so a visible heading is trusted only
when it agrees with what the page says about itself (og:title, <title>), or
when nothing else is left. A title that is only the site's name is no title.
"""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import urlsplit

SEPS = (" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " « ", " / ", ": ")
STRONG_SEPS = (" | ", " – ", " — ", " :: ", " · ", " » ", " « ")   # rarely inside a headline
# Regions whose headings are never the story's.
OFF_STORY = re.compile(
    r"(?:^|[\s_-])(sidebar|side|widget|widgets|nav|navigation|menu|footer|masthead|logo|brand|branding|"
    r"site-title|site-name|sitename|comments?|related|promo|teaser|modal|popup|banner|about|author-box|bio)(?:$|[\s_-])",
    re.I)
OFF_STORY_TAGS = {"nav", "aside", "footer", "form", "menu", "dialog"}
# Titles that name no story: a home page's, an empty template's.
GENERIC = {"home", "homepage", "home page", "index", "untitled", "untitled document", "startseite", "accueil", "inicio",
           "welcome", "willkommen", "bienvenue", "default", "page", "article", "blog", "news", "null", "undefined"}
WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+", re.U)


def text(value) -> str | None:
    if value is None:
        return None
    v = re.sub(r"\s+", " ", htmllib.unescape(str(value))).strip()
    return v or None


def words(s: str | None) -> list[str]:
    return [w.casefold() for w in WORD.findall(s or "")]


def agrees(a: str | None, b: str | None) -> bool:
    """Two titles for the same story: most words of each are in the other."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return False
    shared = len(wa & wb)
    return shared >= 0.8 * min(len(wa), len(wb)) and shared >= 0.5 * max(len(wa), len(wb))


def home_link_texts(doc) -> list[str]:
    """What links to the home page say (or their logo's alt text): usually the site's name."""
    found = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if href in ("/", "./", "index.html") or re.fullmatch(r"https?://[^/]+/?", href):
            t = text(a.text_content()) or text(" ".join(i.get("alt") or "" for i in a.iter("img")))
            if t and len(t) <= 60:
                found.append(t)
    return found[:5]


def site_words(site: str | None, urls: list[str | None], home_texts: list[str] = ()) -> set[str]:
    """Words that name the site: its declared name, its home link and the labels of its host names."""
    out = set(words(site))
    for t in home_texts:
        if len(words(t)) <= 4:
            out.update(words(t))
    for u in urls:
        host = (urlsplit(u).hostname or "") if u else ""
        if host and not re.fullmatch(r"[\d.]+|localhost", host):
            labels = host.split(".")
            out.update(re.sub(r"\W|_", "", w) for w in labels[:-1] if w not in {"www", "m", "amp", "blog", "news", "co"})
    return {w for w in out if w}


def is_site(title: str | None, names: set[str]) -> bool:
    """'modabot', 'Sports.fr', 'DimidoBlog': a title made only of the site's name."""
    if not title or not names:
        return False
    tw = words(title)
    squashed = "".join(tw)
    return all(w in names for w in tw) or squashed in names or any(
        len(n) >= 4 and squashed in (n, n + "blog", n + "de", n + "com") for n in names)


def strip_site(title: str | None, site: str | None, names: set[str]) -> str | None:
    """'Headline | Section | Site' → 'Headline' when the outer parts name the site."""
    title = text(title)
    if not title:
        return None
    for sep in SEPS:
        if sep not in title:
            continue
        parts = [p.strip() for p in title.split(sep)]
        while len(parts) > 1 and (_names_site(parts[-1], site, names)):
            parts.pop()
        while len(parts) > 1 and (_names_site(parts[0], site, names)):
            parts.pop(0)
        if len(parts) < len(title.split(sep)):
            return sep.join(parts).strip() or None
    return split_tail(title)[0]


def split_tail(title: str) -> tuple[str, str | None]:
    """'A long headline | Brand' → ('A long headline', 'Brand'): a short last part after a separator
    that headlines rarely contain names the site, even when nothing else says so."""
    for sep in STRONG_SEPS:
        if sep in title:
            head, tail = (p.strip() for p in title.rsplit(sep, 1))
            tw, hw = len(words(tail)), len(words(head))
            if head and 0 < tw <= 4 and len(tail) <= 40 and hw > tw:
                return head, tail
    return title, None


def _names_site(part: str, site: str | None, names: set[str]) -> bool:
    if site and part.casefold() == site.casefold():
        return True
    return is_site(part, names)


def _leading_part(title: str | None) -> str | None:
    """The first part of a title cut by separators: by convention the headline's place."""
    for sep in SEPS[:-1]:
        if title and sep in title:
            return title.split(sep)[0].strip() or None
    return None


def _off_story(el) -> bool:
    while el is not None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in OFF_STORY_TAGS or el.get("data-pk-hidden") or el.get("data-pk-removed"):
            return True
        attrs = f"{el.get('class') or ''} {el.get('id') or ''} {el.get('role') or ''}"
        if OFF_STORY.search(attrs) or el.get("role") in ("navigation", "complementary", "banner", "contentinfo"):
            return True
        el = el.getparent()
    return False


def headings(doc, *tags: str, named: re.Pattern | None = None) -> list[str]:
    """Headings of the story (not of sidebars and the like); with `named`, only those whose
    class or id it matches."""
    found = []
    for node in doc.iter(*tags):
        t = text(node.text_content())
        if named is not None and not named.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            continue
        if t and len(t) <= 300 and not _off_story(node):
            found.append(t)
    return found


TITLED = re.compile(r"(?:^|[\s_-])(headline|title)(?:$|[\s_-])", re.I)   # 'entry-title', 'headline'


def off_story_headings(doc) -> set[str]:
    """Headings in sidebars, widgets and the like: a title extractor's guess among them is no headline."""
    return {t for node in doc.iter("h1", "h2", "h3") if _off_story(node) and (t := text(node.text_content()))}


def choose(doc, *, declared: str | None, og: str | None, page_title: str | None, extracted: str | None,
           site: str | None, urls: list[str | None]) -> str | None:
    """The headline, or None when nothing trustworthy names the story."""
    names = site_words(site, urls, home_link_texts(doc))

    def usable(t):
        t = strip_site(t, site, names)
        generic = t and (t.casefold() in GENERIC or (_leading_part(t) or "").casefold() in GENERIC)
        return t if t and not is_site(t, names) and not generic else None  # 'Home - City News' names no story

    declared, og, whole_title, page_title = usable(declared), usable(og), text(page_title), usable(page_title)
    if declared:
        return declared
    refs = [r for r in (og, page_title) if r]
    h1s, h2s = headings(doc, "h1"), headings(doc, "h2")
    lead = _leading_part(whole_title)
    for h in h1s + h2s:  # 'Headline - Whatever Else': the heading that is the title's first part
        if lead and h.casefold() == lead.casefold() and usable(h):
            return h
    for h in h1s:
        if any(agrees(h, r) for r in refs) and usable(h):
            return h
    if og:
        return og
    for h in h2s:
        if any(agrees(h, r) for r in refs) and usable(h):
            return h
    if page_title:
        return page_title
    if len(h1s) == 1 and usable(h1s[0]):
        return h1s[0]
    if not h1s:  # no <h1> in the story: a heading marked as the headline ('entry-title', 'headline')
        marked = [h for h in headings(doc, "h2", "h3", named=TITLED) if usable(h)]
        if marked:
            return marked[0]
    return None if extracted in off_story_headings(doc) else usable(extracted)
