"""Judge a fresh capture against the last good one: same, changed, or suspect.

A capture that looks broken is never reported as an edit: a consent wall that
was hidden instead of answered, a paywall or bot check, a redirect to some
other page, or text far shorter than before (unless the page now says it was
retracted or corrected, which is a real change). What counts as the article
(title, byline, dates, text) is compared after normalizing spacing and
relative-time labels (see diff.py), so a ticking "5 minutes ago" or a rotating
ad outside the article never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .diff import TextDiff, diff_texts, fingerprint, normalize, normalize_date

FLAGS = ("title_changed", "byline_changed", "published_changed", "modified_changed", "body_changed", "stealth")
FAR_SHORTER = 0.5        # below this share of the previous word count the capture is suspect
WALL_SHORTER = 0.8       # a hidden (unanswered) consent wall with this much less text is suspect
MIN_WORDS_TO_JUDGE = 40  # shorter previous texts are too small to call "far shorter"

# A notice that the newsroom said something about the edit.
NOTICE_RE = re.compile(
    r"^\s*(?:correction|clarification|update|updated|editor['’]s note|retraction|note)\s*[:：—–-]"
    r"|\ban earlier version of this (?:article|story|report|piece)\b"
    r"|\bthis (?:article|story|report) (?:has been|was) (?:updated|corrected|amended|removed|withdrawn|retracted)\b"
    r"|^\s*(?:korrektur|berichtigung|anmerkung der redaktion|aktualisierung|transparenzhinweis)\s*[:：—–-]"
    r"|\bin einer (?:früheren|älteren) (?:version|fassung)\b"
    r"|^\s*(?:rectificatif|correction|mise à jour|note de la rédaction)\s*[:：—–-]"
    r"|\bune (?:précédente|première) version de cet article\b"
    r"|^\s*(?:corrección|fe de errores|actualización|nota de la redacción|aclaración)\s*[:：—–-]"
    r"|\buna versión anterior de (?:este|esta) (?:artículo|noticia|información)\b"
    r"|^\s*(?:correzione|rettifica|aggiornamento|nota della redazione)\s*[:：—–-]"
    r"|^\s*(?:correctie|rectificatie|noot van de redactie)\s*[:：—–-]",
    re.IGNORECASE | re.MULTILINE,
)
# Pages that stand in for the article: paywalls, sign-in walls, bot checks.
WALL_RE = re.compile(
    r"\b(?:subscribe|sign in|log in|register) to (?:continue|read|keep reading|unlock)\b"
    r"|\bto continue reading\b|\balready a subscriber\b|\bsubscribers only\b"
    r"|\bthis (?:article|story|content) is (?:for|available to|reserved for|exclusive to) (?:paying )?(?:subscribers|members|readers who)\b"
    r"|\bthe rest of this (?:article|story) is available\b"
    r"|\bverify (?:that )?you are (?:a )?human\b|\bare you a robot\b|\bchecking your browser\b"
    r"|\bunusual traffic from your\b|\benable javascript and cookies to continue\b|\baccess (?:to this page has been )?denied\b"
    r"|\bweiterlesen mit\b|\bjetzt abonnieren\b|\bréservé aux abonnés\b|\bexclusivo para suscriptores\b",
    re.IGNORECASE,
)
BOT_TITLE_RE = re.compile(r"^\s*(?:just a moment|attention required|access denied|are you a robot|robot check|"
                          r"security check|please wait|one more step|captcha)\b", re.IGNORECASE)


@dataclass
class Verdict:
    outcome: str                    # same | changed | suspect
    fingerprint: str
    reason: str | None = None
    flags: dict = field(default_factory=dict)
    text: TextDiff | None = None
    title: TextDiff | None = None
    notice: str | None = None       # a correction or update notice that appeared with the change


def judge(prev: dict, new: dict) -> Verdict:
    """Compare `new` (a capture record) with `prev` (the last good article row)."""
    fp = fingerprint(new)
    notice = new_notice(prev.get("text"), new.get("text"))
    reason = suspicion(prev, new, notice)
    if reason:
        return Verdict("suspect", fp, reason=reason)
    if fp == fingerprint(prev):
        return Verdict("same", fp)
    text = diff_texts(prev.get("text"), new.get("text"))
    title = diff_texts(prev.get("title"), new.get("title"))
    flags = {
        "title_changed": normalize(prev.get("title")) != normalize(new.get("title")),
        "byline_changed": normalize(prev.get("byline")) != normalize(new.get("byline")),
        "published_changed": normalize_date(prev.get("published")) != normalize_date(new.get("published")),
        "modified_changed": normalize_date(prev.get("modified")) != normalize_date(new.get("modified")),
        "body_changed": text.changed,
    }
    flags["stealth"] = (flags["body_changed"] or flags["title_changed"]) and not flags["modified_changed"] and not notice
    return Verdict("changed", fp, flags=flags, text=text, title=title, notice=notice)


def new_notice(old_text: str | None, new_text: str | None) -> str | None:
    """The first correction/update notice paragraph in the new text that the old text lacked."""
    old_paras = {" ".join(p.split()) for p in (old_text or "").split("\n\n")}
    for para in (new_text or "").split("\n\n"):
        flat = " ".join(para.split())
        if flat and flat not in old_paras and NOTICE_RE.search(flat):
            return flat[:500]
    return None


def suspicion(prev: dict, new: dict, notice: str | None = None) -> str | None:
    """Why this capture is not a trustworthy version of the article, or None."""
    before, now = int(prev.get("word_count") or 0), int(new.get("word_count") or 0)
    counts = f"{now} words, was {before}"
    if new.get("consent_ok") == 0:
        return "the consent banner was not handled"
    actions = set((new.get("consent_action") or "").split("+")) - {""}
    if actions and actions <= {"hide"} and now < before * WALL_SHORTER:
        return f"a consent wall was hidden, not answered, and the text is shorter ({counts})"
    if BOT_TITLE_RE.search(new.get("title") or ""):
        return f"a bot check page (“{new.get('title')}”)"
    wall = WALL_RE.search(f"{new.get('title') or ''}\n{new.get('text') or ''}")
    if wall and not WALL_RE.search(f"{prev.get('title') or ''}\n{prev.get('text') or ''}") and now < before * 0.9:
        return f"looks like a paywall or bot wall (“{wall.group(0)}”; {counts})"
    elsewhere = _redirected(prev.get("final_url"), new.get("final_url"))
    if elsewhere:
        return f"the page now leads to {elsewhere}"
    if before >= MIN_WORDS_TO_JUDGE and now < before * FAR_SHORTER and not notice:
        return f"text far shorter than before ({counts})"
    return None


def _redirected(before: str | None, now: str | None) -> str | None:
    if not before or not now:
        return None
    a, b = urlsplit(before), urlsplit(now)
    same = (a.hostname or "").removeprefix("www.") == (b.hostname or "").removeprefix("www.") \
        and a.path.rstrip("/") == b.path.rstrip("/")
    return None if same else now
