"""The embeddable widget in a real Chromium against the real app served by uvicorn."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from bot.answer import Answer, Citation
from channels.app import create_app
from ingest.model import DocumentMeta, Unit
from nq57.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
QUESTION = "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"
XSS = '<img src=x onerror="window.__xss=1">'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium"
    ),
]

SHADOW = "document.getElementById('nq57-widget').shadowRoot"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(app) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def real_documents() -> dict[str, tuple[DocumentMeta, Unit]]:
    """The corpus as the ingest parser sees it, so citations meet the anchors they will meet."""
    from ingest.pipeline import load_corpus

    parsed, failed, _ = load_corpus(Settings(corpus_dir=REPO / "corpus"))
    assert not failed, failed
    return {d.meta.id: (d.meta, d.root) for d in parsed}


class Hostile:
    """Answers with markup and a javascript: link, as a compromised model or corpus might."""

    def _answer(self) -> Answer:
        return Answer(
            text=f"Kết quả: {XSS} xem [1] và [2]",
            intent="answer",
            abstained=False,
            citations=[
                Citation(
                    "a.txt",
                    "a",
                    "1/NQ",
                    "A",
                    "Điều 1",
                    "Trích: " + XSS,
                    "javascript:window.__xss=3",
                ),
                Citation("a.txt", "a", "1/NQ", "A", "Điều 2", "ổn", "/documents/a#dieu-2"),
            ],
        )

    def ask(self, message, history=None):
        return self._answer()

    def stream(self, message, history=None):
        answer = self._answer()
        yield {"type": "delta", "text": answer.text}
        yield {"type": "answer", "answer": answer}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(assistant, tmp_path_factory):
    data = tmp_path_factory.mktemp("widget")
    docs = real_documents()
    app = create_app(
        Settings(data_dir=data), assistant, searcher=lambda q, k: [], documents=lambda: docs
    )
    with serve(app) as url:
        yield url, app


def widget_state(page) -> dict:
    raw = page.evaluate(
        "(() => { const k = Object.keys(localStorage).find(k => k.startsWith('nq57.widget'));"
        " return k ? localStorage.getItem(k) : null; })()"
    )
    return json.loads(raw) if raw else {}


def test_full_conversation_flow(browser, site):
    url, app = site
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="vi-VN")
    page = context.new_page()
    page.goto(url + "/")

    launcher = page.get_by_role("button", name="Mở trợ lý hỏi đáp về Nghị quyết 57")
    launcher.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert page.locator(".nq57-log").get_attribute("aria-live") == "polite"
    assert page.locator(".nq57-chip").count() >= 3
    # Focus moves into the panel so keyboard users can type at once.
    assert page.evaluate(f"{SHADOW}.activeElement.tagName") == "TEXTAREA"
    page.screenshot(path=str(ARTIFACTS / "widget-open.png"), animations="disabled")

    with page.expect_response(lambda r: r.url.endswith("/api/chat/stream")) as streamed:
        page.get_by_label("Nhập câu hỏi của bạn").fill(QUESTION)
        page.keyboard.press("Enter")
    assert streamed.value.headers["content-type"].startswith("text/event-stream")

    answer = page.locator(".nq57-bot:not(.nq57-welcome):not(.nq57-pending) .nq57-text").first
    answer.wait_for()
    assert answer.inner_text().strip()
    cite = page.locator("a.nq57-cite").first
    cite.wait_for()
    assert cite.get_attribute("target") == "_blank"
    href = cite.get_attribute("href")
    assert href.startswith(url + "/documents/")
    assert page.locator(".nq57-user .nq57-bubble").inner_text() == QUESTION
    page.screenshot(path=str(ARTIFACTS / "widget-answer.png"))

    # The citation opens the document viewer in a new tab, on the highlighted clause.
    with context.expect_page() as opened:
        cite.click()
    doc = opened.value
    doc.wait_for_load_state()
    fragment = href.split("#", 1)[1]
    target = doc.locator(".is-target")
    target.wait_for()
    assert fragment.startswith(target.get_attribute("id"))
    assert doc.evaluate("document.querySelector(':target') !== null")
    assert target.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert doc.evaluate("window.scrollY") > 0
    doc.screenshot(path=str(ARTIFACTS / "viewer-citation.png"))
    doc.close()

    # 👍 feedback reaches the database.
    page.get_by_role("button", name="Câu trả lời hữu ích").first.click()
    page.get_by_text("Cảm ơn bạn đã góp ý!").wait_for()
    state = widget_state(page)
    message_id = state["messages"][-1]["messageId"]
    assert app.state.nq57.storage.get_feedback(message_id)["rating"] == "up"
    assert (
        page.get_by_role("button", name="Câu trả lời hữu ích").first.get_attribute("aria-pressed")
        == "true"
    )

    # The conversation survives a reload, with its id, answer, citations and feedback state.
    page.reload()
    page.get_by_role("dialog").wait_for()
    assert page.locator(".nq57-user .nq57-bubble").inner_text() == QUESTION
    assert page.locator("a.nq57-cite").first.get_attribute("href") == href
    assert page.locator(".nq57-fb-up").first.get_attribute("aria-pressed") == "true"
    assert widget_state(page)["conversationId"] == state["conversationId"]

    # A follow-up continues the same conversation on the server.
    page.get_by_label("Nhập câu hỏi của bạn").fill("Còn đến năm 2045 thì sao?")
    page.keyboard.press("Enter")
    page.locator(".nq57-bot:not(.nq57-welcome):not(.nq57-pending)").nth(1).wait_for()
    history = app.state.nq57.storage.history(state["conversationId"])
    assert [t.role for t in history] == ["user", "assistant", "user", "assistant"]

    # Esc closes the panel and gives focus back to the launcher.
    page.get_by_label("Nhập câu hỏi của bạn").focus()
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden")
    assert "nq57-launcher" in page.evaluate(f"{SHADOW}.activeElement.className")
    page.keyboard.press("Enter")
    page.get_by_role("dialog").wait_for()
    context.close()


def test_small_screen(browser, site):
    url, _ = site
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(url + "/")
    page.get_by_role("button", name="Mở trợ lý hỏi đáp về Nghị quyết 57").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    send = page.get_by_role("button", name="Gửi câu hỏi").bounding_box()
    assert send["x"] + send["width"] <= 360 and send["y"] + send["height"] <= 740
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator(".nq57-chip").first.click()
    page.locator("a.nq57-cite").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "widget-360.png"))
    page.get_by_role("button", name="Đóng trợ lý").first.click()
    dialog.wait_for(state="hidden")
    context.close()


def test_server_text_is_never_html(browser, tmp_path):
    app = create_app(
        Settings(data_dir=tmp_path), Hostile(), searcher=lambda q, k: [], documents=dict
    )
    with serve(app) as url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "/")
        page.get_by_role("button", name="Mở trợ lý hỏi đáp về Nghị quyết 57").click()
        page.get_by_label("Nhập câu hỏi của bạn").fill(f"Thử {XSS}")
        page.keyboard.press("Enter")
        answer = page.locator(".nq57-bot:not(.nq57-welcome):not(.nq57-pending) .nq57-text").first
        answer.wait_for()
        assert XSS in answer.inner_text()
        assert f"Thử {XSS}" == page.locator(".nq57-user .nq57-bubble").inner_text()
        assert XSS in page.locator(".nq57-quote").first.inner_text()
        assert page.evaluate(f"{SHADOW}.querySelectorAll('img').length") == 0
        assert page.evaluate(f"{SHADOW}.querySelectorAll('a[href^=\"javascript\"]').length") == 0
        # The safe citation still links; the javascript: one is shown without a link.
        assert page.locator("a.nq57-cite").count() == 1
        page.reload()
        page.get_by_role("dialog").wait_for()
        assert page.evaluate(f"{SHADOW}.querySelectorAll('img').length") == 0
        assert page.evaluate("window.__xss === undefined")
        context.close()


# The widget's own suggested questions, and the clause each answer must cite.
SUGGESTED = {
    "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?": [("57-NQ/TW", "II.1")],
    "Chi cho nghiên cứu phát triển đạt bao nhiêu phần trăm GDP?": [("57-NQ/TW", "II.1, ý 3")],
    "Doanh nghiệp được hỗ trợ gì khi đổi mới công nghệ?": [("57-NQ/TW", "III.6")],
    # The tasks of the resolution, or the Government's programme of tasks carrying it out.
    "Chuyển đổi số quốc gia có những nhiệm vụ chính nào?": [
        ("57-NQ/TW", "III"),
        ("03/NQ-CP", "II"),
    ],
}


def test_suggested_questions_cite_the_right_clause(browser, site):
    url, _ = site
    widget = (REPO / "channels" / "static" / "widget.js").read_text("utf-8")
    assert all(q in widget for q in SUGGESTED), "the test lists the widget's suggestions"
    for question, expected in SUGGESTED.items():
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        page.goto(url + "/")
        page.get_by_role("button", name="Mở trợ lý hỏi đáp về Nghị quyết 57").click()
        page.get_by_role("button", name=question).click()
        first = page.locator("a.nq57-cite").first
        first.wait_for()
        label = first.inner_text()
        assert any(
            number in label and label.split("—", 1)[1].strip().startswith(locator)
            for number, locator in expected
        ), (question, label)
        context.close()


# One question per answer plan, shown on a phone.
PLANS = {
    "card": "Nghị quyết 57 là gì?",
    "outline": "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?",
    "factoid": "Ai chủ trì nhiệm vụ 44 Phụ lục II Nghị quyết 03/NQ-CP?",
    "verbatim": "Trích nguyên văn khoản 2 Điều 3 Thông tư 33/2025/TT-BKHCN",
    "yes-no": "NQ 57 đặt mục tiêu chi R&D 5% GDP đến năm 2030 đúng không?",
}


def test_each_answer_plan_reads_on_a_phone(browser, site):
    url, _ = site
    for name, question in PLANS.items():
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        page.goto(url + "/")
        page.get_by_role("button", name="Mở trợ lý hỏi đáp về Nghị quyết 57").click()
        page.get_by_label("Nhập câu hỏi của bạn").fill(question)
        page.keyboard.press("Enter")
        page.locator("a.nq57-cite").first.wait_for()
        text = page.locator(".nq57-bot:not(.nq57-welcome):not(.nq57-pending) .nq57-text").first
        body = text.inner_text()
        assert "|" not in body, "table rows read as label: value"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # Each clause is listed once among the sources.
        labels = page.locator("a.nq57-cite").all_inner_texts()
        assert len(labels) == len(set(labels)), labels
        page.screenshot(path=str(ARTIFACTS / f"plan-{name}.png"))
        context.close()
