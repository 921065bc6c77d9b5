"""Fuzz every HTTP route and webhook payload of the whole service (`build_app`, every channel
configured, the platforms' servers faked): no 500, no unhandled exception, no failed stream.

`make test` runs a short version; `make fuzz` runs 10,000 cases (NQ57_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.server import build_app
from tests.test_telegram import SECRET as TG_SECRET
from tests.test_telegram import TOKEN as TG_TOKEN
from tests.test_telegram import FakeBotAPI
from tests.test_zalo_bot import SECRET as ZB_SECRET
from tests.test_zalo_bot import TOKEN as ZB_TOKEN
from tests.test_zalo_bot import FakeZaloBotAPI
from tests.test_zalo_oa import APP_ID, APP_SECRET, OA_SECRET, FakeZaloOA

EXAMPLES = int(os.environ.get("NQ57_FUZZ_EXAMPLES", "150"))
CASES = {"n": 0}

# Text with what breaks naive code: lone surrogates, NUL and controls, RTL marks, Vietnamese.
weird_char = st.one_of(
    st.characters(codec="utf-8"),
    st.characters(categories=["Cs"]),
    st.sampled_from(["\x00", "\x1b", "\u202e", "\ufeff", "ệ", "đ", "\n", "\\"]),
)
weird_text = st.one_of(
    st.text(weird_char, max_size=60),
    st.sampled_from(["", " ", "Nghị quyết 57 là gì?", "xin chào", "a" * 3000, "khoản 2 Điều 3",
                     "gọi 0912 345 678", "CCCD 001203004567"]),
)  # fmt: skip
scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), weird_text
)
json_value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(weird_text, inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = ["message", "conversation_id", "history", "message_id", "rating", "comment", "role",
        "content", "update_id", "event_name", "result", "ok", "from", "chat", "id", "text",
        "timestamp", "sender", "app_id", "msg_id", "callback_query", "data", "is_bot"]  # fmt: skip
shaped = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=20,
)


def encode(value, ascii_only: bool) -> bytes:
    # ensure_ascii turns lone surrogates into \ud800 escapes, as a browser's JSON would.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


body = st.one_of(
    st.binary(max_size=300),
    st.builds(encode, json_value, st.booleans()),
    st.builds(encode, shaped, st.booleans()),
    st.sampled_from([b"[" * 20_000, b'{"a":' * 5_000, b"\xff\xfe", b"null", b"{}"]),
)

GET_PATHS = st.one_of(
    st.sampled_from(["/", "/widget.js", "/widget.css", "/healthz", "/readyz", "/metrics",
                     "/openapi.json", "/docs", "/redoc", "/documents/nq-57-2024", "/api/search", "/api/chat"]),
    st.builds(
        lambda s: "/documents/" + quote(s.encode("utf-8", "surrogatepass"), safe=""),
        st.text(weird_char, max_size=30),
    ),
)  # fmt: skip
POST_PATHS = st.sampled_from(
    ["/api/chat", "/api/chat/stream", "/api/feedback", "/webhooks/telegram",
     "/webhooks/zalo-bot", "/webhooks/zalo-oa", "/healthz", "/api/search", "/nowhere"]
)  # fmt: skip


@pytest.fixture(scope="module")
def client(index_settings, runtime, tmp_path_factory):
    fakes = [FakeBotAPI(), FakeZaloBotAPI(), FakeZaloOA()]
    for fake in fakes:
        fake.thread.start()
    tmp = tmp_path_factory.mktemp("fuzz")
    settings = index_settings.model_copy(
        update={
            "data_dir": tmp / "data",
            "database_url": f"sqlite:///{tmp / 'fuzz.sqlite3'}",
            "rate_limit_per_minute": 10**6,
            "rate_limit_per_address_per_minute": 10**6,
            "retention_days": 0,
            "telegram_token": TG_TOKEN,
            "telegram_secret": TG_SECRET,
            "telegram_base_url": fakes[0].url,
            "zalo_bot_token": ZB_TOKEN,
            "zalo_bot_secret": ZB_SECRET,
            "zalo_bot_base_url": fakes[1].url,
            "zalo_oa_app_id": APP_ID,
            "zalo_oa_secret_key": OA_SECRET,
            "zalo_oa_app_secret": APP_SECRET,
            "zalo_oa_access_token": "access-1",
            "zalo_oa_api_base": fakes[2].url,
            "zalo_oauth_base": fakes[2].url,
        }
    )
    with TestClient(build_app(settings, runtime=runtime), raise_server_exceptions=True) as c:
        yield c
    print(f"\nfuzz: {CASES['n']} cases")
    for fake in fakes:
        fake.server.shutdown()
        fake.server.server_close()


def headers_for(path: str, raw: bytes, sign: bool) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if path == "/webhooks/telegram" and sign:
        headers["X-Telegram-Bot-Api-Secret-Token"] = TG_SECRET
    if path == "/webhooks/zalo-bot" and sign:
        headers["X-Bot-Api-Secret-Token"] = ZB_SECRET
    if path == "/webhooks/zalo-oa" and sign:
        try:
            ts = str(json.loads(raw).get("timestamp", ""))
        except (ValueError, AttributeError, TypeError, RecursionError):
            ts = ""
        mac = hashlib.sha256(APP_ID.encode() + raw + ts.encode() + OA_SECRET.encode()).hexdigest()
        headers["X-ZEvent-Signature"] = f"mac={mac}"
    return headers


def check(response) -> None:
    CASES["n"] += 1
    assert response.status_code < 500, (response.status_code, response.text[:500])
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        assert "event: error" not in response.text, response.text[:500]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=POST_PATHS, raw=body, sign=st.booleans())
def test_fuzz_post_bodies(client, path, raw, sign):
    check(client.post(path, content=raw, headers=headers_for(path, raw, sign)))


def _fresh_event(kind: str, text: str, ident: str, sender) -> dict:
    now = int(time.time() * 1000)
    if kind == "zalo_oa":
        return {"app_id": APP_ID, "event_name": "user_send_text", "timestamp": str(now),
                "sender": sender, "message": {"msg_id": ident, "text": text}}  # fmt: skip
    if kind == "zalo_bot":
        return {"event_name": "message.text.received",
                "message": {"message_id": ident, "text": text, "from": sender, "chat": sender}}  # fmt: skip
    return {"update_id": abs(hash(ident)) % 2**31,
            "message": {"message_id": 1, "date": now // 1000, "text": text,
                        "chat": {"id": 5, "type": "private"}, "from": sender}}  # fmt: skip


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["zalo_oa", "zalo_bot", "telegram"]),
    text=weird_text,
    ident=st.text(st.characters(codec="ascii"), min_size=1, max_size=20),
    sender=st.one_of(
        st.fixed_dictionaries({"id": st.one_of(st.integers(), weird_text)}), json_value
    ),
    ascii_only=st.booleans(),
)
def test_fuzz_signed_webhook_events(client, kind, text, ident, sender, ascii_only):
    """Validly signed, fresh events with hostile fields: they get past the signature."""
    path = {"zalo_oa": "/webhooks/zalo-oa", "zalo_bot": "/webhooks/zalo-bot"}.get(
        kind, "/webhooks/telegram"
    )
    raw = encode(_fresh_event(kind, text, ident, sender), ascii_only)
    check(client.post(path, content=raw, headers=headers_for(path, raw, True)))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=GET_PATHS,
    params=st.dictionaries(st.sampled_from(["q", "k", "x"]), weird_text, max_size=3),
)
def test_fuzz_get_routes_and_queries(client, path, params):
    clean = {
        k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in params.items()
    }
    check(client.get(path, params=clean))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    message=weird_text,
    conversation_id=st.one_of(st.none(), weird_text),
    history=st.one_of(
        st.none(),
        st.lists(
            st.fixed_dictionaries(
                {"role": st.sampled_from(["user", "assistant", "system"]), "content": weird_text}
            ),
            max_size=4,
        ),
    ),
    stream=st.booleans(),
)
def test_fuzz_chat_fields(client, message, conversation_id, history, stream):
    payload = {"message": message, "conversation_id": conversation_id, "history": history}
    raw = encode(payload, True)
    check(
        client.post(
            "/api/chat/stream" if stream else "/api/chat",
            content=raw,
            headers={"Content-Type": "application/json"},
        )
    )
