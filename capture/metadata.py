"""Article metadata from the rendered page: JSON-LD first, then meta tags, then what is visible.

Publishers state dates and authors most reliably in JSON-LD; meta tags come
next; trafilatura/htmldate fill what is left from the page itself.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from datetime import datetime, timezone
from urllib.parse import urljoin

from lxml import html as lxml_html

from . import byline, dates, headline

ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "socialmediaposting",
    "scholarlyarticle", "techarticle", "liveblogposting", "webpage", "posting", "report",
}


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("url")
    if isinstance(value, list):
        value = next((v for v in (_text(x) for x in value) if v), None)
    if value is None:
        return None
    value = re.sub(r"\s+", " ", htmllib.unescape(str(value))).strip()
    return value or None


def jsonld_objects(doc) -> list[dict]:
    """Every JSON-LD object on the page, @graph and nested lists flattened."""
    found: list[dict] = []

    def walk(obj):
        if isinstance(obj, list):
            for o in obj:
                walk(o)
        elif isinstance(obj, dict):
            found.append(obj)
            for key in ("@graph", "mainEntity", "itemListElement"):
                if key in obj:
                    walk(obj[key])

    for node in doc.xpath('//script[contains(translate(@type,"LDJSON","ldjson"),"ld+json")]'):
        raw = (node.text or "").strip()
        if not raw:
            continue
        try:
            walk(json.loads(raw))
        except ValueError:
            try:  # trailing commas and stray control characters are common
                walk(json.loads(re.sub(r",\s*([}\]])", r"\1", raw.replace("\n", " "))))
            except ValueError:
                continue
    return found


def _types(obj) -> set[str]:
    return {str(t).lower() for t in _as_list(obj.get("@type"))}


def _article_ld(objs: list[dict]) -> dict:
    best = {}
    for obj in objs:
        types = _types(obj)
        if types & (ARTICLE_TYPES - {"webpage"}):
            return obj
        if "webpage" in types and not best:
            best = obj
    return best


def _meta(doc) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in doc.xpath("//meta[@content]"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        if key and key not in out and m.get("content", "").strip():
            out[key] = m.get("content").strip()
    return out


def iso_datetime(value) -> str | None:
    """Normalise a date/time string to ISO 8601 (UTC offset kept; date-only stays date-only)."""
    value = _text(value)
    if not value:
        return None
    v = value.strip()
    if re.fullmatch(r"\d{10}(\d{3})?", v):  # epoch seconds or ms
        ts = int(v) / (1000 if len(v) == 13 else 1)
        return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")
    v = v.replace("Z", "+00:00")
    v = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", v)
    v = re.sub(r"^(\d{4}-\d{2}-\d{2}) (\d)", r"\1T\2", v)
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        m = re.match(r"(\d{4})[-/](\d{2})[-/](\d{2})", v)
        if m:
            return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        return _parse_loose(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return v
    return dt.isoformat(timespec="seconds")


def _parse_loose(value: str) -> str | None:
    try:
        from htmldate.extractors import try_date_expr  # type: ignore
    except ImportError:
        return None
    try:
        found = try_date_expr(value, "%Y-%m-%d", False, None, None)
    except Exception:
        return None
    return found or None


TITLE_SEPS = headline.SEPS[:6]  # between a headline and the site in <title>


def _fold(s: str | None) -> str:
    return re.sub(r"\s+", " ", s or "").strip().casefold()


def _site_from_title(page_title: str | None, headline: str | None, shown: bool = False) -> str | None:
    """'Headline | Site' (or 'Site - Headline'): the part beside the headline names the site.
    A `shown` heading (an <h1>) may be the site's logo instead, so it counts only when it is
    the longer part."""
    if not page_title or not headline:
        return None
    t, h = _fold(page_title), _fold(headline)
    for sep in TITLE_SEPS:
        if t.startswith(h + sep.casefold()):
            rest = page_title.strip()[len(headline.strip()) + len(sep):]
        elif t.endswith(sep.casefold() + h):
            rest = page_title.strip()[: len(page_title.strip()) - len(headline.strip()) - len(sep)]
        else:
            continue
        rest = rest.strip()
        if sep in rest:  # 'Headline | Section | Site': the outermost part is the site
            parts = rest.split(sep)
            rest = (parts[-1] if t.startswith(h) else parts[0]).strip()
        if shown and len(rest.split()) >= len(headline.split()):
            return None
        if rest and len(rest) <= 60 and len(rest.split()) <= 6 and not rest[0].islower():  # a name, not a clause
            return rest
    return None


BYLINE_CLASS = re.compile(r"(?:^|[\s_-])(byline|author|autor|auteur|autore|writer|verfasser)(?:$|[\s_-]|name)", re.I)
BYLINE_OFF = re.compile(r"(?:^|[\s_-])(comments?|comment-form|reply|respond|sidebar|widget|related|footer|nav|menu|"
                        r"author-?box|author-?bio|about-?author|follow)(?:$|[\s_-])", re.I)
INLINE = {"a", "span", "b", "strong", "em", "i", "time", "abbr", "small"}   # 'By <a>Ann Teller</a> · <time>…'
BY_LINE = re.compile(r"^\s*(?:by|von|par|por|di|door|av|af|przez|posted by|written by)\s+\S", re.I)


def _in_byline_off_region(el) -> bool:
    while el is not None:
        if isinstance(el.tag, str) and el.tag in ("form", "nav", "footer", "aside", "textarea", "label", "button"):
            return True
        if BYLINE_OFF.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return True
        el = el.getparent()
    return False


def _visible_bylines(doc) -> list[str]:
    """Bylines only shown on the page: author-marked elements, then short 'By …' lines."""
    marked = [el for el in doc.iter() if isinstance(el.tag, str) and (
        el.get("rel") == "author" or el.get("itemprop") == "author" or BYLINE_CLASS.search(el.get("class") or ""))]
    prefixed = [el for el in doc.xpath("//body//*[self::p or self::div or self::span or self::i or self::em or self::b or "
                                       "self::strong or self::small or self::address][string-length(normalize-space()) < 100]")
                if all(c.tag in INLINE for c in el) and BY_LINE.match(el.text_content() or "")]
    return [el.text_content() for el in marked + prefixed if not _in_byline_off_region(el)]


def extract_metadata(html: str, url: str, trafilatura_meta=None) -> dict:
    doc = lxml_html.fromstring(html) if isinstance(html, str) else html
    ld = _article_ld(jsonld_objects(doc))
    meta = _meta(doc)
    tm = trafilatura_meta

    page_title = _text(doc.findtext(".//title"))
    site = (
        _text((ld.get("publisher") or {}) if isinstance(ld.get("publisher"), (dict, list)) else ld.get("publisher"))
        or meta.get("og:site_name")
        or meta.get("application-name")
        or next((s for s in (_site_from_title(page_title, h) for h in
                             (_text(ld.get("headline")), meta.get("og:title"))) if s), None)
        or next((s for s in (_site_from_title(page_title, h, shown=True) for h in headline.headings(doc, "h1")) if s), None)
        or (tm.sitename if tm else None)
        or (headline.split_tail(page_title)[1] if page_title else None)
    )
    canonical = _canonical(doc, meta, ld)
    title = headline.choose(
        doc, declared=_text(ld.get("headline") or (ld.get("name") if _types(ld) - {"webpage"} else None)),
        og=meta.get("og:title") or meta.get("twitter:title"), page_title=page_title,
        extracted=tm.title if tm else None, site=site, urls=[canonical, meta.get("og:url"), url])
    authors = [a for a in (_text(x) for x in _as_list(ld.get("author"))) if a]
    declared = ", ".join(dict.fromkeys(a for a in (byline.best([x]) for x in authors) if a)) or None
    author = declared or byline.best([
        meta.get("author"), meta.get("article:author"), meta.get("parsely-author"), meta.get("sailthru.author"),
        meta.get("dc.creator"), *_visible_bylines(doc), (tm.author, True) if tm and tm.author else None])
    published = (
        iso_datetime(ld.get("datePublished") or ld.get("dateCreated"))
        or iso_datetime(meta.get("article:published_time") or meta.get("og:published_time")
                        or meta.get("datepublished") or meta.get("date") or meta.get("pubdate")
                        or meta.get("publish-date") or meta.get("parsely-pub-date") or meta.get("sailthru.date")
                        or meta.get("dc.date") or meta.get("dcterms.created") or meta.get("dc.date.issued"))
        or dates.visible_time(doc, iso_datetime)
        or iso_datetime(tm.date if tm else None)
        or dates.near_headline(doc)
    )
    modified = iso_datetime(ld.get("dateModified")) or iso_datetime(
        meta.get("article:modified_time") or meta.get("og:updated_time") or meta.get("dcterms.modified")
        or meta.get("last-modified")
    )
    image = ld.get("image") or ld.get("thumbnailUrl")
    image_url = _text(image[0] if isinstance(image, list) and image else image) or meta.get("og:image") or meta.get("twitter:image") or (tm.image if tm else None)
    lang_attr = doc.get("lang") or doc.get("xml:lang") or _text(ld.get("inLanguage")) or meta.get("og:locale") or meta.get("content-language") or (tm.language if tm else None)
    description = meta.get("description") or meta.get("og:description") or _text(ld.get("description")) or (tm.description if tm else None)
    return {
        "title": title,
        "byline": author,
        "published": published,
        "modified": modified,
        "site_name": _text(site),
        "lang": normalise_lang(lang_attr),
        "description": _text(description),
        "image_url": urljoin(url, image_url) if image_url else None,
        "canonical_url": urljoin(url, canonical) if canonical else None,
    }


def _canonical(doc, meta: dict, ld: dict) -> str | None:
    for link in doc.xpath('//link[@href and contains(concat(" ", translate(@rel, "CANONICAL", "canonical"), " "), " canonical ")]'):
        return link.get("href").strip()
    return meta.get("og:url") or _text(ld.get("url") if isinstance(ld.get("url"), str) else None)


def normalise_lang(value: str | None) -> str | None:
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip())[0].lower()
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None
