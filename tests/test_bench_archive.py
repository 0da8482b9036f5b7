"""The benchmark archive (benchmarks/make_archive.py) is what `pagekeep serve`
expects: the current schema, browsing's indexes, kept counts, all made at
build time, so timing a served archive never times a first-open upgrade."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from annotations.serve import prepare_archive

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import make_archive  # noqa: E402

pytestmark = pytest.mark.timeout(120)


def schema_of(path) -> set:
    conn = sqlite3.connect(path)
    try:
        return set(conn.execute("select type, name, sql from sqlite_master"))
    finally:
        conn.close()


def test_a_built_archive_needs_no_schema_work_when_served(tmp_path):
    path = tmp_path / "bench.db"
    make_archive.build(path, 60, 1, "none", jobs=0, echo=lambda line: None)
    built = schema_of(path)
    assert {("index", name) for name in make_archive.schema.INDEXES} <= {(t, n) for t, n, _ in built}
    prepare_archive(path)
    assert schema_of(path) == built
