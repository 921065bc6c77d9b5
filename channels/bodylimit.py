"""Request bodies counted as they arrive, whatever the client declares.

A `Content-Length` check alone lets a chunked upload through: the app would then read all of it
into memory. Here the body is read once, up to the limit, before any route sees it; one byte
more and the client gets 413 without the rest being read. Memory per request stays below the
limit, on every route, whether the route reads its body or not.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MSG_BODY_TOO_LARGE = "Nội dung gửi lên quá lớn."


class BodyTooLarge(Exception):
    """The body passed the limit while it was being read."""


async def read_limited(receive: Receive, max_bytes: int) -> tuple[bytes, Message | None]:
    """The whole body (at most ``max_bytes``), and a disconnect message if one came instead."""
    parts: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), message
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts), None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}  # paths that take files (the console's uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.max_bytes)
        if _declared_length(scope) > limit:
            await _too_large(scope, receive, send)
            return
        try:
            body, disconnect = await read_limited(receive, limit)
        except BodyTooLarge:
            await _too_large(scope, receive, send)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            if disconnect is not None:
                return disconnect
            # After the body only a disconnect can come (streaming responses wait for it).
            return await receive()

        await self.app(scope, replay, send)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    # Connection: close, so the server drops the rest of the upload instead of reading it.
    response = JSONResponse(
        status_code=413, content={"detail": MSG_BODY_TOO_LARGE}, headers={"Connection": "close"}
    )
    await response(scope, receive, send)
