"""The FastAPI application: wiring, lifespan, and errors users can read.

app = create_app(get_settings())            # production: loads the index in lifespan
app = create_app(settings, assistant=a, searcher=s, documents=d)   # tests, embedding
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.protocol import AssistantProtocol
from channels import admin, viewer
from channels.bodylimit import MSG_BODY_TOO_LARGE as MSG_BODY_TOO_LARGE  # re-exported
from channels.bodylimit import BodyLimitMiddleware
from channels.limits import Budgets
from channels.metrics import Metrics, MetricsMiddleware
from channels.ratelimit import RateLimiter
from channels.redact import install_log_redaction
from channels.resilient import open_guarded
from channels.storage import Storage, StorageError
from channels.web import MSG_EMPTY, ROUTERS, AppState, Searcher
from nq57.settings import Settings

log = logging.getLogger("nq57.app")

MAX_BODY_BYTES = 256 * 1024
MSG_INTERNAL = "Xin lỗi, hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút."
MSG_INVALID = "Dữ liệu gửi lên không hợp lệ."
MSG_BAD_BODY = "Nội dung gửi lên không đọc được (cần JSON mã hoá UTF-8)."
_STATUS_TEXT = {
    400: MSG_BAD_BODY,
    404: "Không tìm thấy địa chỉ yêu cầu.",
    405: "Phương thức này không được hỗ trợ.",
}
# Starlette's and FastAPI's English defaults, replaced by the Vietnamese texts above.
_ENGLISH_DEFAULTS = (None, "Not Found", "Method Not Allowed", "There was an error parsing the body")


def create_app(
    settings: Settings,
    assistant: AssistantProtocol | None = None,
    searcher: Searcher | None = None,
    documents: Callable[[], dict] | None = None,
    extra_routers: Sequence[APIRouter] = (),
    *,
    storage: Storage | None = None,
    limiter: RateLimiter | None = None,
    address_limiter: RateLimiter | None = None,
) -> FastAPI:
    """Build the app. Missing heavy objects are built once in lifespan (bot.build_assistant).

    ``storage`` defaults to ``settings.database_url`` or the SQLite file under ``data_dir``,
    behind timeouts and a write queue (channels.resilient).
    ``limiter`` caps /api/chat and /api/chat/stream per conversation, ``address_limiter`` every
    /api route per client address (429); None leaves them open.
    """
    owns_storage = storage is None
    if storage is None:
        storage = open_guarded(settings)
    state = AppState(
        settings=settings,
        metrics=Metrics(),
        storage=storage,
        assistant=assistant,
        searcher=searcher,
        documents=documents,
        limiter=limiter,
        budgets=Budgets(limiter, address_limiter, tuple(settings.trusted_proxies)),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # uvicorn has set up its log handlers by now: no phone number or e-mail reaches them.
        install_log_redaction()
        # Answering is CPU-bound: a few threads finish sooner than forty that fight for two
        # cores, and each thread of the embedding engine holds its own buffers.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        await run_in_threadpool(_start_storage, state)
        if state.assistant is None:
            await run_in_threadpool(_build_assistant, state)
        # Curated answers and the corpus version in front of the assistant.
        await run_in_threadpool(admin.attach, state)
        yield
        if owns_storage and state.storage is not None:
            state.storage.close()

    app = FastAPI(
        title="nq57 — Trợ lý hỏi đáp Nghị quyết 57-NQ/TW",
        description=(
            "Hỏi đáp cho người dân về Nghị quyết 57-NQ/TW và các văn bản liên quan, "
            "mỗi câu trả lời kèm trích dẫn tới điều, khoản cụ thể."
        ),
        version="0.1.0",
        lifespan=lifespan,
        # /docs is served by channels.admin.routes_static from packaged assets (works offline).
        docs_url=None,
        redoc_url=None,
    )
    app.state.nq57 = state
    if hasattr(storage, "dropped"):
        state.metrics.track_storage(storage)

    for router in (*ROUTERS, viewer.router, *admin.routers(), *extra_routers):
        app.include_router(router)

    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)

    # Added last = outermost: metrics see every response, including CORS preflights and 413s.
    app.add_middleware(admin.error_pages())  # console errors as pages, API errors as JSON
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES, larger=admin.UPLOAD_LIMITS)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type"],
    )
    app.add_middleware(MetricsMiddleware, metrics=state.metrics)
    return app


def _start_storage(state: AppState) -> None:
    if state.storage is None:
        return
    try:
        state.storage.migrate()
    except StorageError as exc:
        # Keep serving answers; /readyz reports the store and retries the migration.
        log.error("conversation store not available at start: %s", exc)


def _build_assistant(state: AppState) -> None:
    try:
        built = _builder()(state.settings)
    except Exception as exc:
        state.load_error = f"{type(exc).__name__}: {exc}"
        log.exception("could not build the assistant")
        return
    state.assistant = built.assistant
    state.searcher = state.searcher or built.search
    state.documents = state.documents or built.documents


def _builder() -> Callable[[Settings], object]:
    # Imported late: the answering stack loads the index and the embedder.
    try:
        from bot import build_assistant
    except ImportError:
        from bot.assistant import build_assistant
    return build_assistant


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    detail = MSG_INVALID
    for e in errors:
        msg = str(e["msg"]).removeprefix("Value error, ")
        if e["type"] == "value_error":
            detail = msg
            break
        if e["loc"][-1:] == ["message"] and e["type"] == "missing":
            detail = MSG_EMPTY
            break
    return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail
    # Replace Starlette's English defaults ("Not Found") but keep our own messages.
    if exc.status_code in _STATUS_TEXT and detail in _ENGLISH_DEFAULTS:
        detail = _STATUS_TEXT[exc.status_code]
    return JSONResponse(
        status_code=exc.status_code, content={"detail": detail}, headers=exc.headers
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    state: AppState | None = getattr(request.app.state, "nq57", None)
    if state is not None:
        state.metrics.errors.labels(where="unhandled").inc()
    return JSONResponse(status_code=500, content={"detail": MSG_INTERNAL})
