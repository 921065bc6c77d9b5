"""Hostile webhook payloads, stale and replayed events, and a user's quick messages, through
`build_app` with every messenger channel configured (only the platforms' servers are fakes)."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import time
from contextlib import asynccontextmanager

import httpx
import pytest
import sqlalchemy as sa

from channels.server import build_app
from channels.storage import conversations, messages
from channels.webhook_models import MSG_MALFORMED, MSG_STALE
from tests.test_telegram import SECRET as TG_SECRET
from tests.test_telegram import TOKEN as TG_TOKEN
from tests.test_telegram import FakeBotAPI, text_update
from tests.test_zalo_bot import SECRET as ZB_SECRET
from tests.test_zalo_bot import TOKEN as ZB_TOKEN
from tests.test_zalo_bot import FakeZaloBotAPI
from tests.test_zalo_bot import event as zalo_bot_event
from tests.test_zalo_oa import APP_ID, APP_SECRET, OA_SECRET, FakeZaloOA

QUESTIONS = [
    "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?",
    "xin chào",
    "Chi cho nghiên cứu phát triển phải đạt bao nhiêu phần trăm GDP?",
    "thời tiết hôm nay thế nào",
    "Doanh nghiệp khởi nghiệp sáng tạo được hỗ trợ những gì?",
]
_msg_ids = itertools.count(1)


@pytest.fixture
def fakes():
    servers = {"telegram": FakeBotAPI(), "zalo_bot": FakeZaloBotAPI(), "zalo_oa": FakeZaloOA()}
    for fake in servers.values():
        fake.thread.start()
    yield servers
    for fake in servers.values():
        fake.server.shutdown()
        fake.server.server_close()


@pytest.fixture
def hook_settings(index_settings, tmp_path, fakes):
    return index_settings.model_copy(
        update={
            "data_dir": tmp_path / "data",
            "database_url": f"sqlite:///{tmp_path / 'conversations.sqlite3'}",
            "rate_limit_per_minute": 1000,
            "retention_days": 0,
            "telegram_token": TG_TOKEN,
            "telegram_secret": TG_SECRET,
            "telegram_base_url": fakes["telegram"].url,
            "zalo_bot_token": ZB_TOKEN,
            "zalo_bot_secret": ZB_SECRET,
            "zalo_bot_base_url": fakes["zalo_bot"].url,
            "zalo_oa_app_id": APP_ID,
            "zalo_oa_secret_key": OA_SECRET,
            "zalo_oa_app_secret": APP_SECRET,
            "zalo_oa_access_token": "access-1",
            "zalo_oa_refresh_token": "refresh-1",
            "zalo_oa_api_base": fakes["zalo_oa"].url,
            "zalo_oauth_base": fakes["zalo_oa"].url,
        }
    )


@asynccontextmanager
async def serving(settings, runtime):
    app = build_app(settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as client,
    ):
        yield app, client


def oa_event(text: str, user: str = "6142494823000000001", ts_ms: int | None = None) -> bytes:
    event = {
        "app_id": APP_ID,
        "event_name": "user_send_text",
        "sender": {"id": user},
        "recipient": {"id": "3662729599332560487"},
        "message": {"msg_id": f"oa-{next(_msg_ids)}-{time.time_ns()}", "text": text},
        "timestamp": str(ts_ms if ts_ms is not None else int(time.time() * 1000)),
    }
    return json.dumps(event, ensure_ascii=False).encode()


def oa_headers(body: bytes) -> dict:
    ts = json.loads(body)["timestamp"]
    mac = hashlib.sha256(APP_ID.encode() + body + ts.encode() + OA_SECRET.encode()).hexdigest()
    return {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}


async def post_all(client, body: bytes) -> dict[str, httpx.Response]:
    return {
        "telegram": await client.post(
            "/webhooks/telegram",
            content=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
        ),
        "zalo_bot": await client.post(
            "/webhooks/zalo-bot", content=body, headers={"X-Bot-Api-Secret-Token": ZB_SECRET}
        ),
        "zalo_oa": await client.post(
            "/webhooks/zalo-oa", content=body, headers=oa_headers_raw(body)
        ),
    }


def oa_headers_raw(body: bytes) -> dict:
    mac = hashlib.sha256(APP_ID.encode() + body + OA_SECRET.encode()).hexdigest()
    return {"X-ZEvent-Signature": f"mac={mac}"}


# -- hostile payloads --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b"{" + b'"a":{' * 50_000,
        b"\xff\xfe not utf-8",
        b'{"update_id": 1, "message": "x"}',
        b'{"event_name": "message.text.received", "message": {"from": "x", "chat": 5}}',
        b'{"ok": true, "result": {"event_name": 5, "message": []}}',
        b'{"event_name": "user_send_text", "timestamp": [], "sender": "x"}',
        b'"just a string"',
        b"",
    ],
    ids=["nested-lists", "nested-objects", "invalid-utf8", "tg-bad-message", "zb-from-string",
         "zb-wrong-types", "oa-wrong-types", "scalar", "empty"],
)  # fmt: skip
async def test_hostile_payloads_are_400_in_vietnamese_never_500(
    hook_settings, runtime, fakes, body
):
    async with serving(hook_settings, runtime) as (_, client):
        responses = await post_all(client, body)
    for channel, response in responses.items():
        assert response.status_code == 400, (channel, response.status_code, response.text)
        assert response.json()["detail"] == MSG_MALFORMED, channel
    assert fakes["zalo_bot"].sent() == [] and fakes["zalo_oa"].sent == []


async def test_zalo_bot_update_with_from_as_a_string_is_400(hook_settings, runtime):
    update = zalo_bot_event("xin chào")
    update["result"]["message"]["from"] = "x"
    async with serving(hook_settings, runtime) as (_, client):
        r = await client.post(
            "/webhooks/zalo-bot",
            content=json.dumps(update),
            headers={"X-Bot-Api-Secret-Token": ZB_SECRET},
        )
    assert r.status_code == 400 and r.json()["detail"] == MSG_MALFORMED


# -- stale and replayed events ------------------------------------------------------------------


async def test_zalo_oa_event_outside_the_freshness_window_is_refused(hook_settings, runtime, fakes):
    old = oa_event("Nghị quyết 57 là gì?", ts_ms=1_262_304_000_000)  # 2010-01-01, validly signed
    future = oa_event("Nghị quyết 57 là gì?", ts_ms=int((time.time() + 3600) * 1000))
    fresh = oa_event("Nghị quyết 57 là gì?")
    async with serving(hook_settings, runtime) as (_, client):
        for body in (old, future):
            r = await client.post("/webhooks/zalo-oa", content=body, headers=oa_headers(body))
            assert r.status_code == 403 and r.json()["detail"] == MSG_STALE
        assert fakes["zalo_oa"].sent == []
        r = await client.post("/webhooks/zalo-oa", content=fresh, headers=oa_headers(fresh))
        assert r.status_code == 200 and fakes["zalo_oa"].sent

    # The window is configurable: an operator replaying a day of events may widen it.
    wide = hook_settings.model_copy(update={"webhook_max_age_seconds": 20 * 365 * 86400})
    async with serving(wide, runtime) as (_, client):
        r = await client.post("/webhooks/zalo-oa", content=old, headers=oa_headers(old))
        assert r.status_code == 200


async def test_replays_after_a_restart_are_dropped(hook_settings, runtime, fakes):
    oa = oa_event("Nghị quyết 57 là gì?")
    tg = json.dumps(text_update("xin chào")).encode()
    zb = json.dumps(zalo_bot_event("xin chào")).encode()

    async def deliver(client) -> list[dict]:
        return [
            (await client.post("/webhooks/zalo-oa", content=oa, headers=oa_headers(oa))).json(),
            (
                await client.post(
                    "/webhooks/telegram",
                    content=tg,
                    headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
                )
            ).json(),
            (
                await client.post(
                    "/webhooks/zalo-bot", content=zb, headers={"X-Bot-Api-Secret-Token": ZB_SECRET}
                )
            ).json(),
        ]

    async with serving(hook_settings, runtime) as (_, client):
        assert await deliver(client) == [{"ok": True}] * 3
    answered = (
        len(fakes["zalo_oa"].sent),
        len(fakes["telegram"].sent()),
        len(fakes["zalo_bot"].sent()),
    )
    # A new process on the same database: every replay is recognised.
    async with serving(hook_settings, runtime) as (_, client):
        replies = await deliver(client)
    assert replies == [
        {"ok": True, "duplicate": True},
        {"ok": True, "duplicate": True},
        {"ok": True, "skipped": True},
    ]
    assert (
        len(fakes["zalo_oa"].sent),
        len(fakes["telegram"].sent()),
        len(fakes["zalo_bot"].sent()),
    ) == answered


# -- one user's quick messages -----------------------------------------------------------------


def rows(db_url: str, channel: str) -> tuple[list[dict], int]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(
            sa.select(conversations.c.id).where(conversations.c.channel == channel)
        )]  # fmt: skip
        found = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(messages)
                .where(messages.c.conversation_id.in_(ids))
                .order_by(messages.c.created_at)
            )
        ]
    engine.dispose()
    return found, len(ids)


async def test_five_quick_zalo_messages_are_stored_in_order_and_linked(
    hook_settings, runtime, fakes
):
    updates = [zalo_bot_event(q) for q in QUESTIONS]
    headers = {"X-Bot-Api-Secret-Token": ZB_SECRET}
    async with serving(hook_settings, runtime) as (app, client):

        async def send(i: int, update: dict) -> int:
            await asyncio.sleep(0.01 * i)  # arrival order 0, 1, 2, 3, 4
            r = await client.post("/webhooks/zalo-bot", content=json.dumps(update), headers=headers)
            return r.status_code

        assert await asyncio.gather(*(send(i, u) for i, u in enumerate(updates))) == [200] * 5
        assert app.state.nq57.storage.flush(10)
    found, n_conversations = rows(hook_settings.database_url, "zalo_bot")
    assert n_conversations == 1
    questions = [m for m in found if m["role"] == "user"]
    assert [m["content"] for m in questions] == QUESTIONS
    answers = [m for m in found if m["role"] == "assistant"]
    assert [a["reply_to"] for a in answers] == [q["id"] for q in questions]
    # Each answer follows its own question in the log.
    assert [m["role"] for m in found] == ["user", "assistant"] * 5


async def test_two_quick_zalo_oa_events_make_one_conversation(hook_settings, runtime, fakes):
    first, second = oa_event("Nghị quyết 57 là gì?", user="u-42"), oa_event("xin chào", user="u-42")
    async with serving(hook_settings, runtime) as (app, client):
        results = await asyncio.gather(
            client.post("/webhooks/zalo-oa", content=first, headers=oa_headers(first)),
            client.post("/webhooks/zalo-oa", content=second, headers=oa_headers(second)),
        )
        assert [r.status_code for r in results] == [200, 200]
        assert app.state.nq57.storage.flush(10)
    found, n_conversations = rows(hook_settings.database_url, "zalo_oa")
    assert n_conversations == 1 and len(found) == 4


async def test_a_new_conversation_after_the_session_window(hook_settings, runtime, fakes):
    settings = hook_settings.model_copy(update={"session_window_hours": 1 / 3600})  # 1 s
    body = oa_event("xin chào", user="u-77")
    async with serving(settings, runtime) as (app, client):
        await client.post("/webhooks/zalo-oa", content=body, headers=oa_headers(body))
        await asyncio.sleep(1.2)
        body = oa_event("xin chào lần nữa", user="u-77")
        await client.post("/webhooks/zalo-oa", content=body, headers=oa_headers(body))
        assert app.state.nq57.storage.flush(10)
    _, n_conversations = rows(settings.database_url, "zalo_oa")
    assert n_conversations == 2
