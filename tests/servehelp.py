"""`pagekeep serve` as a subprocess for browser tests."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Server:
    """`pagekeep serve --port 0` in a subprocess; reads the printed addresses."""

    def __init__(self, db_path: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "capture.cli", "serve", "--db", str(db_path), "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in self.proc.stdout], daemon=True).start()
        self.output = []
        self.browse = self.login = None
        while not (self.browse and self.login):
            try:
                line = lines.get(timeout=30)
            except queue.Empty:
                self.stop()
                raise AssertionError("pagekeep serve printed no addresses:\n" + "".join(self.output))
            self.output.append(line)
            if m := re.search(r"Browse the archive: (http://\S+)", line):
                self.browse = m.group(1)
            if m := re.search(r"(http://\S+/-/auth-token\?token=\w+)", line):
                self.login = m.group(1)
        self.base = re.match(r"http://[^/]+", self.browse).group(0)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
