"""HTTP API of the assistant: chat (JSON and Server-Sent Events), feedback, search, health.

Routers read what they need through ``Depends`` from the ``AppState`` that ``create_app``
puts on ``app.state.nq57``; webhook routers of other channels can use the same dependencies.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from bot.answer import Answer, Citation, Turn
from bot.protocol import AssistantProtocol
from channels.admin.tokens import require_metrics_access
from channels.health import readiness
from channels.limits import MSG_RATE_LIMITED as MSG_RATE_LIMITED  # re-exported
from channels.limits import Budgets
from channels.metrics import Metrics
from channels.ratelimit import RateLimiter
from channels.sanitize import CleanStr, scrub
from channels.storage import (
    Storage,
    StorageError,
    UnknownMessage,
    is_valid_conversation_id,
    new_id,
)
from nq57.settings import Settings
from retrieval.types import Hit

log = logging.getLogger("nq57.web")

STATIC_DIR = Path(__file__).with_name("static")
HISTORY_TURNS = 10
CHANNEL = "web"

MSG_EMPTY = "Vui lòng nhập câu hỏi."
MSG_FAILED = (
    "Xin lỗi, hệ thống đang gặp sự cố khi trả lời câu hỏi của bạn. Vui lòng thử lại sau ít phút."
)
MSG_NOT_READY = "Trợ lý đang khởi động, vui lòng thử lại sau ít phút."
MSG_SEARCH_NOT_READY = "Chức năng tra cứu đang khởi động, vui lòng thử lại sau ít phút."
MSG_UNKNOWN_MESSAGE = "Không tìm thấy câu trả lời cần đánh giá."
MSG_STORAGE_DOWN = "Chưa lưu được đánh giá do hệ thống lưu trữ đang bận. Vui lòng thử lại sau."

Searcher = Callable[[str, int], list[Hit]]


def too_long_message(limit: int) -> str:
    return f"Câu hỏi quá dài (tối đa {limit} ký tự). Vui lòng rút gọn câu hỏi."


@dataclass
class AppState:
    """Everything a request may need; heavy members are filled once in the app's lifespan."""

    settings: Settings
    metrics: Metrics
    storage: Storage | None
    assistant: AssistantProtocol | None = None
    searcher: Searcher | None = None
    documents: Callable[[], dict] | None = None
    load_error: str | None = None
    limiter: RateLimiter | None = None  # per-conversation budget on /api/chat*; None = unlimited
    budgets: Budgets | None = None  # per conversation and per address (channels.limits)
    extra: dict[str, Any] = field(default_factory=dict)


def get_state(request: Request) -> AppState:
    return request.app.state.nq57


def get_settings(state: Annotated[AppState, Depends(get_state)]) -> Settings:
    return state.settings


def get_metrics(state: Annotated[AppState, Depends(get_state)]) -> Metrics:
    return state.metrics


def get_assistant(state: Annotated[AppState, Depends(get_state)]) -> AssistantProtocol:
    if state.assistant is None:
        raise HTTPException(status_code=503, detail=MSG_NOT_READY)
    return state.assistant


def get_searcher(state: Annotated[AppState, Depends(get_state)]) -> Searcher:
    if state.searcher is None:
        raise HTTPException(status_code=503, detail=MSG_SEARCH_NOT_READY)
    return state.searcher


def get_storage(state: Annotated[AppState, Depends(get_state)]) -> Storage | None:
    return state.storage


async def check_rate(request: Request, state: AppState, conversation_id: str | None = None) -> None:
    """429 past the address's or the conversation's budget (channels.limits)."""
    if state.budgets is not None:
        await state.budgets.check(request, conversation_id)


StateDep = Annotated[AppState, Depends(get_state)]
AssistantDep = Annotated[AssistantProtocol, Depends(get_assistant)]
StorageDep = Annotated[Storage | None, Depends(get_storage)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


# -- models at the edge ------------------------------------------------------------------------


class HistoryTurn(BaseModel):
    role: Literal["user", "assistant"]
    content: CleanStr = Field(max_length=20_000)


class ChatRequest(BaseModel):
    message: CleanStr = Field(description="Câu hỏi của người dùng")
    conversation_id: str | None = Field(
        default=None, max_length=64, description="Mã cuộc trò chuyện để nối tiếp các lượt trước"
    )
    history: list[HistoryTurn] | None = Field(
        default=None, max_length=50, description="Các lượt trước, cho client không lưu trạng thái"
    )

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError(MSG_EMPTY)
        return value

    @field_validator("conversation_id")
    @classmethod
    def _valid_id(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not is_valid_conversation_id(value):
            raise ValueError("Mã cuộc trò chuyện không hợp lệ.")
        return value


class CitationOut(BaseModel):
    doc: str
    doc_id: str
    doc_number: str
    doc_title: str
    locator: str
    quote: str
    url: str
    # The clause is related to the topic of a declined question; it does not answer it.
    related: bool = False


class ChatResponse(BaseModel):
    answer: str
    citations: list[CitationOut]
    intent: str
    abstained: bool
    conversation_id: str
    message_id: str
    suggestions: list[str] = []
    latency_ms: float = 0.0


class FeedbackRequest(BaseModel):
    message_id: CleanStr = Field(max_length=64)
    rating: Literal["up", "down"]
    comment: CleanStr | None = Field(default=None, max_length=2000)


class FeedbackResponse(BaseModel):
    ok: bool = True


class SearchHitOut(BaseModel):
    rank: int
    score: float
    doc: str
    doc_number: str
    locator: str
    text: str
    chunk_id: str


def citation_out(c: Citation) -> dict:
    return {
        "doc": c.doc,
        "doc_id": c.doc_id,
        "doc_number": c.doc_number,
        "doc_title": c.doc_title,
        "locator": c.locator,
        "quote": c.quote,
        "url": c.url,
        "related": c.related,
    }


def chat_payload(answer: Answer, conversation_id: str, message_id: str) -> dict:
    return {
        "answer": answer.text,
        "citations": [citation_out(c) for c in answer.citations],
        "intent": answer.intent,
        "abstained": answer.abstained,
        "conversation_id": conversation_id,
        "message_id": message_id,
        "suggestions": list(answer.suggestions),
        "latency_ms": answer.latency_ms,
    }


# -- conversation bookkeeping (sync: runs in the threadpool) -----------------------------------


@dataclass
class Exchange:
    conversation_id: str
    message_id: str
    history: list[Turn]
    persisted: bool
    new: bool = False  # the conversation row is written with the first exchange


def open_exchange(storage: Storage | None, req: ChatRequest) -> Exchange:
    """Find the conversation and load its turns; degrade to stateless if storage fails.

    A new conversation costs no write here: it is created with its first exchange. A citizen
    still gets an answer when the database is down; only the log is lost, and the readiness
    probe reports it.
    """
    given = [Turn(role=t.role, content=t.content) for t in req.history or []][-HISTORY_TURNS:]
    message_id = new_id()
    cid = req.conversation_id
    if storage is None:
        return Exchange(cid or new_id(), message_id, given, False)
    if not cid:
        return Exchange(new_id(), message_id, given, True, new=True)
    try:
        stored = storage.history(cid, limit=HISTORY_TURNS)
    except StorageError as exc:
        log.warning("conversation store unavailable, answering without it: %s", exc)
        # Still logged (queued until the database is back); the conversation row is inserted
        # only if it is not there yet.
        return Exchange(cid, message_id, given, True, new=True)
    return Exchange(cid, message_id, stored or given, True, new=not stored)


def close_exchange(storage: Storage | None, ex: Exchange, question: str, answer: Answer) -> None:
    if storage is None or not ex.persisted:
        return
    try:
        storage.add_exchange(
            ex.conversation_id,
            question,
            answer,
            message_id=ex.message_id,
            start=CHANNEL if ex.new else None,
        )
    except StorageError as exc:
        log.warning("could not store exchange %s: %s", ex.message_id, exc)


def keep_question(storage: Storage | None, ex: Exchange, question: str) -> None:
    """After a failed answer keep at least the question, so operators can see what broke."""
    if storage is None or not ex.persisted:
        return
    try:
        storage.add_message(ex.conversation_id, "user", question, start=CHANNEL if ex.new else None)
    except StorageError as exc:
        log.warning("could not store question: %s", exc)


def answer_and_log(
    assistant: AssistantProtocol, storage: Storage | None, req: ChatRequest
) -> tuple[Exchange, Answer]:
    """The whole of one chat turn, in one worker thread: under load a request that has a
    thread keeps it, instead of queueing again between reading, answering and logging."""
    ex = open_exchange(storage, req)
    try:
        answer = assistant.ask(req.message, ex.history)
    except Exception:
        keep_question(storage, ex, req.message)
        raise
    close_exchange(storage, ex, req.message, answer)
    return ex, answer


def check_length(text: str, limit: int) -> None:
    if len(text) > limit:
        raise HTTPException(status_code=413, detail=too_long_message(limit))


# -- chat ------------------------------------------------------------------------------------

LIMITED = {429: {"description": "Gửi quá nhanh, thử lại sau một phút"}}
chat_router = APIRouter(prefix="/api", tags=["hỏi đáp"], responses=LIMITED)


@chat_router.post("/chat", response_model=ChatResponse, summary="Hỏi một câu")
async def chat(
    req: ChatRequest,
    request: Request,
    state: StateDep,
    assistant: AssistantDep,
    storage: StorageDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> dict:
    await check_rate(request, state, req.conversation_id)
    check_length(req.message, settings.max_message_chars)
    try:
        ex, answer = await run_in_threadpool(answer_and_log, assistant, storage, req)
    except Exception:
        log.exception("assistant failed on /api/chat")
        metrics.errors.labels(where="chat").inc()
        return JSONResponse(status_code=500, content={"detail": MSG_FAILED})
    metrics.observe_answer(answer.intent, answer.abstained, CHANNEL)
    return chat_payload(answer, ex.conversation_id, ex.message_id)


def sse(event: str, data: Any) -> str:
    # JSON on one line keeps multi-line answer text inside a single `data:` field.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@chat_router.post(
    "/chat/stream",
    summary="Hỏi một câu, nhận câu trả lời dạng luồng (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def chat_stream(
    req: ChatRequest,
    request: Request,
    state: StateDep,
    assistant: AssistantDep,
    storage: StorageDep,
    settings: SettingsDep,
    metrics: MetricsDep,
) -> StreamingResponse:
    await check_rate(request, state, req.conversation_id)
    check_length(req.message, settings.max_message_chars)
    ex = await run_in_threadpool(open_exchange, storage, req)

    async def events() -> AsyncIterator[str]:
        yield sse("meta", {"conversation_id": ex.conversation_id, "message_id": ex.message_id})
        answer: Answer | None = None
        try:
            stream = await run_in_threadpool(assistant.stream, req.message, ex.history)
            async for event in iterate_in_threadpool(stream):
                kind = event.get("type")
                if kind == "delta" and event.get("text"):
                    yield sse("delta", {"text": event["text"]})
                elif kind == "answer":
                    answer = event["answer"]
            if answer is None:
                raise RuntimeError("assistant stream ended without an answer")
        except Exception:
            log.exception("assistant failed on /api/chat/stream")
            metrics.errors.labels(where="chat_stream").inc()
            await run_in_threadpool(keep_question, storage, ex, req.message)
            yield sse("error", {"message": MSG_FAILED})
            return
        metrics.observe_answer(answer.intent, answer.abstained, CHANNEL)
        await run_in_threadpool(close_exchange, storage, ex, req.message, answer)
        payload = chat_payload(answer, ex.conversation_id, ex.message_id)
        yield sse("citations", {"citations": payload["citations"]})
        yield sse("done", payload)

    return StreamingResponse(
        events(),
        media_type="text/event-stream; charset=utf-8",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# -- feedback ----------------------------------------------------------------------------------

feedback_router = APIRouter(prefix="/api", tags=["phản hồi"], responses=LIMITED)


@feedback_router.post(
    "/feedback",
    response_model=FeedbackResponse,
    summary="Đánh giá một câu trả lời",
    responses={404: {"description": "Không có câu trả lời với mã này"}},
)
async def post_feedback(
    req: FeedbackRequest,
    request: Request,
    state: StateDep,
    storage: StorageDep,
    metrics: MetricsDep,
) -> dict:
    await check_rate(request, state)
    if storage is None:
        raise HTTPException(status_code=503, detail=MSG_STORAGE_DOWN)
    try:
        await run_in_threadpool(storage.add_feedback, req.message_id, req.rating, req.comment)
    except UnknownMessage:
        raise HTTPException(status_code=404, detail=MSG_UNKNOWN_MESSAGE) from None
    except StorageError as exc:
        log.warning("could not store feedback: %s", exc)
        raise HTTPException(status_code=503, detail=MSG_STORAGE_DOWN) from None
    metrics.feedback.labels(rating=req.rating).inc()
    return {"ok": True}


# -- search ------------------------------------------------------------------------------------

search_router = APIRouter(prefix="/api", tags=["tra cứu"], responses=LIMITED)


@search_router.get("/search", response_model=list[SearchHitOut], summary="Tra cứu đoạn văn bản")
async def search(
    request: Request,
    state: StateDep,
    searcher: Annotated[Searcher, Depends(get_searcher)],
    settings: SettingsDep,
    q: Annotated[str, Query(description="Nội dung cần tra cứu")],
    k: Annotated[int, Query(ge=1, le=50, description="Số kết quả")] = 10,
) -> list[dict]:
    await check_rate(request, state)
    q = scrub(q).strip()
    if not q:
        raise HTTPException(status_code=422, detail=MSG_EMPTY)
    check_length(q, settings.max_message_chars)
    hits = await run_in_threadpool(searcher, q, k)
    return [h.search_row(i) for i, h in enumerate(hits, start=1)]


# -- health and metrics ----------------------------------------------------------------------

ops_router = APIRouter(tags=["vận hành"])


@ops_router.get("/healthz", summary="Tiến trình còn sống")
async def healthz() -> dict:
    return {"status": "ok"}


@ops_router.get(
    "/readyz",
    summary="Sẵn sàng phục vụ",
    responses={503: {"description": "Chưa sẵn sàng, kèm lý do"}},
)
async def readyz(state: StateDep) -> JSONResponse:
    code, body = await run_in_threadpool(readiness, state)
    return JSONResponse(status_code=code, content=body)


@ops_router.get("/metrics", include_in_schema=False)
async def metrics_endpoint(request: Request, state: StateDep) -> Response:
    # Counters reveal traffic and errors: loopback or NQ57_METRICS_ALLOW, or the admin token.
    require_metrics_access(request, state.settings.metrics_allow, state.settings.admin_token)
    metrics = state.metrics
    body, content_type = metrics.render()
    return Response(content=body, media_type=content_type)


# -- demo page and widget --------------------------------------------------------------------

static_router = APIRouter(include_in_schema=False)
_ASSET_CACHE = {"Cache-Control": "public, max-age=300"}


@static_router.get("/")
async def demo_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")


@static_router.get("/widget.js")
async def widget_js() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers=_ASSET_CACHE,
    )


@static_router.get("/widget.css")
async def widget_css() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "widget.css", media_type="text/css; charset=utf-8", headers=_ASSET_CACHE
    )


ROUTERS = (chat_router, feedback_router, search_router, ops_router, static_router)
