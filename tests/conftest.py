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


@pytest.fixture(scope="module")
async def browser():
    """A headless Chromium for tests that drive `pagekeep serve` as a reader would."""
    from playwright.async_api import async_playwright

    from capture.browser import find_chromium, launch_args

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=find_chromium().path, headless=True, args=launch_args())
        yield b
        await b.close()


@pytest.fixture(scope="session")
def expectations():
    return json.loads((HERE / "site_expectations.json").read_text("utf-8"))
