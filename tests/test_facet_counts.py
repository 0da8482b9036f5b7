"""Kept facet counts (capture/facet_counts.py): the triggers keep them equal to
a recount through captures, tagging, edits and deletes, and an archive made
before them gets them, counted once, when it is opened."""

from __future__ import annotations

import sqlite3

import pytest

import archive_factory as factory
from annotations import tags
from capture import facet_counts, store


def kept(db) -> list[tuple]:
    return sorted(db.execute("select * from facet_counts where n != 0").fetchall())


def recounted(db) -> list[tuple]:
    """The counts of a copy of the archive, counted afresh."""
    copy = sqlite3.connect(":memory:")
    db.conn.backup(copy)
    facet_counts.rebuild(copy)
    return sorted(copy.execute("select * from facet_counts").fetchall())


@pytest.fixture
def db(tmp_path):
    d = factory.build(tmp_path / "a.db", 9, shots=False)
    yield d
    d.conn.close()


def value(db, facet, val, by=("", "")):
    row = db.execute("select n from facet_counts where by_facet = ? and by_value = ? and facet = ? and value = ?",
                     [*by, facet, str(val)]).fetchone()
    return row[0] if row else 0


def test_captures_are_counted_as_they_are_stored(db):
    assert value(db, "", "") == 9
    assert value(db, "site", "Coastal Times") == 3
    assert value(db, "lang", "de", by=("site", "Riverside Herald")) == 1  # story 0
    assert kept(db) == recounted(db)


def test_tagging_and_untagging_move_the_counts(db):
    tags.add_tags(db, [1, 2, 3], ["climate"])
    tags.add_tags(db, [2, 4], ["floods"])
    climate = db.execute("select id from tags where name = 'climate'").fetchone()[0]
    floods = db.execute("select id from tags where name = 'floods'").fetchone()[0]
    assert value(db, "tag", climate) == 3 and value(db, "tagged", 1) == 4
    assert value(db, "tag", floods, by=("tag", str(climate))) == 1
    tags.remove_tags(db, [2], ["climate", "floods"])
    assert value(db, "tag", climate) == 2 and value(db, "tagged", 1) == 3
    assert kept(db) == recounted(db)


def test_edits_and_deletes_keep_the_counts_right(db):
    tags.add_tags(db, [2, 5], ["climate"])
    with store.write_transaction(db):
        db.execute("update articles set site_name = 'Elsewhere', captured_at = '2025-05-01T08:00:00Z' where id = 2")
        for table in ("attempts", "rendered_pages", "screenshots"):
            db.execute(f"delete from {table} where article_id = 5")
        db.execute("delete from articles where id = 5")
    assert value(db, "", "") == 8 and value(db, "site", "Elsewhere") == 1
    assert db.execute("select count(*) from article_tags where article_id = 5").fetchone()[0] == 0
    assert kept(db) == recounted(db)


def test_an_archive_made_before_kept_counts_gets_them_when_opened(tmp_path):
    path = tmp_path / "old.db"
    db = factory.build(path, 5, shots=False)
    tags.add_tags(db, [1, 2], ["climate"])
    with store.write_transaction(db):  # what an archive from before kept counts looks like
        for (name,) in db.execute("select name from sqlite_master where type = 'trigger' and name like 'facet%'").fetchall():
            db.execute(f"drop trigger {name}")
        db.execute("drop table facet_counts")
    db.conn.close()
    reopened = store.connect(path)
    assert value(reopened, "", "") == 5 and value(reopened, "tagged", 1) == 2
    assert kept(reopened) == recounted(reopened)
    assert not store.ensure_facet_counts(reopened)  # once
