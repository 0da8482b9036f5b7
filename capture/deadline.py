"""One time budget shared by every stage of a capture."""

from __future__ import annotations

import time


class Deadline:
    def __init__(self, seconds: float):
        self.start = time.monotonic()
        self.end = self.start + seconds

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def ms(self, cap: float | None = None, floor: float = 0.0) -> float:
        """Remaining milliseconds, optionally capped, for Playwright timeouts."""
        left = self.left()
        if cap is not None:
            left = min(left, cap)
        return max(floor, left) * 1000

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def expired(self) -> bool:
        return self.left() <= 0
