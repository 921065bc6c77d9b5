"""Webhook payloads validated at the edge with Pydantic (parsed by pydantic-core, whose JSON
parser has a nesting limit: 100,000 `[` are a 400, not a RecursionError).

Only the fields the service reads are declared; anything else a platform adds is ignored.
Strings are scrubbed (channels.sanitize); ids may arrive as numbers and are kept as text.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import from_json

from channels.sanitize import CleanStr

MSG_MALFORMED = "Dữ liệu gửi tới webhook không hợp lệ."
MSG_STALE = "Sự kiện đã quá hạn hoặc có thời điểm không hợp lệ."


class MalformedPayload(ValueError):
    """The body is not JSON, or not the shape the platform sends."""


def _id_text(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("an id cannot be a boolean")
    return str(value) if isinstance(value, int) else value


IdStr = Annotated[CleanStr, BeforeValidator(_id_text), Field(max_length=128)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


def load_json(raw: bytes) -> Any:
    """JSON from a webhook body; MalformedPayload (a ValueError) on anything else."""
    try:
        return from_json(raw)
    except ValueError as exc:
        raise MalformedPayload(f"invalid JSON: {exc}") from None


def _validate(model: type[_Model], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise MalformedPayload(f"not a {model.__name__}: {exc.error_count()} errors") from None


# -- Zalo Bot Platform -------------------------------------------------------------------------


class ZaloBotUser(_Model):
    id: IdStr
    display_name: CleanStr | None = None
    is_bot: bool = False


class ZaloBotChat(_Model):
    id: IdStr
    chat_type: CleanStr | None = None


class ZaloBotMessage(_Model):
    message_id: IdStr | None = None
    date: int | None = None
    text: CleanStr | None = None
    sender: ZaloBotUser | None = Field(default=None, alias="from")
    chat: ZaloBotChat | None = None


class ZaloBotUpdate(_Model):
    event_name: CleanStr = Field(max_length=100)
    message: ZaloBotMessage


def parse_zalo_bot(data: Any) -> ZaloBotUpdate:
    """One update, bare or wrapped as {"ok": true, "result": {...}}."""
    if isinstance(data, dict) and "event_name" not in data and isinstance(data.get("result"), dict):
        data = data["result"]
    return _validate(ZaloBotUpdate, data)


# -- Zalo Official Account ---------------------------------------------------------------------


class ZaloOAUser(_Model):
    id: IdStr


class ZaloOAMessage(_Model):
    msg_id: IdStr | None = None
    text: CleanStr | None = None


class ZaloOAEvent(_Model):
    event_name: CleanStr = Field(max_length=100)
    app_id: IdStr | None = None
    timestamp: IdStr
    sender: ZaloOAUser | None = None
    follower: ZaloOAUser | None = None
    message: ZaloOAMessage | None = None

    @property
    def user_id(self) -> str:
        who = self.sender or self.follower
        return who.id if who else ""

    def age_seconds(self, now: float | None = None) -> float | None:
        """How old the event says it is (Zalo sends milliseconds); None if unreadable."""
        try:
            stamp = int(self.timestamp) / 1000.0
        except ValueError:
            return None
        return (time.time() if now is None else now) - stamp


def parse_zalo_oa(data: Any) -> ZaloOAEvent:
    return _validate(ZaloOAEvent, data)


# -- Telegram (PTB parses the rest) -----------------------------------------------------------


class TelegramEnvelope(_Model):
    update_id: int


def check_telegram(data: Any) -> None:
    _validate(TelegramEnvelope, data)
