"""The sliding-window limiter of the public intake: per key, with an explicit clock."""

from __future__ import annotations

import pytest

from wangan.errors import RateLimited
from wangan.kernel.ratelimit import RateLimiter


def test_allows_up_to_the_limit_then_refuses() -> None:
    limiter = RateLimiter(3, window_seconds=60)
    for t in (0.0, 1.0, 2.0):
        limiter.hit("203.0.113.7", now=t)
    with pytest.raises(RateLimited) as caught:
        limiter.hit("203.0.113.7", now=3.0)
    assert caught.value.extra["retry_after"] == 58


def test_keys_are_counted_separately() -> None:
    limiter = RateLimiter(1)
    limiter.hit("a", now=0.0)
    limiter.hit("b", now=0.0)
    with pytest.raises(RateLimited):
        limiter.hit("a", now=1.0)


def test_window_slides() -> None:
    limiter = RateLimiter(2, window_seconds=10)
    limiter.hit("k", now=0.0)
    limiter.hit("k", now=5.0)
    with pytest.raises(RateLimited):
        limiter.hit("k", now=9.9)
    limiter.hit("k", now=10.0)  # the hit at 0 has left the window
    with pytest.raises(RateLimited):
        limiter.hit("k", now=14.9)


def test_refused_hits_do_not_extend_the_wait() -> None:
    limiter = RateLimiter(1, window_seconds=10)
    limiter.hit("k", now=0.0)
    for t in (1.0, 2.0, 3.0):
        with pytest.raises(RateLimited):
            limiter.hit("k", now=t)
    limiter.hit("k", now=10.0)
