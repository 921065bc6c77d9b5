"""Console access for FastAPI routes: the session cookie, roles and CSRF checks.

Forms carry the session's CSRF token in a hidden ``csrf`` field, scripts in an
``X-CSRF-Token`` header; the cookie is HttpOnly and SameSite=Strict on top of that.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from channels.admin.users import Session, find_session
from channels.storage import Storage, StorageError
from channels.web import AppState, get_state

COOKIE = "nq57_admin"
MSG_LOGIN = "Vui lòng đăng nhập."
MSG_EDITOR = "Chỉ tài khoản biên tập (editor) được thực hiện thao tác này."
MSG_CSRF = "Phiên làm việc không hợp lệ hoặc đã hết hạn. Vui lòng tải lại trang."
MSG_STORE = "Cơ sở dữ liệu chưa sẵn sàng, vui lòng thử lại sau."


class LoginRequired(HTTPException):
    def __init__(self, next_path: str) -> None:
        super().__init__(status_code=303, detail=MSG_LOGIN, headers={"Location": "/admin/login"})
        self.next_path = next_path


def admin_storage(state: Annotated[AppState, Depends(get_state)]) -> Storage:
    if state.storage is None:
        raise HTTPException(status_code=503, detail=MSG_STORE)
    return state.storage


async def current_session(
    request: Request, storage: Annotated[Storage, Depends(admin_storage)]
) -> Session:
    token = request.cookies.get(COOKIE)
    session = None
    if token:
        try:
            session = await run_in_threadpool(find_session, storage, token)
        except StorageError:
            raise HTTPException(status_code=503, detail=MSG_STORE) from None
    if session is None:
        if request.url.path.startswith("/api/"):
            raise HTTPException(status_code=401, detail=MSG_LOGIN)
        raise LoginRequired(request.url.path)
    return session


SessionDep = Annotated[Session, Depends(current_session)]


async def checked_session(request: Request, session: SessionDep) -> Session:
    """The session of a state-changing request whose CSRF token matches."""
    given = request.headers.get("x-csrf-token")
    if given is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached: the route's Form() fields read it again
            value = form.get("csrf")
            given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given.encode(), session.csrf.encode()):
        raise HTTPException(status_code=403, detail=MSG_CSRF)
    return session


async def editor_session(session: Annotated[Session, Depends(checked_session)]) -> Session:
    if not session.operator.can_edit:
        raise HTTPException(status_code=403, detail=MSG_EDITOR)
    return session


CheckedDep = Annotated[Session, Depends(checked_session)]
EditorDep = Annotated[Session, Depends(editor_session)]


def set_session_cookie(response: Response, token: str, secure: bool, hours: float) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(hours * 3600),
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None
