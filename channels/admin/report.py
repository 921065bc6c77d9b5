"""The programme's periodic report (QĐ 1169): an XLSX workbook and a Vietnamese HTML page.

Both are written from one figures dict (channels.admin.figures.compute), the same one the
dashboard and /api/admin/stats show.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from channels.admin import charts
from channels.admin.exchanges import DECLINE_LABELS, OUTCOME_LABELS
from channels.admin.pages import pct, render, vn_time
from channels.admin.period import vn_date

TITLE = "Báo cáo kết quả hỏi đáp về Nghị quyết 57-NQ/TW"


def _day(iso: str) -> str:
    return vn_date(date.fromisoformat(iso))


def summary_rows(f: dict[str, Any]) -> list[tuple[str, Any]]:
    sat, lat, av = f["satisfaction"], f["latency"], f["availability"]
    rows: list[tuple[str, Any]] = [
        ("Kỳ báo cáo", f"{_day(f['period']['from'])} – {_day(f['period']['to'])}"),
        ("Người dùng", f["reach"]["users"]),
        ("Cuộc trò chuyện", f["reach"]["conversations"]),
        ("Câu hỏi", f["reach"]["questions"]),
    ]
    rows += [(label, f["outcomes"][key]) for key, label in OUTCOME_LABELS.items()]
    rows += [(f"  trong đó: {DECLINE_LABELS.get(key, key)}", n) for key, n in f["declined"].items()]
    rows += [
        ("Đánh giá 👍", sat["up"]),
        ("Đánh giá 👎", sat["down"]),
        ("Tỷ lệ hài lòng (👍 / số đánh giá)", pct(sat["up_share"])),
        ("Độ trễ p95 (ms)", lat["p95_ms"] if lat["p95_ms"] is not None else "–"),
        ("Tỷ lệ câu hỏi được trả lời không lỗi", pct(av["share"])),
        ("Câu trả lời duyệt sẵn đã dùng", f["curated_used"]),
    ]
    return rows


def write_xlsx(f: dict[str, Any], path: Path, notes: dict[str, dict] | None = None) -> Path:
    notes = notes or {}
    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]], first: bool = False):
        ws = wb.active if first else wb.create_sheet()
        ws.title = title
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append(row)
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 80)
        return ws

    ws = sheet("Tổng hợp", ["Chỉ tiêu", "Giá trị"], [list(r) for r in summary_rows(f)], True)
    ws.insert_rows(1)
    ws["A1"] = TITLE
    ws["A1"].font = Font(bold=True, size=13)
    sheet(
        "Theo kênh",
        ["Kênh", "Câu hỏi", "Cuộc trò chuyện", "Người dùng"],
        [
            [k, v["questions"], v["conversations"], v["users"]]
            for k, v in f["reach"]["by_channel"].items()
        ],
    )
    sheet(
        "Theo ngày", ["Ngày", "Câu hỏi"], [[_day(d["day"]), d["questions"]] for d in f["per_day"]]
    )
    sheet(
        "Văn bản",
        ["Văn bản", "Câu trả lời trích dẫn"],
        [[d["document"], d["answers"]] for d in f["documents"]],
    )
    sheet(
        "Chủ đề",
        ["Chủ đề (phần được trích dẫn)", "Câu trả lời"],
        [[t["topic"], t["answers"]] for t in f["topics"]],
    )
    sheet(
        "Câu hỏi nhiều nhất",
        ["Số lần", "Câu hỏi tiêu biểu", "Số cách hỏi"],
        [[g["count"], g["example"], len(g["variants"])] for g in f["top_questions"]],
    )
    sheet(
        "Khoảng trống nội dung",
        ["Số lần", "Loại", "Câu hỏi tiêu biểu", "Góp ý", "Đã xử lý", "Ghi chú"],
        [
            [
                g["count"],
                g["label"],
                g["example"],
                " | ".join(g["comments"]),
                "có" if notes.get(g["key"], {}).get("handled") else "",
                (notes.get(g["key"]) or {}).get("note") or "",
            ]
            for g in f["gaps"]
        ],
    )
    ws = sheet(
        "Góp ý",
        ["Ngày", "Đánh giá", "Câu hỏi", "Góp ý", "Kênh"],
        [[_day(c["day"]), "👍" if c["rating"] == "up" else "👎", c["question"], c["comment"], c["channel"]]
         for c in f["satisfaction"]["comments"]],
    )  # fmt: skip
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def render_html(f: dict[str, Any], notes: dict[str, dict] | None = None) -> str:
    return render(
        "report.html",
        title=TITLE,
        f=f,
        notes=notes or {},
        summary=summary_rows(f),
        per_day_svg=charts.per_day_chart(f["per_day"]),
        outcome_svg=charts.outcome_chart(f["outcomes"]),
        made_at=vn_time(datetime.now(UTC)),
        period_label=f"{_day(f['period']['from'])} – {_day(f['period']['to'])}",
    )


def write_report(
    f: dict[str, Any], out: Path, notes: dict[str, dict] | None = None
) -> tuple[Path, Path]:
    """``out`` names the workbook (.xlsx) or the page (.html); the other goes beside it."""
    stem = out.with_suffix("") if out.suffix.lower() in (".xlsx", ".html", ".htm") else out
    xlsx, html = stem.with_suffix(".xlsx"), stem.with_suffix(".html")
    write_xlsx(f, xlsx, notes)
    html.write_text(render_html(f, notes), "utf-8")
    return xlsx, html
