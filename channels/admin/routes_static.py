"""The console's own assets, the favicon, and /docs served without any CDN."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

STATIC = Path(__file__).with_name("static")
# Swagger UI's bundle as shipped (and kept current) by the fastapi-offline package.
SWAGGER = Path(fastapi_offline.__file__).with_name("static")
_CACHE = {"Cache-Control": "public, max-age=86400"}
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    '<rect width="64" height="64" rx="12" fill="#b71c1c"/>'
    '<polygon fill="#ffd600" points="32,9 38.5,26.5 57,26.5 42,37.5 47.5,55 32,44.5 16.5,55 '
    '22,37.5 7,26.5 25.5,26.5"/></svg>'
)

router = APIRouter(include_in_schema=False)


@router.get("/admin/static/{name}")
async def admin_asset(name: str) -> Response:
    types = {"admin.css": "text/css", "admin.js": "text/javascript"}
    if name not in types:
        return Response(status_code=404)
    return FileResponse(STATIC / name, media_type=f"{types[name]}; charset=utf-8")


@router.get("/favicon.svg")
async def favicon_svg() -> Response:
    return Response(FAVICON, media_type="image/svg+xml", headers=_CACHE)


@router.get("/favicon.ico")
async def favicon_ico() -> Response:
    # Browsers ask for /favicon.ico whatever the page says; every modern one reads SVG.
    return Response(FAVICON, media_type="image/svg+xml", headers=_CACHE)


@router.get("/docs/assets/{name}")
async def swagger_asset(name: str) -> Response:
    types = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
    if name not in types:
        return Response(status_code=404)
    return FileResponse(SWAGGER / name, media_type=types[name], headers=_CACHE)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title="nq57 — API",
        swagger_js_url=f"{root}/docs/assets/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs/assets/swagger-ui.css",
        swagger_favicon_url=f"{root}/favicon.svg",
    )
