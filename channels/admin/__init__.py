"""Operator console: access, dashboard, content gaps, curated answers, reports, live corpus."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every router of the console, /api/admin, the favicon and the offline /docs."""
    from channels.admin import routes_auth, routes_dashboard, routes_reports, routes_static

    return [
        routes_static.router,
        routes_auth.router,
        routes_dashboard.router,
        routes_reports.router,
        routes_reports.api,
    ]
