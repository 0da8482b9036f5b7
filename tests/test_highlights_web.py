"""Highlights through the Datasette plugin, in process: writes need the logged-in actor and
the CSRF token, evidence images, JSON-LD routes, and the annotations table's facets."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3

import pytest
from PIL import Image

import annotation_model_schema as model
import archive_factory as factory
from annotations import highlights, tags
from annotations.serve import prepare_archive
from test_datasette_plugin import ds, form_token, logged_in  # noqa: F401  (ds: Datasette over this module's archive)

pytestmark = pytest.mark.timeout(60)

PARAS = ["The harbour council met on Tuesday.", "It voted to repair the harbour barrier before the winter storms.",
         "Work starts in June."]
TEXT = "\n\n".join(PARAS)


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "archive.db"
    db = factory.build(path, 2)
    aid = factory.add_article(db, 5, paragraphs=PARAS, site_name="Harbour Gazette")
    factory.add_text_boxes(db, aid, PARAS)
    tags.add_tags(db, aid, ["ports"])
    highlights.add_highlight(db, aid, quote="repair the harbour barrier", color="pink", note="key vote")
    tags.add_note(db, aid, "a plain note")
    db.conn.close()
    prepare_archive(path)
    return path


def notes(path):
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("select * from notes order by id")]
    finally:
        conn.close()


URL = "/-/pagekeep/archive/articles/3/highlights"


async def test_anonymous_or_forged_highlight_writes_are_refused(ds, archive):
    before = notes(archive)
    assert (await ds.client.post(URL, data={"pos_start": "0", "pos_end": "7"})).status_code == 403
    _, cookies = await form_token(ds, logged_in(ds), "/archive/articles/3")
    for data in ({"pos_start": "0", "pos_end": "7"}, {"pos_start": "0", "pos_end": "7", "csrftoken": "forged"}):
        assert (await ds.client.post(URL, data=data, cookies=cookies)).status_code == 403
    assert notes(archive) == before


async def test_a_logged_in_highlight_by_offsets_or_by_quote(ds, archive):
    token, cookies = await form_token(ds, logged_in(ds, "ines"), "/archive/articles/3")
    start = TEXT.index("Work")
    by_offsets = await ds.client.post(URL, data={"pos_start": start, "pos_end": start + 10, "color": "blue",
                                                 "body": "when", "csrftoken": token},
                                      cookies=cookies, headers={"accept": "application/json"})
    assert by_offsets.status_code == 200, by_offsets.text
    reply = by_offsets.json()
    assert (reply["quote"], reply["pos_start"], reply["color"]) == ("Work start", start, "blue")
    by_quote = await ds.client.post(URL, data={"quote": "harbour", "occurrence": "2", "csrftoken": token},
                                    cookies=cookies, headers={"accept": "application/json"})
    assert by_quote.json()["pos_start"] == TEXT.index("harbour barrier")
    ambiguous = await ds.client.post(URL, data={"quote": "harbour", "csrftoken": token},
                                     cookies=cookies, headers={"accept": "application/json"})
    assert ambiguous.status_code == 400 and "occurs 2 times" in ambiguous.json()["message"]
    assert notes(archive)[-1]["author"] == "ines"


async def test_evidence_image_shows_the_page_around_the_highlight(ds, archive):
    hl = next(n for n in notes(archive) if n["kind"] == "highlight")
    response = await ds.client.get(f"/-/pagekeep/archive/evidence/{hl['id']}")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert "sandbox" in response.headers["content-security-policy"]
    img = Image.open(io.BytesIO(response.content))
    assert img.width == 1280 and 200 < img.height < 800  # a crop of the 2400 px page, plus the caption
    plain = next(n for n in notes(archive) if n["kind"] == "note")
    assert (await ds.client.get(f"/-/pagekeep/archive/evidence/{plain['id']}")).status_code == 404


async def test_record_page_captions_evidence_with_the_screenshot_hash(ds, archive):
    page = (await ds.client.get("/archive/articles/3")).text
    conn = sqlite3.connect(archive)
    image = conn.execute("select image from screenshots where article_id = 3 and kind = 'page'").fetchone()[0]
    conn.close()
    assert hashlib.sha256(image).hexdigest() in page
    assert page.count('class="pk-box"') == 2  # one line of the highlight, over the article and the page shots
    assert '<mark class="pk-hl"' in page and ">repair the harbour barrier</mark>" in page


async def test_annotations_table_facets_by_tag_site_and_colour(ds):
    data = (await ds.client.get("/archive/annotations.json?_shape=objects")).json()
    facets = data["facet_results"]
    assert {"color", "site_name", "tags"} <= set(facets)
    assert {r["value"] for r in facets["color"]["results"]} == {"pink"}
    assert {r["value"] for r in facets["tags"]["results"]} == {"ports"}
    pink = (await ds.client.get("/archive/annotations.json?_shape=objects&color=pink")).json()["rows"]
    assert [r["quote"] for r in pink] == ["repair the harbour barrier"]


async def test_json_ld_routes_meet_the_web_annotation_musts(ds):
    collection = json.loads((await ds.client.get("/-/pagekeep/archive/annotations")).text)
    assert model.failures(collection, "AnnotationCollection") == []
    first = collection["first"]["items"][0]
    one = await ds.client.get(first["id"].split("localhost", 1)[-1])
    assert one.headers["content-type"].startswith("application/ld+json")
    assert json.loads(one.text) == first and model.failures(first) == []
