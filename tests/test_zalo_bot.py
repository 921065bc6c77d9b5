"""Zalo Bot Platform channel against a local fake Bot API server."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from fastapi import FastAPI

from bot.answer import Answer
from channels.common import MSG_NON_TEXT, MSG_RATE_LIMITED, MessageHandler
from channels.ratelimit import MemoryRateLimiter
from channels.zalo_bot import SECRET_HEADER, ZaloBotModeError, build_zalo_bot
from nq57.settings import Settings

TOKEN = "1234567:zalo-test-token"
SECRET = "zalo-secret-0123"
BASE = "https://nq57.example.vn"
CHAT = "6ede9afa66b88fe6d6a9"
QUESTION = "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"


class FakeZaloBotAPI:
    """POST /bot{token}/{method} with JSON, answers {"ok", "result"} like the Bot Platform."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.webhook_url = ""
        self.pending: list[dict] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                prefix = f"/bot{TOKEN}/"
                if not self.path.startswith(prefix):
                    body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
                else:
                    body = fake.answer(self.path[len(prefix) :], json.loads(raw or b"{}"))
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def answer(self, method: str, params: dict) -> dict:
        with self.lock:
            self.calls.append((method, params))
            if method == "sendMessage":
                if len(params.get("text", "")) > 2000:
                    return {"ok": False, "error_code": 400, "description": "text too long"}
                return {"ok": True, "result": {"message_id": "m1", "date": int(time.time())}}
            if method == "setWebhook":
                self.webhook_url = params["url"]
                return {"ok": True, "result": {"url": params["url"]}}
            if method == "deleteWebhook":
                self.webhook_url = ""
                return {"ok": True, "result": {"url": ""}}
            if method == "getWebhookInfo":
                return {"ok": True, "result": {"url": self.webhook_url}}
            if method == "getUpdates":
                if self.webhook_url:
                    return {"ok": False, "error_code": 400, "description": "Webhook is set"}
                if self.pending:
                    return {"ok": True, "result": self.pending.pop(0)}
        if method == "getUpdates":
            time.sleep(0.05)
            return {"ok": False, "error_code": 408, "description": "Request timeout"}
        return {"ok": True, "result": {"id": "bot", "name": "NQ57"}}

    def sent(self) -> list[dict]:
        with self.lock:
            return [p for m, p in self.calls if m == "sendMessage"]


@pytest.fixture
def fake_api():
    fake = FakeZaloBotAPI()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def settings(fake_api) -> Settings:
    return Settings(
        zalo_bot_token=TOKEN,
        zalo_bot_secret=SECRET,
        zalo_bot_base_url=fake_api.url,
        public_base_url=BASE,
        redis_url=None,
    )


@pytest.fixture
async def channel(settings, assistant):
    ch = build_zalo_bot(settings, MessageHandler(assistant, MemoryRateLimiter(100), settings))
    yield ch
    await ch.stop()


@pytest.fixture
async def client(channel):
    app = FastAPI()
    app.include_router(channel.router)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        yield c


_ids = itertools.count(1)


def event(text: str | None = QUESTION, name: str = "message.text.received", wrapped=True) -> dict:
    message = {
        "from": {"id": CHAT, "display_name": "An", "is_bot": False},
        "chat": {"id": CHAT, "chat_type": "PRIVATE"},
        "message_id": f"msg-{next(_ids)}",
        "date": 1750316131602,
    }
    if text is not None:
        message["text"] = text
    inner = {"event_name": name, "message": message}
    return {"ok": True, "result": inner} if wrapped else inner


async def post(client, body, secret: str | None = SECRET):
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    content = body if isinstance(body, bytes) else json.dumps(body)
    return await client.post("/webhooks/zalo-bot", content=content, headers=headers)


async def test_forged_or_missing_secret_is_rejected(client, fake_api):
    assert (await post(client, event(), secret="zalo-secret-0124")).status_code == 403
    assert (await post(client, event(), secret=None)).status_code == 401
    assert fake_api.sent() == []


async def test_malformed_update_is_400(client, fake_api):
    assert (await post(client, b"\xff not json")).status_code == 400
    assert (await post(client, {"ok": True, "result": {"message": {}}})).status_code == 400
    assert (await post(client, {"event_name": "message.text.received"})).status_code == 400
    assert fake_api.sent() == []


@pytest.mark.parametrize("wrapped", [True, False])
async def test_text_question_gets_plain_answer_with_sources(client, fake_api, wrapped):
    response = await post(client, event(wrapped=wrapped))
    assert response.status_code == 200
    sent = fake_api.sent()
    assert sent and all(p["chat_id"] == CHAT for p in sent)
    text = "\n".join(p["text"] for p in sent)
    assert "Nguồn" in text and f"{BASE}/" in text
    assert "<a " not in text and "<b>" not in text


async def test_resent_event_is_answered_once(client, fake_api):
    update = event()
    await post(client, update)
    count = len(fake_api.sent())
    again = await post(client, update)
    assert again.status_code == 200 and again.json().get("skipped") is True
    assert len(fake_api.sent()) == count > 0


@pytest.mark.parametrize("name", ["message.image.received", "message.sticker.received"])
async def test_non_text_events_get_polite_notice(client, fake_api, name):
    await post(client, event(text=None, name=name))
    assert [p["text"] for p in fake_api.sent()] == [MSG_NON_TEXT]


async def test_smalltalk_and_out_of_scope_replies_are_non_empty(client, fake_api):
    await post(client, event("xin chào"))
    await post(client, event("thời tiết Hà Nội hôm nay thế nào?"))
    sent = fake_api.sent()
    assert len(sent) >= 2 and all(p["text"].strip() for p in sent)


async def test_rate_limited_user_is_told_politely(settings, assistant, fake_api):
    channel = build_zalo_bot(settings, MessageHandler(assistant, MemoryRateLimiter(1), settings))
    app = FastAPI()
    app.include_router(channel.router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await post(client, event("xin chào"))
        await post(client, event("xin chào lần nữa"))
    await channel.stop()
    assert fake_api.sent()[-1]["text"] == MSG_RATE_LIMITED


async def test_long_answer_is_split_at_2000(channel, fake_api):
    paragraph = "Chuyển đổi số quốc gia là động lực phát triển. " * 8
    answer = Answer(text="\n\n".join([paragraph] * 12), intent="answer", abstained=False)
    await channel.send_answer(CHAT, answer)
    sent = fake_api.sent()
    assert len(sent) >= 2
    assert all(len(p["text"]) <= 2000 for p in sent)
    assert all(p["text"].endswith(".") for p in sent)


async def test_webhook_and_polling_exclude_each_other(channel, fake_api):
    await channel.set_webhook("https://nq57.example.vn/webhooks/zalo-bot")
    assert fake_api.webhook_url.endswith("/webhooks/zalo-bot")
    (call,) = [p for m, p in fake_api.calls if m == "setWebhook"]
    assert call["secret_token"] == SECRET
    with pytest.raises(ZaloBotModeError):
        await channel.poll(delete_webhook=False)

    fake_api.pending.append(event(wrapped=False))
    stop = asyncio.Event()
    task = asyncio.create_task(channel.poll(stop=stop, timeout=1))
    deadline = time.monotonic() + 20
    while not fake_api.sent() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 20)
    assert fake_api.webhook_url == ""
    assert "Nguồn" in "".join(p["text"] for p in fake_api.sent())


async def test_set_webhook_requires_a_secret(fake_api, assistant):
    settings = Settings(zalo_bot_token=TOKEN, zalo_bot_secret=None, zalo_bot_base_url=fake_api.url)
    channel = build_zalo_bot(settings, MessageHandler(assistant, MemoryRateLimiter(5), settings))
    with pytest.raises(ValueError):
        await channel.set_webhook("https://x.vn/webhooks/zalo-bot")
    await channel.stop()
