"""Bylines: a person's or organisation's name, never UI text, with nothing glued on.

Candidates come from JSON-LD, meta tags, author-marked elements and "By …"
lines; each is cleaned (prefixes such as "By" or "Posted by" dropped, a date,
an e-mail address or a link cut off) and must then look like names. When no
candidate does, the byline stays empty: an empty byline is better than
"Username", "Follow Author" or a comment form's "Name" label.
"""

from __future__ import annotations

import html as htmllib
import re

# What precedes a name ("By Ana Ruiz", "Posted by", "Von", "Texte :", "Artikel von", "View all posts by").
PREFIX = re.compile(
    r"^\s*(?:(?:posted|written|published|reported|words|text|story|photos?|interview)\s+(?:by|von)\s+|"
    r"(?:view|see|read)\s+(?:all|more)\s+(?:posts|articles|stories)\s+(?:by|from)\s+|"
    r"(?:alle\s+)?(?:artikel|beiträge|beitrag|texte?)\s+von\s+|zum\s+profil\s+von\s+|"
    r"(?:by|von|par|por|di|door|de|av|af|od|przez|автор:?|от|作者[:：]?|著者[:：]?|"
    r"autor(?:in|a)?:?|auteur:?|author:?|texte?:?|reporter:?)\s*[:：]?\s+)", re.I)
# What follows a name and is not part of it.
TAIL = re.compile(
    r"\s*(?:[|·•/]|\s[–—-]\s|,?\s*(?:\d|https?:|www\.|\S+@\S+)|\s+(?:on|am|le|el|il|em|den|the)\s+\d|"
    r"\s+(?:updated|published|posted|aktualisiert|veröffentlicht|mis à jour|publié)\b).*$", re.I)
MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|"
    "september|october|november|december|januar|jänner|februar|märz|mai|juni|juli|oktober|dezember|"
    "janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|"
    "abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|gennaio|febbraio|aprile|maggio|"
    "giugno|luglio|settembre|ottobre|dicembre")
DATED_TAIL = re.compile(rf"\s+(?:{MONTHS})\.?\s+\d.*$", re.I)
BARE_MONTH_TAIL = re.compile(rf"\s+(?:{MONTHS})\.?$", re.I)
# Words of interfaces and forms, in the languages pagekeep reads: never part of a name.
UI_WORDS = {
    "username", "user", "users", "name", "names", "email", "e-mail", "mail", "password", "login", "log", "sign",
    "signin", "register", "follow", "following", "followers", "subscribe", "share", "tweet", "like", "reply",
    "comment", "comments", "posted", "post", "posts", "author", "authors", "authority", "control", "profile",
    "admin", "administrator", "webmaster", "publisher", "editor's", "unknown", "anonymous", "guest", "menu",
    "search", "home", "contact", "about", "more", "view", "all", "read", "website", "required", "erforderlich",
    "pflichtfeld", "benutzer", "benutzername", "unbenannt", "folgen", "teilen", "kommentar", "kommentare",
    "anmelden", "autor", "auteur", "autore", "nom", "nombre", "nome", "suivre", "seguir", "partager",
    "compartir", "theme", "powered", "wordpress", "default", "undefined", "null", "none", "n/a", "staff writer",
    "artikel", "beitrag", "beiträge", "veröffentlicht", "aktualisiert", "zeige", "anzeigen", "published", "updated",
    "copyright", "www", "posted", "publié", "publicado", "pubblicato",
}
TLDS = {"com", "de", "at", "ch", "net", "org", "fr", "es", "it", "uk", "nl", "info", "io", "eu", "pl", "ru", "br"}
PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "del", "della", "du", "le", "la", "y", "e", "ter", "ten",
             "zu", "dos", "das", "bin", "ibn", "al", "el", "st.", "mc", "mac"}
JOINERS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bi\b|\boch\b|\bog\b|\ben\b|、|，)\s*", re.I)


def clean(value: str | None, glued_dates: bool = False) -> str | None:
    """The name part of a byline string, or None. `glued_dates`: the value came from text
    with its digits already stripped ("Joshua Sokol May"), so a trailing month goes too."""
    if not value:
        return None
    v = re.sub(r"\s+", " ", htmllib.unescape(str(value))).strip()
    for _ in range(2):
        v = PREFIX.sub("", v).strip()
    v = DATED_TAIL.sub("", v).strip()
    v = TAIL.sub("", v).strip()
    if glued_dates:
        v = BARE_MONTH_TAIL.sub("", v).strip()
    v = re.sub(r"\s*\b(?:alle|all)\s+(?:artikel|posts|articles|beiträge)\b.*$", "", v, flags=re.I)
    v = v.strip(" |,·:;-–—*()[]")
    return v or None


def _is_ui(words: list[str]) -> bool:
    low = [w.lower().strip(".:*()") for w in words]
    return any(w in UI_WORDS for w in low) or " ".join(low) in UI_WORDS


def _one_name(part: str) -> bool:
    words = part.split()
    if not 1 <= len(words) <= 5 or _is_ui(words) or ":" in part:
        return False
    if len(words) >= 2 and words[-1].lower() in TLDS:  # "Jungefreiheit De": a host name, title-cased
        return False
    if re.search(r"\d|@|https?:|www\.|[!?]|\.(?:com|de|org|net)\b", part, re.I):
        return False
    if not re.search(r"[^\W\d_]", part):
        return False
    caps = [w for w in words if w.lower() not in PARTICLES]
    if not caps:
        return False
    # Latin, Cyrillic, Greek names are capitalised; scripts without case pass as they are.
    return all(not w[0].isalpha() or not w[0].islower() for w in caps) and not words[0][0].islower()


def looks_like_names(value: str) -> bool:
    """'Hauke Petersen', 'Ana de la Cruz and Li Wei', 'Reuters', 'سارة الخطيب' -- not 'Follow Author'."""
    if not value or len(value) > 100:
        return False
    if JOINERS.match(value) and JOINERS.match(value).end():  # "und Interview: …" is a fragment
        return False
    parts = [p for p in JOINERS.split(value) if p and p.strip()]
    return bool(parts) and len(parts) <= 8 and all(_one_name(p.strip()) for p in parts)


def best(candidates) -> str | None:
    """The first candidate that, cleaned, looks like names. Candidates are strings, or
    (string, glued_dates) pairs for text that other tools already cut up."""
    for raw in candidates:
        raw, glued = raw if isinstance(raw, tuple) else (raw, False)
        name = clean(raw, glued)
        if name and looks_like_names(name):
            return name
    return None
