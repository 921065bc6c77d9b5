"""One-line errors for the command line, in Vietnamese, without tracebacks."""

from __future__ import annotations

import typer
from rich.console import Console

console = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    console.print(f"[red]Lỗi:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(code)
