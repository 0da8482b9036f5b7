"""Carry notes and highlights from one capture of an article to the next.

A note that quotes a passage follows it to the new capture when the passage
is still there: exactly (every word of it survived the edit, in place, or
moved with the same words around it), or fuzzily (the passage was edited, the
edited stretch is still alike above FUZZY_FLOOR and the words around it
mostly agree). Otherwise it is orphaned: listed, never attached to a lookalike
passage elsewhere. Where a passage sits in the new text comes from the diff
(capture/diff.py), not from searching for similar text, which is what keeps
a note off lookalikes. Notes without a quote are about the whole article and
always follow it.

Runs inside the caller's write transaction (a watch check stores the new
capture, the change and the carried notes atomically).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from capture.diff import TextDiff, normalize

from .highlights import CONTEXT, anchor, occurrences, resolve

FUZZY_FLOOR = 0.75    # token similarity an edited passage needs to keep its note
CONTEXT_FLOOR = 0.5   # ... and the words around it (before and after, on average)


def _similar(a: str, b: str) -> float:
    ka, kb = normalize(a).split(), normalize(b).split()
    if not ka and not kb:
        return 1.0
    return SequenceMatcher(None, ka, kb, autojunk=False).ratio()


def context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]


def touches(diff: TextDiff, start: int, end: int) -> bool:
    """Does any edit overlap old[start:end] (an insertion strictly inside it counts)?"""
    for op in diff.ops:
        a0, a1 = op["a"]
        if a0 == a1 and start < a0 < end or a0 < end and a1 > start and a0 != a1:
            return True
    return False


def place(diff: TextDiff, note: dict) -> dict:
    """Where a note of the old capture belongs in the new one: a dict with status
    exact | fuzzy | orphaned | article | unanchored, the new span, score and affected."""
    old, new = diff.old, diff.new
    if not note.get("quote"):
        return {"status": "article" if note.get("kind") in (None, "", "note") else "kept", "affected": False}
    span = resolve(old, note)
    if span is None:
        return {"status": "unanchored", "affected": False}
    s, e = span
    prefix, suffix = (note.get("prefix") or None, note.get("suffix") or None)
    if prefix is None and suffix is None:
        prefix, suffix = context(old, s, e)
    affected = touches(diff, s, e)
    mapped, intact = diff.map_span(s, e)
    if mapped and intact and not affected:
        return {"status": "exact", "span": mapped, "score": 1.0, "affected": False}
    if mapped:
        ns, ne = mapped
        score = _similar(old[s:e], new[ns:ne])
        near_before, near_after = context(new, ns, ne)
        agrees = (_similar(near_before[-len(prefix):] if prefix else "", prefix or "")
                  + _similar(near_after[:len(suffix or "")], suffix or "")) / 2 >= CONTEXT_FLOOR
        if score >= FUZZY_FLOOR and agrees:
            return {"status": "fuzzy", "span": mapped, "score": round(score, 3), "affected": True}
    # Moved, not edited: the same words with the same words around them, once.
    moved = [sp for sp in occurrences(new, note["quote"])
             if normalize(context(new, *sp)[0]) == normalize(prefix or "")
             and normalize(context(new, *sp)[1]) == normalize(suffix or "")]
    if len(moved) == 1:
        return {"status": "exact", "span": moved[0], "score": 1.0, "affected": False}
    score = _similar(old[s:e], new[mapped[0]:mapped[1]]) if mapped else 0.0
    return {"status": "orphaned", "score": round(score, 3), "affected": True}


NOTE_COLUMNS = ("id", "article_id", "body", "quote", "created_at", "author", "kind", "pos_start", "pos_end",
                "prefix", "suffix", "color", "region")


def carry_notes(conn, change_id: int, old_id: int, new_id: int, diff: TextDiff) -> list[dict]:
    """Copy the old capture's notes that still apply to the new capture; record every decision in note_carries."""
    have = {r[1] for r in conn.execute("pragma table_info(notes)")}
    cols = [c for c in NOTE_COLUMNS if c in have]
    rows = conn.execute(f"select {', '.join(cols)} from notes where article_id = ? order by id", [old_id]).fetchall()
    results = []
    for row in rows:
        note = dict(zip(cols, row))
        where = place(diff, note)
        new_note_id, new_quote = None, None
        if where["status"] in ("exact", "fuzzy", "article"):
            copy = {c: note.get(c) for c in cols if c not in ("id", "article_id")}
            copy.update(article_id=new_id, carried_from=note["id"])
            if "span" in where:
                anchored = anchor(diff.new, *where["span"])
                new_quote = anchored["quote"]
                copy.update({k: v for k, v in anchored.items() if k in have})
            names = list(copy)
            new_note_id = conn.execute(
                f"insert into notes ({', '.join(names)}) values ({', '.join('?' * len(names))})",
                [copy[n] for n in names]).lastrowid
        conn.execute(
            "insert into note_carries (change_id, old_note_id, new_note_id, status, score, affected, quote, new_quote) "
            "values (?, ?, ?, ?, ?, ?, ?, ?)",
            [change_id, note["id"], new_note_id, where["status"], where.get("score"), int(where["affected"]),
             note.get("quote"), new_quote])
        results.append({"note_id": note["id"], "new_note_id": new_note_id, **where})
    return results


def carry_tags(conn, old_id: int, new_id: int) -> int:
    """Tags describe the article, not one capture of it: the new capture gets the old one's tags."""
    return conn.execute("insert or ignore into article_tags (article_id, tag_id) "
                        "select ?, tag_id from article_tags where article_id = ?", [new_id, old_id]).rowcount
