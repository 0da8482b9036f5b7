"""Publication dates: as the page states them, never guessed from a copyright year.

Order of trust: JSON-LD, meta tags, a <time> near the headline (not one in a
sidebar or the comments), a date written near the headline in the page's
language ("12. Mai 2023", "May 12, 2023", "2023年5月12日"), then htmldate
without its extensive search, which would turn "© 2023" into 2023-01-01.
"""

from __future__ import annotations

import re
from datetime import date

from .byline import MONTHS

_MONTH_NUM = {}
for _n, _names in enumerate((
        "jan january januar jänner janvier enero gennaio", "feb february februar février febrero febbraio",
        "mar march märz mars marzo", "apr april avril abril aprile", "may mai mayo maggio",
        "jun june juni juin junio giugno", "jul july juli juillet julio luglio", "aug august août agosto",
        "sep sept september septembre septiembre settembre", "oct october oktober octobre octubre ottobre",
        "nov november novembre noviembre", "dec december dezember décembre diciembre dicembre"), start=1):
    for _m in _names.split():
        _MONTH_NUM[_m] = _n

_WRITTEN = [
    # 12. Mai 2023 / 12 May 2023 / 12 de mayo de 2023
    (re.compile(rf"\b(\d{{1,2}})\.?\s+(?:de\s+)?({MONTHS})\.?\s+(?:de\s+)?(\d{{4}})\b", re.I), ("d", "m", "y")),
    # May 12, 2023
    (re.compile(rf"\b({MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I), ("m", "d", "y")),
    # 2023年5月12日
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), ("y", "m", "d")),
    # 2023-05-12, 12.05.2023, 12/05/2023 (day first, as in most of the world)
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b"), ("d", "m", "y")),
]


def written_date(s: str | None) -> str | None:
    """The first date written out in `s`, as YYYY-MM-DD."""
    if not s:
        return None
    for rx, order in _WRITTEN:
        m = rx.search(s)
        if not m:
            continue
        parts = dict(zip(order, m.groups()))
        month = parts["m"]
        month = int(month) if month.isdigit() else _MONTH_NUM.get(month.lower().rstrip("."))
        try:
            return date(int(parts["y"]), int(month), int(parts["d"])).isoformat()
        except (TypeError, ValueError):
            continue
    return None


OFF_STORY = re.compile(r"(?:^|[\s_-])(sidebar|widget|comments?|related|footer|nav|menu|teaser|recent|popular|"
                       r"archive|calendar|reply)(?:$|[\s_-])", re.I)


def _off_story(el) -> bool:
    while el is not None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("aside", "nav", "footer", "form"):
            return True
        if OFF_STORY.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
            return True
        el = el.getparent()
    return False


def _after_headline(doc):
    """Elements from the first <h1> on (the story's header), else the whole body."""
    h1 = next(iter(doc.iter("h1")), None)
    start = h1 if h1 is not None else doc
    seen = False
    for el in doc.iter():
        if el is start:
            seen = True
        if seen:
            yield el


def visible_time(doc, iso) -> str | None:
    """The datetime of a <time> in the story's header, preferring one marked as publication."""
    times = [t for t in doc.iter("time") if t.get("datetime") and not _off_story(t)]
    marked = [t for t in times if re.search(r"publish|posted|created|date-?pub",
                                            f"{t.get('itemprop') or ''} {t.get('class') or ''}", re.I)]
    for t in marked + times:
        value = iso(t.get("datetime"))
        if value:
            return value
    return None


def near_headline(doc, limit: int = 12) -> str | None:
    """A date written in the first short lines after the headline (a dateline, 'Posted on …')."""
    seen = 0
    for el in _after_headline(doc):
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        own = (el.text or "").strip()
        if not own:
            continue
        seen += 1
        if seen > limit:
            break
        if len(own) <= 120 and not _off_story(el):
            found = written_date(own)
            if found:
                return found
    return None
