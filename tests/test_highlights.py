"""Highlights as functions and as `pagekeep highlight`: anchors, boxes, and the text-box record.

No browser here: archives are built with archive_factory and text boxes come
from capture.text_boxes.build_row fed what the browser script returns
(tests/test_highlights_capture.py does the same end to end in Chromium).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import archive_factory as factory
from annotations import highlights, tags
from annotations.highlight_view import paragraph_spans, text_with_highlights
from capture import store
from capture.cli import app
from capture.text_boxes import build_row, drift_of

pytestmark = pytest.mark.timeout(60)

PARAS = [
    "Flags 🇵🇹 and 👍🏽 come first, then שלום עולם in Hebrew.",
    "Then the tidal barrier held against the spring surge at dawn, the first time.",
    "Later the tidal barrier held against the spring surge at dawn again.",
]
TEXT = "\n\n".join(PARAS)
QUOTE = "the tidal barrier held against the spring surge at dawn"


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def words_of(paragraph: str, x0: float, y0: float, per_line: int = 5, char_w: float = 8.0, line_h: float = 20.0):
    """What js/text_boxes.js returns for a paragraph laid out `per_line` words a line: UTF-16 offsets."""
    out, pos, col, row = [], 0, 0, 0
    for word in paragraph.split(" "):
        start = utf16_len(paragraph[:pos])
        end = start + utf16_len(word)
        if col == per_line:
            col, row = 0, row + 1
        out.append([start, end, x0 + col * 60.0, y0 + row * line_h, len(word) * char_w, line_h - 2])
        col += 1
        pos += len(word) + 1
    return out


@pytest.fixture
def db(tmp_path):
    archive = factory.build(tmp_path / "h.db", 2)
    aid = factory.add_article(archive, 7, paragraphs=PARAS)
    raw = {"paras": [{"w": words_of(p, 100, 500 + 200 * i)} for i, p in enumerate(PARAS)], "words": 40, "scale": 1}
    shots = [{"kind": "page", "width": 1280, "height": 2400}, {"kind": "article", "width": 800, "height": 1100}]
    row = build_row(raw, PARAS, shots, {"x": 90.5, "y": 480.2, "width": 800, "height": 1100}, [])
    archive["text_boxes"].insert({**row, "article_id": aid})
    archive.aid = aid
    yield archive
    archive.conn.close()


def note(db, note_id):
    return next(n for n in highlights.notes_with_anchors(db) if n["id"] == note_id)


def test_the_second_occurrence_is_anchored_exactly(db):
    nid = highlights.add_highlight(db, db.aid, quote=QUOTE, occurrence=2, color="pink", note="again")
    n = note(db, nid)
    assert TEXT[n["pos_start"]:n["pos_end"]] == n["quote"] == QUOTE
    assert n["pos_start"] == TEXT.index(QUOTE, TEXT.index(QUOTE) + 1)
    assert (n["kind"], n["color"], n["body"]) == ("highlight", "pink", "again")
    assert TEXT.endswith(n["prefix"] + n["quote"] + n["suffix"], 0, n["pos_end"] + len(n["suffix"]))
    assert len(n["prefix"]) == highlights.CONTEXT


def test_offsets_count_code_points_not_utf16_units(db):
    nid = highlights.add_highlight(db, db.aid, quote="Hebrew")
    n = note(db, nid)
    assert n["pos_start"] == TEXT.index("Hebrew")  # emoji before it count once each
    assert utf16_len(TEXT[:n["pos_start"]]) > n["pos_start"]


def test_a_repeated_quote_without_occurrence_is_refused(db):
    with pytest.raises(highlights.AmbiguousQuote, match="occurs 2 times"):
        highlights.add_highlight(db, db.aid, quote=QUOTE)


def test_a_missing_quote_or_occurrence_is_refused(db):
    with pytest.raises(highlights.QuoteNotFound):
        highlights.add_highlight(db, db.aid, quote="not in this article")
    with pytest.raises(highlights.QuoteNotFound, match="no occurrence 3"):
        highlights.add_highlight(db, db.aid, quote=QUOTE, occurrence=3)


def test_a_quote_matches_across_white_space_differences(db):
    nid = highlights.add_highlight(db, db.aid, quote="the first time.\nLater   the tidal")
    assert note(db, nid)["quote"] == "the first time.\n\nLater the tidal"


def test_offsets_are_trimmed_of_white_space_and_checked(db):
    s = TEXT.index("Later") - 2
    nid = highlights.add_highlight(db, db.aid, start=s, end=s + 8)
    assert note(db, nid)["quote"] == "Later"
    with pytest.raises(tags.AnnotationError):
        highlights.add_highlight(db, db.aid, start=5, end=len(TEXT) + 1)
    with pytest.raises(tags.AnnotationError, match="unknown colour"):
        highlights.add_highlight(db, db.aid, quote="Hebrew", color="chartreuse")


def test_resolve_finds_the_passage_again_by_its_context_when_positions_no_longer_hold(db):
    nid = highlights.add_highlight(db, db.aid, quote=QUOTE, occurrence=2)
    n = note(db, nid)
    shifted = "A new first paragraph.\n\n" + TEXT
    s, e = highlights.resolve(shifted, n)
    assert shifted[s:e] == QUOTE and s == n["pos_start"] + len("A new first paragraph.\n\n")


def test_plain_notes_keep_working_beside_highlights(db):
    nid = tags.add_note(db, db.aid, "a plain note", quote="some   quoted\ntext")
    highlights.add_highlight(db, db.aid, quote="Hebrew")
    plain = note(db, nid)
    assert (plain["kind"], plain["quote"], plain["pos_start"]) == ("note", "some quoted text", None)
    assert [n["body"] for n in tags.notes_for(db, db.aid)][0] == "a plain note"
    assert highlights.note_boxes(db, plain) == []


def test_a_highlight_gets_one_box_per_drawn_line(db):
    nid = highlights.add_highlight(db, db.aid, quote=QUOTE, occurrence=1)
    boxes = highlights.note_boxes(db, note(db, nid))
    # paragraph 2 is laid out five words a line: the quote starts at its second word and
    # ends with the first word of the third line
    assert [b["kind"] for b in boxes] == ["line", "line", "line"]
    assert [b["y"] for b in boxes] == [700, 720, 740]
    assert boxes[0]["x"] == 160 and boxes[2] == {"kind": "line", "x": 100, "y": 740, "w": 40, "h": 18}


def test_boxes_are_clipped_to_the_screenshot(db):
    boxes = highlights.load_boxes(db, db.aid)
    boxes["shot_height"] = 705
    clipped = highlights.boxes_for(boxes, TEXT.index("Then the"), TEXT.index("Then the") + 8)
    assert clipped == [{"kind": "line", "x": 100, "y": 700, "w": 84, "h": 5}]


def test_unmatched_paragraphs_are_block_boxes_marked_as_such():
    raw = {"paras": [{"w": [[0, 3, 10, 10, 30, 18]]}, {"b": [10.4, 40.6, 300, 60]}, None], "scale": 1}
    row = build_row(raw, ["One", "Two words", "Three"], [{"kind": "page", "width": 500, "height": 900}], None, [])
    assert json.loads(row["blocks"]) == [[5, 14, 10, 40, 301, 61]]
    assert (row["paragraphs"], row["matched"], row["article_x"]) == (3, 1, None)
    assert highlights.boxes_for({**row, "lines": json.loads(row["lines"]), "blocks": json.loads(row["blocks"])},
                                6, 9) == [{"kind": "block", "x": 10, "y": 40, "w": 301, "h": 61}]


def test_drift_is_the_median_probe_movement():
    probes = [{"before": [0, 100, 10, 10], "after": [0, 130, 10, 10]},
              {"before": [0, 300, 10, 10], "after": [0, 330, 10, 10]},
              {"before": [0, 500, 10, 10], "after": None}]
    assert drift_of(probes) == {"probes": 3, "moved": 3, "dx": 0.0, "dy": 30.0, "max": 30}
    assert drift_of([])["max"] == 0


def test_the_text_view_keeps_exact_offsets_and_marks_highlights(db):
    nid = highlights.add_highlight(db, db.aid, quote=QUOTE, occurrence=2, color="green")
    n = note(db, nid)
    html = str(text_with_highlights(TEXT, [{"id": nid, "start": n["pos_start"], "end": n["pos_end"],
                                           "color": "green"}]))
    starts = [s for s, _ in paragraph_spans(TEXT)]
    assert [f'data-pk-start="{s}"' in html for s in starts] == [True] * 3
    assert html.count("<mark") == 1 and f'>{QUOTE}</mark>' in html
    assert "<script>" not in str(text_with_highlights("<script>x</script>", []))


# --- the CLI ----------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_cli_highlight_prints_the_new_note_id(db, tmp_path):
    result = run("highlight", db.aid, "--quote", QUOTE, "--occurrence", 2, "--color", "blue", "--db", tmp_path / "h.db")
    assert result.exit_code == 0, result.output
    nid = int(result.stdout.strip())
    assert note(db, nid)["color"] == "blue"


@pytest.mark.parametrize("args, message", [
    (["--quote", QUOTE], "occurs 2 times"),
    (["--quote", "nowhere at all"], "not found"),
    (["--quote", "Hebrew", "--color", "mauve"], "unknown colour"),
])
def test_cli_highlight_errors_are_one_line_and_exit_1(db, tmp_path, args, message):
    result = run("highlight", db.aid, *args, "--db", tmp_path / "h.db")
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert [n for n in highlights.notes_with_anchors(db) if n["kind"] == "highlight"] == []


def test_cli_highlight_marks_a_region_of_the_page_screenshot(db, tmp_path):
    result = run("highlight", db.aid, "--region", "10,20,300,40", "--db", tmp_path / "h.db")
    n = note(db, int(result.stdout))
    assert (n["kind"], n["region"]) == ("region", "10,20,300,40")
    assert highlights.note_boxes(db, n) == [{"kind": "region", "x": 10, "y": 20, "w": 300, "h": 40}]
    for bad in (["--region", "10,20"], ["--region", "1,2,3,4", "--quote", "x"], []):
        result = run("highlight", db.aid, *bad, "--db", tmp_path / "h.db")
        assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, bad


def test_cli_export_notes_of_an_unknown_article_is_one_line(db, tmp_path):
    result = run("export-notes", "--article", 999, "--db", tmp_path / "h.db")
    assert result.exit_code == 1 and "no article with id 999" in result.output


def test_an_old_archive_gains_the_anchor_columns_and_keeps_its_notes(tmp_path):
    import sqlite3
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript("""
        create table articles (id integer primary key, url text, captured_at text, text text);
        create table notes (id integer primary key, article_id integer, body text, quote text, created_at text, author text);
        insert into articles values (1, 'https://x.example/', '2025-01-01T00:00:00Z', 'Some text here.');
        insert into notes values (1, 1, 'old note', null, '2025-01-01T00:00:00Z', 'me');
    """)
    conn.commit()
    conn.close()
    db = store.connect(path)
    assert note(db, 1)["kind"] == "note" and note(db, 1)["body"] == "old note"
    assert highlights.note_boxes(db, note(db, highlights.add_highlight(db, 1, quote="text"))) == []
