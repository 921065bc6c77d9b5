"""Operator console: access, dashboard, content gaps, curated answers, reports, live corpus."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

# Request bodies larger than the API's limit, for the console's file uploads (bytes).
UPLOAD_LIMITS = {
    "/admin/documents/upload": 21 * 1024 * 1024,
    "/admin/curated/import": 6 * 1024 * 1024,
}


def error_pages() -> Any:
    from channels.admin.errors import ConsoleErrorPages

    return ConsoleErrorPages


def attach(state: Any) -> None:
    from channels.admin.setup import attach as _attach

    _attach(state)


def routers() -> list[APIRouter]:
    """Every router of the console, /api/admin, the favicon and the offline /docs."""
    from channels.admin import (
        routes_auth,
        routes_curated,
        routes_dashboard,
        routes_documents,
        routes_reports,
        routes_static,
    )

    return [
        routes_static.router,
        routes_auth.router,
        routes_dashboard.router,
        routes_reports.router,
        routes_reports.api,
        routes_curated.router,
        routes_documents.router,
        routes_documents.api,
    ]
