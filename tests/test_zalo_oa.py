"""Zalo Official Account channel against a local fake OA API + OAuth server."""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi import FastAPI

from bot.answer import Answer
from channels.common import MSG_NON_TEXT, MessageHandler
from channels.ratelimit import MemoryRateLimiter
from channels.zalo_oa import MSG_WELCOME, SIGNATURE_HEADER, TokenFile, build_zalo_oa
from nq57.settings import Settings

APP_ID = "2553928453557884079"
OA_SECRET = "oa-secret-key-xyz"
APP_SECRET = "app-secret-abc"
USER = "6142494823000000001"
BASE = "https://nq57.example.vn"
QUESTION = "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"


class FakeZaloOA:
    """OA message API (v3.0/oa/message/cs) and OAuth token endpoint (v4/oa/access_token)."""

    def __init__(self, valid_token: str = "access-1", refresh_token: str = "refresh-1") -> None:
        self.valid_token = valid_token
        self.refresh_token = refresh_token
        self.sent: list[dict] = []
        self.refreshes: list[dict] = []
        self.rejected = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake.lock:
                    if self.path == "/v3.0/oa/message/cs":
                        body = fake.send(self.headers.get("access_token"), json.loads(raw))
                    elif self.path == "/v4/oa/access_token":
                        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                        body = fake.refresh(self.headers.get("secret_key"), form)
                    else:
                        body = {"error": 404, "message": "not found"}
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

    def send(self, token: str | None, payload: dict) -> dict:
        if token != self.valid_token:
            self.rejected += 1
            return {"error": -216, "message": "Access token is invalid"}
        if len(payload["message"]["text"]) > 2000:
            return {"error": -201, "message": "text too long"}
        self.sent.append(payload)
        return {"error": 0, "message": "Success", "data": {"message_id": "x"}}

    def refresh(self, secret_key: str | None, form: dict) -> dict:
        self.refreshes.append(form)
        if (
            secret_key != APP_SECRET
            or form.get("app_id") != APP_ID
            or form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh_token
        ):
            return {"error": -14014, "error_name": "Invalid refresh token"}
        n = len(self.refreshes) + 1
        self.valid_token, self.refresh_token = f"access-{n}", f"refresh-{n}"
        return {
            "access_token": self.valid_token,
            "refresh_token": self.refresh_token,
            "expires_in": "90000",
        }

    def texts(self) -> list[str]:
        with self.lock:
            return [p["message"]["text"] for p in self.sent]


@pytest.fixture
def fake():
    server = FakeZaloOA()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def make_settings(fake, tmp_path, access_token: str | None = "access-1") -> Settings:
    return Settings(
        data_dir=tmp_path,
        zalo_oa_app_id=APP_ID,
        zalo_oa_secret_key=OA_SECRET,
        zalo_oa_app_secret=APP_SECRET,
        zalo_oa_access_token=access_token,
        zalo_oa_refresh_token="refresh-1",
        zalo_oa_api_base=fake.url,
        zalo_oauth_base=fake.url,
        public_base_url=BASE,
        redis_url=None,
    )


@pytest.fixture
async def make_client(assistant):
    channels = []

    async def make(settings: Settings):
        channel = build_zalo_oa(
            settings, MessageHandler(assistant, MemoryRateLimiter(100), settings)
        )
        channels.append(channel)
        app = FastAPI()
        app.include_router(channel.router)
        transport = httpx.ASGITransport(app=app)
        return channel, httpx.AsyncClient(transport=transport, base_url="http://testserver")

    yield make
    for channel in channels:
        await channel.stop()


_ids = itertools.count(1)


def event_body(text: str | None = QUESTION, name: str = "user_send_text", msg_id=None) -> bytes:
    event = {
        "app_id": APP_ID,
        "user_id_by_app": "979122185046046317",
        "event_name": name,
        "sender": {"id": USER},
        "recipient": {"id": "3662729599332560487"},
        "timestamp": str(int(time.time() * 1000)),
    }
    if name.startswith("user_send_"):
        event["message"] = {"msg_id": msg_id or f"msg-{next(_ids)}"}
        if text is not None:
            event["message"]["text"] = text
    if name == "follow":
        event["follower"] = event.pop("sender")
    return json.dumps(event, ensure_ascii=False).encode()


def sign(body: bytes, secret: str = OA_SECRET, app_id: str = APP_ID) -> str:
    timestamp = json.loads(body)["timestamp"]
    return (
        "mac="
        + hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode()).hexdigest()
    )


async def post(client, body: bytes, signature: str | None):
    headers = {SIGNATURE_HEADER: signature} if signature is not None else {}
    headers["Content-Type"] = "application/json"
    return await client.post("/webhooks/zalo-oa", content=body, headers=headers)


async def test_signed_text_event_gets_reply_with_sources(fake, tmp_path, make_client):
    _, client = await make_client(make_settings(fake, tmp_path))
    async with client:
        body = event_body()
        response = await post(client, body, sign(body))
    assert response.status_code == 200
    assert fake.sent and all(p["recipient"] == {"user_id": USER} for p in fake.sent)
    text = "\n".join(fake.texts())
    assert "Nguồn" in text and f"{BASE}/" in text
    assert fake.refreshes == []  # the configured token was valid


async def test_forged_missing_and_foreign_signatures_are_rejected(fake, tmp_path, make_client):
    _, client = await make_client(make_settings(fake, tmp_path))
    body = event_body()
    async with client:
        assert (await post(client, body, sign(body, secret="guess"))).status_code == 403
        assert (await post(client, body, None)).status_code == 401
        tampered = body.replace(QUESTION.encode(), "câu hỏi khác".encode())
        assert (await post(client, tampered, sign(body))).status_code == 403
        foreign = body.replace(APP_ID.encode(), b"999")
        assert (await post(client, foreign, sign(foreign, app_id="999"))).status_code == 403
    assert fake.sent == []


async def test_malformed_event_is_400(fake, tmp_path, make_client):
    _, client = await make_client(make_settings(fake, tmp_path))
    async with client:
        assert (await post(client, b"{oops", "mac=00")).status_code == 400
        assert (await post(client, b'{"app_id": "1"}', "mac=00")).status_code == 400
    assert fake.sent == []


async def test_expired_token_is_refreshed_and_new_refresh_token_kept(fake, tmp_path, make_client):
    settings = make_settings(fake, tmp_path, access_token="expired-token")
    channel, client = await make_client(settings)
    async with client:
        body = event_body()
        assert (await post(client, body, sign(body))).status_code == 200
    assert fake.rejected == 1  # first attempt hit the invalid-token error
    assert fake.refreshes == [
        {"app_id": APP_ID, "grant_type": "refresh_token", "refresh_token": "refresh-1"}
    ]
    assert fake.sent, "reply must be sent after the refresh"
    assert channel.client.tokens.refresh_token == "refresh-2"
    saved = TokenFile(tmp_path / "zalo_oa_tokens.json").load()
    assert saved is not None and saved.refresh_token == "refresh-2"
    assert saved.access_token == "access-2"

    # A new process starts from the saved pair, not the stale configured one.
    channel2, client2 = await make_client(settings)
    assert channel2.client.tokens.refresh_token == "refresh-2"
    await client2.aclose()


async def test_missing_access_token_is_fetched_before_sending(fake, tmp_path, make_client):
    _, client = await make_client(make_settings(fake, tmp_path, access_token=None))
    async with client:
        body = event_body("xin chào")
        assert (await post(client, body, sign(body))).status_code == 200
    assert len(fake.refreshes) == 1 and fake.rejected == 0
    assert fake.texts() and fake.texts()[0].strip()


async def test_retried_event_is_answered_once(fake, tmp_path, make_client):
    _, client = await make_client(make_settings(fake, tmp_path))
    body = event_body(msg_id="same-msg-id")
    async with client:
        first = await post(client, body, sign(body))
        count = len(fake.sent)
        second = await post(client, body, sign(body))
    assert first.status_code == second.status_code == 200
    assert second.json().get("duplicate") is True
    assert len(fake.sent) == count > 0


async def test_non_text_and_follow_events(fake, tmp_path, make_client):
    _, client = await make_client(make_settings(fake, tmp_path))
    async with client:
        image = event_body(text=None, name="user_send_image")
        follow = event_body(name="follow")
        await post(client, image, sign(image))
        await post(client, follow, sign(follow))
    assert fake.texts() == [MSG_NON_TEXT, MSG_WELCOME]


async def test_long_answer_is_split_at_2000(fake, tmp_path, make_client):
    channel, client = await make_client(make_settings(fake, tmp_path))
    await client.aclose()
    paragraph = "Đổi mới sáng tạo là động lực chính. " * 10
    await channel.send_answer(
        USER, Answer(text="\n\n".join([paragraph] * 10), intent="answer", abstained=False)
    )
    texts = fake.texts()
    assert len(texts) >= 2 and all(len(t) <= 2000 for t in texts)
