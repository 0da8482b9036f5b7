"""Defaults the CLI shows in --help, kept apart so `pagekeep --help` and quick commands
do not import the pipeline (trafilatura, numpy, sqlite-utils) before they need it."""

from __future__ import annotations

import os

DEFAULT_DB = "pagekeep.db"


def default_db_path() -> str:
    return os.environ.get("PAGEKEEP_DB") or DEFAULT_DB


def default_concurrency() -> int:
    """Three pages per core: a capture spends about half its time waiting on its page, so three
    keep a core busy (on 2 cores, 47 pages/min at 6 against 41 at 4 and 43 at 8, benchmarks/batch.py);
    at most 12, about 2 GB of browser."""
    return max(2, min(12, (os.cpu_count() or 2) * 3))
