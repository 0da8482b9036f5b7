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

# Headless shells: Chromium's "old headless" build, the one Playwright itself runs for
# headless pages. No browser UI layer, so it costs markedly less CPU per page than
# full Chromium in headless mode (see README, Batches); preferred when present.
SHELL_CANDIDATES = [
    "/usr/lib/chromium/chromium-headless-shell",          # Debian/Ubuntu: chromium-headless-shell
    "chromium-headless-shell",
    "/usr/lib64/chromium-browser/headless_shell",         # Fedora: chromium-headless
    "chrome-headless-shell",
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
    "(Debian/Ubuntu: `apt-get install -y chromium-headless-shell`), or set PAGEKEEP_CHROMIUM=/path/to/chrome"
)

SHELL_HINT = "`apt-get install -y chromium-headless-shell` or `playwright install --only-shell chromium` would make captures cheaper"


class BrowserNotFound(RuntimeError):
    pass


@dataclass
class FoundBrowser:
    path: str
    source: str        # "env", "playwright" or "system"
    shell: bool        # a headless shell (cheaper) rather than full Chromium
    why: str           # one line: why this one

    def describe(self) -> str:
        kind = "headless shell" if self.shell else "full Chromium"
        return f"{kind} at {self.path} ({self.why})"


def _playwright_browsers() -> dict[str, str]:
    """Paths of Playwright's downloaded browsers that exist: {"chromium-headless-shell": …, "chromium": …}."""
    try:
        import playwright

        manifest = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
        info = json.loads(manifest.read_text())
    except (ImportError, OSError, ValueError):
        return {}
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    layouts = {
        "chromium-headless-shell": ("chromium_headless_shell", ["chrome-headless-shell-linux64/chrome-headless-shell",
                                    "chrome-headless-shell-linux-arm64/chrome-headless-shell",
                                    "chrome-headless-shell-mac-arm64/chrome-headless-shell",
                                    "chrome-headless-shell-mac-x64/chrome-headless-shell",
                                    "chrome-headless-shell-win64/chrome-headless-shell.exe"]),
        "chromium": ("chromium", ["chrome-linux/chrome", "chrome-linux64/chrome",
                                  "chrome-mac/Chromium.app/Contents/MacOS/Chromium", "chrome-win/chrome.exe"]),
    }
    found = {}
    for entry in info.get("browsers", []):
        name = entry.get("name")
        if name in layouts:
            folder, exes = layouts[name]
            for exe in exes:
                path = cache / f"{folder}-{entry.get('revision')}" / exe
                if path.exists():
                    found[name] = str(path)
                    break
    return found


def _playwright_chromium() -> str | None:
    """Path of Playwright's downloaded Chromium (headless shell first), if installed."""
    pw = _playwright_browsers()
    return pw.get("chromium-headless-shell") or pw.get("chromium")


def _runs(path: str) -> bool:
    """Debian's /usr/bin/chromium is a wrapper script: check it really starts."""
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0


def _first_system(candidates: list[str]) -> str | None:
    for cand in candidates:
        path = shutil.which(cand) or (cand if Path(cand).is_file() else None)
        if path and _runs(path):
            return path
    return None


def _looks_like_shell(path: str) -> bool:
    name = Path(path).name
    return "headless-shell" in name or "headless_shell" in name


@lru_cache(maxsize=1)
def find_chromium() -> FoundBrowser:
    """Which browser captures use: $PAGEKEEP_CHROMIUM, else a headless shell
    (Playwright's, then the system's), else full Chromium (Playwright's, then the system's)."""
    env = os.environ.get("PAGEKEEP_CHROMIUM")
    if env:
        if Path(env).exists():
            return FoundBrowser(env, "env", _looks_like_shell(env), "PAGEKEEP_CHROMIUM")
        raise BrowserNotFound(f"PAGEKEEP_CHROMIUM={env} does not exist; {FIX_HINT}")
    pw = _playwright_browsers()
    if "chromium-headless-shell" in pw:
        return FoundBrowser(pw["chromium-headless-shell"], "playwright", True, "Playwright's own headless shell")
    shell = _first_system(SHELL_CANDIDATES)
    if shell:
        return FoundBrowser(shell, "system", True, "the system's headless shell; Playwright's is not installed")
    if "chromium" in pw:
        return FoundBrowser(pw["chromium"], "playwright", False, f"Playwright's own Chromium; no headless shell found: {SHELL_HINT}")
    full = _first_system(SYSTEM_CANDIDATES)
    if full:
        return FoundBrowser(full, "system", False, f"the system's Chromium; no headless shell found: {SHELL_HINT}")
    raise BrowserNotFound(FIX_HINT)


def _try(cmd: list[str], echo, timeout: float = 900, quiet: bool = True) -> bool:
    """Run an installer step; True when it succeeded. Says what it runs and, briefly, why it failed
    (`quiet=False` lets the step talk to the terminal, e.g. for a sudo password)."""
    echo(f"browser: running `{' '.join(cmd)}` …")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        out = subprocess.run(cmd, timeout=timeout, capture_output=quiet, text=True, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        echo(f"browser: that failed ({exc.__class__.__name__})")
        return False
    if out.returncode != 0:
        lines = ((out.stderr or out.stdout or "") if quiet else "exit status %d" % out.returncode).strip().splitlines() or [""]
        why = next((ln for ln in lines if "Error" in ln or "E:" in ln), lines[-1]).strip()
        echo(f"browser: that failed ({why[:120]})")
    return out.returncode == 0


def _apt(packages: list[str], echo) -> bool:
    apt = shutil.which("apt-get")
    if not apt:
        return False
    cmd = [apt, "install", "-y", "-qq", *packages]
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo"):
            return False
        cmd = ["sudo", *cmd]
    if _try(cmd, echo, quiet=False):
        return True
    _try([*cmd[:cmd.index("install")], "update", "-qq"], echo, quiet=False)
    return _try(cmd, echo, quiet=False)


def install_chromium(echo=print) -> FoundBrowser:
    """Find a browser, installing a headless shell (and Chromium, if there is none) where it can:
    Playwright's download first, then the distribution's packages. Says what it did."""
    try:
        found = find_chromium()
    except BrowserNotFound:
        found = None
    if found and (found.shell or found.source == "env"):
        echo(f"browser: using {found.describe()}")
        return found
    echo("browser: " + ("no browser found" if found is None else f"found {found.describe()}")
         + "; installing a headless shell …")
    pw_cmd = [sys.executable, "-m", "playwright", "install", *(["--only-shell"] if found else []), "chromium"]
    ok = _try(pw_cmd, echo) and "chromium-headless-shell" in _playwright_browsers()
    if not ok:
        _apt(["chromium-headless-shell"] if found else ["chromium-headless-shell", "chromium"], echo)
    find_chromium.cache_clear()
    try:
        found = find_chromium()
    except BrowserNotFound:
        raise BrowserNotFound(FIX_HINT) from None
    echo(f"browser: using {found.describe()}")
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
