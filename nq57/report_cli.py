"""`nq57 report …`: the programme's monthly and semi-annual reports from the conversation log."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from nq57.errors import fail

report_app = typer.Typer(help="Báo cáo định kỳ (XLSX và HTML).", no_args_is_help=True)


def _write(period, out: Path, channel: str | None) -> None:
    from channels.admin import gaps
    from channels.admin.context import cached_questions
    from channels.admin.exchanges import load_exchanges
    from channels.admin.figures import Filters, compute
    from channels.admin.report import write_report
    from channels.storage import StorageError
    from ingest.embed import EmbedderError, get_embedder
    from nq57.admin_cli import open_migrated_storage
    from nq57.settings import get_settings

    settings = get_settings()
    started = time.perf_counter()
    storage = open_migrated_storage()
    try:
        embedder = cached_questions(get_embedder(settings.embedder), settings.cache_dir)
    except EmbedderError as exc:
        fail(f"không nạp được mô hình nhúng để gộp câu hỏi: {exc}")
    try:
        exchanges = load_exchanges(storage, period, channel)
        figures = compute(
            exchanges, period, Filters(channel=channel), embedder, settings.group_min_similarity
        )
        notes = gaps.notes(storage)
    except StorageError as exc:
        fail(f"không đọc được nhật ký hỏi đáp: {exc}")
    finally:
        storage.close()
    try:
        xlsx, html = write_report(figures, out, notes)
    except OSError as exc:
        fail(f"không ghi được báo cáo vào {out}: {exc.strerror or exc}")
    seconds = time.perf_counter() - started
    typer.echo(
        f"Đã ghi {xlsx} và {html}: {figures['reach']['questions']} câu hỏi, "
        f"{figures['reach']['conversations']} cuộc trò chuyện ({seconds:.1f} s)."
    )


@report_app.command("monthly")
def monthly(
    month: Annotated[str, typer.Option(help="Tháng báo cáo, dạng YYYY-MM.")],
    out: Annotated[Path, typer.Option(help="Tệp .xlsx (tệp .html cùng tên được ghi bên cạnh).")],
    channel: Annotated[str | None, typer.Option(help="Chỉ một kênh.")] = None,
) -> None:
    """Báo cáo tháng: tiếp cận, chủ đề, khoảng trống nội dung, mức hài lòng, tính sẵn sàng."""
    from channels.admin.period import parse_month

    try:
        period = parse_month(month)
    except ValueError as exc:
        fail(str(exc))
    _write(period, out, channel)


@report_app.command("period")
def period(
    start: Annotated[str, typer.Option("--from", help="Ngày đầu (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Ngày cuối (YYYY-MM-DD).")],
    out: Annotated[Path, typer.Option(help="Tệp .xlsx (tệp .html cùng tên được ghi bên cạnh).")],
    channel: Annotated[str | None, typer.Option(help="Chỉ một kênh.")] = None,
) -> None:
    """Báo cáo một kỳ bất kỳ, ví dụ sáu tháng (trước 20/6 và 20/12)."""
    from channels.admin.period import parse_period

    try:
        chosen = parse_period(start, end)
    except ValueError as exc:
        fail(str(exc))
    _write(chosen, out, channel)
