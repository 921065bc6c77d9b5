"""`nq57 serve` as deployed: build_app over the session index, real storage, real channels.

Only Telegram's servers are replaced, by the local fake Bot API of test_telegram.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from channels.server import ServeError, StorageHistory, build_app, messenger_channels
from channels.storage import Storage
from channels.telegram import SECRET_HEADER
from channels.web import MSG_RATE_LIMITED
from nq57.settings import Settings
from tests.test_telegram import SECRET, TOKEN, FakeBotAPI, text_update

IN_SCOPE = "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"
OUT_OF_SCOPE = "thời tiết hôm nay thế nào"
BASE = "https://nq57.example.vn"
WEBHOOKS = ("/webhooks/telegram", "/webhooks/zalo-bot", "/webhooks/zalo-oa")


@pytest.fixture
def serve_settings(index_settings, tmp_path) -> Settings:
    """The session index with this test's own conversation store."""
    return index_settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp_path / 'conversations.sqlite3'}",
            "rate_limit_per_minute": 100,
            "public_base_url": BASE,
        }
    )


@pytest.fixture
def fake_api():
    fake = FakeBotAPI()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
async def telegram_app(serve_settings, runtime, fake_api) -> AsyncIterator[FastAPI]:
    settings = serve_settings.model_copy(
        update={
            "telegram_token": TOKEN,
            "telegram_secret": SECRET,
            "telegram_base_url": fake_api.url,
        }
    )
    app = build_app(settings, runtime=runtime)
    async with app.router.lifespan_context(app):
        yield app


def http(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def post_update(client: httpx.AsyncClient, update: dict) -> httpx.Response:
    return await client.post(
        "/webhooks/telegram", content=json.dumps(update), headers={SECRET_HEADER: SECRET}
    )


def test_health_ready_and_chat_with_the_real_assistant(serve_settings, runtime):
    with TestClient(build_app(serve_settings, runtime=runtime)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.json()

        body = client.post("/api/chat", json={"message": IN_SCOPE}).json()
        assert body["intent"] == "answer" and body["abstained"] is False
        assert body["citations"]
        assert all(c["url"].startswith("/documents/") for c in body["citations"])
        assert any(c["doc"] == "nq-57-2024.txt" for c in body["citations"])
        # The cited document opens in the viewer.
        url = body["citations"][0]["url"].split("#")[0]
        assert client.get(url).status_code == 200

        off = client.post("/api/chat", json={"message": OUT_OF_SCOPE}).json()
        assert off["abstained"] is True and off["citations"] == []

        hits = client.get("/api/search", params={"q": "2% GDP", "k": 3}).json()
        assert 1 <= len(hits) <= 3

    # The exchange outlives the app: a new store on the same database sees it.
    store = Storage(serve_settings.database_url)
    turns = store.history(body["conversation_id"])
    assert [t.content for t in turns[:1]] == [IN_SCOPE]
    assert [t.role for t in turns] == ["user", "assistant"]
    store.close()


def test_off_topic_turn_in_a_conversation_is_still_abstained(serve_settings, runtime):
    with TestClient(build_app(serve_settings, runtime=runtime)) as client:
        first = client.post("/api/chat", json={"message": IN_SCOPE}).json()
        assert first["abstained"] is False
        off = client.post(
            "/api/chat", json={"message": OUT_OF_SCOPE, "conversation_id": first["conversation_id"]}
        ).json()
        assert off["abstained"] is True, off["answer"]
        assert off["citations"] == []


def test_unconfigured_webhooks_refuse_with_403(serve_settings, runtime):
    with TestClient(build_app(serve_settings, runtime=runtime)) as client:
        for path in WEBHOOKS:
            response = client.post(path, json={"update_id": 1, "message": {"text": "hi"}})
            assert response.status_code == 403, path
            assert "not configured" in response.json()["detail"]


def test_chat_rate_limit_is_429_in_vietnamese(serve_settings, runtime):
    settings = serve_settings.model_copy(update={"rate_limit_per_minute": 2})
    with TestClient(build_app(settings, runtime=runtime)) as client:
        first = client.post("/api/chat", json={"message": "xin chào"}).json()
        cid = {"conversation_id": first["conversation_id"]}
        for _ in range(2):
            assert client.post("/api/chat", json={"message": "chào", **cid}).status_code == 200
        for path in ("/api/chat", "/api/chat/stream"):
            limited = client.post(path, json={"message": IN_SCOPE, **cid})
            assert limited.status_code == 429
            assert limited.json()["detail"] == MSG_RATE_LIMITED
            assert limited.headers["Retry-After"] == "60"
        # Another conversation from the same address (an office behind NAT) is not throttled.
        stream = client.post("/api/chat/stream", json={"message": "xin chào"})
        assert stream.status_code == 200 and "event: done" in stream.text
        # Health endpoints are never metered.
        assert client.get("/healthz").status_code == 200


async def test_configured_telegram_answers_from_the_corpus_and_keeps_the_chat(
    telegram_app, fake_api
):
    async with http(telegram_app) as client:
        assert (await post_update(client, text_update(IN_SCOPE))).status_code == 200
        # Zalo is not configured in this deployment: still refused.
        assert (await client.post("/webhooks/zalo-bot", json={})).status_code == 403

    sent = fake_api.sent()
    assert sent, "no reply sent"
    text = "\n".join(p["text"] for p in sent)
    assert f'<a href="{BASE}/documents/' in text
    up = sent[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    ref = up.removeprefix("fb:up:")

    # The reply is in the conversation store, under the id the feedback button carries.
    storage: Storage = telegram_app.state.nq57.storage
    stored = storage.get_message(ref)
    assert stored is not None and stored["role"] == "assistant"
    turns = storage.history(stored["conversation_id"])
    assert [t.role for t in turns] == ["user", "assistant"]
    assert turns[0].content == IN_SCOPE


async def test_telegram_feedback_button_is_stored(telegram_app, fake_api):
    async with http(telegram_app) as client:
        await post_update(client, text_update(IN_SCOPE))
        up = fake_api.sent()[-1]["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
        ref = up.removeprefix("fb:down:")
        press = {
            "update_id": text_update("x")["update_id"],
            "callback_query": {
                "id": "cbq-9",
                "from": {"id": 777, "is_bot": False, "first_name": "An"},
                "chat_instance": "ci",
                "data": up,
                "message": {
                    "message_id": 101,
                    "date": 0,
                    "chat": {"id": 555, "type": "private"},
                    "from": {"id": 42, "is_bot": True, "first_name": "NQ57"},
                    "text": "câu trả lời",
                },
            },
        }
        assert (await post_update(client, press)).status_code == 200
    storage: Storage = telegram_app.state.nq57.storage
    assert storage.get_feedback(ref)["rating"] == "down"
    (answered,) = fake_api.sent("answerCallbackQuery")
    assert "Cảm ơn" in answered["text"]


def test_messenger_history_survives_a_restart(serve_settings, tmp_path):
    storage = Storage(serve_settings.database_url)
    storage.migrate()
    key = "telegram:555:777"
    first = StorageHistory(storage)
    first.add_message(key, "user", "Nghị quyết 57 là gì?")
    ref = first.add_message(
        key, "assistant", "Là nghị quyết của Bộ Chính trị [1].", {"intent": "answer"}
    )
    assert ref is not None and storage.get_message(ref)["intent"] == "answer"

    again = StorageHistory(storage)  # a restarted process: no cached conversation ids
    assert [t.content for t in again.history(key, 6)] == [
        "Nghị quyết 57 là gì?",
        "Là nghị quyết của Bộ Chính trị [1].",
    ]
    assert again.history("telegram:555:888", 6) == []
    storage.close()


def test_messenger_history_degrades_when_the_database_is_down(tmp_path):
    storage = Storage(f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/test")
    history = StorageHistory(storage)
    assert history.history("zalo_bot:1:1", 6) == []
    assert history.add_message("zalo_bot:1:1", "user", "hỏi") is None
    storage.close()


def test_missing_index_tells_the_operator_to_ingest(tmp_path):
    settings = Settings(data_dir=tmp_path / "empty", corpus_dir=tmp_path / "corpus", _env_file=None)
    with pytest.raises(ServeError, match="nq57 ingest"):
        build_app(settings)


def test_messenger_channels_follow_the_configured_tokens(serve_settings):
    assert messenger_channels(serve_settings, with_assistant=False) == {}
    settings = serve_settings.model_copy(update={"telegram_token": TOKEN, "zalo_bot_token": "z:1"})
    channels = messenger_channels(settings, with_assistant=False)
    assert sorted(channels) == ["telegram", "zalo_bot"]
    half_oa = serve_settings.model_copy(update={"zalo_oa_app_id": "123"})
    with pytest.raises(ServeError, match="NQ57_ZALO_OA_SECRET_KEY"):
        messenger_channels(half_oa, with_assistant=False)


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
