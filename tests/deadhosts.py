"""Hosts that fail the way real ones do, on loopback only.

A *silent* host accepts every TCP connection and never sends a byte back (a
tracker behind a firewall, a CDN that is down); a *closed* port refuses
connections outright.
"""

from __future__ import annotations

import socket
import threading


class SilentHost:
    """Accepts connections on a free loopback port and never answers them."""

    def __init__(self, host: str = "127.0.0.3"):
        self.sock = socket.socket()
        self.sock.bind((host, 0))
        self.sock.listen(256)
        self.host, self.port = self.sock.getsockname()[:2]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._hold, daemon=True)
        self.thread.start()

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def base(self) -> str:
        return f"http://{self.netloc}"

    def _hold(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed by stop()
            self.held.append(conn)

    def stop(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for conn in self.held:
            conn.close()
        self.thread.join(timeout=5)


def closed_port(host: str = "127.0.0.2") -> int:
    """A port on `host` that nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port
