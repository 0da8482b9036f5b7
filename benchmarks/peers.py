"""Running peer tools (shot-scraper) beside pagekeep in benchmarks.

shot-scraper has no option for a browser executable, so a temporary
PLAYWRIGHT_BROWSERS_PATH is laid out whose headless-shell and chromium entries
are symlinks to pagekeep's browser, for the peer's process only: both tools
then run the same binary, whichever one pagekeep found.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from capture.browser import find_chromium


def shot_scraper_env(browsers_dir: Path) -> tuple[dict, list[str]]:
    env = dict(os.environ)
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    exe = find_chromium().path
    real = Path("/usr/lib/chromium/chromium")
    if Path(exe).resolve() == Path("/usr/bin/chromium").resolve() and real.exists():
        exe = str(real)  # Debian's wrapper script; the binary itself
    import playwright

    info = json.loads((Path(playwright.__file__).parent / "driver" / "package" / "browsers.json").read_text())
    revs = {b["name"]: b["revision"] for b in info["browsers"]}
    targets = [
        browsers_dir / f"chromium_headless_shell-{revs['chromium-headless-shell']}" / "chrome-headless-shell-linux64" / "chrome-headless-shell",
        browsers_dir / f"chromium-{revs['chromium']}" / "chrome-linux64" / "chrome",
        browsers_dir / f"chromium-{revs['chromium']}" / "chrome-linux" / "chrome",
    ]
    for t in targets:
        t.parent.mkdir(parents=True, exist_ok=True)
        if not t.exists():
            t.symlink_to(exe)
    env["PLAYWRIGHT_BROWSERS_PATH"] = str(browsers_dir)
    return env, args


def shot_scraper_command(args: list[str], browsers_dir: Path) -> tuple[list[str], dict]:
    exe = shutil.which("shot-scraper", path=str(Path(sys.executable).parent)) or shutil.which("shot-scraper")
    if not exe:
        raise SystemExit("shot-scraper not installed (pip install -e '.[bench]')")
    env, browser_args = shot_scraper_env(browsers_dir)
    return [exe, *args] + [x for a in browser_args for x in ("--browser-arg", a)], env
