"""What `nq57 serve` runs: the web app with every configured messenger channel mounted.

    app = build_app(settings)          # loads the index once; ServeError if it cannot

One conversation store (SQLite under data_dir, or PostgreSQL at NQ57_DATABASE_URL) keeps the
web conversations and the messenger chats, so follow-ups and feedback survive restarts. One rate
limiter (in-process, or Redis at NQ57_REDIS_URL) caps /api/chat and every channel per user.

Webhook paths always exist: a channel without its token answers 403, so a deployment that does
not use Telegram still refuses forged Telegram calls instead of answering 404 or 200.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from bot.answer import Answer, Turn
from channels.app import create_app
from channels.common import MessageHandler
from channels.ratelimit import RateLimiter, build_limiter
from channels.resilient import GuardedStorage, open_guarded
from channels.retention import retention_router
from channels.storage import DEFAULT_SESSION_WINDOW, Storage, StorageError, answer_details
from nq57.datadir import DataDirError, check_writable
from nq57.settings import Settings

log = logging.getLogger("nq57.server")

WEBHOOK_PATHS = {
    "telegram": "/webhooks/telegram",
    "zalo_bot": "/webhooks/zalo-bot",
    "zalo_oa": "/webhooks/zalo-oa",
}
SETTING_NAMES = {
    "telegram": "NQ57_TELEGRAM_TOKEN",
    "zalo_bot": "NQ57_ZALO_BOT_TOKEN",
    "zalo_oa": "NQ57_ZALO_OA_APP_ID and NQ57_ZALO_OA_SECRET_KEY",
}


class ServeError(RuntimeError):
    """The service cannot start; the message tells the operator what to do."""


# -- loading -----------------------------------------------------------------------------------


def load_runtime(settings: Settings) -> Any:
    """The assistant, search and documents over the index (bot.assistant.Runtime)."""
    from bot.assistant import build_assistant
    from ingest.embed import EmbedderError
    from ingest.store import StoreError

    try:
        runtime = build_assistant(settings)
    except StoreError as exc:
        raise ServeError(f"cannot load the index: {exc}") from exc
    except EmbedderError as exc:
        raise ServeError(f"cannot load the embedder: {exc}") from exc
    # Load the word segmenter and the engine's buffers now, not on the first citizen's question.
    runtime.assistant.ask("nghi quyet 57 la gi")
    settle_heap()
    return runtime


def settle_heap() -> None:
    """Exempt what start-up built (index payloads, models, lexicons) from garbage collection.

    Those objects live as long as the process; without this every full collection walks them
    again while requests wait (measured: ~15% of throughput under 20 concurrent clients).
    """
    gc.collect()
    gc.freeze()


def open_storage(settings: Settings) -> GuardedStorage:
    return open_guarded(settings)


# -- messenger history in the conversation store -----------------------------------------------


class StorageHistory:
    """`HistoryStore` over `Storage`: one conversation per channel user (the handler's key).

    Falls back to no history when the database is down: the user still gets an answer, only
    the follow-up context and the log are lost (and /readyz reports the store).
    """

    def __init__(
        self,
        storage: Storage,
        max_cached: int = 10_000,
        window: float = DEFAULT_SESSION_WINDOW,
    ) -> None:
        self.storage = storage
        self.max_cached = max_cached
        self.window = window
        self._ids: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _conversation(self, key: str) -> str:
        now = time.monotonic()
        with self._lock:
            cached = self._ids.get(key)
            if cached is not None and now - cached[1] < self.window:
                self._ids[key] = (cached[0], now)
                self._ids.move_to_end(key)
                return cached[0]
        channel = key.split(":", 1)[0]
        cid = self.storage.conversation_for(channel, key, self.window)
        with self._lock:
            self._ids[key] = (cid, now)
            while len(self._ids) > self.max_cached:
                self._ids.popitem(last=False)
        return cid

    def history(self, key: str, limit: int) -> list[Turn]:
        try:
            return self.storage.history(self._conversation(key), limit=limit)
        except StorageError as exc:
            log.warning("conversation store unavailable, answering without history: %s", exc)
            return []

    def add_message(
        self, key: str, role: str, content: str, meta: dict | None = None
    ) -> str | None:
        meta = meta or {}
        answer = meta.get("answer")
        details = {}
        if answer is not None:
            # What the console and the reports read: outcome, sources, latency, corpus version.
            details = {
                "abstained": answer.abstained,
                "citations": answer.citations,
                "latency_ms": answer.latency_ms,
            } | answer_details(answer)
        try:
            return self.storage.add_message(
                self._conversation(key),
                role,
                content,
                intent=meta.get("intent"),
                reply_to=meta.get("reply_to"),
                **details,
            )
        except StorageError as exc:
            log.warning("could not store %s message: %s", role, exc)
            return None


class _NotLoaded:
    """Stands in for the assistant where a command only talks to the platform (set-webhook)."""

    def ask(self, message: str, history: list[Turn] | None = None) -> Answer:
        raise RuntimeError("the assistant is not loaded in this command")

    def stream(self, message: str, history: list[Turn] | None = None) -> Iterable[dict]:
        raise RuntimeError("the assistant is not loaded in this command")


# -- channels ----------------------------------------------------------------------------------


def configured(settings: Settings) -> list[str]:
    """Names of the messenger channels whose credentials are set."""
    names = []
    if settings.telegram_token:
        names.append("telegram")
    if settings.zalo_bot_token:
        names.append("zalo_bot")
    if settings.zalo_oa_app_id or settings.zalo_oa_secret_key:
        if not (settings.zalo_oa_app_id and settings.zalo_oa_secret_key):
            raise ServeError(
                "Zalo OA needs both NQ57_ZALO_OA_APP_ID and NQ57_ZALO_OA_SECRET_KEY "
                "(the secret key verifies webhook signatures)"
            )
        names.append("zalo_oa")
    return names


def build_channels(
    settings: Settings,
    assistant: Any,
    limiter: RateLimiter,
    storage: Storage | None = None,
) -> dict[str, Any]:
    """Every configured channel, each with its own handler on the shared limiter and store."""
    from channels.telegram import build_telegram
    from channels.zalo_bot import build_zalo_bot
    from channels.zalo_oa import build_zalo_oa

    window = settings.session_window_hours * 3600
    history = StorageHistory(storage, window=window) if storage is not None else None
    channels: dict[str, Any] = {}
    for name in configured(settings):
        handler = MessageHandler(assistant, limiter, settings, history)
        if name == "telegram":
            if not settings.telegram_secret:
                log.warning("NQ57_TELEGRAM_SECRET is not set: the Telegram webhook refuses calls")
            feedback = _feedback_to(storage) if storage is not None else None
            channels[name] = build_telegram(settings, handler, feedback, storage=storage)
        elif name == "zalo_bot":
            channels[name] = build_zalo_bot(settings, handler, storage=storage)
        else:
            channels[name] = build_zalo_oa(settings, handler, storage=storage)
    return channels


def _feedback_to(storage: Storage):
    async def feedback(message_ref: str, rating: str) -> None:
        # Raises UnknownMessage for answers never stored; the channel tells the user it failed.
        await asyncio.to_thread(storage.add_feedback, message_ref, rating)

    return feedback


def messenger_channels(settings: Settings, with_assistant: bool = True) -> dict[str, Any]:
    """Configured channels for the CLI (`nq57 telegram|zalo set-webhook|poll`).

    With the assistant, answers use the index, the conversation store and the rate limiter
    exactly as under `nq57 serve`; without it (registering a webhook) nothing heavy is loaded.
    """
    names = configured(settings)
    if not names:
        return {}
    if not with_assistant:
        return build_channels(settings, _NotLoaded(), build_limiter(settings))
    runtime = load_runtime(settings)
    storage = open_storage(settings)
    try:
        storage.migrate()
    except StorageError as exc:
        log.error("conversation store not available, chats keep no history: %s", exc)
    return build_channels(settings, runtime.assistant, build_limiter(settings), storage)


def refusing_router(names: Iterable[str]) -> APIRouter:
    """403 on the webhook paths of channels that are not configured."""
    router = APIRouter()
    for name in names:
        router.add_api_route(
            WEBHOOK_PATHS[name],
            _refuse(name),
            methods=["POST"],
            include_in_schema=False,
        )
    return router


def _refuse(name: str):
    async def refuse() -> JSONResponse:
        log.warning(
            "%s webhook called but %s is not configured; refusing", name, SETTING_NAMES[name]
        )
        return JSONResponse({"detail": f"{name} channel is not configured"}, status_code=403)

    return refuse


def _closing(storage: Storage) -> APIRouter:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            storage.close()

    return APIRouter(lifespan=lifespan)


# -- the app -----------------------------------------------------------------------------------


def build_app(settings: Settings, *, runtime: Any = None) -> FastAPI:
    """The whole service; ``runtime`` (a loaded bot.assistant.Runtime) skips loading the index."""
    try:
        check_writable(settings.data_dir)
    except DataDirError as exc:
        raise ServeError(str(exc)) from None
    from channels.admin.live import wrap

    runtime = runtime or load_runtime(settings)
    storage = open_storage(settings)
    limiter = build_limiter(settings)
    address_limiter = build_limiter(
        settings, settings.rate_limit_per_address_per_minute, prefix="nq57:rl-addr:"
    )
    # One wrapper for every channel: curated answers, corpus version, swaps after re-indexing.
    assistant = wrap(runtime.assistant, runtime=runtime)
    channels = build_channels(settings, assistant, limiter, storage)
    missing = [name for name in WEBHOOK_PATHS if name not in channels]
    routers = [
        *(ch.router for ch in channels.values()),
        refusing_router(missing),
        _closing(storage),
        retention_router(storage, settings.retention_days),
    ]
    log.info("serving channels: web%s", "".join(f", {name}" for name in channels) or " only")
    app = create_app(
        settings,
        assistant,
        searcher=runtime.search,
        documents=runtime.documents,
        extra_routers=routers,
        storage=storage,
        limiter=limiter,
        address_limiter=address_limiter,
    )
    app.state.nq57.extra["channels"] = channels
    return app
