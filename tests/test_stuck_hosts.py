"""A third party that never answers never costs the page (issue 11, part 3).

Each page loads something from a loopback host that accepts the connection and
never sends a byte: a script in <head> (which holds up the parser), a
stylesheet followed by an inline script, a web font, an iframe, a synchronous
request from a script in <head> or from a timer after load (which holds the page's
one thread). Captured with
the default settings, each is stored with its whole story, in well under the
time budget, with a note naming the host that hung.
"""

from __future__ import annotations

import pytest

from stuck_pages import TEXTS, stored, stuck_run  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow
HUNG = ["/hung-script", "/hung-style", "/hung-font", "/hung-frame", "/sync-call", "/sync-call-late"]


@pytest.mark.parametrize("path", HUNG)
def test_a_page_whose_third_party_never_answers_is_captured_whole(stuck_run, path):
    outcome = stuck_run.outcomes[path]
    assert outcome["ok"], outcome
    for paragraph in TEXTS[path]:
        assert paragraph in stored(stuck_run, path)["text"]


@pytest.mark.parametrize("path", HUNG)
def test_the_host_that_hung_is_named_in_the_notes(stuck_run, path):
    assert f"no answer from {stuck_run.served.silent.netloc}" in stuck_run.outcomes[path]["capture_notes"]


@pytest.mark.parametrize("path", HUNG)
def test_a_hung_third_party_costs_well_under_the_time_budget(stuck_run, path):
    assert stored(stuck_run, path)["capture_seconds"] < 15


@pytest.mark.parametrize("path", HUNG)
def test_the_page_is_screenshot_although_its_third_party_never_answers(stuck_run, path):
    shots = stuck_run.conn.execute("select kind from screenshots where article_id = ?", [stored(stuck_run, path)["id"]])
    assert {r["kind"] for r in shots} >= {"page", "thumb"}


def test_a_page_without_a_body_element_is_captured_not_an_internal_error(stuck_run):
    outcome = stuck_run.outcomes["/loses-body"]
    assert outcome["ok"], outcome
    for paragraph in TEXTS["/loses-body"]:
        assert paragraph in stored(stuck_run, "/loses-body")["text"]


def test_a_page_that_stops_its_own_load_is_captured_from_the_document_as_served(stuck_run):
    outcome = stuck_run.outcomes["/stops-itself"]
    assert outcome["ok"], outcome
    row = stored(stuck_run, "/stops-itself")
    for paragraph in TEXTS["/stops-itself"]:
        assert paragraph in row["text"]
    assert "stopped its own loading" in row["capture_notes"]
    assert row["capture_seconds"] < 15
