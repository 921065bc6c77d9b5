"""The operator console in a real Chromium against the real app under uvicorn."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlparse

import pytest
from openpyxl import load_workbook

from channels.admin import audit
from channels.app import create_app
from tests.admin_helpers import PASSWORD, Canned, Served, console_settings, make_users, seed

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield b
        b.close()


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """Seeded November 2026 (tests.admin_helpers.SEED), two operators."""
    app = create_app(
        console_settings(tmp_path_factory.mktemp("console"), admin_max_failures=3),
        Canned(),
        documents=lambda: {},
    )
    with Served(app) as url:
        storage = app.state.nq57.storage
        make_users(storage)
        seed(storage)
        yield url, app


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN")
    p = context.new_page()
    yield p
    context.close()


def sign_in(page, url: str, name: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/admin")
    assert page.url.endswith("/admin/login")
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


NOV = "from=2026-11-01&to=2026-11-30"


# -- access ------------------------------------------------------------------------------------


def test_login_lockout_and_logout(page, console):
    url, app = console
    sign_in(page, url, "editor1", "sai-mat-khau-1")
    assert "không đúng" in page.locator(".error").inner_text()
    sign_in(page, url, "editor1", "sai-mat-khau-2")
    sign_in(page, url, "editor1", "sai-mat-khau-3")
    assert "tạm khóa" in page.locator(".error").inner_text()
    sign_in(page, url, "editor1")  # the right password, too late
    assert "tạm khóa" in page.locator(".error").inner_text()
    assert page.url.endswith("/admin/login")
    sign_in(page, url, "viewer1")
    assert page.locator("#who").inner_text().startswith("viewer1")
    cookie = next(c for c in page.context.cookies() if c["name"] == "nq57_admin")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    # Scripts cannot read the session.
    assert "nq57_admin" not in page.evaluate("document.cookie")
    page.get_by_role("button", name="Đăng xuất").click()
    assert page.url.endswith("/admin/login")
    page.goto(f"{url}/admin")
    assert page.url.endswith("/admin/login")
    # Unlock for the other tests of this module.
    from channels.admin.tables import admin_users

    with app.state.nq57.storage.engine.begin() as conn:
        conn.execute(admin_users.update().values(locked_until=None, failures=0))


def test_roles_and_csrf(page, browser, console):
    url, app = console
    sign_in(page, url, "viewer1")
    page.goto(f"{url}/admin/gaps?{NOV}")
    assert page.locator("#gaps tr").count() > 1
    assert page.locator("#gaps form").count() == 0  # a viewer gets no edit forms
    # Even with the right token a viewer may not change anything.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    status = page.evaluate(
        """t => fetch('/admin/gaps/x', {method: 'POST', headers: {'X-CSRF-Token': t,
        'Content-Type': 'application/x-www-form-urlencoded'}, body: 'example=x'}).then(r => r.status)""",
        token,
    )
    assert status == 403
    page.get_by_role("button", name="Đăng xuất").click()

    sign_in(page, url, "editor1")
    # Without the token, an editor's own browser is refused too.
    status = page.evaluate(
        """() => fetch('/admin/gaps/x', {method: 'POST', headers:
        {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'example=x&note=forged'})
        .then(r => r.status)"""
    )
    assert status == 403
    # A form on another site posting to the console: the strict cookie is not sent along.
    host = urlparse(url).port
    evil = browser.new_context()  # the editor's cookies are in page.context, so copy them over
    evil.add_cookies(page.context.cookies())
    attacker = evil.new_page()
    attacker.goto(f"http://localhost:{host}/healthz")  # another site: localhost ≠ 127.0.0.1
    attacker.set_content(
        f'<form id="f" method="post" action="{url}/admin/gaps/evil">'
        '<input name="example" value="x"><input name="note" value="csrf"></form>'
    )
    with attacker.expect_navigation():
        attacker.evaluate("document.getElementById('f').submit()")
    # SameSite=Strict: the cookie stays home, the console sees no session and asks to log in.
    assert attacker.url.endswith("/admin/login")
    evil.close()
    from channels.admin.gaps import notes

    assert "evil" not in notes(app.state.nq57.storage)
    assert "x" not in notes(app.state.nq57.storage)


# -- dashboard, gaps, reports ------------------------------------------------------------------


def test_dashboard_against_the_seed(page, console):
    url, _ = console
    sign_in(page, url, "viewer1")
    page.goto(f"{url}/admin?{NOV}")
    text = {k: page.locator(f"#{k}").inner_text() for k in
            ("n-questions", "n-conversations", "n-users", "n-answered", "n-not-found",
             "n-declined", "up-share", "p95")}  # fmt: skip
    assert text == {
        "n-questions": "10", "n-conversations": "5", "n-users": "5", "n-answered": "5",
        "n-not-found": "2", "n-declined": "2", "up-share": "60,0%", "p95": "86 ms",
    }  # fmt: skip
    assert page.locator("svg").count() >= 2  # charts drawn by the server
    rows = page.locator("#by-channel tr").all_inner_texts()
    assert rows[1:] == ["telegram\t4\t2\t2", "web\t6\t3\t3"]
    first = page.locator("#top-questions > li").first.inner_text()
    assert first.startswith("3") and "Nghị quyết 57 là gì?" in first
    assert "thiếu số liệu" in page.locator("#comments").inner_text()
    # Filtering by a topic follows its link.
    page.get_by_role("link", name="57-NQ/TW · Mục I", exact=True).click()
    assert page.locator("#n-questions").inner_text() == "3"
    # The channel filter applies as soon as it is chosen (small script, no button press).
    page.goto(f"{url}/admin?{NOV}")
    with page.expect_navigation():
        page.get_by_label("Kênh").select_option("telegram")
    assert page.locator("#n-questions").inner_text() == "4"
    page.screenshot(path=str(ARTIFACTS / "admin-dashboard.png"), full_page=True)


def test_content_gaps_marked_handled(page, console):
    url, app = console
    sign_in(page, url, "editor1")
    page.goto(f"{url}/admin/gaps?{NOV}")
    rows = page.locator("#gaps tr[data-key]")
    assert rows.count() == 4
    first = rows.first
    assert first.locator(".count").inner_text() == "2"
    assert "Thuế thu nhập cá nhân bao nhiêu?" in first.inner_text()
    assert "Chưa có trong kho văn bản" in first.inner_text()
    assert "thiếu số liệu" in first.inner_text()
    kinds = page.locator("#gaps .kind").all_inner_texts()
    assert sorted(kinds) == sorted(
        ["Chưa có trong kho văn bản", "Bị từ chối", "Bị từ chối", "Trả lời chưa tốt (👎)"]
    )
    first.get_by_placeholder("Ghi chú").fill("Đề nghị bổ sung văn bản về thuế")
    first.get_by_label("đã xử lý").check()
    first.get_by_role("button", name="Lưu").click()
    assert page.get_by_role("status").inner_text() == "Đã lưu."
    first = page.locator("#gaps tr[data-key]").first
    assert "Đã xử lý" in first.inner_text() and "bổ sung văn bản về thuế" in first.inner_text()
    entry = audit.recent(app.state.nq57.storage)[0]
    assert entry["action"] == "gap_note" and entry["user_name"] == "editor1"


def test_monthly_report_in_the_console(page, console):
    url, _ = console
    sign_in(page, url, "viewer1")
    page.goto(f"{url}/admin/reports")
    page.get_by_label("Tháng").first.fill("2026-11")
    with page.expect_download() as download:
        page.locator('form[action="/admin/reports/monthly"] button').click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    summary = {r[0]: r[1] for r in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert summary["Câu hỏi"] == 10 and summary["Người dùng"] == 5
    assert summary["Đánh giá 👍"] == 3 and summary["Đánh giá 👎"] == 2
    assert summary["Độ trễ p95 (ms)"] == 86.0
    # An error on a console page is a page, in Vietnamese.
    bad = page.goto(f"{url}/admin/reports/monthly?month=2026-13")
    assert bad.status == 422 and "Tháng không hợp lệ" in page.locator("#error-detail").inner_text()
    page.goto(f"{url}/admin/reports/monthly?month=2026-11&format=html")
    assert page.locator("#period").inner_text() == "01/11/2026 – 30/11/2026"
    table = page.locator("#summary").inner_text()
    assert "Câu hỏi\t10" in table and "Từ chối theo chính sách\t2" in table


def test_docs_work_without_network(browser, console):
    url, _ = console
    context = browser.new_context()
    outside: list[str] = []

    def only_local(route):
        if urlparse(route.request.url).netloc == urlparse(url).netloc:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    p = context.new_page()
    p.goto(f"{url}/docs")
    p.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "nq57" in p.locator(".swagger-ui .info .title").inner_text()
    assert p.locator(".opblock").count() > 5
    assert outside == []
    favicon = p.request.get(f"{url}/favicon.ico")
    assert favicon.ok and b"<svg" in favicon.body()
    context.close()
