"""A per-key sliding-window rate limiter for public endpoints (intake form, login).

In-process: each server process counts on its own, which is the documented behaviour for the
single-process default deployment."""

from __future__ import annotations

import threading
import time
from collections import deque

from wangan.errors import RateLimited


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float = 60.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> None:
        """Count one request for ``key``; raise ``RateLimited`` when over the limit."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= moment - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                wait = int(hits[0] + self.window - moment) + 1
                raise RateLimited(f"too many submissions from your address; try again in {wait} s",
                                  extra={"retry_after": wait})
            hits.append(moment)
            if len(self._hits) > 100_000:  # keep memory bounded under address spraying
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > moment - self.window}
