"""Live corpus updates: upload, inspect, correct the catalog entry, publish, re-index."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from channels.admin import audit, versions
from channels.admin.pages import page
from channels.admin.publish import MAX_UPLOAD, PublishError, load_upload, publish, save_upload
from channels.admin.reindex import reindexer
from channels.admin.security import EditorDep, SessionDep, admin_storage, client_address
from channels.admin.tokens import require_token
from channels.doclist import ordered
from channels.storage import Storage
from channels.web import AppState, StateDep
from ingest.catalog import CatalogError, discover
from ingest.model import DocumentMeta

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/admin", tags=["quản trị"])
StorageDep = Annotated[Storage, Depends(admin_storage)]
MSG_BUSY = "Đang có một lần nạp lại chưa xong; vui lòng đợi."


def _metas(state: AppState) -> list[DocumentMeta]:
    try:
        return discover(state.settings.corpus_dir)[0]
    except CatalogError:
        return []


async def _documents_page(
    state: AppState, session, storage: Storage, error: str | None = None,
    message: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    metas = await run_in_threadpool(_metas, state)
    history = await run_in_threadpool(versions.history, storage)
    live = state.extra.get("live")
    return page(
        "documents.html", status, title="Văn bản", nav="documents", session=session,
        metas=ordered(metas), versions=history, job=reindexer(state).job,
        version=getattr(live, "version", None), error=error, message=message,
    )  # fmt: skip


@router.get("/admin/documents")
async def documents_page(
    state: StateDep,
    session: SessionDep,
    storage: StorageDep,
    published: Annotated[str | None, Query(max_length=90)] = None,
) -> Response:
    message = f"Đã xuất bản {published}; chỉ mục đang được nạp lại." if published else None
    return await _documents_page(state, session, storage, message=message)


@router.post("/admin/documents/upload")
async def upload(
    request: Request,
    state: StateDep,
    session: EditorDep,
    storage: StorageDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    data = await file.read(MAX_UPLOAD + 1)
    try:
        found = await run_in_threadpool(save_upload, state.settings, file.filename or "", data)
    except PublishError as exc:
        return await _documents_page(state, session, storage, error=str(exc), status=422)
    await run_in_threadpool(
        audit.record, storage, session.operator.name, "document_upload",
        {"file": file.filename, "bytes": len(data), "warnings": found.warnings},
        client_address(request),
    )  # fmt: skip
    return page("upload.html", title="Kiểm tra văn bản", nav="documents", session=session,
                upload=found)  # fmt: skip


@router.post("/admin/documents/publish")
async def publish_document(
    request: Request,
    state: StateDep,
    session: EditorDep,
    storage: StorageDep,
    token: Annotated[str, Form(max_length=64)],
    doc_id: Annotated[str, Form(max_length=90)],
    number: Annotated[str, Form(max_length=100)],
    type: Annotated[str, Form(max_length=100)],
    title: Annotated[str, Form(max_length=1000)],
    issued: Annotated[str, Form(max_length=10)] = "",
    issuer: Annotated[str, Form(max_length=300)] = "",
    notes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    jobs = reindexer(state)
    if jobs.job.state == "running":
        return await _documents_page(state, session, storage, error=MSG_BUSY, status=409)
    entry = DocumentMeta(
        id=doc_id.strip(), file="", number=number.strip(), type=type.strip(),
        title=" ".join(title.split()), issued=issued.strip(), issuer=issuer.strip(),
        notes=" ".join(notes.split()),
    )  # fmt: skip
    try:
        found = await run_in_threadpool(load_upload, state.settings, token)
        entry = await run_in_threadpool(publish, state.settings, found, entry)
    except PublishError as exc:
        return await _documents_page(state, session, storage, error=str(exc), status=422)
    detail = {"document": entry.id, "number": entry.number, "file": entry.file}
    await run_in_threadpool(
        audit.record, storage, session.operator.name, "document_publish", detail,
        client_address(request),
    )  # fmt: skip
    jobs.start(session.operator.name, detail)
    return RedirectResponse(f"/admin/documents?published={entry.id}", status_code=303)


@router.get("/admin/documents/status")
async def reindex_status(state: StateDep, session: SessionDep) -> JSONResponse:
    live = state.extra.get("live")
    body = reindexer(state).job.public() | {"serving": getattr(live, "version", None)}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@api.post(
    "/reindex",
    summary="Nạp lại chỉ mục từ kho văn bản trong khi dịch vụ vẫn trả lời (cần mã truy cập)",
    status_code=202,
)
async def reindex(request: Request, state: StateDep) -> JSONResponse:
    require_token(request, state.settings.admin_token)
    jobs = reindexer(state)
    if not jobs.start("api", {"source": "api"}):
        raise HTTPException(status_code=409, detail=MSG_BUSY)
    if state.storage is not None:
        await run_in_threadpool(
            audit.record, state.storage, None, "reindex_requested", None, client_address(request)
        )
    return JSONResponse(jobs.job.public(), status_code=202)


@api.get("/reindex", summary="Trạng thái lần nạp lại gần nhất (cần mã truy cập)")
async def reindex_state(request: Request, state: StateDep) -> dict:
    require_token(request, state.settings.admin_token)
    live = state.extra.get("live")
    return reindexer(state).job.public() | {"serving": getattr(live, "version", None)}
