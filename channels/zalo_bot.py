"""Zalo Bot Platform channel: a thin httpx client and a webhook.

API: `POST {base}/bot{token}/{method}` with a JSON body; answers `{"ok": bool, "result": …,
"error_code": int, "description": str}`. The base is configurable (`NQ57_ZALO_BOT_BASE_URL`):
Zalo's documents use both https://bot-api.zaloplatforms.com and https://bot-api.zapps.me.

Update shape (Zalo Bot Platform docs, https://bot.zaloplatforms.com/docs, as mirrored by the
open-source clients `@gguf/claw` extensions/zalo/src/api.ts on unpkg.com and the docs.openclaw.ai
"channels/zalo" page):
    {"event_name": "message.text.received" | "message.image.received" |
                    "message.sticker.received" | "message.unsupported.received",
     "message": {"message_id", "date", "text"?, "photo"?, "sticker"?,
                 "from": {"id", "display_name"?, "is_bot"?},
                 "chat": {"id", "chat_type": "PRIVATE" | "GROUP"}}}
The webhook delivers it either bare or wrapped as {"ok": true, "result": {...}}; both are
accepted. Webhook requests carry the secret given to setWebhook in `X-Bot-Api-Secret-Token`.
getUpdates (long polling) and a webhook exclude each other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass
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
    check_secret_header,
    hash_user,
    lifespan_router,
)
from channels.dedup import Deduplicator, build_deduplicator
from channels.render import ZALO_BOT_LIMIT, render_plain, split_message
from channels.webhook_models import MSG_MALFORMED, MalformedPayload, load_json, parse_zalo_bot
from nq57.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/zalo-bot"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT_EVENT = "message.text.received"
POLL_TIMEOUT = 30


class ZaloBotError(RuntimeError):
    """The Bot API refused a call (message never contains the token)."""

    def __init__(self, method: str, error_code: int | None, description: str) -> None:
        super().__init__(f"Zalo Bot API {method} failed: {error_code} {description}")
        self.method = method
        self.error_code = error_code
        self.description = description


class ZaloBotModeError(RuntimeError):
    """Polling requested while a webhook is registered (the two modes exclude each other)."""


class ZaloBotClient:
    def __init__(
        self,
        token: str,
        base_url: str = "https://bot-api.zaloplatforms.com",
        *,
        timeout: float = 15.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._token = token
        self.base_url = base_url.rstrip("/")
        self._http = http or httpx.AsyncClient(timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self, method: str, payload: dict | None = None, *, timeout: float | None = None
    ) -> Any:
        url = f"{self.base_url}/bot{self._token}/{method}"
        kwargs: dict[str, Any] = {"json": payload or {}}
        if timeout is not None:
            kwargs["timeout"] = timeout
        try:
            response = await self._http.post(url, **kwargs)
        except httpx.HTTPError as exc:
            # httpx messages include the URL, hence the token: report the type only.
            raise ZaloBotError(method, None, type(exc).__name__) from None
        try:
            data = response.json()
        except ValueError:
            raise ZaloBotError(method, response.status_code, "non-JSON response") from None
        if not isinstance(data, dict) or not data.get("ok"):
            code = data.get("error_code") if isinstance(data, dict) else None
            desc = data.get("description", "") if isinstance(data, dict) else ""
            raise ZaloBotError(
                method, code if code is not None else response.status_code, str(desc)
            )
        return data.get("result")

    async def get_me(self) -> dict:
        return await self.call("getMe")

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict:
        return await self.call("getWebhookInfo") or {}

    async def get_updates(self, timeout: int = POLL_TIMEOUT) -> list[dict]:
        try:
            result = await self.call("getUpdates", {"timeout": str(timeout)}, timeout=timeout + 10)
        except ZaloBotError as exc:
            if exc.error_code == 408:  # long poll ended without updates
                return []
            raise
        if result is None:
            return []
        return result if isinstance(result, list) else [result]

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})


@dataclass
class ZaloBotEvent:
    event_name: str
    message_id: str
    user_id: str
    chat_id: str
    text: str | None
    from_bot: bool = False


def parse_update(data: Any) -> ZaloBotEvent:
    """One update (bare or wrapped in {"ok", "result"}); ValueError when it is not one."""
    update = parse_zalo_bot(data)
    message = update.message
    sender, chat = message.sender, message.chat
    chat_id = (chat.id if chat else None) or (sender.id if sender else None)
    if not chat_id:
        raise MalformedPayload("update without chat id")
    return ZaloBotEvent(
        event_name=update.event_name,
        message_id=message.message_id or "",
        user_id=(sender.id if sender else None) or chat_id,
        chat_id=chat_id,
        text=message.text,
        from_bot=bool(sender and sender.is_bot),
    )


class ZaloBotChannel:
    def __init__(
        self,
        settings: Settings,
        handler: MessageHandler,
        *,
        client: ZaloBotClient | None = None,
        dedup: Deduplicator | None = None,
        storage: object | None = None,
    ) -> None:
        if not settings.zalo_bot_token:
            raise ValueError("NQ57_ZALO_BOT_TOKEN is not set")
        self.settings = settings
        self.handler = handler
        self.client = client or ZaloBotClient(settings.zalo_bot_token, settings.zalo_bot_base_url)
        self.dedup = dedup or build_deduplicator(settings, "zalo_bot", storage=storage)
        self.router = self._build_router()

    async def stop(self) -> None:
        await self.client.aclose()

    def status(self) -> dict[str, object]:
        # Nothing to start: replies open their connections as they go.
        return {"state": "ok", "dedup": getattr(self.dedup, "backend", "in-process")}

    # -- replies -----------------------------------------------------------------------------

    @staticmethod
    def _inbound(event: ZaloBotEvent) -> InboundMessage | None:
        if event.event_name != TEXT_EVENT or event.text is None:
            return None
        return InboundMessage(
            channel="zalo_bot",
            user_id=event.user_id,
            chat_id=event.chat_id,
            text=event.text,
            message_id=event.message_id,
        )

    async def handle_event(self, event: ZaloBotEvent, ticket: Ticket | None = None) -> None:
        """Answer one event; errors are logged (never raised into the webhook or poll loop).
        ``ticket``: the event's place in its user's queue, taken when it arrived."""
        who = hash_user(f"zalo_bot:{event.user_id}")
        try:
            inbound = self._inbound(event)
            if inbound is not None:
                answer = await self.handler.ahandle(inbound, ticket)
                await self.send_answer(event.chat_id, answer)
            elif event.event_name.startswith("message."):
                await self.send_text(event.chat_id, MSG_NON_TEXT)
        except Exception as exc:
            log.error("zalo bot reply failed user=%s error=%s", who, type(exc).__name__)
        finally:
            if ticket is not None:
                ticket.release()

    async def send_answer(self, chat_id: str, answer: Answer) -> None:
        await self.send_text(chat_id, render_plain(answer, self.settings.public_base_url))

    async def send_text(self, chat_id: str, text: str) -> None:
        """Plain text in parts of at most 2,000 characters."""
        for part in split_message(text, ZALO_BOT_LIMIT):
            await self.client.send_message(chat_id, part)

    def _is_new(self, event: ZaloBotEvent) -> bool:
        if not event.message_id:
            return True
        return self.dedup.first_seen(f"{event.event_name}:{event.message_id}")

    # -- webhook -----------------------------------------------------------------------------

    def _check_secret(self, request: Request) -> JSONResponse | None:
        return check_secret_header(
            request, SECRET_HEADER, self.settings.zalo_bot_secret, "zalo bot"
        )

    def _build_router(self) -> APIRouter:
        router = lifespan_router(stop=self.stop)

        @router.post(WEBHOOK_PATH, include_in_schema=False)
        async def zalo_bot_webhook(request: Request, background: BackgroundTasks) -> JSONResponse:
            refused = self._check_secret(request)
            if refused is not None:
                return refused
            try:
                event = parse_update(load_json(await request.body()))
            except ValueError:
                return JSONResponse({"detail": MSG_MALFORMED}, status_code=400)
            if event.from_bot:
                return JSONResponse({"ok": True, "skipped": True})
            inbound = self._inbound(event)
            # Place in the user's queue taken on arrival, before anything is awaited.
            ticket = self.handler.reserve(inbound) if inbound is not None else None
            if not await asyncio.to_thread(self._is_new, event):
                if ticket is not None:
                    ticket.release()
                return JSONResponse({"ok": True, "skipped": True})
            background.add_task(self.handle_event, event, ticket)
            return JSONResponse({"ok": True})

        return router

    # -- operator commands -------------------------------------------------------------------

    async def set_webhook(self, url: str) -> Any:
        if not self.settings.zalo_bot_secret or not 8 <= len(self.settings.zalo_bot_secret) <= 256:
            raise ValueError("NQ57_ZALO_BOT_SECRET must be set (8–256 characters) for a webhook")
        return await self.client.set_webhook(url, self.settings.zalo_bot_secret)

    async def delete_webhook(self) -> Any:
        return await self.client.delete_webhook()

    async def poll(
        self,
        *,
        delete_webhook: bool = True,
        stop: asyncio.Event | None = None,
        timeout: int = POLL_TIMEOUT,
    ) -> None:
        """Long polling for development. Deletes the webhook first (unless told not to) and
        refuses to run while one is still registered."""
        if delete_webhook:
            await self.client.delete_webhook()
        try:
            info = await self.client.get_webhook_info()
        except ZaloBotError:
            info = {}  # older API without getWebhookInfo: getUpdates will refuse instead
        if isinstance(info, dict) and info.get("url"):
            raise ZaloBotModeError(
                "a Zalo Bot webhook is registered; delete it (or poll with delete_webhook) first"
            )
        stop = stop or asyncio.Event()
        failures = 0
        while not stop.is_set():
            try:
                updates = await self.client.get_updates(timeout=timeout)
                failures = 0
            except ZaloBotError as exc:
                if "webhook" in exc.description.lower():
                    raise ZaloBotModeError("getUpdates refused: a webhook is registered") from None
                failures += 1
                log.warning("zalo getUpdates failed (%s); retrying", exc.error_code)
                await asyncio.sleep(min(30, 2**failures))
                continue
            for event in _events(updates):
                if self._is_new(event):
                    await self.handle_event(event)


def _events(updates: list[dict]) -> Iterator[ZaloBotEvent]:
    for raw in updates:
        try:
            event = parse_update(raw)
        except ValueError:
            log.warning("skipping malformed Zalo update")
            continue
        if not event.from_bot:
            yield event


def build_zalo_bot(
    settings: Settings, handler: MessageHandler, storage: object | None = None
) -> ZaloBotChannel:
    """The Zalo Bot Platform channel; include `.router` in the app. With ``storage``, replays
    are recognised across restarts (unless Redis is configured, which then decides)."""
    return ZaloBotChannel(settings, handler, storage=storage)
