"""Drop webhook deliveries the platform sends again (Telegram and Zalo retry on slow answers)."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from nq57.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_TTL = 24 * 3600.0


class Deduplicator(Protocol):
    def first_seen(self, key: str) -> bool:
        """True the first time `key` is seen within the TTL, False for a repeat."""
        ...


class MemoryDeduplicator:
    """TTL set in process memory, bounded to `max_items` (oldest forgotten first)."""

    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        *,
        max_items: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_items = max_items
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_seen(self, key: str) -> bool:
        now = self._clock()
        with self._lock:
            while self._seen:
                oldest_key, expires = next(iter(self._seen.items()))
                if expires > now and len(self._seen) <= self.max_items:
                    break
                del self._seen[oldest_key]
            expires = self._seen.get(key)
            if expires is not None and expires > now:
                return False
            self._seen[key] = now + self.ttl
            self._seen.move_to_end(key)
            return True


class RedisDeduplicator:
    """SET NX EX: atomic across workers. Fails open (treats as new) when Redis is down, since a
    rare double answer is better than a silent bot."""

    def __init__(
        self,
        url: str,
        ttl: float = DEFAULT_TTL,
        *,
        prefix: str = "nq57:dedup:",
        client: object | None = None,
    ) -> None:
        import redis

        self.ttl = ttl
        self.prefix = prefix
        self._redis = client or redis.Redis.from_url(url, socket_timeout=1.0)

    def first_seen(self, key: str) -> bool:
        try:
            return bool(self._redis.set(self.prefix + key, b"1", nx=True, ex=max(1, int(self.ttl))))
        except Exception as exc:
            log.warning("deduplicator: Redis unavailable (%s); treating as new", type(exc).__name__)
            return True


def build_deduplicator(
    settings: Settings, namespace: str, ttl: float = DEFAULT_TTL
) -> Deduplicator:
    """One key space per channel (`namespace`), Redis when configured."""
    if settings.redis_url:
        return RedisDeduplicator(settings.redis_url, ttl, prefix=f"nq57:dedup:{namespace}:")
    return MemoryDeduplicator(ttl)
