"""Reports in the console, the redacted CSV export and the figures' API for monitoring."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from channels.admin import audit, gaps, report
from channels.admin.context import period_of
from channels.admin.exchanges import iter_exchanges
from channels.admin.export import ExportFilters, csv_lines
from channels.admin.figures import Filters
from channels.admin.pages import page
from channels.admin.period import VN, Period, parse_month
from channels.admin.routes_dashboard import KNOWN_CHANNELS, figures_for
from channels.admin.security import SessionDep, client_address
from channels.admin.tokens import require_token
from channels.web import AppState, StateDep

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/admin", tags=["quản trị"])
Format = Literal["xlsx", "html"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/admin/reports")
async def reports_page(session: SessionDep) -> Response:
    today = datetime.now(VN).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    half = date(today.year, 1 if today.month <= 6 else 7, 1)
    return page(
        "reports.html",
        title="Báo cáo",
        nav="reports",
        session=session,
        last_month=last_month,
        half_start=half.isoformat(),
        half_end=today.isoformat(),
        channels=KNOWN_CHANNELS,
        intents=("answer", "smalltalk", "out_of_scope", "refused"),
    )


def _report_bytes(state: AppState, period: Period, fmt: str) -> bytes:
    assert state.storage is not None
    figures = figures_for(state, period, Filters())
    notes = gaps.notes(state.storage)
    if fmt == "html":
        return report.render_html(figures, notes).encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = report.write_xlsx(figures, Path(tmp) / "report.xlsx", notes)
        return path.read_bytes()


async def _download(
    request: Request, state: AppState, session: Any, period: Period, fmt: str, name: str
) -> Response:
    body = await run_in_threadpool(_report_bytes, state, period, fmt)
    await run_in_threadpool(
        audit.record, state.storage, session.operator.name, "report",
        {"from": period.start.isoformat(), "to": period.end.isoformat(), "format": fmt},
        client_address(request),
    )  # fmt: skip
    media = XLSX if fmt == "xlsx" else "text/html; charset=utf-8"
    disposition = "attachment" if fmt == "xlsx" else "inline"
    return Response(
        body, media_type=media,
        headers={"Content-Disposition": f'{disposition}; filename="{name}.{fmt}"'},
    )  # fmt: skip


@router.get("/admin/reports/monthly")
async def monthly(
    request: Request,
    state: StateDep,
    session: SessionDep,
    month: Annotated[str, Query(max_length=7)],
    format: Format = "xlsx",
) -> Response:
    try:
        period = parse_month(month)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return await _download(request, state, session, period, format, f"bao-cao-{month}")


@router.get("/admin/reports/period")
async def period_report(
    request: Request,
    state: StateDep,
    session: SessionDep,
    start: Annotated[str, Query(alias="from", max_length=10)],
    end: Annotated[str, Query(alias="to", max_length=10)],
    format: Format = "xlsx",
) -> Response:
    period = period_of(start, end)
    name = f"bao-cao-{period.start.isoformat()}-{period.end.isoformat()}"
    return await _download(request, state, session, period, format, name)


@router.get("/admin/export.csv")
async def export_csv(
    request: Request,
    state: StateDep,
    session: SessionDep,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    intent: Annotated[str | None, Query(max_length=32)] = None,
    rating: Annotated[Literal["up", "down", "none", ""] | None, Query()] = None,
) -> StreamingResponse:
    period = period_of(start, end)
    filters = ExportFilters(channel=channel or None, intent=intent or None, rating=rating or None)
    await run_in_threadpool(
        audit.record, state.storage, session.operator.name, "export_csv",
        {"from": period.start.isoformat(), "to": period.end.isoformat(),
         **{k: v for k, v in filters.__dict__.items() if v}},
        client_address(request),
    )  # fmt: skip
    assert state.storage is not None
    lines = csv_lines(iter_exchanges(state.storage, period, filters.channel), filters)
    name = f"hoi-dap-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return StreamingResponse(
        iterate_in_threadpool(lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api.get(
    "/stats",
    summary="Số liệu của kỳ cho hệ thống giám sát (cần mã truy cập)",
    responses={401: {"description": "Thiếu hoặc sai mã"}, 403: {"description": "API đang đóng"}},
)
async def stats(
    request: Request,
    state: StateDep,
    start: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(alias="to", description="YYYY-MM-DD")] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
) -> dict:
    require_token(request, state.settings.admin_token)
    if state.storage is None:
        raise HTTPException(status_code=503, detail="Cơ sở dữ liệu chưa sẵn sàng.")
    period = period_of(start, end)
    figures = await run_in_threadpool(figures_for, state, period, Filters(channel=channel))
    # A copy: the figures are shared with the console's views (cached).
    satisfaction = {k: v for k, v in figures["satisfaction"].items() if k != "comments"}
    return figures | {"satisfaction": satisfaction}
