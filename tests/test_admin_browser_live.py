"""Publishing in a real Chromium while the service answers a steady load: upload → inspect →
publish → answer from the new document; a curated answer given, then flagged when a new
version of its clause is published. No request of the load may fail during the swaps."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from channels.admin import curated
from tests.admin_helpers import PASSWORD, Served, make_users
from tests.conftest import EMBED_CACHE
from tests.live_corpus import QUESTION, live_settings, new_doc
from tests.test_admin_browser import ARTIFACTS, CHROMIUM, browser, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed"),
]
LOAD = [
    "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?",
    "nghi quyet 57 chi cho khoa hoc bao nhieu",
    "Ai ký Quyết định 1169?",
    "Thông tư 33/2025 quy định gì?",
    QUESTION,
]
PARAPHRASE = "Cho tôi hỏi Giải thưởng Hoa Sen Đổi Mới có mấy hạng mục?"


class Load:
    """Clients asking in a loop; every status and every transport error is kept."""

    def __init__(self, url: str, clients: int = 4) -> None:
        self.url, self.clients = url, clients
        self.stop = threading.Event()
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(clients)]

    def _run(self, i: int) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            n = i
            while not self.stop.is_set():
                try:
                    r = client.post("/api/chat", json={"message": LOAD[n % len(LOAD)]})
                    self.statuses.append(r.status_code)
                except httpx.HTTPError as exc:
                    self.errors.append(repr(exc))
                n += 1

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from bot.assistant import build_assistant
    from channels.server import build_app
    from ingest.pipeline import ingest

    settings = live_settings(
        tmp_path_factory.mktemp("live-browser"), EMBED_CACHE.resolve(),
        rate_limit_per_minute=1_000_000,
        rate_limit_per_address_per_minute=1_000_000,
    )  # fmt: skip
    ingest(settings)
    app = build_app(settings, runtime=build_assistant(settings))
    with Served(app) as url:
        make_users(app.state.nq57.storage)
        yield url, app, settings


def ask(url: str, message: str) -> dict:
    r = httpx.post(f"{url}/api/chat", json={"message": message}, timeout=30)
    assert r.status_code == 200
    return r.json()


def publish_in_browser(page, url: str, path: Path, expect_replace: bool = False) -> None:
    page.goto(f"{url}/admin/documents")
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_role("button", name="Tải lên và xem cấu trúc").click()
    assert "[Điều 2 khoản 1]" in page.locator("#tree").inner_text()
    assert page.get_by_label("Số hiệu").input_value() == "999/QĐ-BKHCN"
    assert page.get_by_label("Ngày ban hành (YYYY-MM-DD)").input_value() == "2026-11-15"
    warnings = page.locator("#warnings").inner_text() if page.locator("#warnings").count() else ""
    assert ("Đã có văn bản mã" in warnings) == expect_replace
    page.get_by_label("Cơ quan ban hành").fill("Bộ Khoa học và Công nghệ")
    page.get_by_role("button", name="Xuất bản và nạp lại chỉ mục").click()
    assert "/admin/documents?published=qd-999-bkhcn-2026" in page.url
    # The page's script polls the job until the new version answers.
    page.wait_for_selector('#reindex-status[data-state="done"]', timeout=300_000)


def test_publish_while_answering_then_curated_answer_flagged(browser, service, tmp_path):  # noqa: F811
    url, app, _ = service
    state = app.state.nq57
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    sign_in(page, url, "editor1", PASSWORD)
    doc = tmp_path / "qd-999-bkhcn-2026.txt"
    doc.write_bytes(new_doc())
    first_version = state.extra["live"].version
    assert not any(c["doc"].startswith("qd-999") for c in ask(url, QUESTION)["citations"])

    with Load(url) as load:
        time.sleep(1)
        started = time.perf_counter()
        publish_in_browser(page, url, doc)
        answer = ask(url, QUESTION)
        upload_to_answer = time.perf_counter() - started
        assert any(c["doc"] == "qd-999-bkhcn-2026.txt" for c in answer["citations"]), answer
        assert "ba hạng mục" in answer["answer"]
        second_version = state.extra["live"].version
        assert second_version != first_version

        # A curated answer citing the new clause.
        page.goto(f"{url}/admin/curated")
        page.get_by_label("Câu hỏi").fill(QUESTION)
        page.get_by_label("Câu trả lời").fill("Giải thưởng Hoa Sen Đổi Mới có ba hạng mục.")
        page.get_by_label("Trích dẫn").fill("qd-999-bkhcn-2026 | Điều 2 khoản 1")
        page.get_by_role("button", name="Lưu").click()
        assert page.locator("#curated tr[data-id] .status").inner_text() == "Đang dùng"
        assert page.locator("#corpus-version").inner_text() == second_version
        given = ask(url, PARAPHRASE)
        assert curated.REVIEWED_LABEL in given["answer"], given
        assert [c["locator"] for c in given["citations"]] == ["Điều 2 khoản 1"]
        stored = state.storage.get_message(given["message_id"])
        assert stored["curated_id"] and stored["corpus_version"] == second_version

        # A new version of the document changes that clause: the answer is flagged.
        doc.write_bytes(new_doc(n="bốn"))
        publish_in_browser(page, url, doc, expect_replace=True)
        page.goto(f"{url}/admin/curated")
        status = page.locator("#curated tr[data-id] .status").inner_text()
        assert "Cần rà soát" in status and "Điều 2 khoản 1" in status
        after = ask(url, PARAPHRASE)
        assert curated.REVIEWED_LABEL not in after["answer"]
        assert "bốn hạng mục" in ask(url, QUESTION)["answer"]
        time.sleep(1)

    assert load.errors == [], load.errors[:3]
    assert load.statuses and set(load.statuses) == {200}, sorted(set(load.statuses))
    page.screenshot(path=str(ARTIFACTS / "admin-curated-flagged.png"), full_page=True)
    (ARTIFACTS / "admin-live-publish.json").write_text(
        json.dumps({"upload_to_answer_s": round(upload_to_answer, 2),
                    "requests_during_swaps": len(load.statuses), "errors": len(load.errors)}),
        "utf-8",
    )  # fmt: skip
    context.close()
