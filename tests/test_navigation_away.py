"""A page that navigates itself away after loading is not lost (issue 17).

Each page moves itself somewhere that fails: an "upgrade to https" snippet on
a host without TLS, a refresh to a host that refuses connections, a link
followed under a <base href> at a host that never answers, a form posted to a
server that answers 503. Each is captured as it was before it moved, with a
note naming where it tried to go and why that failed, and `document_kept` says
so. A page with 40 lazy embeds from a host that never answers is captured
within the time budget. The control: a page that moves to a working page is
captured there.
"""

from __future__ import annotations

import pytest

from stuck_pages import TEXTS, stored, stuck_run  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow
FAILED_MOVES = {
    "/https-upgrade": ("https://127.0.0.1:{port}/https-upgrade", "secure connection failed"),
    "/moved-home": ("http://{refused}/ferry/faq", "connection refused"),
    "/dead-base": ("{silent}/magazine/issues/1963.html", "no answer"),
    "/poll-closed": ("http://127.0.0.1:{port}/ballot-box", "HTTP 503"),
}
DEFAULT_TIMEOUT = 30


def target(run, path):
    s = run.served
    return FAILED_MOVES[path][0].format(port=s.site.port, refused=s.refused, silent=s.silent.base)


@pytest.mark.parametrize("path", [*FAILED_MOVES, "/lazy-embeds"])
def test_the_document_that_loaded_is_captured_whole(stuck_run, path):
    outcome = stuck_run.outcomes[path]
    assert outcome["ok"], outcome
    assert outcome["final_url"] == stuck_run.served.site.base + path
    for paragraph in TEXTS[path]:
        assert paragraph in stored(stuck_run, path)["text"]


@pytest.mark.parametrize("path", list(FAILED_MOVES))
def test_the_note_says_where_the_page_tried_to_go_and_why_that_failed(stuck_run, path):
    notes = stuck_run.outcomes[path]["capture_notes"]
    assert target(stuck_run, path) in notes
    assert FAILED_MOVES[path][1] in notes
    assert "kept the document that had loaded" in notes


@pytest.mark.parametrize("path", list(FAILED_MOVES))
def test_json_and_archive_say_the_loaded_document_was_kept(stuck_run, path):
    assert stuck_run.outcomes[path]["document_kept"] == "loaded"
    assert stored(stuck_run, path)["document_kept"] == "loaded"


@pytest.mark.parametrize("path", list(FAILED_MOVES))
def test_the_screenshots_are_of_the_document_that_loaded(stuck_run, path):
    shots = stuck_run.conn.execute("select kind from screenshots where article_id = ?", [stored(stuck_run, path)["id"]])
    assert {r["kind"] for r in shots} >= {"page", "thumb"}


@pytest.mark.parametrize("path", [*FAILED_MOVES, "/lazy-embeds", "/moves-on"])
def test_no_capture_takes_longer_than_the_default_timeout(stuck_run, path):
    assert stored(stuck_run, path)["capture_seconds"] < DEFAULT_TIMEOUT


def test_embeds_that_never_answer_are_cut_off_and_named(stuck_run):
    notes = stuck_run.outcomes["/lazy-embeds"]["capture_notes"]
    assert f"no answer from {stuck_run.served.silent.netloc} (document)" in notes


def test_a_page_that_moves_to_a_working_page_is_captured_there(stuck_run):
    outcome = stuck_run.outcomes["/moves-on"]
    assert outcome["ok"], outcome
    landing = stuck_run.served.site.base + "/newsletter/home"
    assert outcome["final_url"] == landing
    assert outcome["document_kept"] == "navigated"
    assert f"navigated itself to {landing}" in outcome["capture_notes"]
    for paragraph in TEXTS["/newsletter/home"]:
        assert paragraph in stored(stuck_run, "/moves-on")["text"]
