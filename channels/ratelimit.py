"""Per-user message rate limits: in-process for one worker, Redis for several.

Both limiters use a sliding window of 60 s, so a burst at a minute boundary cannot double the
budget (the weakness of fixed windows).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Protocol

from nq57.settings import Settings

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60.0


class RateLimiter(Protocol):
    blocking: bool  # does allow() wait on the network (then call it from a worker thread)

    def allow(self, key: str) -> bool:
        """Record one event for `key`; False when the key is over its budget."""
        ...


class MemoryRateLimiter:
    """Sliding-window log per key, thread-safe; remembers at most `max_keys` keys (LRU)."""

    blocking = False
    backend = "in-process"
    degraded = False

    def __init__(
        self,
        per_minute: int,
        *,
        window: float = WINDOW_SECONDS,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                events = deque()
                self._events[key] = events
                if len(self._events) > self.max_keys:
                    self._events.popitem(last=False)
            else:
                self._events.move_to_end(key)
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.per_minute:
                return False
            events.append(now)
            return True


# Sliding window on a sorted set, atomic in one round trip. Rejected attempts are not recorded,
# so a client that keeps hammering regains its budget as soon as old messages age out.
_SLIDING_WINDOW_LUA = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
  return 0
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return 1
"""


class RedisRateLimiter:
    """Shared budget across workers. When Redis is unreachable the in-process ``fallback``
    decides (each worker then limits on its own) and ``degraded`` says so in /readyz: limits
    are never dropped silently, and no citizen is refused because Redis is away."""

    blocking = True

    def __init__(
        self,
        url: str,
        per_minute: int,
        *,
        prefix: str = "nq57:rl:",
        window: float = WINDOW_SECONDS,
        client: object | None = None,
        fallback: RateLimiter | None = None,
    ) -> None:
        import redis

        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.window = window
        self.prefix = prefix
        self._redis = client or redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        self._script = self._redis.register_script(_SLIDING_WINDOW_LUA)
        self.fallback = fallback or MemoryRateLimiter(per_minute, window=window)
        self.degraded = False

    def allow(self, key: str) -> bool:
        # Redis server time keeps several workers with skewed clocks on one timeline.
        member = uuid.uuid4().hex
        try:
            seconds, micros = self._redis.time()
            now = seconds + micros / 1_000_000
            result = self._script(
                keys=[self.prefix + key], args=[now, self.window, self.per_minute, member]
            )
        except Exception as exc:
            if not self.degraded:
                log.warning(
                    "rate limiter: Redis unavailable (%s); limiting in process",
                    type(exc).__name__,
                )
            self.degraded = True
            return self.fallback.allow(key)
        self.degraded = False
        return bool(int(result))

    @property
    def backend(self) -> str:
        return "in-process (redis unavailable)" if self.degraded else "redis"


def build_limiter(
    settings: Settings, per_minute: int | None = None, prefix: str = "nq57:rl:"
) -> RateLimiter:
    """Redis when `settings.redis_url` is set (several workers), otherwise in-process."""
    budget = per_minute or settings.rate_limit_per_minute
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, budget, prefix=prefix)
    return MemoryRateLimiter(budget)
