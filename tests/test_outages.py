"""The service under real outages: PostgreSQL that hangs or is gone, Redis stopped, Telegram
unreachable at start. The servers are real; a TCP proxy (tests/netproxy.py) or stopping our own
redis-server makes them fail."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from channels.server import build_app
from channels.storage import messages
from tests.netproxy import TcpProxy
from tests.services import RedisServer, create_pg_database, drop_pg_database, pg_available
from tests.test_telegram import SECRET, TOKEN, FakeBotAPI
from tests.test_zalo_bot import SECRET as ZB_SECRET
from tests.test_zalo_bot import TOKEN as ZB_TOKEN
from tests.test_zalo_bot import FakeZaloBotAPI
from tests.test_zalo_bot import event as zalo_bot_event

IN_SCOPE = "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"
QUESTIONS = [
    IN_SCOPE,
    "Chi cho nghiên cứu phát triển phải đạt bao nhiêu phần trăm GDP?",
    "thời tiết hôm nay thế nào",
    "xin chào",
]


@pytest.fixture
def pg_database():
    """A PostgreSQL database of this test alone, dropped afterwards."""
    if not pg_available():
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432")
    name = create_pg_database()
    yield name
    drop_pg_database(name)


@pytest.fixture
def pg_proxy():
    with TcpProxy("127.0.0.1", 5432) as proxy:
        yield proxy


def outage_settings(index_settings, tmp_path, **update):
    base = {
        "data_dir": tmp_path / "data",
        "embed_cache_dir": index_settings.cache_dir,
        "rate_limit_per_minute": 1000,
        "rate_limit_per_address_per_minute": 10_000,
        "db_connect_timeout": 1.0,
        "db_read_timeout": 0.5,
        "db_write_wait": 0.5,
        "retention_days": 0,
    }
    return index_settings.model_copy(update=base | update)


def stored_answers(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count())
                .select_from(messages)
                .where(messages.c.role == "assistant")
            ).scalar_one()
    finally:
        engine.dispose()


# -- PostgreSQL that hangs ---------------------------------------------------------------------


def test_hanging_postgresql_answers_go_on_and_the_log_catches_up(
    index_settings, runtime, tmp_path, pg_database, pg_proxy
):
    direct = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}"
    via_proxy = f"postgresql+psycopg://postgres@127.0.0.1:{pg_proxy.port}/{pg_database}"
    settings = outage_settings(index_settings, tmp_path, database_url=via_proxy)
    app = build_app(settings, runtime=runtime)
    storage = app.state.nq57.storage
    with TestClient(app) as client:
        assert client.post("/api/chat", json={"message": IN_SCOPE}).status_code == 200
        assert stored_answers(direct) == 1

        waited_before = storage.timeouts
        pg_proxy.mode = "hang"  # accepts, never answers; the open connection stalls too
        n = 24
        for i in range(n):
            r = client.post("/api/chat", json={"message": QUESTIONS[i % len(QUESTIONS)]})
            assert r.status_code == 200 and r.json()["answer"]
        # Only the requests before the circuit opened waited for the database; the rest
        # did not wait at all.
        assert storage.breaker.state != "closed"
        assert storage.timeouts - waited_before <= storage.breaker.threshold
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
        assert ready.json()["components"]["storage"]["state"] == "down"
        assert ready.json()["components"]["storage"]["queued"] >= n - 1
        assert str(pg_proxy.port) not in ready.text and "127.0.0.1" not in ready.text
        # A follow-up in a known conversation is answered without its history, not hung.
        follow = client.post(
            "/api/chat", json={"message": "còn doanh nghiệp thì sao?", "conversation_id": "c-1"}
        )
        assert follow.status_code == 200

        pg_proxy.mode = "forward"
        assert storage.flush(timeout=30), "the queued writes did not catch up"
    # Nothing lost: every answer given while the database hung is in it now.
    assert stored_answers(direct) == 1 + n + 1
    assert storage.dropped == 0


def test_full_queue_skips_and_counts_writes(
    index_settings, runtime, tmp_path, pg_database, pg_proxy
):
    via_proxy = f"postgresql+psycopg://postgres@127.0.0.1:{pg_proxy.port}/{pg_database}"
    settings = outage_settings(index_settings, tmp_path, database_url=via_proxy, db_queue_size=3)
    app = build_app(settings, runtime=runtime)
    storage = app.state.nq57.storage
    with TestClient(app, client=("127.0.0.1", 50000)) as client:
        pg_proxy.mode = "refuse"  # the server is gone
        for _ in range(10):
            assert client.post("/api/chat", json={"message": IN_SCOPE}).status_code == 200
        assert storage.dropped >= 6
        body = client.get("/readyz").json()
        assert body["components"]["storage"]["dropped"] == storage.dropped
        text = client.get("/metrics").text
        assert "nq57_storage_dropped" in text
        pg_proxy.mode = "forward"
        assert storage.flush(timeout=30)


# -- Redis stopped -----------------------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    try:
        server.start()
    except RuntimeError as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture
def zalo_bot_api():
    fake = FakeZaloBotAPI()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


async def test_redis_stopped_limits_and_dedup_fall_back_and_readyz_says_so(
    index_settings, runtime, tmp_path, redis_server, zalo_bot_api, caplog
):
    settings = outage_settings(
        index_settings,
        tmp_path,
        redis_url=redis_server.url,
        rate_limit_per_minute=2,
        zalo_bot_token=ZB_TOKEN,
        zalo_bot_secret=ZB_SECRET,
        zalo_bot_base_url=zalo_bot_api.url,
    )
    app = build_app(settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        ready = (await client.get("/readyz")).json()
        assert ready["status"] == "ready" and ready["components"]["rate_limit"] == "redis"

        redis_server.stop()
        cid = {"conversation_id": "c-redis-down"}
        codes = [
            (await client.post("/api/chat", json={"message": "xin chào", **cid})).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]  # still limited, in process
        ready = (await client.get("/readyz")).json()
        assert ready["status"] == "degraded"
        assert ready["components"]["rate_limit"] == "in-process (redis unavailable)"
        assert any("Redis" in reason for reason in ready["reasons"])

        update = zalo_bot_event("xin chào")
        headers = {"X-Bot-Api-Secret-Token": ZB_SECRET}
        first = await client.post("/webhooks/zalo-bot", content=json.dumps(update), headers=headers)
        again = await client.post("/webhooks/zalo-bot", content=json.dumps(update), headers=headers)
        assert first.json() == {"ok": True}
        assert again.json() == {"ok": True, "skipped": True}  # the database remembered it
        ready = (await client.get("/readyz")).json()
        assert (
            ready["components"]["channels"]["zalo_bot"]["dedup"] == "fallback (redis unavailable)"
        )
    assert any("Redis unavailable" in r.getMessage() for r in caplog.records)


# -- Telegram unreachable at start -------------------------------------------------------------


async def test_telegram_unreachable_at_start_the_rest_serves_and_it_is_retried(
    index_settings, runtime, tmp_path, caplog
):
    fake = FakeBotAPI()
    fake.thread.start()
    target = fake.server.server_address
    with TcpProxy(target[0], target[1]) as proxy:
        proxy.mode = "refuse"
        settings = outage_settings(
            index_settings,
            tmp_path,
            telegram_token=TOKEN,
            telegram_secret=SECRET,
            telegram_base_url=f"http://127.0.0.1:{proxy.port}/bot",
        )
        app = build_app(settings, runtime=runtime)
        transport = httpx.ASGITransport(app=app)
        caplog.set_level(logging.ERROR, logger="nq57.channels")
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
        ):
            chat = await client.post("/api/chat", json={"message": IN_SCOPE})
            assert chat.status_code == 200 and chat.json()["citations"]
            telegram = app.state.nq57.extra["channels"]["telegram"]
            for _ in range(100):
                if telegram.starter.attempts:
                    break
                await asyncio.sleep(0.05)
            ready = await client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["status"] == "degraded"
            assert ready.json()["components"]["channels"]["telegram"]["state"] == "retrying"
            assert "channel telegram not running" in ready.json()["reasons"]
            assert TOKEN not in ready.text
            assert any("channel telegram could not start" in r.getMessage() for r in caplog.records)

            proxy.mode = "forward"  # Telegram is back: the next retry starts the bot
            deadline = time.monotonic() + 15
            while telegram.status()["state"] != "ok" and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert telegram.status()["state"] == "ok"
            assert (await client.get("/readyz")).json()["status"] == "ready"
    fake.server.shutdown()
    fake.server.server_close()
