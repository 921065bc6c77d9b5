"""One-line errors for the command line, in Vietnamese, without tracebacks."""

from __future__ import annotations

import re

import typer
from rich.console import Console

console = Console(stderr=True)

# English messages of lower layers (stores, loaders, click) and what an operator reads instead.
_KNOWN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"the index at (\S+) is open in another process.*", re.S),
     "chỉ mục tại {0} đang được một tiến trình khác mở (`nq57 serve` hoặc `nq57 ingest`). "
     "Khi dịch vụ đang chạy, lệnh ask/search/ingest tự gửi yêu cầu tới nó; nếu không, hãy dừng "
     "tiến trình kia hoặc dùng máy chủ Qdrant (NQ57_STORE=server)."),
    (re.compile(r"no index at (\S+): run `nq57 ingest` first"),
     "chưa có chỉ mục tại {0}: hãy chạy `nq57 ingest` trước."),
    (re.compile(r"index built with (.+?); configured (.+?): run `nq57 ingest --rebuild`"),
     "chỉ mục được dựng bằng mô hình {0}, cấu hình hiện là {1}: hãy chạy `nq57 ingest --rebuild`."),
    (re.compile(r"(\S+): corpus documents folder not found"),
     "không tìm thấy thư mục văn bản {0}."),
    (re.compile(r"No such option: (\S+)"), "không có tùy chọn {0}."),
    (re.compile(r"No such command '(.+?)'\.?"), "không có lệnh {0}."),
    (re.compile(r"Missing argument '(.+?)'\.?"), "thiếu đối số {0}."),
    (re.compile(r"Missing option '(.+?)'\.?"), "thiếu tùy chọn {0}."),
    (re.compile(r"Missing parameter: (\S+)"), "thiếu tùy chọn --{0}."),
    (re.compile(r"Invalid value for '(.+?)': (.+)", re.S), "giá trị không hợp lệ cho {0}: {1}"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "thừa đối số: {0}."),
    (re.compile(r"Option '(.+?)' requires an argument\.?"), "tùy chọn {0} cần một giá trị."),
]  # fmt: skip


def vietnamese(message: str) -> str:
    text = " ".join(str(message).split())
    for pattern, template in _KNOWN:
        m = pattern.search(text)
        if m:
            return template.format(*m.groups())
    return text


def fail(message: str, code: int = 1) -> None:
    console.print(f"[red]Lỗi:[/red] {vietnamese(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def explain(exc: BaseException) -> str:
    """One line for an exception nobody caught on the way up."""
    if isinstance(exc, FileNotFoundError):
        return f"không tìm thấy tệp hoặc thư mục {exc.filename or exc}."
    if isinstance(exc, PermissionError):
        return f"không có quyền truy cập {exc.filename or exc}."
    if isinstance(exc, OSError):
        return f"lỗi đọc/ghi tệp: {exc.strerror or exc} ({exc.filename or ''})."
    return vietnamese(str(exc)) or type(exc).__name__
