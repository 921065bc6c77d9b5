"""Rendering console pages with Jinja (autoescaped), and what every page needs to know."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from channels.admin.exchanges import DECLINE_LABELS
from channels.admin.period import VN, vn_date

TEMPLATES = Path(__file__).with_name("templates")


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"


def _vndate(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return vn_date(value)


def vn_time(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        from datetime import UTC

        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN).strftime("%d/%m/%Y %H:%M")


@lru_cache(maxsize=1)
def env() -> Environment:
    e = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    e.filters["vndate"] = _vndate
    e.filters["vntime"] = vn_time
    e.globals.update(pct=pct, ms=ms, decline_labels=DECLINE_LABELS)
    return e


def render(name: str, **context: Any) -> str:
    return env().get_template(name).render(**context)


def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(
        render(name, **context),
        status_code=status_code,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"},
    )
