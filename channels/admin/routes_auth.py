"""Login, logout and the lock-out; every attempt goes to the audit log."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from channels.admin import audit
from channels.admin.pages import page
from channels.admin.security import (
    COOKIE,
    CheckedDep,
    admin_storage,
    client_address,
    set_session_cookie,
)
from channels.admin.users import LoginFailed, authenticate, close_session, open_session
from channels.storage import Storage
from channels.web import SettingsDep, StateDep

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "nq57_login"  # double-submit token of the login form (no session yet)
MSG_BAD = "Tên đăng nhập hoặc mật khẩu không đúng."
MSG_LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau {minutes} phút."
MSG_FORM = "Biểu mẫu đã hết hạn. Vui lòng đăng nhập lại."
MSG_TOO_FAST = "Đăng nhập thử quá nhiều lần từ địa chỉ này. Vui lòng đợi một phút."
StorageDep = Annotated[Storage, Depends(admin_storage)]


def _login_page(settings, error: str | None = None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = page("login.html", status, title="Đăng nhập", login_csrf=token, error=error)
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, secure=settings.admin_cookie_secure,
        samesite="strict", path="/admin/login", max_age=3600,
    )  # fmt: skip
    return response


@router.get("/admin/login")
async def login_form(settings: SettingsDep) -> Response:
    return _login_page(settings)


@router.post("/admin/login")
async def login(
    request: Request,
    state: StateDep,
    settings: SettingsDep,
    storage: StorageDep,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf.encode()):
        return _login_page(settings, MSG_FORM, 403)
    address = client_address(request)
    # Per address, on the service's limiter (Redis when configured): guessing across many
    # accounts from one place is slowed down too, not only guessing one account.
    limiter = state.limiter
    if limiter is not None:
        key = f"admin-login:{address}"
        allowed = (
            await run_in_threadpool(limiter.allow, key) if limiter.blocking else limiter.allow(key)
        )
        if not allowed:
            return _login_page(settings, MSG_TOO_FAST, 429)
    lockout = timedelta(minutes=settings.admin_lockout_minutes)
    try:
        operator = await run_in_threadpool(
            authenticate, storage, name.strip(), password, settings.admin_max_failures, lockout
        )
    except LoginFailed as failed:
        action = "login_locked" if failed.locked else "login_failed"
        await run_in_threadpool(audit.record, storage, name.strip()[:64], action, None, address)
        if failed.locked:
            minutes = max(1, round(settings.admin_lockout_minutes))
            return _login_page(settings, MSG_LOCKED.format(minutes=minutes), 429)
        return _login_page(settings, MSG_BAD, 401)
    token, _ = await run_in_threadpool(
        open_session, storage, operator, settings.admin_session_hours
    )
    await run_in_threadpool(audit.record, storage, operator.name, "login", None, address)
    response = RedirectResponse("/admin", status_code=303)
    set_session_cookie(response, token, settings.admin_cookie_secure, settings.admin_session_hours)
    response.delete_cookie(LOGIN_COOKIE, path="/admin/login")
    return response


@router.post("/admin/logout")
async def logout(request: Request, session: CheckedDep, storage: StorageDep) -> Response:
    token = request.cookies.get(COOKIE, "")
    await run_in_threadpool(close_session, storage, token)
    await run_in_threadpool(
        audit.record, storage, session.operator.name, "logout", None, client_address(request)
    )
    response = RedirectResponse("/admin/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
