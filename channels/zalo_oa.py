"""Zalo Official Account (OA API v3) channel.

Webhook `POST /webhooks/zalo-oa`. Each event is signed in header `X-ZEvent-Signature`:
    "mac=" + hex(sha256(app_id + raw_body + timestamp + oa_secret_key))
a plain SHA-256 (not an HMAC) of the application id, the raw JSON body exactly as received, the
`timestamp` field of that JSON and the OA secret key (the key of the linked OA, not the app
secret). Sources followed: Zalo for Developers, Official Account API "Webhook" page
(developers.zalo.me/docs/official-account/webhook), as restated in "Zalo API – PHP Webhook &
Callback Official Account" (https://hainh.me/zalo-api-php-webhook-callback-official-account.html),
which also states Zalo's rule: answer 200 within 2 s or the event is sent again.

So the webhook answers 200 at once, replies in a background task and drops repeats by
`message.msg_id`. Replies go through the customer-service message API
(`POST {api_base}/v3.0/oa/message/cs`, header `access_token`). The access token is refreshed from
the refresh token (`POST {oauth_base}/v4/oa/access_token`, form app_id, grant_type=refresh_token,
refresh_token; header secret_key = app secret) when missing, expired or rejected; Zalo rotates
the refresh token on every use, so the new pair is kept and saved to `data_dir`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse

from bot.answer import Answer
from channels.common import (
    MSG_NON_TEXT,
    InboundMessage,
    MessageHandler,
    Ticket,
    hash_user,
    lifespan_router,
)
from channels.dedup import Deduplicator, build_deduplicator
from channels.render import ZALO_OA_LIMIT, render_plain, split_message
from channels.webhook_models import (
    MSG_MALFORMED,
    MSG_STALE,
    ZaloOAEvent,
    load_json,
    parse_zalo_oa,
)
from nq57.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/zalo-oa"
SIGNATURE_HEADER = "X-ZEvent-Signature"
TEXT_EVENT = "user_send_text"
# OA API error codes meaning "access token invalid/expired" (Zalo OA API error table).
INVALID_TOKEN_CODES = frozenset({-216, -124})
EXPIRY_MARGIN = 120.0  # refresh a little before Zalo's expiry

MSG_WELCOME = (
    "Cảm ơn bạn đã quan tâm! Mình trả lời câu hỏi về Nghị quyết 57-NQ/TW và các văn bản liên "
    "quan, có trích dẫn nguồn. Bạn hãy gửi câu hỏi, ví dụ: "
    "“Nghị quyết 57 đặt mục tiêu gì đến năm 2030?”"
)


class ZaloOAError(RuntimeError):
    def __init__(self, where: str, code: Any, message: str) -> None:
        super().__init__(f"Zalo OA {where} failed: {code} {message}")
        self.code = code


def signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256(
        app_id.encode() + raw_body + str(timestamp).encode() + oa_secret_key.encode()
    ).hexdigest()
    return f"mac={digest}"


def verify_signature(
    header: str, app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str
) -> bool:
    expected = signature(app_id, raw_body, timestamp, oa_secret_key)
    given = header.strip()
    if not given.lower().startswith("mac="):
        given = "mac=" + given
    return hmac.compare_digest(given.lower().encode(), expected.encode())


@dataclass
class OATokens:
    access_token: str | None
    refresh_token: str | None
    expires_at: float = 0.0  # wall clock; 0 = unknown (assume valid until Zalo says otherwise)

    def usable(self, now: float) -> bool:
        return bool(self.access_token) and (self.expires_at == 0.0 or now < self.expires_at)


class TokenFile:
    """Keeps the rotating token pair across restarts (mode 600)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> OATokens | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return OATokens(
                data.get("access_token"),
                data.get("refresh_token"),
                float(data.get("expires_at", 0)),
            )
        except (OSError, ValueError, AttributeError):
            return None

    def save(self, tokens: OATokens) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(tokens), fh)
        os.replace(tmp, self.path)


class ZaloOAClient:
    def __init__(
        self,
        settings: Settings,
        *,
        token_file: TokenFile | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self.api_base = settings.zalo_oa_api_base.rstrip("/")
        self.oauth_base = settings.zalo_oauth_base.rstrip("/")
        self.token_file = token_file
        saved = token_file.load() if token_file else None
        # A saved pair is newer than the configured one: refresh tokens are single-use.
        self.tokens = saved or OATokens(
            settings.zalo_oa_access_token, settings.zalo_oa_refresh_token
        )
        self._http = http or httpx.AsyncClient(timeout=15.0)
        self._lock = asyncio.Lock()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def refresh(self, stale: str | None = None) -> str:
        """New access token from the refresh token; `stale` avoids refreshing twice when
        several replies hit an expired token together."""
        async with self._lock:
            if stale is not None and self.tokens.access_token not in (None, stale):
                return self.tokens.access_token
            if not (
                self.tokens.refresh_token
                and self.settings.zalo_oa_app_id
                and self.settings.zalo_oa_app_secret
            ):
                raise ZaloOAError(
                    "token refresh", None, "refresh token, app id or app secret missing"
                )
            try:
                response = await self._http.post(
                    f"{self.oauth_base}/v4/oa/access_token",
                    data={
                        "app_id": self.settings.zalo_oa_app_id,
                        "grant_type": "refresh_token",
                        "refresh_token": self.tokens.refresh_token,
                    },
                    headers={"secret_key": self.settings.zalo_oa_app_secret},
                )
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ZaloOAError("token refresh", None, type(exc).__name__) from None
            if not isinstance(data, dict) or not data.get("access_token"):
                code = data.get("error") if isinstance(data, dict) else None
                name = data.get("error_name", "") if isinstance(data, dict) else ""
                raise ZaloOAError("token refresh", code, str(name))
            try:
                expires_in = float(data.get("expires_in") or 0)
            except (TypeError, ValueError):
                expires_in = 0.0
            self.tokens = OATokens(
                access_token=data["access_token"],
                refresh_token=data.get("refresh_token") or self.tokens.refresh_token,
                expires_at=time.time() + expires_in - EXPIRY_MARGIN if expires_in else 0.0,
            )
            if self.token_file:
                try:
                    self.token_file.save(self.tokens)
                except OSError as exc:
                    log.error("could not save Zalo OA tokens: %s", type(exc).__name__)
            log.info("Zalo OA access token refreshed")
            return self.tokens.access_token

    async def _access_token(self) -> str:
        if self.tokens.usable(time.time()):
            return self.tokens.access_token  # type: ignore[return-value]
        return await self.refresh(stale=self.tokens.access_token)

    async def send_text(self, user_id: str, text: str) -> dict:
        """Customer-service text message; one refresh-and-retry on an invalid token."""
        payload = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        token = await self._access_token()
        for attempt in range(2):
            try:
                response = await self._http.post(
                    f"{self.api_base}/v3.0/oa/message/cs",
                    json=payload,
                    headers={"access_token": token},
                )
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ZaloOAError("send", None, type(exc).__name__) from None
            code = data.get("error", 0) if isinstance(data, dict) else None
            if code == 0:
                return data
            if code in INVALID_TOKEN_CODES and attempt == 0:
                token = await self.refresh(stale=token)
                continue
            raise ZaloOAError(
                "send", code, str(data.get("message", "") if isinstance(data, dict) else "")
            )
        raise ZaloOAError("send", None, "unreachable")


class ZaloOAChannel:
    def __init__(
        self,
        settings: Settings,
        handler: MessageHandler,
        *,
        client: ZaloOAClient | None = None,
        dedup: Deduplicator | None = None,
        storage: object | None = None,
    ) -> None:
        if not (settings.zalo_oa_app_id and settings.zalo_oa_secret_key):
            raise ValueError("NQ57_ZALO_OA_APP_ID and NQ57_ZALO_OA_SECRET_KEY must be set")
        self.settings = settings
        self.handler = handler
        self.client = client or ZaloOAClient(
            settings, token_file=TokenFile(settings.data_dir / "zalo_oa_tokens.json")
        )
        self.dedup = dedup or build_deduplicator(settings, "zalo_oa", storage=storage)
        self.router = self._build_router()

    async def start(self) -> None:
        """Nothing to open eagerly; tokens are fetched on the first reply."""

    async def stop(self) -> None:
        await self.client.aclose()

    def status(self) -> dict[str, object]:
        # Nothing to start: replies open their connections as they go.
        return {"state": "ok", "dedup": getattr(self.dedup, "backend", "in-process")}

    @staticmethod
    def _inbound(event: ZaloOAEvent) -> InboundMessage | None:
        message = event.message
        if event.event_name != TEXT_EVENT or message is None or message.text is None:
            return None
        return InboundMessage(
            channel="zalo_oa",
            user_id=event.user_id,
            chat_id=event.user_id,
            text=message.text,
            message_id=message.msg_id or "",
        )

    async def handle_event(self, event: ZaloOAEvent | dict, ticket: Ticket | None = None) -> None:
        """Reply to one verified event; errors are logged, never raised. ``ticket``: the
        event's place in its user's queue, taken when it arrived."""
        try:
            if isinstance(event, dict):
                try:
                    event = parse_zalo_oa(event)
                except ValueError:
                    log.warning("zalo OA: skipping malformed event")
                    return
            await self._reply(event, ticket)
        finally:
            if ticket is not None:
                ticket.release()

    async def _reply(self, event: ZaloOAEvent, ticket: Ticket | None) -> None:
        user_id = event.user_id
        if not user_id:
            return
        who = hash_user(f"zalo_oa:{user_id}")
        try:
            inbound = self._inbound(event)
            if inbound is not None:
                await self.send_answer(user_id, await self.handler.ahandle(inbound, ticket))
            elif event.event_name.startswith("user_send_"):
                await self.send_text(user_id, MSG_NON_TEXT)
            elif event.event_name == "follow":
                await self.send_text(user_id, MSG_WELCOME)
        except Exception as exc:
            log.error("zalo OA reply failed user=%s error=%s", who, type(exc).__name__)

    async def send_answer(self, user_id: str, answer: Answer) -> None:
        await self.send_text(user_id, render_plain(answer, self.settings.public_base_url))

    async def send_text(self, user_id: str, text: str) -> None:
        """Plain text in parts of at most 2,000 characters."""
        for part in split_message(text, ZALO_OA_LIMIT):
            await self.client.send_text(user_id, part)

    def _dedup_key(self, event: ZaloOAEvent) -> str:
        if event.message is not None and event.message.msg_id:
            return f"msg:{event.message.msg_id}"
        return f"evt:{event.event_name}:{event.user_id}:{event.timestamp}"

    def _build_router(self) -> APIRouter:
        router = lifespan_router(self.start, self.stop)

        @router.post(WEBHOOK_PATH, include_in_schema=False)
        async def zalo_oa_webhook(request: Request, background: BackgroundTasks) -> JSONResponse:
            raw = await request.body()
            try:
                event = parse_zalo_oa(load_json(raw))
            except ValueError:
                return JSONResponse({"detail": MSG_MALFORMED}, status_code=400)
            header = request.headers.get(SIGNATURE_HEADER)
            if not header:
                return JSONResponse({"detail": "missing signature"}, status_code=401)
            ok = verify_signature(
                header,
                self.settings.zalo_oa_app_id or "",
                raw,
                event.timestamp,
                self.settings.zalo_oa_secret_key or "",
            )
            if not ok or (event.app_id or self.settings.zalo_oa_app_id) != (
                self.settings.zalo_oa_app_id
            ):
                return JSONResponse({"detail": "invalid signature"}, status_code=403)
            # A signed event stays valid forever: only a fresh one may be answered.
            age = event.age_seconds()
            window = self.settings.webhook_max_age_seconds
            if age is None or abs(age) > window:
                log.warning("zalo OA: refusing an event %s s old", "?" if age is None else int(age))
                return JSONResponse({"detail": MSG_STALE}, status_code=403)
            inbound = self._inbound(event) if event.user_id else None
            # Place in the user's queue taken on arrival, before anything is awaited.
            ticket = self.handler.reserve(inbound) if inbound is not None else None
            if not await asyncio.to_thread(self.dedup.first_seen, self._dedup_key(event)):
                if ticket is not None:
                    ticket.release()
                return JSONResponse({"ok": True, "duplicate": True})
            background.add_task(self.handle_event, event, ticket)
            return JSONResponse({"ok": True})

        return router


def build_zalo_oa(
    settings: Settings, handler: MessageHandler, storage: object | None = None
) -> ZaloOAChannel:
    """The Zalo OA channel; include `.router` in the app. With ``storage``, replays are
    recognised across restarts (unless Redis is configured, which then decides)."""
    return ZaloOAChannel(settings, handler, storage=storage)
