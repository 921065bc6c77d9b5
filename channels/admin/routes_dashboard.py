"""Dashboard, content gaps and the audit log: what an operator reads."""

from __future__ import annotations

import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from channels.admin import audit, charts, gaps
from channels.admin.context import filters_of, period_of, question_embedder
from channels.admin.exchanges import load_exchanges
from channels.admin.figures import Filters, compute
from channels.admin.pages import page
from channels.admin.period import Period
from channels.admin.security import EditorDep, SessionDep, admin_storage, client_address
from channels.storage import Storage
from channels.web import AppState, StateDep

router = APIRouter(include_in_schema=False)
StorageDep = Annotated[Storage, Depends(admin_storage)]
KNOWN_CHANNELS = ("web", "telegram", "zalo_bot", "zalo_oa")
Q = Annotated[str | None, Query(max_length=200)]


FIGURES_TTL = 120.0  # seconds a period's figures are reused by the next view
_FIGURES_LOCK = threading.Lock()


def figures_for(state: AppState, period: Period, filters: Filters) -> dict[str, Any]:
    """The figures of a period, computed at most once every FIGURES_TTL seconds: a month of
    a large deployment takes seconds to read, and operators move between views of it."""
    assert state.storage is not None
    key = (period.start, period.end, filters.channel, filters.document, filters.topic)
    cache: dict = state.extra.setdefault("figures_cache", {})
    with _FIGURES_LOCK:
        hit = cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < FIGURES_TTL:
            return hit[1]
    exchanges = load_exchanges(state.storage, period, filters.channel)
    figures = compute(
        exchanges,
        period,
        filters,
        embedder=question_embedder(state),
        threshold=state.settings.group_min_similarity,
    )
    with _FIGURES_LOCK:
        cache[key] = (time.monotonic(), figures)
        for old in sorted(cache, key=lambda k: cache[k][0])[:-16]:
            del cache[old]
    return figures


def _choices(state: AppState, f: dict[str, Any]) -> dict[str, list[str]]:
    numbers: list[str] = []
    if state.documents is not None:
        try:
            numbers = [meta.number for meta, _ in state.documents().values()]
        except Exception:  # the list of choices must never break the page
            numbers = []
    cited = [row["document"] for row in f["documents"]]
    return {
        "channels": sorted(set(KNOWN_CHANNELS) | set(f["reach"]["by_channel"])),
        "documents": list(dict.fromkeys([*cited, *sorted(numbers)])),
    }


@router.get("/admin")
async def dashboard(
    state: StateDep,
    session: SessionDep,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    channel: Q = None,
    document: Q = None,
    topic: Q = None,
) -> Response:
    started = time.perf_counter()
    period = period_of(start, end)
    filters = filters_of(channel, document, topic)
    f = await run_in_threadpool(figures_for, state, period, filters)
    drawn = await run_in_threadpool(
        lambda: {
            "per_day": charts.per_day_chart(f["per_day"]),
            "outcomes": charts.outcome_chart(f["outcomes"]),
        }
    )
    return page(
        "dashboard.html",
        title="Tổng quan",
        nav="dashboard",
        session=session,
        period=period,
        filters=filters,
        f=f,
        charts=drawn,
        elapsed=round((time.perf_counter() - started) * 1000),
        **_choices(state, f),
    )


@router.get("/admin/gaps")
async def gap_list(
    state: StateDep,
    session: SessionDep,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    channel: Q = None,
    document: Q = None,
    topic: Q = None,
    saved: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    period = period_of(start, end)
    filters = filters_of(channel, document, topic)
    f = await run_in_threadpool(figures_for, state, period, filters)
    assert state.storage is not None
    notes = await run_in_threadpool(gaps.notes, state.storage)
    rows = [row | {"note": notes.get(row["key"])} for row in f["gaps"]]
    return page(
        "gaps.html",
        title="Khoảng trống nội dung",
        nav="gaps",
        session=session,
        period=period,
        filters=filters,
        gaps=rows,
        message="Đã lưu." if saved else None,
        **_choices(state, f),
    )


@router.post("/admin/gaps/{key}")
async def gap_note(
    key: str,
    request: Request,
    session: EditorDep,
    storage: StorageDep,
    example: Annotated[str, Form(max_length=2000)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    handled: Annotated[str | None, Form(max_length=4)] = None,
) -> Response:
    is_handled = handled is not None
    await run_in_threadpool(
        gaps.save_note, storage, key[:64], example, is_handled, note, session.operator.name
    )
    await run_in_threadpool(
        audit.record,
        storage,
        session.operator.name,
        "gap_note",
        {"group": key[:64], "handled": is_handled, "note": note},
        client_address(request),
    )
    back = request.headers.get("referer") or "/admin/gaps"
    if not back.startswith(str(request.base_url)):
        back = "/admin/gaps"
    sep = "&" if "?" in back else "?"
    return RedirectResponse(back + ("" if "saved=" in back else f"{sep}saved=1"), status_code=303)


@router.get("/admin/audit")
async def audit_page(session: SessionDep, storage: StorageDep) -> Response:
    entries = await run_in_threadpool(audit.recent, storage, 500)
    return page("audit.html", title="Nhật ký", nav="audit", session=session, entries=entries)
