"""Console access over HTTP: login, lock-out, sessions, CSRF, roles, tokens, the audit log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from channels.admin import audit
from channels.admin.users import LoginFailed, authenticate
from channels.app import create_app
from tests.admin_helpers import (
    LOOPBACK,
    PASSWORD,
    Canned,
    console_settings,
    csrf_of,
    login,
    make_users,
)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_available() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """Operators, sessions and the audit log on SQLite and on PostgreSQL (own schema)."""
    settings = console_settings(tmp_path)
    if request.param == "sqlite":
        yield create_app(settings, Canned(), documents=lambda: {})
        return
    if not _pg_available():
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432")
    import uuid

    from channels.storage import Storage

    storage = Storage(PG_URL, schema=f"nq57_adm_{uuid.uuid4().hex[:12]}")
    yield create_app(settings, Canned(), documents=lambda: {}, storage=storage)
    storage.drop_schema()
    storage.close()


@pytest.fixture
def client(app):
    with TestClient(app, base_url="https://testserver") as c:
        make_users(app.state.nq57.storage)
        yield c


def test_console_needs_login(client):
    r = client.get("/admin", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/login"
    assert client.get("/admin/gaps", follow_redirects=False).status_code == 303


def test_login_sets_a_strict_http_only_secure_cookie(client):
    r = login(client, "editor1")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "nq57_admin=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "samesite=strict" in cookie.lower()
    page = client.get("/admin")
    assert page.status_code == 200 and "editor1" in page.text


def test_wrong_password_and_unknown_name_look_the_same(client):
    a = login(client, "editor1", "sai-mat-khau-123")
    b = login(client, "nobody", "sai-mat-khau-123")
    assert a.status_code == b.status_code == 401
    assert "không đúng" in a.text and "không đúng" in b.text


def test_lockout_after_repeated_failures_even_with_the_right_password(client, app):
    for _ in range(4):
        assert login(client, "viewer1", "wrong-password-x").status_code == 401
    assert login(client, "viewer1", "wrong-password-x").status_code == 429
    r = login(client, "viewer1", PASSWORD)
    assert r.status_code == 429 and "tạm khóa" in r.text
    actions = [e["action"] for e in audit.recent(app.state.nq57.storage)]
    assert actions.count("login_failed") == 4 and actions.count("login_locked") == 2


def test_lockout_ends(app, client):
    from datetime import timedelta

    storage = app.state.nq57.storage
    for _ in range(2):
        with pytest.raises(LoginFailed):
            authenticate(storage, "viewer1", "bad-password-1", 2, timedelta(seconds=0))
    # A lock-out of zero seconds is over at once: the right password works again.
    assert authenticate(storage, "viewer1", PASSWORD, 2, timedelta(seconds=0)).role == "viewer"


def test_login_form_needs_its_token(client):
    r = client.post(
        "/admin/login", data={"name": "editor1", "password": PASSWORD, "csrf": "forged"}
    )
    assert r.status_code == 403


def test_state_changes_need_the_csrf_token(client):
    login(client, "editor1")
    token = csrf_of(client.get("/admin").text)
    no_token = client.post("/admin/gaps/g1", data={"example": "x", "note": "n"})
    assert no_token.status_code == 403
    wrong = client.post("/admin/gaps/g1", data={"example": "x", "csrf": "nope"})
    assert wrong.status_code == 403
    ok = client.post(
        "/admin/gaps/g1", data={"example": "x", "note": "đã đăng", "csrf": token},
        follow_redirects=False,
    )  # fmt: skip
    assert ok.status_code == 303


def test_viewer_reads_but_cannot_edit(client):
    login(client, "viewer1")
    page = client.get("/admin/gaps")
    assert page.status_code == 200
    r = client.post("/admin/gaps/g1", data={"example": "x", "csrf": csrf_of(page.text)})
    assert r.status_code == 403 and "biên tập" in r.json()["detail"]


def test_logout_ends_the_session(client):
    login(client, "editor1")
    token = csrf_of(client.get("/admin").text)
    client.post("/admin/logout", data={"csrf": token})
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_audit_log_keeps_every_action(client, app):
    login(client, "editor1")
    token = csrf_of(client.get("/admin").text)
    client.post(
        "/admin/gaps/abc", data={"example": "x", "note": "n1", "handled": "1", "csrf": token}
    )
    entries = audit.recent(app.state.nq57.storage)
    assert entries[0]["action"] == "gap_note" and entries[0]["user_name"] == "editor1"
    assert entries[0]["detail"] == {"group": "abc", "handled": True, "note": "n1"}
    assert "gap_note" in client.get("/admin/audit").text


def test_metrics_only_from_allowed_addresses_or_with_the_token(app):
    with TestClient(app) as outsider:
        assert outsider.get("/metrics").status_code == 403
        r = outsider.get("/metrics", headers={"Authorization": "Bearer the-stats-token"})
        assert r.status_code == 200 and "nq57_http_requests" in r.text
        bad = outsider.get("/metrics", headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 403


def test_metrics_from_loopback(tmp_path):
    app = create_app(console_settings(tmp_path), Canned(), documents=lambda: {})
    with TestClient(app, client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 200


def test_metrics_allow_takes_networks(tmp_path):
    settings = console_settings(tmp_path, metrics_allow=["10.0.0.0/8"])
    app = create_app(settings, Canned(), documents=lambda: {})
    with TestClient(app, client=("10.2.3.4", 1)) as inside:
        assert inside.get("/metrics").status_code == 200
    other = create_app(settings, Canned(), documents=lambda: {})
    with TestClient(other, client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 403


def test_cli_add_user_prompts_for_the_password(tmp_path, monkeypatch):
    from channels.admin.users import authenticate
    from channels.storage import Storage
    from nq57.cli import app as cli
    from nq57.settings import get_settings

    monkeypatch.setenv("NQ57_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        r = runner.invoke(cli, ["admin", "add-user", "chi", "--role", "editor"],
                          input="mot-mat-khau-dai\nmot-mat-khau-dai\n")  # fmt: skip
        assert r.exit_code == 0, r.output
        assert "mot-mat-khau-dai" not in r.output
        again = runner.invoke(
            cli, ["admin", "add-user", "chi"], input="x" * 12 + "\n" + "x" * 12 + "\n"
        )
        assert again.exit_code == 1 and "Đã có tài khoản" in again.output
        short = runner.invoke(cli, ["admin", "add-user", "dung"], input="ngan\nngan\n")
        assert short.exit_code == 1 and "ít nhất" in short.output
        bad_role = runner.invoke(cli, ["admin", "add-user", "em", "--role", "boss"])
        assert bad_role.exit_code == 1 and "Vai trò" in bad_role.output
        assert "Traceback" not in bad_role.output
        settings = get_settings()
        storage = Storage(settings.sqlite_url)
        from datetime import timedelta

        assert authenticate(storage, "chi", "mot-mat-khau-dai", 5, timedelta(minutes=1)).can_edit
        storage.close()
    finally:
        get_settings.cache_clear()


def test_logins_from_one_address_are_throttled(tmp_path):
    from channels.ratelimit import build_limiter

    settings = console_settings(tmp_path, rate_limit_per_minute=3)
    app = create_app(settings, Canned(), documents=lambda: {}, limiter=build_limiter(settings))
    with TestClient(app, base_url="https://testserver") as c:
        make_users(app.state.nq57.storage)
        codes = [login(c, name, "sai-mat-khau-1").status_code for name in ("a1", "a2", "a3")]
        assert codes == [401, 401, 401]
        r = login(c, "editor1")  # even the right password waits for the minute to pass
        assert r.status_code == 429 and "quá nhiều lần" in r.text
