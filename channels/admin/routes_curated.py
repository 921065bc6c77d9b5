"""Curated answers in the console: write, correct, delete, export and import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from channels.admin import audit, curated
from channels.admin.pages import page
from channels.admin.security import EditorDep, SessionDep, admin_storage, client_address
from channels.admin.setup import refresh_curated
from channels.storage import Storage
from channels.web import AppState, StateDep

router = APIRouter(include_in_schema=False)
StorageDep = Annotated[Storage, Depends(admin_storage)]
MAX_IMPORT = 5 * 1024 * 1024


def _documents(state: AppState) -> dict:
    return state.documents() if state.documents is not None else {}


def _store(state: AppState):
    live = state.extra.get("live")
    retriever = getattr(live, "retriever", None)
    return getattr(retriever, "store", None)


def _version(state: AppState) -> str | None:
    live = state.extra.get("live")
    return getattr(live, "version", None)


def parse_refs(text: str) -> list[dict]:
    refs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        doc_id, sep, locator = line.partition("|")
        if not sep:
            raise curated.CuratedError(f"Dòng trích dẫn cần dạng “mã văn bản | vị trí”: {line!r}")
        refs.append({"doc_id": doc_id.strip(), "locator": locator.strip()})
    return refs


async def _page(
    state: AppState, session, storage: Storage, edit_id: str | None = None, error: str | None = None,
    message: str | None = None, form: dict | None = None, status: int = 200,
) -> Response:  # fmt: skip
    items = await run_in_threadpool(curated.all_curated, storage)
    edit = next((c for c in items if c.id == edit_id), None)
    if form is None:
        form = {"question": "", "answer": "", "citations": ""}
        if edit is not None:
            form = {
                "question": edit.question,
                "answer": edit.answer,
                "citations": "\n".join(f"{c['doc_id']} | {c['locator']}" for c in edit.citations),
            }
    docs = await run_in_threadpool(_documents, state)
    return page(
        "curated.html", status, title="Câu trả lời duyệt sẵn", nav="curated", session=session,
        items=items, edit=edit, form=form, error=error, message=message,
        doc_ids=sorted(docs), version=_version(state),
    )  # fmt: skip


@router.get("/admin/curated")
async def curated_page(
    state: StateDep,
    session: SessionDep,
    storage: StorageDep,
    edit: Annotated[str | None, Query(max_length=36)] = None,
    question: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    form = {"question": question, "answer": "", "citations": ""} if question else None
    return await _page(state, session, storage, edit, form=form)


@router.post("/admin/curated")
async def save_curated(
    request: Request,
    state: StateDep,
    session: EditorDep,
    storage: StorageDep,
    question: Annotated[str, Form(max_length=2000)],
    answer: Annotated[str, Form(max_length=10_000)],
    citations: Annotated[str, Form(max_length=4000)],
    curated_id: Annotated[str | None, Form(max_length=36)] = None,
) -> Response:
    form = {"question": question, "answer": answer, "citations": citations}
    try:
        refs = parse_refs(citations)
        item = await run_in_threadpool(
            curated.save, storage, question, answer, refs, _documents(state),
            session.operator.name, _version(state), _store(state), curated_id or None,
        )  # fmt: skip
    except curated.CuratedError as exc:
        return await _page(state, session, storage, curated_id, str(exc), form=form, status=422)
    await run_in_threadpool(
        audit.record, storage, session.operator.name,
        "curated_update" if curated_id else "curated_add",
        {"id": item.id, "question": item.question,
         "citations": [f"{c['doc_id']} {c['locator']}" for c in item.citations]},
        client_address(request),
    )  # fmt: skip
    await run_in_threadpool(refresh_curated, state)
    return RedirectResponse("/admin/curated", status_code=303)


@router.post("/admin/curated/{curated_id}/delete")
async def delete_curated(
    curated_id: str, request: Request, state: StateDep, session: EditorDep, storage: StorageDep
) -> Response:
    removed = await run_in_threadpool(curated.delete, storage, curated_id)
    await run_in_threadpool(
        audit.record, storage, session.operator.name, "curated_delete",
        {"id": curated_id, "removed": removed}, client_address(request),
    )  # fmt: skip
    await run_in_threadpool(refresh_curated, state)
    return RedirectResponse("/admin/curated", status_code=303)


@router.get("/admin/curated/export")
async def export_curated(
    request: Request, state: StateDep, session: SessionDep, storage: StorageDep
) -> Response:
    body = await run_in_threadpool(curated.export_json, storage, _version(state))
    await run_in_threadpool(
        audit.record, storage, session.operator.name, "curated_export", None,
        client_address(request),
    )  # fmt: skip
    return Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="cau-tra-loi-duyet-san.json"'},
    )


@router.post("/admin/curated/import")
async def import_curated(
    request: Request,
    state: StateDep,
    session: EditorDep,
    storage: StorageDep,
    file: Annotated[UploadFile, File()],
) -> Response:
    raw = await file.read(MAX_IMPORT + 1)
    if len(raw) > MAX_IMPORT:
        return await _page(state, session, storage, error="Tệp quá lớn (tối đa 5 MB).", status=413)
    try:
        n, flagged = await run_in_threadpool(
            curated.import_json, storage, raw, _documents(state), session.operator.name,
            _store(state),
        )  # fmt: skip
    except curated.CuratedError as exc:
        return await _page(state, session, storage, error=str(exc), status=422)
    await run_in_threadpool(
        audit.record, storage, session.operator.name, "curated_import",
        {"file": file.filename, "imported": n, "flagged": flagged}, client_address(request),
    )  # fmt: skip
    await run_in_threadpool(refresh_curated, state)
    message = f"Đã nhập {n} câu trả lời" + (f", {flagged} cần rà soát lại." if flagged else ".")
    return await _page(state, session, storage, message=message)
