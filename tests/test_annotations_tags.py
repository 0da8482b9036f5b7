"""Tags, notes and search as functions and as `pagekeep tag/untag/note/search/serve`."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from typer.testing import CliRunner

import archive_factory as factory
from annotations import search, tags
from annotations.display import safe_local_path, sanitize_article_html, text_as_html
from capture import store
from capture.cli import app

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def db(tmp_path):
    archive = factory.build(tmp_path / "t.db", 4)
    yield archive
    archive.conn.close()


def test_add_and_remove_tags(db):
    assert tags.add_tags(db, 1, ["Climate", "floods, rivers"]) == 3
    assert tags.add_tags(db, [1, 2], "climate") == 1  # reuses "Climate", 1 already had it
    assert tags.tags_for(db, 1) == ["Climate", "floods", "rivers"]
    assert tags.tags_for_many(db, [1, 2, 3]) == {1: ["Climate", "floods", "rivers"], 2: ["Climate"]}
    assert tags.all_tags(db)[0] == {"name": "Climate", "count": 2}
    assert tags.remove_tags(db, [1, 2], "CLIMATE") == 2
    assert tags.remove_tags(db, 1, "never-used") == 0
    assert [t["name"] for t in tags.all_tags(db)] == ["floods", "rivers"]
    # a tag nobody uses any more is gone, so autocomplete only offers live tags
    assert db.conn.execute("select count(*) from tags where name = 'Climate'").fetchone()[0] == 0


def test_tag_input_is_checked(db):
    with pytest.raises(tags.AnnotationError):
        tags.add_tags(db, 1, [" ", ","])
    with pytest.raises(tags.AnnotationError):
        tags.add_tags(db, 1, "x" * 65)
    assert tags.parse_tags(["  new\n york ", "a,b", "A"]) == ["new york", "a", "b"]
    with pytest.raises(tags.NoSuchArticle) as err:
        tags.add_tags(db, [1, 99], "x")
    assert "99" in str(err.value)
    assert tags.tags_for(db, 1) == []  # nothing half-done


def test_notes(db):
    note_id = tags.add_note(db, 2, "Worth a follow-up", quote="  council\n budget ", author="ana")
    tags.add_note(db, 2, "", quote="only a highlight")
    notes = tags.notes_for(db, 2)
    assert [n["id"] for n in notes][0] == note_id
    assert notes[0]["quote"] == "council budget" and notes[0]["author"] == "ana" and notes[0]["created_at"]
    assert notes[1]["body"] == "" and notes[1]["quote"] == "only a highlight"
    with pytest.raises(tags.AnnotationError):
        tags.add_note(db, 2, "  ", quote=None)
    with pytest.raises(tags.NoSuchArticle):
        tags.add_note(db, 42, "hello")
    assert tags.delete_note(db, note_id, article_id=3) is False
    assert tags.delete_note(db, note_id) is True
    assert len(tags.notes_for(db, 2)) == 1


def test_writes_queue_behind_a_running_capture(tmp_path):
    """A tag write waits for another writer's transaction instead of failing."""
    path = tmp_path / "busy.db"
    factory.build(path, 1).conn.close()
    other = store.connect(path)
    mine = store.connect(path)
    other.conn.execute("BEGIN IMMEDIATE")
    other.conn.execute("insert into tags (name) values ('held')")
    timer = threading.Timer(0.5, lambda: other.conn.execute("COMMIT"))
    timer.start()
    assert tags.add_tags(mine, 1, "queued") == 1
    timer.join()
    assert sorted(r[0] for r in mine.conn.execute("select name from tags")) == ["held", "queued"]


def test_search_ranks_titles_and_tolerates_any_input(db):
    store.save_capture(db, factory.record(10, title="Harbour strike ends"), [], None,
                       {"url": "https://x.example/10", "started_at": "2025-01-01T00:00:00Z", "seconds": 1})
    results = search.search(db, "harbour")
    assert results[0]["title"] == "Harbour strike ends"
    body_word = factory.record(2)["text"].split()[4].strip(".,")
    assert any(f"[{body_word.lower()}]" in r["snippet"].lower() for r in search.search(db, body_word))
    assert search.search(db, "harb*")[0]["title"] == "Harbour strike ends"
    assert search.search(db, 'harbour "strike ends" NOT zebra')[0]["title"] == "Harbour strike ends"
    # not valid FTS5 syntax: searched word by word instead of failing
    assert search.search(db, "harbour's") == []
    assert search.search(db, '"harbour') [0]["title"] == "Harbour strike ends"
    assert search.search(db, "   ") == []


def test_display_helpers():
    assert sanitize_article_html('<p onclick="x()">a<script>b</script></p>') == "<p>a</p>"
    assert 'href="https://site.example/b"' in sanitize_article_html('<a href="/b">b</a>', "https://site.example/a")
    assert "href" not in sanitize_article_html('<a href="/b">b</a>', "javascript:alert(1)")
    assert text_as_html("one\n\n<b>two</b>") == "<p>one</p>\n<p>&lt;b&gt;two&lt;/b&gt;</p>"
    assert safe_local_path("/db/articles?x=1", "/d") == "/db/articles?x=1"
    for bad in ("//evil.example", "https://evil.example", "/\\evil", "javascript:x", "", None):
        assert safe_local_path(bad, "/d") == "/d"


# ------------------------------------------------------------------ CLI

def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def test_cli_tag_untag_note_search(tmp_path):
    path = tmp_path / "cli.db"
    factory.build(path, 3).conn.close()
    code, out = run("tag", 2, "elections", "eu, budget", "--db", path)
    assert code == 0 and out.strip() == "article 2: 3 tags added; tags: budget, elections, eu"
    code, out = run("untag", 2, "eu", "--db", path)
    assert code == 0 and "1 tag removed; tags: budget, elections" in out
    code, out = run("note", 2, "Follow up with the council", "--quote", "budget vote", "--author", "ana", "--db", path)
    assert code == 0 and "note 1 added" in out
    conn = sqlite3.connect(path)
    assert conn.execute("select body, quote, author from notes").fetchall() == [
        ("Follow up with the council", "budget vote", "ana")]
    conn.close()
    title = factory.record(1)["title"]
    word = title.split()[-1]
    code, out = run("search", word, "--db", path)
    assert code == 0 and title in out
    code, out = run("search", word, "--json", "--db", path)
    assert any(json.loads(line)["title"] == title for line in out.splitlines())


def test_serve_refuses_a_busy_port(tmp_path):
    import socket

    from annotations.serve import ServeError, serve

    factory.build(tmp_path / "s.db", 1).conn.close()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        with pytest.raises(ServeError, match="already in use"):
            serve(tmp_path / "s.db", port=busy.getsockname()[1], open_message=False)


async def test_served_connections_do_not_wait_for_delayed_acks():
    """pagekeep serve's connections have TCP_NODELAY, as asyncio gives TCP sockets: a response
    written in two parts would otherwise wait ~40 ms for the browser's delayed ACK."""
    import asyncio
    import socket

    from annotations.serve import bind_socket

    loop = asyncio.get_running_loop()
    nodelay = loop.create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport):
            nodelay.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    sock = bind_socket("127.0.0.1", 0)
    server = await loop.create_server(Probe, sock=sock)
    try:
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        assert await asyncio.wait_for(nodelay, 10)
        writer.close()
    finally:
        server.close()


def test_cli_errors_are_one_line(tmp_path):
    path = tmp_path / "cli.db"
    factory.build(path, 1).conn.close()
    code, out = run("tag", 99, "x", "--db", path)
    assert code == 1 and "no article with id 99" in out
    code, out = run("note", 1, "--db", path)
    assert code == 1 and "needs some text" in out
    code, out = run("tag", 1, "x", "--db", tmp_path / "missing.db")
    assert code == 1 and "no archive at" in out
    assert not (tmp_path / "missing.db").exists()
    code, out = run("serve", "--db", tmp_path / "missing.db", "--port", 0)
    assert code == 1 and "no archive at" in out
    code, out = run("tag", "--db", path)
    assert code == 2
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.commit()
    code, out = run("serve", "--db", other, "--port", 0)
    assert code == 1 and "not a pagekeep archive" in out
    code, out = run("tag", 1, "x", "--db", other)
    assert code == 1 and "not a pagekeep archive" in out
    assert [r[0] for r in sqlite3.connect(other).execute("select name from sqlite_master")] == ["t"]
