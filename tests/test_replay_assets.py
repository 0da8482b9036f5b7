"""ReplayWeb.page's scripts are taken from the registry only when they match the pinned integrity hash."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile

import pytest

from annotations import replay_assets
from capture.localsite import Site
from conftest import SITE


def tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A loopback npm registry serving one tarball; the assets folder is a temporary one."""
    package = {f"package/{n}": f"// {n}".encode() for n in replay_assets.FILES}
    package["package/../../evil.js"] = b"escape"  # never written: only the named files are taken
    data = tarball(package)
    path = f"/{replay_assets.PACKAGE}/-/{replay_assets.PACKAGE}-{replay_assets.VERSION}.tgz"

    def send(h):
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    site = Site(SITE, routes={path: send}).start()
    monkeypatch.setenv("npm_config_registry", site.base + "/")
    monkeypatch.setenv("PAGEKEEP_REPLAY_DIR", str(tmp_path / "assets"))
    yield data, tmp_path
    site.stop()


def test_a_tarball_matching_the_pinned_hash_is_unpacked(registry, monkeypatch):
    data, tmp = registry
    monkeypatch.setattr(replay_assets, "INTEGRITY", integrity(data))
    folder = replay_assets.fetch(echo=lambda line: None)
    assert sorted(p.name for p in folder.iterdir()) == sorted(replay_assets.FILES)
    assert (folder / "ui.js").read_bytes() == b"// ui.js" and replay_assets.installed()
    assert not any(p.name == "evil.js" for p in tmp.rglob("*"))


def test_a_tarball_that_does_not_match_is_refused_and_nothing_is_written(registry):
    _, tmp = registry
    with pytest.raises(replay_assets.AssetsError, match="integrity"):
        replay_assets.fetch(echo=lambda line: None)
    assert not (tmp / "assets").exists() and not replay_assets.installed()
