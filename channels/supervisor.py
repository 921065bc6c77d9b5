"""Start a messenger channel in the background and keep trying until it works.

A channel that cannot reach its platform at start (Telegram down, a DNS failure, a revoked
token) must not take the web chat down with it: the app starts, /readyz and the log say which
channel is not running, and the start is retried with exponential back-off.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("nq57.channels")


class RetryingStart:
    def __init__(
        self,
        name: str,
        start: Callable[[], Awaitable[None]],
        *,
        first_delay: float = 1.0,
        max_delay: float = 300.0,
    ) -> None:
        self.name = name
        self._start = start
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.state = "starting"
        self.attempts = 0
        self.last_error: str | None = None  # exception type only: messages may hold tokens
        self._task: asyncio.Task | None = None

    async def launch(self) -> None:
        """Return at once; the channel starts in a background task."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"start-{self.name}")

    async def _run(self) -> None:
        delay = self.first_delay
        while True:
            self.attempts += 1
            try:
                await self._start()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.state = "retrying"
                self.last_error = type(exc).__name__
                log.error(
                    "channel %s could not start (%s, attempt %d); retrying in %.0f s",
                    self.name,
                    self.last_error,
                    self.attempts,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_delay)
                continue
            self.state = "ok"
            self.last_error = None
            log.info("channel %s started", self.name)
            return

    async def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def status(self) -> dict[str, object]:
        out: dict[str, object] = {"state": self.state, "attempts": self.attempts}
        if self.last_error:
            out["error"] = self.last_error
        return out
