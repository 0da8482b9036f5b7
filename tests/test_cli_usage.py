"""The command line's contract: exit codes and one clear line for each problem."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def pagekeep(*args, env=None, input=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "capture.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, input=input, timeout=timeout)


def test_capture_without_urls_is_a_usage_error():
    r = pagekeep("capture", "--db", os.devnull + ".db")
    assert r.returncode == 2
    assert "no URLs given" in r.stderr


def test_unknown_option_is_a_usage_error():
    r = pagekeep("capture", "--frobnicate")
    assert r.returncode == 2


def test_a_wait_longer_than_the_timeout_is_a_usage_error(tmp_path):
    r = pagekeep("capture", "http://127.0.0.1:9/", "--db", str(tmp_path / "a.db"), "--wait", "40")
    assert r.returncode == 2
    assert r.stderr.strip() == "error: --wait 40 leaves no time within --timeout 30"


def test_missing_browser_is_reported_with_a_one_line_fix(tmp_path):
    r = pagekeep("capture", "http://127.0.0.1:9/", "--db", str(tmp_path / "a.db"),
                 env={"PAGEKEEP_CHROMIUM": str(tmp_path / "no-such-chrome")})
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "playwright install chromium" in lines[0] and "apt-get install -y chromium" in lines[0]


def test_database_in_a_missing_folder_is_a_usage_error(tmp_path):
    r = pagekeep("capture", "http://127.0.0.1:9/", "--db", str(tmp_path / "nope" / "a.db"))
    assert r.returncode == 2
    assert "does not exist" in r.stderr


def test_unreadable_url_list_is_a_usage_error(tmp_path):
    r = pagekeep("capture", "--from", str(tmp_path / "missing.txt"), "--db", str(tmp_path / "a.db"))
    assert r.returncode == 2
    assert "cannot read --from" in r.stderr


@pytest.mark.parametrize("command", ["capture", "browser"])
def test_every_command_explains_itself(command):
    r = pagekeep(command, "--help")
    assert r.returncode == 0
    assert "Usage" in r.stdout


def test_the_command_line_starts_without_loading_the_capture_pipeline():
    """--help and quick commands (tag, note, wacz, export-notes) should not pay for trafilatura and numpy."""
    code = "import sys, capture.cli; print(sorted(m for m in ('capture.pipeline', 'capture.runner', 'trafilatura', 'numpy') if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
