"""Find a Chromium and launch it quietly.

Playwright's own browser download is often unreachable (closed networks,
distro machines), so a system Chromium is an equal citizen here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Flags that keep Chromium from phoning home (and failing noisily) in a closed
# network; --no-sandbox is added only when running as root, where it is required.
QUIET_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--mute-audio",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
]

SYSTEM_CANDIDATES = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "/usr/bin/chromium",
    "/snap/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
]

FIX_HINT = (
    "no Chromium found: run `playwright install chromium`, or install a system one "
    "(Debian/Ubuntu: `apt-get install -y chromium`), or set PAGEKEEP_CHROMIUM=/path/to/chrome"
)


class BrowserNotFound(RuntimeError):
    pass


@dataclass
class FoundBrowser:
    path: str
    source: str  # "env", "playwright" or "system"


def _playwright_chromium() -> str | None:
    """Path of Playwright's downloaded Chromium, if it was installed (no browser is started)."""
    try:
        import playwright

        manifest = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
        info = json.loads(manifest.read_text())
    except (ImportError, OSError, ValueError):
        return None
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    for entry in info.get("browsers", []):
        if entry.get("name") == "chromium":
            for exe in ("chrome-linux/chrome", "chrome-linux64/chrome", "chrome-mac/Chromium.app/Contents/MacOS/Chromium",
                        "chrome-win/chrome.exe"):
                path = cache / f"chromium-{entry.get('revision')}" / exe
                if path.exists():
                    return str(path)
    return None


def _runs(path: str) -> bool:
    """Debian's /usr/bin/chromium is a wrapper script: check it really starts."""
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0


@lru_cache(maxsize=1)
def find_chromium() -> FoundBrowser:
    env = os.environ.get("PAGEKEEP_CHROMIUM")
    if env:
        if Path(env).exists():
            return FoundBrowser(env, "env")
        raise BrowserNotFound(f"PAGEKEEP_CHROMIUM={env} does not exist; {FIX_HINT}")
    pw = _playwright_chromium()
    if pw:
        return FoundBrowser(pw, "playwright")
    for cand in SYSTEM_CANDIDATES:
        path = shutil.which(cand) or (cand if Path(cand).is_file() else None)
        if path and _runs(path):
            return FoundBrowser(path, "system")
    raise BrowserNotFound(FIX_HINT)


def install_chromium(echo=print) -> FoundBrowser:
    """Find a Chromium, installing one if none exists: Playwright's first, then the distro's."""
    try:
        found = find_chromium()
        echo(f"browser: using {found.source} Chromium at {found.path}")
        return found
    except BrowserNotFound:
        pass
    echo("browser: none found, trying `playwright install chromium` …")
    try:
        out = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], timeout=900,
                             capture_output=True, text=True)
        lines = (out.stderr or out.stdout).strip().splitlines() or [""]
        rc, why = out.returncode, next((ln for ln in lines if "Error" in ln), lines[-1]).strip()
    except subprocess.TimeoutExpired:
        rc, why = 1, "timed out"
    if rc == 0 and _playwright_chromium():
        find_chromium.cache_clear()
        return install_chromium(echo)
    echo(f"browser: Playwright's download failed ({why[:120]})")
    apt = shutil.which("apt-get")
    if apt:
        cmd = [apt, "install", "-y", "-qq", "chromium"]
        if os.geteuid() != 0:
            if not shutil.which("sudo"):
                raise BrowserNotFound(FIX_HINT)
            cmd = ["sudo", *cmd]
        echo(f"browser: running `{' '.join(cmd)}` …")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(cmd, env=env).returncode != 0:
            subprocess.run([*cmd[:-4], "update", "-qq"], env=env)
            subprocess.run(cmd, env=env)
    find_chromium.cache_clear()
    found = find_chromium()
    echo(f"browser: installed; using {found.source} Chromium at {found.path}")
    return found


def launch_args() -> list[str]:
    args = list(QUIET_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


async def launch(playwright, executable: str | None = None):
    """Start headless Chromium with the quiet flags."""
    path = executable or find_chromium().path
    return await playwright.chromium.launch(
        executable_path=path, headless=True, args=launch_args()
    )


async def new_context(browser, *, viewport=(1280, 900), allow_downloads=False):
    """A fresh context per capture: no cookies, storage or permissions shared between pages."""
    return await browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        device_scale_factor=1,
        accept_downloads=allow_downloads,
        java_script_enabled=True,
        ignore_https_errors=True,
        locale="en-US",
        service_workers="block",
    )
