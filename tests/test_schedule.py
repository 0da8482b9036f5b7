"""When a watched article is checked again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from capture.schedule import BadDuration, describe, iso, next_check, parse_duration

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)


def due_after(**kw):
    args = {"every": None, "published": None, "first_seen": None, "last_change": None, "outcome": "same", **kw}
    return next_check(NOW, **args) - NOW


def ago(**kw):
    return iso(NOW - timedelta(**kw))


def test_durations_read_like_people_write_them():
    assert [parse_duration(t) for t in ("90s", "15m", "2h", "1d", "1w", "1h30m")] == [90, 900, 7200, 86400, 604800, 5400]


@pytest.mark.parametrize("bad", ["", "soon", "5", "2x", "-1h"])
def test_a_bad_duration_is_refused(bad):
    with pytest.raises(BadDuration):
        parse_duration(bad)


def test_fresh_articles_are_checked_often_and_old_ones_rarely():
    assert due_after(published=ago(hours=1)) == timedelta(minutes=15)
    assert due_after(published=ago(hours=10)) == timedelta(hours=1)
    assert due_after(published=ago(days=3)) == timedelta(hours=6)
    assert due_after(published=ago(days=20)) == timedelta(days=1)
    assert due_after(published=ago(days=200)) == timedelta(days=7)


def test_a_change_restarts_the_clock():
    assert due_after(published=ago(days=200), last_change=ago(minutes=5)) == timedelta(minutes=15)


def test_without_a_publication_date_age_counts_from_the_first_capture():
    assert due_after(first_seen=ago(hours=2)) == timedelta(minutes=15)


def test_a_fixed_interval_overrides_the_age_schedule():
    assert due_after(every=3600, published=ago(days=200)) == timedelta(hours=1)
    assert describe(3600) == "every 1h" and describe(None) == "by age"


def test_a_gone_page_is_checked_again_only_after_a_week():
    assert due_after(published=ago(hours=1), outcome="gone") == timedelta(days=7)
