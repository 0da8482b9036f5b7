"""When to check a watched article again.

News is edited most in its first hours, so the default schedule goes by age:
every 15 minutes while a story is under 3 hours old, hourly for its first day,
every 6 hours for its first week, daily for its first month, weekly after
that. A change restarts the clock (age counts from the latest change), so an
article that was just edited is watched closely again. `--every` replaces all
of this with a fixed interval.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

MINUTE, HOUR, DAY = 60, 3600, 86400
BY_AGE = [  # (age below, check every) in seconds
    (3 * HOUR, 15 * MINUTE),
    (DAY, HOUR),
    (7 * DAY, 6 * HOUR),
    (30 * DAY, DAY),
]
SLOWEST = 7 * DAY
UNITS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY, "w": 7 * DAY}
DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")


class BadDuration(ValueError):
    pass


def parse_duration(text: str) -> int:
    """'90s', '15m', '2h', '1d', '1w', '1h30m' → seconds."""
    raw = (text or "").strip().lower().replace(" ", "")
    if not raw or DURATION_RE.sub("", raw):
        raise BadDuration(f"not a duration: {text!r} (use e.g. 30m, 2h, 1d, 1h30m)")
    seconds = sum(float(n) * UNITS[u] for n, u in DURATION_RE.findall(raw))
    if seconds < 1:
        raise BadDuration(f"duration too short: {text!r}")
    return int(seconds)


def describe(seconds: int | None) -> str:
    if not seconds:
        return "by age"
    for unit, size in (("w", 7 * DAY), ("d", DAY), ("h", HOUR), ("m", MINUTE)):
        if seconds % size == 0:
            return f"every {seconds // size}{unit}"
    return f"every {seconds}s"


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def interval_by_age(age_seconds: float) -> int:
    for below, every in BY_AGE:
        if age_seconds < below:
            return every
    return SLOWEST


def next_check(now: datetime, *, every: int | None, published: str | None, first_seen: str | None,
               last_change: str | None, outcome: str | None) -> datetime:
    """The next time a watch is due after a check at `now` that ended in `outcome`."""
    if every:
        return now + timedelta(seconds=every)
    if outcome == "gone":
        return now + timedelta(seconds=SLOWEST)  # a removed page may come back; no hurry
    starts = [t for t in (parse_time(published), parse_time(last_change)) if t and t <= now]
    start = max(starts) if starts else (parse_time(first_seen) or now)
    return now + timedelta(seconds=interval_by_age((now - start).total_seconds()))
