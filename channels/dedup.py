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


class StoreDeduplicator:
    """Deliveries recorded in the conversation database: replays are dropped across restarts
    and workers. When the database cannot answer, the in-process set takes over (and
    ``degraded`` says so) rather than answering a replay twice or dropping a new message."""

    def __init__(self, storage: object, namespace: str, ttl: float = DEFAULT_TTL) -> None:
        self.storage = storage
        self.namespace = namespace
        self.memory = MemoryDeduplicator(ttl)
        self.degraded = False

    def first_seen(self, key: str) -> bool:
        # Remembered in memory as well: the database may be gone at the replay.
        fresh_here = self.memory.first_seen(key)
        try:
            fresh = self.storage.first_delivery(f"{self.namespace}:{key}")  # type: ignore[attr-defined]
        except Exception as exc:
            if not self.degraded:
                log.warning(
                    "deduplicator: database unavailable (%s); using the in-process set",
                    type(exc).__name__,
                )
            self.degraded = True
            return fresh_here
        self.degraded = False
        return fresh and fresh_here

    @property
    def backend(self) -> str:
        return "in-process (database unavailable)" if self.degraded else "database"


class RedisDeduplicator:
    """SET NX EX: atomic across workers. When Redis is down the ``fallback`` (the database, or
    an in-process set) decides, and ``degraded`` says so in /readyz; never fail open silently."""

    def __init__(
        self,
        url: str,
        ttl: float = DEFAULT_TTL,
        *,
        prefix: str = "nq57:dedup:",
        client: object | None = None,
        fallback: Deduplicator | None = None,
    ) -> None:
        import redis

        self.ttl = ttl
        self.prefix = prefix
        self._redis = client or redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        self.fallback = fallback or MemoryDeduplicator(ttl)
        self.degraded = False

    def first_seen(self, key: str) -> bool:
        try:
            fresh = bool(
                self._redis.set(self.prefix + key, b"1", nx=True, ex=max(1, int(self.ttl)))
            )
        except Exception as exc:
            if not self.degraded:
                log.warning(
                    "deduplicator: Redis unavailable (%s); falling back", type(exc).__name__
                )
            self.degraded = True
            return self.fallback.first_seen(key)
        self.degraded = False
        return fresh

    @property
    def backend(self) -> str:
        return "fallback (redis unavailable)" if self.degraded else "redis"


def build_deduplicator(
    settings: Settings, namespace: str, ttl: float = DEFAULT_TTL, storage: object | None = None
) -> Deduplicator:
    """One key space per channel (`namespace`): Redis when configured, else the conversation
    database when there is one (both survive restarts), else in-process."""
    durable = StoreDeduplicator(storage, namespace, ttl) if storage is not None else None
    if settings.redis_url:
        return RedisDeduplicator(
            settings.redis_url, ttl, prefix=f"nq57:dedup:{namespace}:", fallback=durable
        )
    return durable or MemoryDeduplicator(ttl)
