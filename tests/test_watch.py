"""Watching one article through five versions, end to end: real Chromium, the real CLI, real SQLite, real Datasette.

The fixture (tests/watch_routes.py, tests/site/watch/) serves, in turn: v1;
v2, which rewrites the headline, changes one sentence and inserts a paragraph
near the top while its modified date stays; v3, the same as v2; v4, the story
behind a pay-or-accept consent wall pagekeep cannot pass; v5, a 404. On every
request the server rotates an advertisement and ticks a "N minutes ago"
label, so no two responses are byte-identical.
"""

from __future__ import annotations

import io
import json
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import sqlite_utils
from PIL import Image

from annotations import tags
from annotations.serve import make_datasette, prepare_archive
from capture import store
from capture.diff import tokenize
from capture.localsite import Site
from watch_routes import EDITED, ELSEWHERE, INSERTED, PATH, SITE, StoryServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ATOM = "{http://www.w3.org/2005/Atom}"


def pagekeep(*args, timeout=150):
    r = subprocess.run([sys.executable, "-m", "capture.cli", *args], capture_output=True, text=True, timeout=timeout)
    return r


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    """Capture v1, note it twice, tag it; then `pagekeep watch URL --once` once per later version."""
    tmp = tmp_path_factory.mktemp("watch")
    db = tmp / "archive.db"
    hook_out = tmp / "hook.jsonl"
    hook = tmp / "hook.py"
    hook.write_text("import json, os, sys\n"
                    "with open(sys.argv[1], 'a') as fh:\n"
                    "    fh.write(json.dumps({k: v for k, v in os.environ.items() if k.startswith('PAGEKEEP_')}) + '\\n')\n")
    server = StoryServer()
    site = Site(SITE, routes={PATH: server}).start()
    try:
        url = site.url("watch/story.html")
        first = pagekeep("capture", url, "--db", str(db))
        assert first.returncode == 0, first.stderr
        archive = store.connect(db)
        notes = {name: tags.add_note(archive, 1, f"note on the {name} passage", quote=quote)
                 for name, quote in (("edited", EDITED[0]), ("elsewhere", ELSEWHERE))}
        tags.add_tags(archive, 1, ["harbour"])
        archive.close()
        runs = {}
        for version in ("v2", "v3", "v4", "v5"):
            server.version = version
            runs[version] = pagekeep("watch", url, "--once", "--json", "--db", str(db),
                                     "--on-change", shlex.join([sys.executable, str(hook), str(hook_out)]))
        yield {"db": db, "url": url, "runs": runs, "notes": notes, "hook_out": hook_out, "served": server.served}
    finally:
        site.stop()


def query(db, sql, params=()):
    return list(sqlite_utils.Database(db).query(sql, params))


def the_change(watched):
    (change,) = query(watched["db"], "select * from changes")
    return change


def test_each_watch_run_succeeds_with_one_json_line_per_check(watched):
    for version, run in watched["runs"].items():
        assert run.returncode == 0, (version, run.stderr)
        assert len(run.stdout.strip().splitlines()) == 1, (version, run.stdout)


def test_the_four_checks_are_changed_same_suspect_gone(watched):
    outcomes = [r["outcome"] for r in query(watched["db"], "select outcome from checks order by id")]
    assert outcomes == ["changed", "same", "suspect", "gone"]
    assert [json.loads(r.stdout)["outcome"] for r in watched["runs"].values()] == outcomes


def test_the_served_pages_really_differed_between_v2_and_v3(watched):
    # The ad and the relative time change on every request, so "same" had something to ignore.
    (v2,), (v3,) = watched["served"]["v2"], watched["served"]["v3"]
    assert v2 != v3


def test_exactly_one_change_flagged_headline_and_stealth(watched):
    change = the_change(watched)
    assert (change["old_id"], change["new_id"]) == (1, 2)
    assert change["title_changed"] == 1 and change["stealth"] == 1 and change["body_changed"] == 1
    assert change["byline_changed"] == change["published_changed"] == change["modified_changed"] == 0


def test_the_change_word_edits_are_exactly_the_edited_tokens(watched):
    change = the_change(watched)
    old, new = (r["text"] for r in query(watched["db"], "select text from articles where id in (1, 2) order by id"))
    ops = json.loads(change["diff"])["ops"]

    def tokens(text, spans):
        return [text[s + t.start:s + t.end] for s, e in spans for t in tokenize(text[s:e])]

    assert tokens(old, [o["a"] for o in ops]) == ["spring", "three"]
    assert tokens(new, [o["b"] for o in ops]) == [INSERTED[t.start:t.end] for t in tokenize(INSERTED)] + ["autumn", "four"]
    assert (change["words_added"], change["words_removed"], change["paragraphs_added"]) == (22, 2, 1)


def test_the_same_check_and_the_broken_ones_store_no_article(watched):
    assert query(watched["db"], "select count(*) as n from articles")[0]["n"] == 2
    same, suspect, gone = query(watched["db"], "select * from checks where outcome != 'changed' order by id")
    assert same["article_id"] == 2 and same["fingerprint"]
    assert suspect["article_id"] is None and "consent wall" in suspect["reason"]
    assert gone["article_id"] is None and gone["status_code"] == 404


def test_the_visual_diff_holds_the_two_changed_blocks_side_by_side(watched):
    blocks = query(watched["db"], "select * from change_blocks order by idx")
    assert len(blocks) == 2 and the_change(watched)["blocks"] == 2
    inserted, edited = blocks
    assert inserted["old_box"] is None and inserted["new_box"]           # only in the new version
    assert edited["old_box"] and edited["new_box"]
    for block in blocks:
        img = Image.open(io.BytesIO(block["image"]))
        assert (img.width, img.height) == (block["width"], block["height"])
        assert img.width > 2 * int(block["new_box"].split(",")[2]) * 0.75   # two sides
        assert 30 < img.height < 200                                       # one paragraph, not the page


def test_a_note_on_the_edited_sentence_is_affected_and_one_elsewhere_carries_over_exactly(watched):
    carried = {r["old_note_id"]: r for r in query(watched["db"], "select * from note_carries")}
    edited, elsewhere = carried[watched["notes"]["edited"]], carried[watched["notes"]["elsewhere"]]
    assert edited["affected"] == 1 and edited["status"] in ("fuzzy", "orphaned")
    assert elsewhere["affected"] == 0 and elsewhere["status"] == "exact"
    (copy,) = query(watched["db"], "select * from notes where id = ?", [elsewhere["new_note_id"]])
    assert copy["article_id"] == 2 and copy["quote"] == ELSEWHERE and copy["body"] == "note on the elsewhere passage"
    new_text = query(watched["db"], "select text from articles where id = 2")[0]["text"]
    assert new_text[copy["pos_start"]:copy["pos_end"]] == ELSEWHERE


def test_the_on_change_command_ran_once_with_the_details_in_its_environment(watched):
    (env,) = [json.loads(line) for line in watched["hook_out"].read_text().splitlines()]
    assert env["PAGEKEEP_URL"] == watched["url"]
    assert (env["PAGEKEEP_OLD_ID"], env["PAGEKEEP_NEW_ID"]) == ("1", "2")
    assert env["PAGEKEEP_STEALTH"] == "1" and env["PAGEKEEP_TITLE_CHANGED"] == "1" and env["PAGEKEEP_BYLINE_CHANGED"] == "0"
    assert json.loads(env["PAGEKEEP_CHANGE_JSON"])["new_title"].startswith("Harbour council narrowly backs")


def test_changes_json_lists_the_change_with_boolean_flags_identically_twice(watched):
    first, second = (pagekeep("changes", "--json", "--db", str(watched["db"])) for _ in range(2))
    assert first.returncode == 0 and first.stdout == second.stdout
    (change,) = json.loads(first.stdout)
    assert {k: change[k] for k in ("url", "old_id", "new_id")} == {"url": watched["url"], "old_id": 1, "new_id": 2}
    assert {k: change[k] for k in ("title_changed", "byline_changed", "published_changed", "modified_changed",
                                   "body_changed", "stealth")} == {
        "title_changed": True, "byline_changed": False, "published_changed": False, "modified_changed": False,
        "body_changed": True, "stealth": True}


def test_running_the_diff_twice_gives_identical_json(watched):
    first, second = (pagekeep("diff", "1", "2", "--json", "--db", str(watched["db"])) for _ in range(2))
    assert first.returncode == 0 and first.stdout == second.stdout
    assert json.loads(first.stdout)["text"]["ops"] == json.loads(the_change(watched)["diff"])["ops"]


@pytest.fixture(scope="module")
def ds(watched):
    prepare_archive(watched["db"])
    return make_datasette(watched["db"])


async def test_the_atom_feed_has_one_entry_for_the_one_change(ds, watched):
    for query_string in ("", "?tag=harbour", "?url=" + watched["url"]):
        r = await ds.client.get(f"/-/pagekeep/archive/changes.atom{query_string}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
        entries = ET.fromstring(r.content).findall(f"{ATOM}entry")
        assert len(entries) == 1, query_string
        assert entries[0].find(f"{ATOM}title").text.startswith("Harbour council narrowly backs")
    r = await ds.client.get("/-/pagekeep/archive/changes.atom?tag=no-such-tag")
    assert ET.fromstring(r.content).findall(f"{ATOM}entry") == []


async def test_the_diff_page_shows_headline_redline_crops_and_affected_notes(ds, watched):
    change_id = the_change(watched)["id"]
    r = await ds.client.get(f"/-/pagekeep/archive/changes/{change_id}")
    assert r.status_code == 200 and "content-security-policy" in r.headers
    html = r.text
    assert "<del>approves</del><ins>narrowly backs</ins>" in html
    assert "<del>spring</del><ins>autumn</ins>" in html and f"<ins>{INSERTED}</ins>" in html
    assert html.count(f'/-/pagekeep/archive/changes/{change_id}/blocks/') == 2
    assert "stealth edit" in html and "affected" in html and "note on the edited passage" in html
    img = await ds.client.get(f"/-/pagekeep/archive/changes/{change_id}/blocks/0")
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"


async def test_the_record_page_shows_the_versions_timeline(ds, watched):
    html = (await ds.client.get("/archive/articles/2")).text
    assert 'id="pk-versions-h"' in html and "stealth edit" in html
    for outcome in ("checked, unchanged", "suspect", "gone"):
        assert outcome in html


async def test_the_canned_queries_find_the_stealth_edit_headline_change_and_removal(ds, watched):
    async def rows(name):
        r = await ds.client.get(f"/archive/{name}.json?_shape=objects")
        assert r.status_code == 200, r.text
        return r.json()["rows"]

    assert [r["change"] for r in await rows("stealth_edits")] == [the_change(watched)["id"]]
    assert [r["new_title"][:30] for r in await rows("headline_changes")] == ["Harbour council narrowly backs"]
    assert [r["url"] for r in await rows("removed_articles")] == [watched["url"]]
    assert [(r["url"], r["changes"]) for r in await rows("most_edited")] == [(watched["url"], 1)]
