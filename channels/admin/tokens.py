"""Machine access to operator data: a bearer token, or an allowed address for /metrics."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import HTTPException, Request

MSG_TOKEN_UNSET = "Chưa cấu hình NQ57_ADMIN_TOKEN: API này đang đóng."
MSG_TOKEN_BAD = "Thiếu hoặc sai mã truy cập (Authorization: Bearer …)."
MSG_METRICS = "Chỉ địa chỉ được phép (NQ57_METRICS_ALLOW) hoặc có mã truy cập mới xem được."


def bearer_ok(request: Request, expected: str | None) -> bool:
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    if not expected or scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def address_allowed(host: str | None, allowed: list[str]) -> bool:
    """``allowed`` holds addresses or networks ("10.0.0.0/8"); a bad entry allows nothing."""
    if not host:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def require_token(request: Request, expected: str | None) -> None:
    if not expected:
        raise HTTPException(status_code=403, detail=MSG_TOKEN_UNSET)
    if not bearer_ok(request, expected):
        raise HTTPException(
            status_code=401, detail=MSG_TOKEN_BAD, headers={"WWW-Authenticate": "Bearer"}
        )


def require_metrics_access(request: Request, allowed: list[str], token: str | None) -> None:
    host = request.client.host if request.client else None
    if address_allowed(host, allowed) or bearer_ok(request, token):
        return
    raise HTTPException(status_code=403, detail=MSG_METRICS)
