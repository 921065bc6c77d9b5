"""Errors of console pages as a page an operator can read, not the API's JSON.

The app answers every error as JSON ``{"detail": …}`` (the API's contract). A browser on an
/admin page (one that accepts text/html) gets the same message inside the console's layout.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channels.admin.pages import render

TITLES = {401: "Cần đăng nhập", 403: "Không được phép", 404: "Không tìm thấy", 413: "Tệp quá lớn"}


class ConsoleErrorPages:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _wants_page(scope):
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        body = b""

        async def send_wrapper(message: Message) -> None:
            nonlocal held, body
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_json = headers.get(b"content-type", b"").startswith(b"application/json")
                if message["status"] >= 400 and is_json and message["status"] != 429:
                    held = message
                    return
                await send(message)
                return
            if held is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            status = held["status"]
            try:
                detail = str(json.loads(body).get("detail", ""))
            except (ValueError, AttributeError):
                detail = ""
            page = render("error.html", title=TITLES.get(status, "Lỗi"), detail=detail,
                          status=status).encode()  # fmt: skip
            headers = [
                (k, v) for k, v in held.get("headers", [])
                if k not in (b"content-type", b"content-length")
            ] + [(b"content-type", b"text/html; charset=utf-8"),
                 (b"content-length", str(len(page)).encode())]  # fmt: skip
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, send_wrapper)


def _wants_page(scope: Scope) -> bool:
    path = scope.get("path", "")
    if not (path == "/admin" or path.startswith("/admin/")) or path.startswith("/admin/static"):
        return False
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    return b"text/html" in accept
