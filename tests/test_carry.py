"""Notes follow their passage to the next capture: exactly, fuzzily, or not at all (orphaned)."""

from __future__ import annotations

import pytest

from annotations import tags
from annotations.carry import carry_notes, place
from capture import store
from capture.diff import diff_texts
from capture.watch_store import ensure_watch_schema

OLD = ("The harbour council voted on Monday night to build a tidal barrier.\n\n"
       "Work is expected to begin in the spring and to last three years.\n\n"
       "Fishermen fear the gates will trap silt in the channel.\n\n"
       "The mayor said the town could not wait for a perfect answer.")


def note(quote, **kw):
    return {"id": 1, "quote": quote, **kw}


def test_a_note_on_an_untouched_passage_carries_over_exactly():
    new = OLD.replace("spring", "autumn")
    where = place(diff_texts(OLD, new), note("The mayor said the town could not wait"))
    assert where["status"] == "exact" and not where["affected"]
    assert new[slice(*where["span"])] == "The mayor said the town could not wait"


def test_a_note_on_a_lightly_edited_sentence_follows_it_and_is_affected():
    new = OLD.replace("spring", "autumn")
    where = place(diff_texts(OLD, new), note("Work is expected to begin in the spring and to last three years."))
    assert where["status"] == "fuzzy" and where["affected"]
    assert new[slice(*where["span"])] == "Work is expected to begin in the autumn and to last three years."


def test_a_note_on_a_rewritten_sentence_is_orphaned():
    new = OLD.replace("Work is expected to begin in the spring and to last three years.",
                      "Nobody can say when building starts.")
    where = place(diff_texts(OLD, new), note("Work is expected to begin in the spring"))
    assert where["status"] == "orphaned" and where["affected"]


def test_a_note_is_never_attached_to_a_lookalike_elsewhere():
    # The noted sentence is deleted; an identical sentence survives in another context.
    old = OLD + "\n\nAt the end: Fishermen fear the gates will trap silt in the channel."
    new = old.replace("Fishermen fear the gates will trap silt in the channel.\n\n", "")
    where = place(diff_texts(old, new), note("Fishermen fear the gates will trap silt", pos_start=old.index("Fishermen"),
                                            pos_end=old.index("Fishermen") + len("Fishermen fear the gates will trap silt")))
    assert where["status"] == "orphaned"


def test_a_moved_paragraph_keeps_its_note_exactly():
    paras = OLD.split("\n\n")
    new = "\n\n".join([paras[0], paras[2], paras[1], paras[3]])
    where = place(diff_texts(OLD, new), note("Work is expected to begin in the spring"))
    assert where["status"] == "exact"
    assert new[slice(*where["span"])] == "Work is expected to begin in the spring"


def test_a_note_without_a_quote_is_about_the_whole_article_and_follows_it():
    assert place(diff_texts(OLD, OLD + " More."), note(None))["status"] == "article"


@pytest.fixture
def archive(tmp_path):
    db = store.connect(tmp_path / "a.db")
    ensure_watch_schema(db)
    yield db
    db.close()


def test_carried_notes_are_new_rows_on_the_new_capture_and_every_decision_is_recorded(archive):
    new_text = OLD.replace("spring", "autumn").replace("Fishermen fear the gates will trap silt in the channel.",
                                                      "Fishermen are pleased.")
    ids = [store.save_capture(archive, {"url": "https://news.test/a", "text": t, "captured_at": store.utcnow()},
                              [], None, {"url": "https://news.test/a", "started_at": store.utcnow()})
           for t in (OLD, new_text)]
    kept = tags.add_note(archive, ids[0], "mayor", quote="could not wait for a perfect answer", author="ann")
    edited = tags.add_note(archive, ids[0], "dates", quote="begin in the spring and to last three years")
    gone = tags.add_note(archive, ids[0], "silt", quote="trap silt in the channel")
    with store.write_transaction(archive):
        change_id = archive["changes"].insert({"url": "https://news.test/a", "old_id": ids[0], "new_id": ids[1]}).last_pk
        results = carry_notes(archive.conn, change_id, ids[0], ids[1], diff_texts(OLD, new_text))
    assert {r["note_id"]: r["status"] for r in results} == {kept: "exact", edited: "fuzzy", gone: "orphaned"}
    carried = {n["body"]: n for n in tags.notes_for(archive, ids[1])}
    assert set(carried) == {"mayor", "dates"}
    assert carried["mayor"]["quote"] == "could not wait for a perfect answer" and carried["mayor"]["author"] == "ann"
    assert carried["dates"]["quote"] == "begin in the autumn and to last three years"
    rows = archive.execute("select old_note_id, affected from note_carries order by old_note_id").fetchall()
    assert rows == [(kept, 0), (edited, 1), (gone, 1)]
