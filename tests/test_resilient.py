"""The guarded conversation store on a real SQLite file: group commit, refused rows, order."""

from __future__ import annotations

import threading

from bot.answer import Answer
from channels.breaker import CircuitBreaker
from channels.resilient import GuardedStorage
from channels.storage import Storage


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_half_opens_and_closes():
    clock = Clock()
    breaker = CircuitBreaker(threshold=2, cooldown=5, clock=clock)
    breaker.failure()
    assert breaker.state == "closed" and breaker.allow()
    breaker.failure()
    assert breaker.state == "open" and not breaker.allow()
    clock.now = 5.0
    assert breaker.state == "half-open"
    assert breaker.allow() and not breaker.allow()  # one trial call only
    breaker.failure()
    assert breaker.state == "open" and breaker.trips == 1
    clock.now = 10.0
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed" and breaker.allow()


def test_concurrent_writes_are_committed_together_in_order(tmp_path):
    store = GuardedStorage(Storage(f"sqlite:///{tmp_path / 'g.sqlite3'}"), write_wait=5)
    store.migrate()
    cid = store.inner.new_conversation("web")
    ids: list[str] = []
    lock = threading.Lock()

    def ask(i: int) -> None:
        mid = store.add_exchange(
            cid, f"câu {i}", Answer(text=f"đáp {i}", intent="answer", abstained=False)
        )
        with lock:
            ids.append(mid)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.flush(10) and len(ids) == 40
    assert store.written == 40  # forty exchanges through one writer thread, none lost
    turns = store.inner.history(cid, limit=200)
    assert len(turns) == 80 and store.dropped == store.rejected == 0
    # Each answer directly follows its own question.
    for question, answer in zip(turns[::2], turns[1::2], strict=True):
        assert question.content.replace("câu", "đáp") == answer.content
    store.close()


def test_a_refused_row_is_counted_and_the_others_are_written(tmp_path):
    store = GuardedStorage(Storage(f"sqlite:///{tmp_path / 'g.sqlite3'}"), write_wait=5)
    store.migrate()
    cid = store.inner.new_conversation("web")
    store.add_message(cid, "user", "trước")
    # No such conversation and no channel to start it: the foreign key refuses the row.
    store.add_message("c-missing", "user", "mồ côi")
    store.add_message(cid, "user", "sau")
    assert store.flush(10)
    assert [t.content for t in store.inner.history(cid)] == ["trước", "sau"]
    assert store.rejected == 1 and store.available
    store.close()
