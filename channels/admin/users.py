"""Operators: argon2-hashed passwords, roles, lock-out after repeated failures, sessions.

A session is a random token in an HttpOnly cookie; the database keeps only its sha256, with
the CSRF token that forms and scripts of that session must send back.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from channels.admin.tables import admin_sessions, admin_users
from channels.storage import Storage, StorageError

ROLES = ("viewer", "editor")
MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("nq57-no-such-operator")


class LoginFailed(Exception):
    """Wrong name or password (``locked`` False) or an account locked for a while."""

    def __init__(self, locked: bool = False, until: datetime | None = None) -> None:
        super().__init__("locked" if locked else "invalid")
        self.locked = locked
        self.until = until


@dataclass(frozen=True)
class Operator:
    name: str
    role: str

    @property
    def can_edit(self) -> bool:
        return self.role == "editor"


@dataclass(frozen=True)
class Session:
    operator: Operator
    csrf: str


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_new_user(name: str, role: str, password: str) -> None:
    """ValueError with a Vietnamese message when the account cannot be created as given."""
    if not _NAME.match(name):
        raise ValueError("Tên đăng nhập chỉ gồm chữ không dấu, số và . _ @ - (2–64 ký tự).")
    if role not in ROLES:
        raise ValueError(f"Vai trò phải là một trong: {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")


def add_user(storage: Storage, name: str, role: str, password: str) -> Operator:
    check_new_user(name, role, password)
    row = {
        "name": name,
        "role": role,
        "password_hash": _hasher.hash(password),
        "failures": 0,
        "locked_until": None,
        "created_at": _now(),
    }
    try:
        with storage.engine.begin() as conn:
            exists = conn.execute(
                sa.select(admin_users.c.name).where(admin_users.c.name == name)
            ).first()
            if exists is not None:
                raise ValueError(f"Đã có tài khoản {name}.")
            conn.execute(admin_users.insert().values(**row))
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError(str(exc).splitlines()[0]) from exc
    return Operator(name, role)


def authenticate(
    storage: Storage, name: str, password: str, max_failures: int, lockout: timedelta
) -> Operator:
    """The operator, or LoginFailed; every failure counts towards the lock-out."""
    failure: LoginFailed | None = None
    with storage.engine.begin() as conn:
        row = conn.execute(sa.select(admin_users).where(admin_users.c.name == name)).first()
        if row is None:
            _verify(_DUMMY_HASH, password)
            failure = LoginFailed()
        elif (until := _utc(row.locked_until)) is not None and until > _now():
            # No password check while locked: guessing on cannot even be confirmed.
            failure = LoginFailed(locked=True, until=until)
        elif not _verify(row.password_hash, password):
            values: dict = {"failures": row.failures + 1}
            failure = LoginFailed()
            if row.failures + 1 >= max_failures:
                values = {"failures": 0, "locked_until": _now() + lockout}
                failure = LoginFailed(locked=True, until=values["locked_until"])
            conn.execute(admin_users.update().where(admin_users.c.name == name).values(**values))
        else:
            values = {"failures": 0, "locked_until": None}
            if _hasher.check_needs_rehash(row.password_hash):
                values["password_hash"] = _hasher.hash(password)
            conn.execute(admin_users.update().where(admin_users.c.name == name).values(**values))
    # Raised after the transaction: the failure count is committed, not rolled back.
    if failure is not None:
        raise failure
    return Operator(row.name, row.role)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def open_session(storage: Storage, operator: Operator, hours: float) -> tuple[str, str]:
    """(cookie token, CSRF token) of a new session."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = _now()
    with storage.engine.begin() as conn:
        conn.execute(admin_sessions.delete().where(admin_sessions.c.expires_at < now))
        conn.execute(
            admin_sessions.insert().values(
                token_hash=_token_hash(token),
                user_name=operator.name,
                csrf=csrf,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
    return token, csrf


def find_session(storage: Storage, token: str) -> Session | None:
    query = (
        sa.select(admin_sessions.c.csrf, admin_sessions.c.expires_at, admin_users.c.name,
                  admin_users.c.role)
        .join(admin_users, admin_users.c.name == admin_sessions.c.user_name)
        .where(admin_sessions.c.token_hash == _token_hash(token))
    )  # fmt: skip
    with storage.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or _utc(row.expires_at) <= _now():
        return None
    return Session(Operator(row.name, row.role), row.csrf)


def close_session(storage: Storage, token: str) -> None:
    with storage.engine.begin() as conn:
        conn.execute(
            admin_sessions.delete().where(admin_sessions.c.token_hash == _token_hash(token))
        )
