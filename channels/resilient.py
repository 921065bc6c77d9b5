"""The conversation store behind timeouts, a circuit breaker and a bounded write queue.

A database that is down or hangs must not slow the answers: it only loses (or delays) the log.

- Reads (a conversation's turns, feedback) run in a small thread pool and are given up after
  ``read_timeout`` seconds; the caller sees StorageError and answers without history.
- Writes go into a bounded FIFO queue that one writer thread drains in order, committing all
  that is waiting in one transaction (group commit: one fsync for twenty answers under load, not
  twenty). Rows are built when the write is queued, so their times are the answers' times.
  While the database is healthy a request waits for its write (``write_wait`` at most), so what
  it wrote is there when the response arrives; while the circuit is open it does not wait at
  all. When the queue is full the write is skipped and counted (``dropped``).
- Failures (errors and timeouts) feed one circuit breaker; while it is open nothing waits on the
  database. The writer keeps retrying the head of the queue, so the log catches up when the
  database is back.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from bot.answer import Answer, Turn
from channels.breaker import CircuitBreaker
from channels.storage import (
    DEFAULT_SESSION_WINDOW,
    Storage,
    StorageError,
    UnknownMessage,
    exchange_rows,
    hash_user_key,
    message_row,
    session_id,
)

log = logging.getLogger("nq57.storage")


MAX_BATCH = 256


@dataclass
class _Job:
    """One queued write: ``write`` runs inside a shared transaction (batched with others),
    ``run`` alone (its errors are its own, e.g. feedback for an unknown answer)."""

    what: str
    write: Callable[[sa.Connection], None] | None = None
    run: Callable[[], Any] | None = None
    ids: tuple[str, ...] = ()
    done: threading.Event = field(default_factory=threading.Event)


class GuardedStorage:
    """`Storage`'s interface with bounded waits; other attributes pass through to it."""

    def __init__(
        self,
        storage: Storage,
        *,
        read_timeout: float = 1.0,
        write_wait: float = 1.0,
        queue_size: int = 10_000,
        breaker: CircuitBreaker | None = None,
        migrate_timeout: float = 60.0,
    ) -> None:
        self.inner = storage
        self.read_timeout = read_timeout
        self.write_wait = write_wait
        self.queue_size = queue_size
        self.migrate_timeout = migrate_timeout
        self.breaker = breaker or CircuitBreaker()
        self.dropped = 0  # writes skipped: queue full
        self.rejected = 0  # writes the database refused for their content (never retried)
        self.written = 0
        self.timeouts = 0
        self._queue: deque[_Job] = deque()
        self._pending: set[str] = set()
        self._cond = threading.Condition()
        self._closed = False
        self._readers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="nq57-db-read")
        self._writer = threading.Thread(target=self._drain, name="nq57-db-write", daemon=True)
        self._writer.start()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __repr__(self) -> str:
        return f"Guarded{self.inner!r}"

    # -- state -------------------------------------------------------------------------------

    @property
    def queued(self) -> int:
        with self._cond:
            return len(self._queue)

    @property
    def available(self) -> bool:
        return self.breaker.state == "closed"

    def status(self) -> dict[str, Any]:
        """For /readyz: no host, no driver message."""
        return {
            "state": "ok" if self.available else "down",
            "circuit": self.breaker.state,
            "queued": self.queued,
            "dropped": self.dropped,
        }

    # -- reads -------------------------------------------------------------------------------

    def _read(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None, **kw: Any):
        if not self.breaker.allow():
            raise StorageError("database unavailable (circuit open)")
        future = self._readers.submit(fn, *args, **kw)
        try:
            result = future.result(timeout=timeout or self.read_timeout)
        except FutureTimeout:
            self.timeouts += 1
            self.breaker.failure()
            raise StorageError("database did not answer in time") from None
        except StorageError:
            self.breaker.failure()
            raise
        except BaseException:
            self.breaker.success()  # the database answered; the request itself was wrong
            raise
        self.breaker.success()
        return result

    def ping(self) -> None:
        self._read(self.inner.ping)

    def migrate(self) -> None:
        self._read(self.inner.migrate, timeout=self.migrate_timeout)

    @property
    def migrated(self) -> bool:
        return self.inner.migrated

    def history(self, conversation_id: str, limit: int = 10) -> list[Turn]:
        return self._read(self.inner.history, conversation_id, limit=limit)

    def has_conversation(self, conversation_id: str) -> bool:
        return self._read(self.inner.has_conversation, conversation_id)

    def conversation_for(
        self, channel: str, user_key: str, window: float = DEFAULT_SESSION_WINDOW
    ) -> str:
        try:
            return self._read(self.inner.conversation_for, channel, user_key, window)
        except StorageError:
            # Same id the store would make for a new session; written when the database is back.
            hashed = hash_user_key(channel, user_key, self.inner.salt)
            cid = session_id(hashed, datetime.now(UTC), window)
            self._enqueue(
                _Job(
                    "conversation",
                    write=lambda conn: self.inner.ensure_conversation(cid, channel, user_key, conn),
                )
            )
            return cid

    def first_delivery(self, key: str) -> bool:
        return self._read(self.inner.first_delivery, key)

    # -- writes ------------------------------------------------------------------------------

    def add_message(
        self,
        conversation_id: str,
        role: str,
        content: str,
        *,
        intent: str | None = None,
        abstained: bool | None = None,
        citations: Any = None,
        latency_ms: float | None = None,
        message_id: str | None = None,
        start: str | None = None,
        reply_to: str | None = None,
        corpus_version: str | None = None,
        curated_id: str | None = None,
        reason: str | None = None,
    ) -> str:
        row = message_row(
            conversation_id, role, content, intent, abstained, citations, latency_ms, message_id
        )
        row["reply_to"] = reply_to
        # What the console reads (corpus version, curated answer, the assistant's reason).
        row |= {"corpus_version": corpus_version, "curated_id": curated_id, "reason": reason}
        self._enqueue_rows(conversation_id, [row], start, "message")
        return row["id"]

    def add_exchange(
        self,
        conversation_id: str,
        question: str,
        answer: Answer,
        message_id: str | None = None,
        start: str | None = None,
    ) -> str:
        rows = exchange_rows(conversation_id, question, answer, message_id)
        self._enqueue_rows(conversation_id, rows, start, "exchange")
        return rows[1]["id"]

    def _enqueue_rows(self, cid: str, rows: list[dict], start: str | None, what: str) -> None:
        def write(conn: sa.Connection) -> None:
            self.inner.write_rows(cid, rows, start, conn)

        self._enqueue(_Job(what, write=write, ids=tuple(r["id"] for r in rows)))

    def add_feedback(self, message_id: str, rating: str, comment: str | None = None) -> None:
        if not self.breaker.allow():
            # The citizen is told to try again (503) rather than thanked for a lost vote.
            raise StorageError("database unavailable (circuit open)")
        with self._cond:
            pending = message_id in self._pending
        if pending:  # the answer is still in the queue: the feedback follows it there
            self._enqueue(
                _Job("feedback", run=lambda: self.inner.add_feedback(message_id, rating, comment))
            )
            return
        self._read(self.inner.add_feedback, message_id, rating, comment)

    def _enqueue(self, job: _Job) -> None:
        with self._cond:
            if self._closed or len(self._queue) >= self.queue_size:
                self.dropped += 1
                log.warning("conversation store queue full: %s not stored", job.what)
                return
            self._queue.append(job)
            self._pending.update(job.ids)
            self._cond.notify()
        if self.breaker.state != "closed":
            return
        if not job.done.wait(self.write_wait):
            self.timeouts += 1
            self.breaker.failure()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued write is done (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
        return True

    def _drain(self) -> None:
        backoff = 0.05
        while True:
            with self._cond:
                while not self._queue and not self._closed:
                    self._cond.wait()
                if not self._queue:
                    return
                batch = [self._queue[0]]
                if batch[0].write is not None:
                    for job in itertools.islice(self._queue, 1, MAX_BATCH):
                        if job.write is None:
                            break
                        batch.append(job)
            if not self.breaker.allow():
                time.sleep(min(0.2, self.breaker.cooldown))
                continue
            try:
                self._execute(batch)
            except StorageError as exc:
                # Connection trouble: nothing was committed; retry the same batch.
                self.breaker.failure()
                log.warning("conversation store write failed, will retry: %s", exc)
                time.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            backoff = 0.05
            with self._cond:
                for job in batch:
                    self._queue.popleft()
                    self._pending.difference_update(job.ids)
                self._cond.notify_all()
            for job in batch:
                job.done.set()

    def _execute(self, batch: list[_Job]) -> None:
        """Run a batch; a write the database refuses for its content is dropped and counted
        (and the others still written); connection trouble raises StorageError."""
        if batch[0].write is None:
            self._run_alone(batch[0])
            return
        try:
            self.inner.in_one_transaction([job.write for job in batch])  # type: ignore[misc]
        except StorageError as exc:
            if _retryable(exc):
                raise
            self.breaker.success()
            for job in batch:  # find the row at fault: one transaction each
                try:
                    self.inner.in_one_transaction([job.write])  # type: ignore[list-item]
                    self.written += 1
                except StorageError as one:
                    if _retryable(one):
                        raise
                    self.rejected += 1
                    log.warning("conversation store refused a %s: %s", job.what, one)
            return
        self.breaker.success()
        self.written += len(batch)

    def _run_alone(self, job: _Job) -> None:
        try:
            job.run()  # type: ignore[misc]
        except StorageError as exc:
            if _retryable(exc):
                raise
            self.rejected += 1
            log.warning("conversation store refused a %s: %s", job.what, exc)
        except (ValueError, UnknownMessage) as exc:
            self.rejected += 1
            log.warning("conversation store refused a %s: %s", job.what, type(exc).__name__)
        except Exception as exc:  # never let the writer die
            self.rejected += 1
            log.error("conversation store %s failed: %s", job.what, type(exc).__name__)
        else:
            self.written += 1
        self.breaker.success()

    def close(self) -> None:
        self.flush(timeout=2.0)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._readers.shutdown(wait=False, cancel_futures=True)
        self.inner.close()


def _retryable(exc: StorageError) -> bool:
    """Connection trouble is retried; a row the database refuses (constraint) is not."""
    cause = exc.__cause__
    return not isinstance(cause, sa.exc.IntegrityError | sa.exc.DataError | sa.exc.ProgrammingError)


def open_guarded(settings: Any) -> GuardedStorage:
    """The conversation store of `nq57 serve`: configured database (or SQLite in data_dir),
    the kept salt, timeouts, and the guard above."""
    from channels.usersalt import load_or_create_salt

    url = settings.database_url or settings.sqlite_url
    store = Storage(
        url,
        salt=load_or_create_salt(settings.data_dir, settings.user_key_salt),
        connect_timeout=settings.db_connect_timeout,
        statement_timeout_ms=settings.db_statement_timeout_ms,
    )
    return GuardedStorage(
        store,
        read_timeout=settings.db_read_timeout,
        write_wait=settings.db_write_wait,
        queue_size=settings.db_queue_size,
    )
