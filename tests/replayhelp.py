"""For replay tests: a browser configured like Chrome, and listeners that record every request they get."""

from __future__ import annotations

import http.server
import socketserver
import threading

from capture.browser import find_chromium, launch_args

# Playwright launches Chromium with third-party storage partitioning turned off (its
# --disable-features list); Chrome ships with it on, and a replay framed from another
# origin needs it to register its service worker. Chromium keeps the last
# --disable-features it is given, so this one replaces Playwright's list, less that feature.
PLAYWRIGHT_DISABLED_BUT_PARTITIONING = (
    "--disable-features=AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,HttpsUpgrades,"
    "HttpsFirstBalancedModeAutoEnable,LensOverlay,MediaRouter,PaintHolding,AvoidCorsURLLoaderRestartOnRedirect,"
    "OptimizationHints,NetworkTimeServiceQuerying,AimEnabled,PreconnectToSearch"
)


async def launch_like_chrome(playwright):
    return await playwright.chromium.launch(executable_path=find_chromium().path, headless=True,
                                            args=launch_args() + [PLAYWRIGHT_DISABLED_BUT_PARTITIONING])


class Listener:
    """An HTTP server on loopback that answers 204 to anything and remembers what it was asked.

    As a beacon it is where hostile scripts report; bound to a stopped fixture server's address,
    it is a tripwire for any request that should have stayed inside the replay."""

    def __init__(self, host: str = "127.0.0.3", port: int = 0):
        self.hits: list[str] = []
        self.lock = threading.Lock()
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _hit(self):
                with listener.lock:
                    listener.hits.append(f"{self.command} {self.path}")
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = _hit

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server((host, port), Handler)
        self.base = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __call__(self, h):
        """Also usable as a route of capture.localsite.Site."""
        with self.lock:
            self.hits.append(f"{h.command} {h.path}")
        h.send_response(204)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def clear(self) -> None:
        with self.lock:
            self.hits.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
