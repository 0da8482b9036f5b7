"""ReplayWeb.page's scripts, fetched once from the npm registry and checked, never committed.

ReplayWeb.page (AGPL-3.0) replays a WACZ in the browser: `ui.js` is the viewer,
`sw.js` the service worker that serves the archived page. pagekeep pins one
release and its registry integrity hash; `scripts/setup.sh` runs
`python -m annotations.replay_assets` to put the two files (and the licence)
in a git-ignored folder.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "replaywebpage"
VERSION = "2.5.3"
# `dist.integrity` of replaywebpage@2.5.3 in the npm registry's metadata.
INTEGRITY = "sha512-nCj2PSON3BxeSJKE8AsYPyULv0XPZKJWfy4l9PyQre9SqwLZ+WKZVs/sfLqPOQ4GrH+0YkjbwOhr8cSTH08gsQ=="
FILES = ("ui.js", "sw.js", "LICENSE")
DEFAULT_REGISTRY = "https://registry.npmjs.org/"


class AssetsError(Exception):
    """The scripts could not be fetched or did not match the pinned hash."""


def assets_dir() -> Path:
    """Where the scripts live: $PAGEKEEP_REPLAY_DIR, else a git-ignored folder beside this module."""
    root = os.environ.get("PAGEKEEP_REPLAY_DIR")
    return Path(root) if root else Path(__file__).resolve().parent / "replay_files" / f"{PACKAGE}-{VERSION}"


def installed() -> bool:
    folder = assets_dir()
    return all((folder / name).is_file() for name in FILES)


def tarball_url(registry: str | None = None) -> str:
    registry = registry or os.environ.get("npm_config_registry") or os.environ.get("NPM_CONFIG_REGISTRY") \
        or DEFAULT_REGISTRY
    return f"{registry.rstrip('/')}/{PACKAGE}/-/{PACKAGE}-{VERSION}.tgz"


def check_integrity(data: bytes, integrity: str | None = None) -> None:
    algo, _, want = (integrity or INTEGRITY).partition("-")
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != want:
        raise AssetsError(f"{PACKAGE}-{VERSION}.tgz does not match its pinned {algo} integrity hash; refusing it")


def unpack(data: bytes, folder: Path) -> None:
    """Only the named files, written under their own names (never paths taken from the archive)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for name in FILES:
            member = tar.getmember(f"package/{name}")
            source = tar.extractfile(member) if member.isfile() else None
            if source is None:
                raise AssetsError(f"{name} missing from {PACKAGE}-{VERSION}.tgz")
            tmp = folder / f".{name}.part"
            tmp.write_bytes(source.read())
            tmp.replace(folder / name)


def fetch(echo=print, timeout: float = 120) -> Path:
    """Download, check and unpack, unless already there; returns the folder."""
    folder = assets_dir()
    if installed():
        echo(f"replay: ReplayWeb.page {VERSION} already in {folder}")
        return folder
    url = tarball_url()
    echo(f"replay: fetching ReplayWeb.page {VERSION} (AGPL-3.0) from {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except OSError as exc:
        raise AssetsError(f"could not download {url}: {exc}") from None
    check_integrity(data)
    unpack(data, folder)
    echo(f"replay: checked {INTEGRITY.split('-')[0]} and unpacked {', '.join(FILES)} into {folder}")
    return folder


if __name__ == "__main__":
    try:
        fetch()
    except AssetsError as exc:
        print(f"replay: {exc}", file=sys.stderr)
        sys.exit(1)
