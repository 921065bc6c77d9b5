"""The one inbound path every chat channel shares: message → checks → assistant → Answer.

Checks, in order: control characters and lone surrogates cleaned, empty message, per-user rate
limit, length limit. One user's messages are handled one at a time, in the order they came. A
short per-chat history lets users ask follow-ups ("còn doanh nghiệp thì sao?").
Any failure becomes a polite Vietnamese apology; logs carry hashed user ids only.

History store interface (`HistoryStore`): any object with
    history(key: str, limit: int) -> list[Turn]            # oldest first
    add_message(key: str, role: str, content: str, meta: dict | None = None) -> str | None
`add_message` may return an id for the stored message; the id of the assistant reply is put in
`answer.meta["message_id"]` so channels can attach feedback to it. The default store keeps the
last turns of the most recent chats in memory (LRU).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import threading
import traceback
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

from bot.answer import Answer, Turn
from bot.protocol import AssistantProtocol
from channels.ordering import KeyedTurns, Ticket
from channels.ratelimit import RateLimiter
from channels.sanitize import scrub
from nq57.settings import Settings

log = logging.getLogger(__name__)

MSG_EMPTY = (
    "Bạn chưa nhập câu hỏi. Hãy gửi câu hỏi bằng chữ về Nghị quyết 57-NQ/TW, ví dụ: "
    "“Nghị quyết 57 đặt mục tiêu gì đến năm 2030?”"
)
MSG_TOO_LONG = (
    "Tin nhắn của bạn dài {length} ký tự, vượt giới hạn {limit} ký tự. "
    "Bạn vui lòng rút gọn câu hỏi hoặc tách thành nhiều câu hỏi ngắn hơn nhé."
)
MSG_RATE_LIMITED = (
    "Bạn gửi quá nhanh, mình chưa kịp trả lời hết. "
    "Bạn vui lòng đợi khoảng một phút rồi hỏi tiếp nhé."
)
MSG_ERROR = (
    "Xin lỗi, hệ thống đang gặp sự cố nên chưa trả lời được câu hỏi của bạn. "
    "Bạn vui lòng thử lại sau ít phút."
)
MSG_NON_TEXT = (
    "Hiện mình chỉ đọc được tin nhắn dạng chữ. Bạn vui lòng gõ câu hỏi về "
    "Nghị quyết 57-NQ/TW và các văn bản liên quan nhé."
)

DEFAULT_HISTORY_TURNS = 6

# C0/C1 controls except tab and newline, plus zero-width and bidi controls that can hide text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass
class InboundMessage:
    channel: str  # "telegram", "zalo_bot", "zalo_oa", ...
    user_id: str
    chat_id: str
    text: str
    message_id: str = ""

    @property
    def key(self) -> str:
        """Rate-limit and history key: one per user per chat per channel."""
        return f"{self.channel}:{self.chat_id}:{self.user_id}"


class HistoryStore(Protocol):
    def history(self, key: str, limit: int) -> list[Turn]: ...

    def add_message(
        self, key: str, role: str, content: str, meta: dict | None = None
    ) -> str | None: ...


class MemoryHistory:
    """Last `max_turns` turns of the `max_chats` most recently active chats."""

    def __init__(self, max_chats: int = 10_000, max_turns: int = 2 * DEFAULT_HISTORY_TURNS) -> None:
        self.max_chats = max_chats
        self.max_turns = max_turns
        self._chats: OrderedDict[str, list[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, key: str, limit: int) -> list[Turn]:
        with self._lock:
            turns = self._chats.get(key)
            if turns is None:
                return []
            self._chats.move_to_end(key)
            return list(turns[-limit:]) if limit > 0 else []

    def add_message(self, key: str, role: str, content: str, meta: dict | None = None) -> None:
        with self._lock:
            turns = self._chats.setdefault(key, [])
            self._chats.move_to_end(key)
            turns.append(Turn(role=role, content=content))  # type: ignore[arg-type]
            del turns[: -self.max_turns]
            while len(self._chats) > self.max_chats:
                self._chats.popitem(last=False)


def hash_user(user_id: str) -> str:
    """Stable pseudonym for logs (never log raw platform ids)."""
    return hashlib.sha256(f"nq57:{user_id}".encode()).hexdigest()[:12]


def clean_text(text: str) -> str:
    """NFC, control characters removed, lone surrogates replaced, whitespace trimmed."""
    text = unicodedata.normalize("NFC", scrub(text or ""))
    text = _CONTROL.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return text.strip()


def notice(text: str, reason: str, intent: str = "refused") -> Answer:
    """A reply that is not an answer from the corpus (limits, errors, unsupported input)."""
    return Answer(text=text, intent=intent, abstained=True, meta={"notice": reason})  # type: ignore[arg-type]


class MessageHandler:
    def __init__(
        self,
        assistant: AssistantProtocol,
        limiter: RateLimiter,
        settings: Settings,
        history_store: HistoryStore | None = None,
        *,
        history_turns: int = DEFAULT_HISTORY_TURNS,
    ) -> None:
        self.assistant = assistant
        self.limiter = limiter
        self.settings = settings
        self.history_store: HistoryStore = history_store or MemoryHistory()
        self.history_turns = history_turns
        self._turns = KeyedTurns()

    def handle(self, msg: InboundMessage) -> Answer:
        who = hash_user(f"{msg.channel}:{msg.user_id}")
        try:
            text = clean_text(msg.text)
            if not text:
                return notice(MSG_EMPTY, "empty")
            if not self.limiter.allow(msg.key):
                log.info("rate limited channel=%s user=%s", msg.channel, who)
                return notice(MSG_RATE_LIMITED, "rate_limited")
            limit = self.settings.max_message_chars
            if len(text) > limit:
                return notice(MSG_TOO_LONG.format(length=len(text), limit=limit), "too_long")
            history = self.history_store.history(msg.key, self.history_turns)
            answer = self.assistant.ask(text, history or None)
            question = self.history_store.add_message(
                msg.key, "user", text, {"channel": msg.channel}
            )
            ref = self.history_store.add_message(
                msg.key,
                "assistant",
                answer.text,
                {
                    "channel": msg.channel,
                    "intent": answer.intent,
                    "reply_to": question,
                    "answer": answer,
                },
            )
            if ref is not None:
                answer.meta = {**answer.meta, "message_id": ref}
            return answer
        except Exception as exc:
            # Frames only: an exception message may quote the user's text.
            log.error(
                "message handling failed channel=%s user=%s error=%s\n%s",
                msg.channel,
                who,
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            return notice(MSG_ERROR, "error")

    def reserve(self, msg: InboundMessage) -> Ticket:
        """Take ``msg``'s place in its user's queue now (webhooks: on arrival)."""
        return self._turns.reserve(msg.key)

    async def ahandle(self, msg: InboundMessage, ticket: Ticket | None = None) -> Answer:
        """`handle` in a worker thread, so retrieval and the assistant never block the loop;
        one user's messages are handled one at a time, in the order of their tickets."""
        async with ticket or self.reserve(msg):
            return await asyncio.to_thread(self.handle, msg)


def check_secret_header(request: Any, header: str, expected: str | None, channel: str) -> Any:
    """Constant-time check of a webhook's shared-secret header.

    None when the request may pass; otherwise the JSON response to send: 403 while no secret
    is configured (a webhook must never run open), 401 without the header, 403 when it differs.
    """
    import hmac

    from fastapi.responses import JSONResponse

    if not expected:
        log.warning("%s webhook called but its secret is not configured; refusing", channel)
        return JSONResponse({"detail": "webhook secret not configured"}, status_code=403)
    given = request.headers.get(header)
    if not given:
        return JSONResponse({"detail": "missing secret token"}, status_code=401)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return JSONResponse({"detail": "invalid secret token"}, status_code=403)
    return None


def lifespan_router(start: Any = None, stop: Any = None) -> Any:
    """An APIRouter whose lifespan starts and stops a channel with the app that includes it."""
    from contextlib import asynccontextmanager

    from fastapi import APIRouter

    @asynccontextmanager
    async def lifespan(_: Any) -> Any:
        if start is not None:
            await start()
        try:
            yield
        finally:
            if stop is not None:
                await stop()

    return APIRouter(lifespan=lifespan)
