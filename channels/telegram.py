"""Telegram bot hosted inside the FastAPI app (python-telegram-bot v22, no Updater).

Follows PTB's `customwebhookbot` example: the Application is built with `.updater(None)` and
started in the web app's lifespan; `POST /webhooks/telegram` checks Telegram's secret header in
constant time, drops re-sent updates by `update_id`, answers 200 at once and lets PTB process
the update in the background. `poll()` runs long polling for local development instead.

Replies use HTML parse mode, split at 4,096 characters on paragraph boundaries; answers from the
corpus carry 👍/👎 buttons whose presses reach `feedback(message_ref, rating)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import JSONResponse
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)
from telegram.ext import MessageHandler as PTBMessageHandler

from bot.answer import Answer
from channels.common import (
    MSG_NON_TEXT,
    InboundMessage,
    MessageHandler,
    check_secret_header,
    hash_user,
    lifespan_router,
)
from channels.dedup import Deduplicator, build_deduplicator
from channels.render import TELEGRAM_LIMIT, render_html, render_plain, split_message
from channels.sanitize import scrub_any
from channels.supervisor import RetryingStart
from channels.webhook_models import MSG_MALFORMED, check_telegram, load_json
from nq57.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]

Feedback = Callable[[str, str], Any]  # (message_ref, "up" | "down"); sync or async

EXAMPLE_QUESTIONS = [
    "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?",
    "Chi cho nghiên cứu phát triển phải đạt bao nhiêu phần trăm GDP?",
    "Doanh nghiệp khởi nghiệp sáng tạo được hỗ trợ những gì?",
    "Nghị quyết 57 nói gì về chuyển đổi số trong cơ quan nhà nước?",
]

START_TEXT = (
    "Xin chào! Mình là trợ lý hỏi đáp về <b>Nghị quyết 57-NQ/TW</b> về đột phá phát triển "
    "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia, cùng các văn bản liên "
    "quan.\n\nMỗi câu trả lời đều trích dẫn nguồn để bạn kiểm tra lại. Bạn có thể hỏi có dấu "
    "hoặc không dấu.\n\nGõ /help để xem câu hỏi mẫu."
)


def help_text() -> str:
    examples = "\n".join(f"• {q}" for q in EXAMPLE_QUESTIONS)
    return (
        "<b>Cách dùng</b>\nBạn chỉ cần gửi câu hỏi bằng tiếng Việt. Mình trả lời dựa trên "
        "văn bản gốc và ghi rõ nguồn (số văn bản, mục, điều khoản).\n\n"
        f"<b>Câu hỏi mẫu</b>\n{examples}\n\n"
        "Bấm 👍 hoặc 👎 dưới câu trả lời để góp ý giúp mình trả lời tốt hơn.\n"
        "Lưu ý: thông tin chỉ để tham khảo, không thay thế văn bản chính thức."
    )


MSG_FEEDBACK_THANKS = "Cảm ơn bạn đã góp ý!"
MSG_FEEDBACK_ERROR = "Chưa ghi nhận được góp ý, bạn thử lại sau nhé."

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _feedback_ref(answer: Answer, msg: InboundMessage) -> str:
    """Reference sent back in the button's callback data (Telegram allows 64 bytes)."""
    ref = str(answer.meta.get("message_id") or f"tg:{msg.chat_id}:{msg.message_id}")
    if len(ref.encode()) > 56:
        ref = "h:" + hashlib.sha256(ref.encode()).hexdigest()[:40]
    return ref


def feedback_keyboard(ref: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("👍", callback_data=f"fb:up:{ref}"),
                InlineKeyboardButton("👎", callback_data=f"fb:down:{ref}"),
            ]
        ]
    )


class TelegramChannel:
    def __init__(
        self,
        settings: Settings,
        handler: MessageHandler,
        feedback: Feedback | None = None,
        *,
        dedup: Deduplicator | None = None,
        storage: object | None = None,
    ) -> None:
        if not settings.telegram_token:
            raise ValueError("NQ57_TELEGRAM_TOKEN is not set")
        self.settings = settings
        self.handler = handler
        self.feedback = feedback
        self.dedup = dedup or build_deduplicator(settings, "telegram", storage=storage)
        self.application = self._build_application(with_updater=False)
        self._started = False
        self._start_lock = asyncio.Lock()
        self.starter = RetryingStart(
            "telegram", self.start, max_delay=settings.channel_retry_max_seconds
        )
        self.router = self._build_router()

    # -- PTB wiring --------------------------------------------------------------------------

    def _build_application(self, *, with_updater: bool) -> Application:
        builder = (
            Application.builder()
            .token(self.settings.telegram_token or "")
            .base_url(self.settings.telegram_base_url)
        )
        if not with_updater:
            builder = builder.updater(None)
        application = builder.build()
        application.add_handler(CommandHandler("start", self._on_start))
        application.add_handler(CommandHandler("help", self._on_help))
        application.add_handler(
            PTBMessageHandler(
                filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGES, self._on_text
            )
        )
        application.add_handler(
            PTBMessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT, self._on_other)
        )
        application.add_handler(CallbackQueryHandler(self._on_feedback, pattern=r"^fb:(up|down):"))
        application.add_error_handler(self._on_error)
        return application

    async def _on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat:
            await context.bot.send_message(
                update.effective_chat.id, START_TEXT, parse_mode=ParseMode.HTML
            )

    async def _on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat:
            await context.bot.send_message(
                update.effective_chat.id, help_text(), parse_mode=ParseMode.HTML
            )

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat:
            await context.bot.send_message(update.effective_chat.id, MSG_NON_TEXT)

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None or message.text is None:
            return
        user = update.effective_user
        inbound = InboundMessage(
            channel="telegram",
            user_id=str(user.id if user else chat.id),
            chat_id=str(chat.id),
            text=message.text,
            message_id=str(message.message_id),
        )
        with contextlib.suppress(TelegramError):  # cosmetic; never lose the answer over it
            await context.bot.send_chat_action(chat.id, "typing")
        answer = await self.handler.ahandle(inbound)
        await self.send_answer(context.bot, chat.id, answer, inbound)

    async def send_answer(
        self, bot: Any, chat_id: int | str, answer: Answer, inbound: InboundMessage
    ) -> None:
        base = self.settings.public_base_url
        parts = split_message(render_html(answer, base), TELEGRAM_LIMIT, html=True)
        markup = (
            feedback_keyboard(_feedback_ref(answer, inbound)) if answer.intent == "answer" else None
        )
        try:
            for i, part in enumerate(parts):
                await bot.send_message(
                    chat_id,
                    part,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=_NO_PREVIEW,
                    reply_markup=markup if i == len(parts) - 1 else None,
                )
        except BadRequest as exc:
            # Rejected markup must not cost the user the answer: resend as plain text.
            log.warning("telegram rejected HTML (%s); sending plain text", exc.message)
            for i, part in enumerate(split_message(render_plain(answer, base), TELEGRAM_LIMIT)):
                await bot.send_message(
                    chat_id,
                    part,
                    link_preview_options=_NO_PREVIEW,
                    reply_markup=markup if i == 0 else None,
                )

    async def _on_feedback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or not query.data:
            return
        _, rating, ref = query.data.split(":", 2)
        try:
            if self.feedback is not None:
                result = self.feedback(ref, rating)
                if inspect.isawaitable(result):
                    await result
            await query.answer(MSG_FEEDBACK_THANKS)
        except Exception as exc:
            log.error(
                "feedback failed user=%s error=%s",
                hash_user(f"telegram:{query.from_user.id}"),
                type(exc).__name__,
            )
            await query.answer(MSG_FEEDBACK_ERROR)
            return
        try:
            await query.edit_message_reply_markup(reply_markup=None)  # one vote per answer
        except TelegramError as exc:
            log.info("could not remove feedback buttons: %s", type(exc).__name__)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        err = context.error
        log.error("telegram handler error: %s", type(err).__name__ if err else "unknown")

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        # One start at a time: the background starter and a first webhook update may race.
        async with self._start_lock:
            if self._started:
                return
            await self.application.initialize()
            await self.application.start()
            self._started = True

    async def stop(self) -> None:
        await self.starter.cancel()
        if not self._started:
            return
        self._started = False
        await self.application.stop()
        await self.application.shutdown()

    async def set_webhook(self, url: str) -> bool:
        """Register `url` (ending in /webhooks/telegram) with Telegram, with the secret token."""
        if not self.settings.telegram_secret:
            raise ValueError("NQ57_TELEGRAM_SECRET must be set before registering a webhook")
        async with self._temporary_bot() as bot:
            return await bot.set_webhook(
                url=url,
                secret_token=self.settings.telegram_secret,
                allowed_updates=ALLOWED_UPDATES,
            )

    async def delete_webhook(self) -> bool:
        async with self._temporary_bot() as bot:
            return await bot.delete_webhook()

    @asynccontextmanager
    async def _temporary_bot(self) -> AsyncIterator[Any]:
        if self._started:
            yield self.application.bot
            return
        async with self.application.bot as bot:
            yield bot

    async def poll(self, stop: asyncio.Event | None = None) -> None:
        """Long polling for local development (deletes any webhook first). Runs until `stop`
        is set or the task is cancelled."""
        application = self._build_application(with_updater=True)
        stop = stop or asyncio.Event()
        async with application:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            await application.start()
            try:
                await stop.wait()
            finally:
                await application.updater.stop()
                await application.stop()

    # -- webhook -----------------------------------------------------------------------------

    def _check_secret(self, request: Request) -> JSONResponse | None:
        return check_secret_header(
            request, SECRET_HEADER, self.settings.telegram_secret, "telegram"
        )

    def _build_router(self) -> APIRouter:
        # Started in the background: Telegram being unreachable must not stop the web chat.
        router = lifespan_router(self.starter.launch, self.stop)

        @router.post(WEBHOOK_PATH, include_in_schema=False)
        async def telegram_webhook(request: Request, background: BackgroundTasks) -> JSONResponse:
            refused = self._check_secret(request)
            if refused is not None:
                return refused
            try:
                data = load_json(await request.body())
                check_telegram(data)
                update = Update.de_json(scrub_any(data), self.application.bot)
            except Exception:
                return JSONResponse({"detail": MSG_MALFORMED}, status_code=400)
            if not await asyncio.to_thread(self.dedup.first_seen, str(update.update_id)):
                return JSONResponse({"ok": True, "duplicate": True})
            background.add_task(self._process, update)
            return JSONResponse({"ok": True})

        return router

    async def _process(self, update: Update) -> None:
        if not self._started:
            try:
                await self.start()
            except Exception as exc:
                log.error("telegram not started (%s); update not processed", type(exc).__name__)
                return
        await self.application.process_update(update)

    def status(self) -> dict[str, object]:
        return {**self.starter.status(), "dedup": getattr(self.dedup, "backend", "in-process")}


def build_telegram(
    settings: Settings,
    handler: MessageHandler,
    feedback: Feedback | Callable[[str, str], Awaitable[Any]] | None = None,
    storage: object | None = None,
) -> TelegramChannel:
    """The Telegram channel; include `.router` in the app (its lifespan starts the bot).
    With ``storage``, replays are recognised across restarts (unless Redis is configured)."""
    return TelegramChannel(settings, handler, feedback, storage=storage)
