"""Rate limiters and webhook de-duplication, in memory and against the local Redis."""

from __future__ import annotations

import uuid

import pytest
import redis

from channels.common import (
    MSG_RATE_LIMITED,
    InboundMessage,
    MemoryHistory,
    MessageHandler,
    clean_text,
    hash_user,
)
from channels.dedup import MemoryDeduplicator, RedisDeduplicator, build_deduplicator
from channels.ratelimit import MemoryRateLimiter, RedisRateLimiter, build_limiter
from nq57.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/15"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def prefix():
    """Unique key prefix per test; keys are removed afterwards."""
    p = f"nq57test:{uuid.uuid4().hex}:"
    yield p
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=p + "*"):
        client.delete(key)
    client.close()


def test_memory_limiter_sliding_window():
    clock = _Clock()
    limiter = MemoryRateLimiter(3, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # keys are independent
    clock.now += 30
    assert not limiter.allow("a")
    clock.now += 31  # the first three have left the window
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]


def test_memory_limiter_forgets_least_recent_keys():
    limiter = MemoryRateLimiter(1, max_keys=2, clock=_Clock())
    assert limiter.allow("a") and limiter.allow("b") and limiter.allow("c")
    assert limiter.allow("a")  # "a" was evicted, so its budget is fresh
    assert not limiter.allow("c")


def test_redis_limiter_budget(prefix):
    limiter = RedisRateLimiter(REDIS_URL, 5, prefix=prefix)
    assert [limiter.allow("user") for _ in range(7)] == [True] * 5 + [False] * 2
    assert limiter.allow("other")


def test_two_redis_limiters_share_one_budget(prefix):
    first = RedisRateLimiter(REDIS_URL, 4, prefix=prefix)
    second = RedisRateLimiter(REDIS_URL, 4, prefix=prefix)
    results = [first.allow("u"), second.allow("u"), first.allow("u"), second.allow("u")]
    assert results == [True] * 4
    assert not first.allow("u")
    assert not second.allow("u")


def test_redis_limiter_falls_back_to_in_process_when_redis_is_down():
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0", 1)
    assert limiter.allow("u") and not limiter.allow("u")  # still limited, never open
    assert limiter.degraded and limiter.backend == "in-process (redis unavailable)"


def test_build_limiter_chooses_backend():
    assert isinstance(build_limiter(Settings(redis_url=None)), MemoryRateLimiter)
    assert isinstance(build_limiter(Settings(redis_url=REDIS_URL)), RedisRateLimiter)


def test_memory_dedup_ttl():
    clock = _Clock()
    dedup = MemoryDeduplicator(ttl=10, clock=clock)
    assert dedup.first_seen("1")
    assert not dedup.first_seen("1")
    assert dedup.first_seen("2")
    clock.now += 11
    assert dedup.first_seen("1")


def test_redis_dedup_shared_between_instances(prefix):
    a = RedisDeduplicator(REDIS_URL, ttl=60, prefix=prefix)
    b = RedisDeduplicator(REDIS_URL, ttl=60, prefix=prefix)
    assert a.first_seen("update-1")
    assert not b.first_seen("update-1")
    assert b.first_seen("update-2")
    ttl = redis.Redis.from_url(REDIS_URL).ttl(prefix + "update-1")
    assert 0 < ttl <= 60


def test_build_deduplicator_namespaces(prefix):
    dedup = build_deduplicator(Settings(redis_url=REDIS_URL), f"test-{uuid.uuid4().hex}", ttl=5)
    assert isinstance(dedup, RedisDeduplicator)
    assert dedup.first_seen("x") and not dedup.first_seen("x")
    redis.Redis.from_url(REDIS_URL).delete(dedup.prefix + "x")


# -- the common inbound path -------------------------------------------------------------------


class _Spy:
    """Wraps the real assistant to record what the handler passed it (history, text); can
    inject a failure to exercise the apology path."""

    def __init__(self, inner, fail: bool = False) -> None:
        self.inner = inner
        self.calls: list[tuple[str, list]] = []
        self.fail = fail

    def ask(self, message, history=None):
        self.calls.append((message, list(history or [])))
        if self.fail:
            raise RuntimeError(f"boom with private text {message}")
        return self.inner.ask(message, history)

    def stream(self, message, history=None):
        return self.inner.stream(message, history)


def _msg(text: str, user: str = "42") -> InboundMessage:
    return InboundMessage(channel="test", user_id=user, chat_id=user, text=text, message_id="1")


def test_clean_text_strips_controls_and_normalises():
    assert clean_text("\x00Nghi\u0323 quyê\u0301t\u200b 57\x1b\r\n") == "Nghị quyết 57"


def test_handler_rate_limit_and_length_messages(assistant):
    settings = Settings(max_message_chars=50, rate_limit_per_minute=2)
    recorder = _Spy(assistant)
    handler = MessageHandler(recorder, MemoryRateLimiter(2), settings)
    too_long = handler.handle(_msg("x" * 51))
    assert too_long.meta["notice"] == "too_long" and "50" in too_long.text
    assert handler.handle(_msg("câu hỏi")).meta.get("notice") is None
    limited = handler.handle(_msg("câu hỏi nữa"))
    assert limited.text == MSG_RATE_LIMITED and limited.abstained
    assert handler.handle(_msg("câu của người khác", user="7")).meta.get("notice") is None
    assert handler.handle(_msg(" \x00 ")).meta["notice"] == "empty"
    assert len(recorder.calls) == 2


def test_handler_keeps_short_history_for_follow_ups(assistant):
    recorder = _Spy(assistant)
    handler = MessageHandler(recorder, MemoryRateLimiter(100), Settings(), history_turns=4)
    questions = ("Xin chào", "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?", "Còn năm 2045?")
    answers = [handler.handle(_msg(q)).text for q in questions]
    message, history = recorder.calls[-1]
    assert message == questions[2]
    assert [(t.role, t.content) for t in history] == [
        ("user", questions[0]),
        ("assistant", answers[0]),
        ("user", questions[1]),
        ("assistant", answers[1]),
    ]
    assert recorder.calls[0][1] == []


def test_handler_apologises_and_logs_without_personal_data(assistant, caplog):
    handler = MessageHandler(_Spy(assistant, fail=True), MemoryRateLimiter(100), Settings())
    with caplog.at_level("ERROR"):
        answer = handler.handle(_msg("số CCCD của tôi là 001234", user="987654321"))
    assert answer.meta["notice"] == "error" and "Xin lỗi" in answer.text
    logged = caplog.text
    assert "RuntimeError" in logged
    assert "987654321" not in logged and "001234" not in logged
    assert hash_user("test:987654321") in logged


def test_memory_history_is_bounded():
    store = MemoryHistory(max_chats=2, max_turns=3)
    for key in ("a", "b", "c"):
        for i in range(5):
            store.add_message(key, "user", f"{key}{i}")
    assert store.history("a", 10) == []
    assert [t.content for t in store.history("c", 10)] == ["c2", "c3", "c4"]


async def test_ahandle_answers_like_handle(assistant):
    handler = MessageHandler(assistant, MemoryRateLimiter(5), Settings())
    answer = await handler.ahandle(_msg("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"))
    assert answer.text.strip()
    assert answer.intent == "answer" and answer.citations
