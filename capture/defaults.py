"""Defaults the CLI shows in --help, kept apart so `pagekeep --help` and quick commands
do not import the pipeline (trafilatura, numpy, sqlite-utils) before they need it."""

from __future__ import annotations

import os

DEFAULT_DB = "pagekeep.db"


def default_db_path() -> str:
    return os.environ.get("PAGEKEEP_DB") or DEFAULT_DB


def default_concurrency() -> int:
    """Two pages per core renders well on small machines without running out of memory."""
    return max(2, min(8, (os.cpu_count() or 2) * 2))
