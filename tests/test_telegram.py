"""Telegram channel against a local fake Bot API server (the real PTB code runs end to end)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI

from bot.answer import Answer, Citation
from channels.common import MSG_NON_TEXT, InboundMessage, MessageHandler
from channels.ratelimit import MemoryRateLimiter
from channels.telegram import EXAMPLE_QUESTIONS, SECRET_HEADER, build_telegram
from nq57.settings import Settings

TOKEN = "123456:TEST-token"
SECRET = "tg-secret-0123456789"
BASE = "https://nq57.example.vn"
CHAT = 555
USER = 777
JSON_FIELDS = {"reply_markup", "link_preview_options", "allowed_updates", "entities"}


class FakeBotAPI:
    """Minimal Telegram Bot API: records every call, answers like Telegram does."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.pending_updates: list[dict] = []
        self.lock = threading.Lock()
        self._next_id = 100
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(raw).items()}
                    for key in JSON_FIELDS & params.keys():
                        params[key] = json.loads(params[key])
                prefix = f"/bot{TOKEN}/"
                if not self.path.startswith(prefix):
                    self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                    return
                method = self.path[len(prefix) :]
                self._reply(200, {"ok": True, "result": fake.answer(method, params)})

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/bot"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def answer(self, method: str, params: dict):
        with self.lock:
            if method != "getUpdates":
                self.calls.append((method, params))
            if method == "getMe":
                return {"id": 42, "is_bot": True, "first_name": "NQ57", "username": "nq57_bot"}
            if method == "sendMessage":
                self._next_id += 1
                return {
                    "message_id": self._next_id,
                    "date": int(time.time()),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "text": params["text"],
                }
            if method == "getUpdates":
                updates, self.pending_updates = self.pending_updates, []
        if method == "getUpdates":
            if not updates:
                time.sleep(0.05)  # a real long poll would wait here
            return updates
        return True

    def sent(self, method: str = "sendMessage") -> list[dict]:
        with self.lock:
            return [p for m, p in self.calls if m == method]


@pytest.fixture
def fake_api():
    fake = FakeBotAPI()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def settings(fake_api) -> Settings:
    return Settings(
        telegram_token=TOKEN,
        telegram_secret=SECRET,
        telegram_base_url=fake_api.url,
        public_base_url=BASE,
        redis_url=None,
    )


@pytest.fixture
def feedback_log() -> list[tuple[str, str]]:
    return []


@pytest.fixture
async def channel(settings, assistant, feedback_log):
    handler = MessageHandler(assistant, MemoryRateLimiter(100), settings)
    ch = build_telegram(
        settings, handler, feedback=lambda ref, rating: feedback_log.append((ref, rating))
    )
    await ch.start()
    yield ch
    await ch.stop()


@pytest.fixture
async def client(channel):
    app = FastAPI()
    app.include_router(channel.router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


_update_ids = iter(range(1000, 100000))


def text_update(text: str, update_id: int | None = None) -> dict:
    message = {
        "message_id": 10,
        "date": int(time.time()),
        "chat": {"id": CHAT, "type": "private"},
        "from": {"id": USER, "is_bot": False, "first_name": "An"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id or next(_update_ids), "message": message}


async def post(client, body, secret: str | None = SECRET):
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    content = body if isinstance(body, bytes | str) else json.dumps(body)
    return await client.post("/webhooks/telegram", content=content, headers=headers)


async def test_forged_or_missing_secret_is_rejected(client, fake_api):
    assert (await post(client, text_update("xin chào"), secret="wrong")).status_code == 403
    assert (await post(client, text_update("xin chào"), secret=None)).status_code == 401
    assert fake_api.sent() == []


async def test_malformed_json_is_400(client, fake_api):
    assert (await post(client, b"{not json")).status_code == 400
    assert (await post(client, {"message": "no update id"})).status_code == 400
    assert (await post(client, [1, 2])).status_code == 400
    assert fake_api.sent() == []


async def test_corpus_question_gets_html_answer_with_sources_and_feedback_buttons(client, fake_api):
    response = await post(client, text_update("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"))
    assert response.status_code == 200
    sent = fake_api.sent()
    assert sent, "no reply sent"
    assert all(p["chat_id"] == str(CHAT) and p["parse_mode"] == "HTML" for p in sent)
    text = "\n".join(p["text"] for p in sent)
    assert "Nguồn" in text or "[1]" in text
    assert f'<a href="{BASE}/' in text
    keyboard = sent[-1]["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in keyboard] == ["👍", "👎"]
    assert keyboard[0]["callback_data"].startswith("fb:up:")
    assert keyboard[1]["callback_data"].startswith("fb:down:")
    assert all("reply_markup" not in p for p in sent[:-1])
    assert fake_api.sent("sendChatAction")[0]["action"] == "typing"


async def test_resent_update_is_answered_once(client, fake_api):
    update = text_update("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?")
    first = await post(client, update)
    count = len(fake_api.sent())
    second = await post(client, update)
    assert first.status_code == second.status_code == 200
    assert second.json().get("duplicate") is True
    assert len(fake_api.sent()) == count > 0


async def test_router_lifespan_starts_and_stops_the_bot(settings, assistant, fake_api):
    handler = MessageHandler(assistant, MemoryRateLimiter(100), settings)
    channel = build_telegram(settings, handler)
    app = FastAPI()
    app.include_router(channel.router)
    async with app.router.lifespan_context(app):
        # Started in the background (Telegram may be away at start): wait for it.
        for _ in range(100):
            if channel.application.running:
                break
            await asyncio.sleep(0.05)
        assert channel.application.running and channel.status()["state"] == "ok"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            assert (await post(c, text_update("xin chào"))).status_code == 200
    assert not channel.application.running
    assert fake_api.sent("getMe") and fake_api.sent()


async def test_start_and_help_are_vietnamese_with_examples(client, fake_api):
    await post(client, text_update("/start"))
    await post(client, text_update("/help"))
    start, help_ = fake_api.sent()
    assert "Xin chào" in start["text"] and start["parse_mode"] == "HTML"
    assert "Câu hỏi mẫu" in help_["text"]
    assert all(q in help_["text"] for q in EXAMPLE_QUESTIONS)


async def test_smalltalk_reply_is_non_empty_without_buttons(client, fake_api):
    await post(client, text_update("xin chào"))
    (reply,) = fake_api.sent()
    assert reply["text"].strip()
    assert "reply_markup" not in reply


async def test_photo_gets_polite_text_only_notice(client, fake_api):
    update = text_update("x")
    del update["message"]["text"]
    update["message"]["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    assert (await post(client, update)).status_code == 200
    (reply,) = fake_api.sent()
    assert reply["text"] == MSG_NON_TEXT


async def test_feedback_button_reaches_callable(client, fake_api, feedback_log):
    update = {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": "cbq-1",
            "from": {"id": USER, "is_bot": False, "first_name": "An"},
            "chat_instance": "ci",
            "data": "fb:down:tg:555:10",
            "message": {
                "message_id": 101,
                "date": int(time.time()),
                "chat": {"id": CHAT, "type": "private"},
                "from": {"id": 42, "is_bot": True, "first_name": "NQ57"},
                "text": "câu trả lời",
            },
        },
    }
    assert (await post(client, update)).status_code == 200
    assert feedback_log == [("tg:555:10", "down")]
    (answered,) = fake_api.sent("answerCallbackQuery")
    assert answered["callback_query_id"] == "cbq-1" and "Cảm ơn" in answered["text"]
    (edited,) = fake_api.sent("editMessageReplyMarkup")
    assert edited["message_id"] == "101"


async def test_long_answer_is_split_at_4096_with_escaped_html(channel, fake_api):
    quote = "Phát triển khoa học, công nghệ <và> đổi mới sáng tạo & chuyển đổi số. "
    answer = Answer(
        text="\n\n".join(quote * 12 for _ in range(10)) + " [1]",
        intent="answer",
        abstained=False,
        citations=[
            Citation(
                doc="nq-57-2024.txt",
                doc_id="nq-57-2024",
                doc_number="57-NQ/TW",
                doc_title="Nghị quyết 57",
                locator="II.2",
                quote="trích dẫn",
                url="/documents/nq-57-2024#ii-2",
            )
        ],
    )
    inbound = InboundMessage("telegram", str(USER), str(CHAT), "hỏi", "10")
    await channel.send_answer(channel.application.bot, CHAT, answer, inbound)
    sent = fake_api.sent()
    assert len(sent) >= 3
    assert all(len(p["text"]) <= 4096 for p in sent)
    assert all("&lt;và&gt;" in p["text"] and "<và>" not in p["text"] for p in sent[:-1])
    assert ["reply_markup" in p for p in sent] == [False] * (len(sent) - 1) + [True]
    # Cuts fall between paragraphs: no part starts or ends mid-sentence.
    assert all(p["text"].rstrip().endswith((".", "[1]", "</a>", "</blockquote>")) for p in sent)


async def test_set_webhook_sends_url_and_secret(channel, fake_api):
    assert await channel.set_webhook("https://nq57.example.vn/webhooks/telegram")
    (call,) = fake_api.sent("setWebhook")
    assert call["url"] == "https://nq57.example.vn/webhooks/telegram"
    assert call["secret_token"] == SECRET
    assert "message" in call["allowed_updates"]


async def test_poll_answers_updates_from_get_updates(settings, assistant, fake_api):
    handler = MessageHandler(assistant, MemoryRateLimiter(100), settings)
    channel = build_telegram(settings, handler)
    fake_api.pending_updates.append(text_update("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"))
    stop = asyncio.Event()
    task = asyncio.create_task(channel.poll(stop))
    deadline = time.monotonic() + 20
    while not fake_api.sent() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 20)
    assert fake_api.sent("deleteWebhook"), "polling must drop the webhook first"
    sent = fake_api.sent()
    assert sent and sent[0]["chat_id"] == str(CHAT)
    assert "Nguồn" in "".join(p["text"] for p in sent)
