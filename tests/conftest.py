"""Shared fixtures: the fixture site on loopback, a second origin, and captured archives."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from capture.localsite import Site

HERE = Path(__file__).parent
SITE = HERE / "site"

os.environ.setdefault("PAGEKEEP_TEST", "1")


@pytest.fixture(scope="session")
def site():
    """tests/site on 127.0.0.1, on a free port."""
    s = Site(SITE, host="127.0.0.1").start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def site2():
    """The same folder on a second loopback origin (127.0.0.2), for cross-origin frames."""
    s = Site(SITE, host="127.0.0.2").start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def expectations():
    return json.loads((HERE / "site_expectations.json").read_text("utf-8"))
