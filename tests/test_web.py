"""Every HTTP endpoint of the web service, through the real app (lifespan, storage, metrics)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from bot.answer import Turn
from channels.app import create_app
from channels.storage import Storage
from channels.viewer import build_view, render_document, unit_title
from ingest.model import DocumentMeta, Unit
from nq57.settings import Settings
from nq57.text import anchor, fold
from retrieval.types import Hit

IN_SCOPE = "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"
OUT_OF_SCOPE = "thời tiết hôm nay thế nào"
CHAT_KEYS = {"answer", "citations", "intent", "abstained", "conversation_id", "message_id"}
CITATION_KEYS = {"doc", "doc_number", "doc_title", "locator", "quote", "url"}


# -- tiny corpus built by hand -----------------------------------------------------------------

NQ57 = DocumentMeta(
    id="nq-57-2024",
    file="nq-57-2024.txt",
    number="57-NQ/TW",
    type="Nghị quyết",
    title="Nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
    issued="2024-12-22",
    issuer="Bộ Chính trị",
)
TT32 = DocumentMeta(
    id="tt-32-2025-bkhcn",
    file="tt-32-2025-bkhcn.txt",
    number="32/2025/TT-BKHCN",
    type="Thông tư",
    title="Thông tư hướng dẫn <quản lý> nhiệm vụ",
    notes="Văn bản mẫu trong kiểm thử",
)


def nq57_tree() -> Unit:
    return Unit(
        kind="document",
        children=[
            Unit(kind="preamble", text="BAN CHẤP HÀNH TRUNG ƯƠNG\nSố 57-NQ/TW", indexable=False),
            Unit(
                kind="outline",
                label="II",
                heading="QUAN ĐIỂM CHỈ ĐẠO VÀ MỤC TIÊU",
                locator="II",
                children=[
                    Unit(
                        kind="outline",
                        label="2",
                        heading="Mục tiêu",
                        locator="II.2",
                        text="Đến năm 2030, tiềm lực, trình độ khoa học, công nghệ và đổi mới "
                        "sáng tạo đạt mức tiên tiến; kinh phí chi cho nghiên cứu phát triển "
                        "đạt 2% GDP.",
                    ),
                ],
            ),
            Unit(kind="signature", text="T/M BỘ CHÍNH TRỊ\nTổng Bí thư", indexable=False),
        ],
    )


def tt32_tree() -> Unit:
    return Unit(
        kind="document",
        children=[
            Unit(
                kind="article",
                label="Điều 3",
                heading="Giải thích từ ngữ",
                locator="Điều 3",
                children=[
                    Unit(
                        kind="clause",
                        label="2",
                        locator="Điều 3 khoản 2",
                        text="Nhiệm vụ <b>khoa học</b> là vấn đề cần giải quyết.",
                        children=[
                            Unit(
                                kind="point",
                                label="b",
                                locator="Điều 3 khoản 2 điểm b",
                                text="b) nhiệm vụ cấp quốc gia;",
                            )
                        ],
                    )
                ],
            )
        ],
    )


DOCUMENTS = {"nq-57-2024": (NQ57, nq57_tree()), "tt-32-2025-bkhcn": (TT32, tt32_tree())}


def chunks() -> list[Hit]:
    out = []
    for meta, root in DOCUMENTS.values():
        for unit in root.walk():
            if unit.text and unit.indexable and unit.locator:
                out.append(
                    Hit(
                        chunk_id=f"{meta.id}:{anchor(unit.locator)}",
                        score=0.0,
                        doc_id=meta.id,
                        doc=meta.file,
                        doc_number=meta.number,
                        doc_title=meta.title,
                        locator=unit.locator,
                        text=unit.text,
                    )
                )
    return out


def tiny_search(q: str, k: int) -> list[Hit]:
    """Word-overlap ranking on diacritic-folded text: enough to exercise the endpoint."""
    query = set(fold(q).lower().split())
    scored = []
    for hit in chunks():
        overlap = len(query & set(fold(hit.text).lower().split()))
        if overlap:
            hit.score = overlap / len(query)
            scored.append(hit)
    scored.sort(key=lambda h: -h.score)
    for rank, hit in enumerate(scored[:k], start=1):
        hit.rank = rank
    return scored[:k]


class Recording:
    """Passes through to the session assistant and remembers the history it was given."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.histories: list[list[Turn]] = []

    def ask(self, message, history=None):
        self.histories.append(list(history or []))
        return self.inner.ask(message, history)

    def stream(self, message, history=None):
        self.histories.append(list(history or []))
        return self.inner.stream(message, history)


class Broken:
    """An assistant whose engine fails mid-answer."""

    def ask(self, message, history=None):
        raise RuntimeError("index file is corrupt at /secret/path")

    def stream(self, message, history=None):
        yield {"type": "delta", "text": "Theo "}
        raise RuntimeError("index file is corrupt at /secret/path")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path / "corpus")


@pytest.fixture
def recording(assistant) -> Recording:
    return Recording(assistant)


@pytest.fixture
def client(settings, recording) -> Iterator[TestClient]:
    app = create_app(settings, recording, searcher=tiny_search, documents=lambda: DOCUMENTS)
    # From loopback, as a local Prometheus scrapes /metrics.
    with TestClient(app, client=LOOPBACK) as c:
        yield c


@pytest.fixture
def storage(client) -> Storage:
    return client.app.state.nq57.storage


def parse_sse(body: str) -> list[tuple[str, dict]]:
    events = []
    for block in re.split(r"\r?\n\r?\n", body.strip()):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        events.append((name, json.loads("\n".join(data))))
    return events


LOOPBACK = ("127.0.0.1", 50000)


def metric(client: TestClient, name: str, **labels: str) -> float:
    text = client.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


# -- chat --------------------------------------------------------------------------------------


def test_chat_answers_in_scope_question_with_citations(client, storage):
    r = client.post("/api/chat", json={"message": IN_SCOPE})
    assert r.status_code == 200
    body = r.json()
    assert body.keys() >= CHAT_KEYS
    assert body["intent"] == "answer"
    assert body["abstained"] is False
    assert body["answer"].strip()
    assert len(body["citations"]) >= 1
    for c in body["citations"]:
        assert c.keys() >= CITATION_KEYS
        assert c["url"].startswith("/documents/")
    stored = storage.get_message(body["message_id"])
    assert stored["conversation_id"] == body["conversation_id"]
    assert stored["content"] == body["answer"]
    assert stored["intent"] == "answer"
    assert len(stored["citations"]) == len(body["citations"])


def test_chat_abstains_out_of_scope(client):
    body = client.post("/api/chat", json={"message": OUT_OF_SCOPE}).json()
    assert body["abstained"] is True
    assert body["intent"] != "answer"


def test_conversation_turns_are_loaded_from_storage(client, recording, storage):
    first = client.post("/api/chat", json={"message": IN_SCOPE}).json()
    cid = first["conversation_id"]
    second = client.post(
        "/api/chat", json={"message": "Còn năm 2045 thì sao?", "conversation_id": cid}
    )
    assert second.status_code == 200
    assert second.json()["conversation_id"] == cid
    seen = recording.histories[-1]
    assert [(t.role, t.content) for t in seen] == [
        ("user", IN_SCOPE),
        ("assistant", first["answer"]),
    ]
    assert len(storage.history(cid)) == 4


def test_stateless_history_is_passed_to_the_assistant(client, recording):
    history = [
        {"role": "user", "content": IN_SCOPE},
        {"role": "assistant", "content": "Đến năm 2030 đạt mức tiên tiến."},
    ]
    r = client.post("/api/chat", json={"message": "Còn năm 2045?", "history": history})
    assert r.status_code == 200
    assert [t.content for t in recording.histories[-1]] == [h["content"] for h in history]


def test_unknown_client_conversation_id_is_started_and_kept(client, storage):
    r = client.post("/api/chat", json={"message": IN_SCOPE, "conversation_id": "eval-q007"})
    assert r.json()["conversation_id"] == "eval-q007"
    assert storage.has_conversation("eval-q007")
    bad = client.post("/api/chat", json={"message": IN_SCOPE, "conversation_id": "<script>"})
    assert bad.status_code == 422
    assert "không hợp lệ" in bad.json()["detail"]


@pytest.mark.parametrize("payload", [{"message": ""}, {"message": "   \n "}, {}])
def test_empty_message_is_422_in_vietnamese(client, payload):
    r = client.post("/api/chat", json=payload)
    assert r.status_code == 422
    assert r.json()["detail"] == "Vui lòng nhập câu hỏi."


def test_oversized_message_is_413(client, settings):
    r = client.post("/api/chat", json={"message": "a" * (settings.max_message_chars + 1)})
    assert r.status_code == 413
    assert "quá dài" in r.json()["detail"]
    assert str(settings.max_message_chars) in r.json()["detail"]
    stream = client.post(
        "/api/chat/stream", json={"message": "b" * (settings.max_message_chars + 1)}
    )
    assert stream.status_code == 413
    huge = client.post(
        "/api/chat",
        content=b'{"message": "' + b"x" * 300_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.json()["detail"]


def test_malformed_json_is_422(client):
    r = client.post("/api/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"] == "Dữ liệu gửi lên không hợp lệ."


# -- streaming -------------------------------------------------------------------------------


def test_stream_sends_meta_deltas_citations_done(client, storage):
    r = client.post("/api/chat/stream", json={"message": IN_SCOPE})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    names = [n for n, _ in events]
    assert names[0] == "meta"
    assert names[-2:] == ["citations", "done"]
    assert "delta" in names and set(names) == {"meta", "delta", "citations", "done"}
    meta, done = events[0][1], events[-1][1]
    assert done.keys() >= CHAT_KEYS
    assert done["message_id"] == meta["message_id"]
    assert done["conversation_id"] == meta["conversation_id"]
    assert done["intent"] == "answer" and not done["abstained"]
    assert events[-2][1]["citations"] == done["citations"]
    streamed = "".join(d["text"] for n, d in events if n == "delta")
    assert " ".join(streamed.split()) == " ".join(done["answer"].split())
    assert storage.get_message(done["message_id"])["content"] == done["answer"]


def test_stream_error_is_polite_and_keeps_the_question(settings):
    app = create_app(settings, Broken(), searcher=tiny_search, documents=lambda: DOCUMENTS)
    with TestClient(app, client=LOOPBACK) as c:
        r = c.post("/api/chat/stream", json={"message": "Mục tiêu là gì?"})
        assert r.status_code == 200
        events = parse_sse(r.text)
        assert [n for n, _ in events] == ["meta", "delta", "error"]
        assert "Xin lỗi" in events[-1][1]["message"]
        assert "secret" not in r.text and "Traceback" not in r.text
        cid = events[0][1]["conversation_id"]
        assert [t.content for t in app.state.nq57.storage.history(cid)] == ["Mục tiêu là gì?"]

        plain = c.post("/api/chat", json={"message": "Mục tiêu là gì?"})
        assert plain.status_code == 500
        assert "Xin lỗi" in plain.json()["detail"]
        assert "secret" not in plain.text
        assert metric(c, "nq57_errors_total", where="chat_stream") == 1


# -- feedback ----------------------------------------------------------------------------------


def test_feedback_is_stored(client, storage):
    mid = client.post("/api/chat", json={"message": IN_SCOPE}).json()["message_id"]
    r = client.post("/api/feedback", json={"message_id": mid, "rating": "up"})
    assert r.status_code == 200
    assert storage.get_feedback(mid)["rating"] == "up"
    r = client.post(
        "/api/feedback", json={"message_id": mid, "rating": "down", "comment": "Thiếu ý"}
    )
    assert r.status_code == 200
    assert storage.get_feedback(mid)["comment"] == "Thiếu ý"


def test_feedback_unknown_message_is_404(client):
    r = client.post(
        "/api/feedback", json={"message_id": "00000000-0000-0000-0000-000000000000", "rating": "up"}
    )
    assert r.status_code == 404
    assert "Không tìm thấy" in r.json()["detail"]


def test_feedback_bad_rating_is_422(client):
    r = client.post("/api/feedback", json={"message_id": "x", "rating": "meh"})
    assert r.status_code == 422


# -- search ------------------------------------------------------------------------------------


def test_search_returns_ranked_hits(client):
    r = client.get("/api/search", params={"q": "nghien cuu phat trien GDP", "k": 3})
    assert r.status_code == 200
    hits = r.json()
    assert 1 <= len(hits) <= 3
    assert set(hits[0]) == {"rank", "score", "doc", "doc_number", "locator", "text", "chunk_id"}
    assert [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    assert hits[0]["doc"] == "nq-57-2024.txt" and hits[0]["locator"] == "II.2"


@pytest.mark.parametrize("params", [{"q": ""}, {"q": "x", "k": 0}, {"q": "x", "k": 500}, {}])
def test_search_rejects_bad_parameters(client, params):
    assert client.get("/api/search", params=params).status_code == 422


def test_search_not_configured_is_503(settings, assistant):
    with TestClient(create_app(settings, assistant, documents=lambda: DOCUMENTS)) as c:
        r = c.get("/api/search", params={"q": "mục tiêu"})
        assert r.status_code == 503
        assert "khởi động" in r.json()["detail"]


def test_unexpected_failure_is_polite_json(settings, assistant):
    def exploding(q, k):
        raise ZeroDivisionError("internal detail")

    app = create_app(settings, assistant, searcher=exploding, documents=lambda: DOCUMENTS)
    with TestClient(app, raise_server_exceptions=False, client=LOOPBACK) as c:
        r = c.get("/api/search", params={"q": "mục tiêu"})
        assert r.status_code == 500
        assert r.json() == {
            "detail": "Xin lỗi, hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút."
        }


# -- health, readiness, metrics ----------------------------------------------------------------


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"


def test_readyz_degraded_when_storage_is_down_but_chat_still_answers(tmp_path, assistant):
    port = closed_port()
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{port}/test",
    )
    app = create_app(settings, assistant, searcher=tiny_search, documents=lambda: DOCUMENTS)
    with TestClient(app, client=LOOPBACK) as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/readyz")
        # Readiness is about answering, which goes on; the lost log is reported, not fatal.
        assert r.status_code == 200 and r.json()["status"] == "degraded"
        assert r.json()["components"]["storage"]["state"] == "down"
        assert any("conversation store" in reason for reason in r.json()["reasons"])
        # No host, port or password in a public response.
        assert "127.0.0.1" not in r.text and str(port) not in r.text and "hunter2" not in r.text
        # A citizen still gets an answer while the log database is away.
        chat = c.post("/api/chat", json={"message": IN_SCOPE})
        assert chat.status_code == 200 and chat.json()["citations"]
        fb = c.post("/api/feedback", json={"message_id": chat.json()["message_id"], "rating": "up"})
        assert fb.status_code == 503


def test_metrics_counters_move(client):
    before_req = metric(client, "nq57_http_requests_total", route="/api/chat", status="200")
    before_ans = metric(client, "nq57_answers_total", intent="answer")
    before_abs = metric(client, "nq57_abstentions_total")
    mid = client.post("/api/chat", json={"message": IN_SCOPE}).json()["message_id"]
    client.post("/api/chat", json={"message": OUT_OF_SCOPE})
    client.post("/api/feedback", json={"message_id": mid, "rating": "up"})
    client.get("/documents/nq-57-2024")
    assert (
        metric(client, "nq57_http_requests_total", route="/api/chat", status="200")
        == before_req + 2
    )
    assert metric(client, "nq57_answers_total", intent="answer") == before_ans + 1
    assert metric(client, "nq57_abstentions_total") == before_abs + 1
    assert metric(client, "nq57_feedback_total", rating="up") == 1
    # Path parameters are folded into the route template (bounded label cardinality).
    assert (
        metric(client, "nq57_http_requests_total", route="/documents/{doc_id}", status="200") == 1
    )
    assert metric(client, "nq57_http_request_duration_seconds_count", route="/api/chat") >= 2
    assert client.get("/metrics").headers["content-type"].startswith("text/plain")


def test_each_app_has_its_own_registry(settings, assistant):
    a = create_app(settings, assistant, searcher=tiny_search, documents=lambda: DOCUMENTS)
    b = create_app(settings, assistant, searcher=tiny_search, documents=lambda: DOCUMENTS)
    with TestClient(a, client=LOOPBACK) as ca, TestClient(b, client=LOOPBACK) as cb:
        ca.get("/healthz")
        ca.get("/healthz")
        assert metric(ca, "nq57_http_requests_total", route="/healthz") == 2
        assert metric(cb, "nq57_http_requests_total", route="/healthz") == 0


# -- document viewer ---------------------------------------------------------------------------


def test_viewer_renders_anchor_per_locator(client):
    r = client.get("/documents/nq-57-2024")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    for locator in ("II", "II.2"):
        assert f'id="{anchor(locator)}"' in html
    assert "2% GDP" in html
    assert "QUAN ĐIỂM CHỈ ĐẠO VÀ MỤC TIÊU" in html
    assert re.search(r'class="unit kind-preamble muted"', html)
    assert re.search(r'class="unit kind-signature muted"', html)
    assert ":target" in html and "is-target" in html


def test_viewer_escapes_text_and_nests_clauses(client):
    html = client.get("/documents/tt-32-2025-bkhcn").text
    assert "<b>khoa học</b>" not in html
    assert "&lt;b&gt;khoa học&lt;/b&gt;" in html
    assert "&lt;quản lý&gt;" in html
    for locator in ("Điều 3", "Điều 3 khoản 2", "Điều 3 khoản 2 điểm b"):
        assert f'id="{anchor(locator)}"' in html
    assert html.index('id="dieu-3-khoan-2"') < html.index('id="dieu-3-khoan-2-diem-b"')
    assert "Văn bản mẫu trong kiểm thử" in html


def test_viewer_accepts_file_name_and_lists_documents(client):
    assert client.get("/documents/nq-57-2024.txt").status_code == 200
    listing = client.get("/documents").text
    assert "/documents/nq-57-2024" in listing and "/documents/tt-32-2025-bkhcn" in listing


def test_viewer_unknown_document_is_404_in_vietnamese(client):
    r = client.get("/documents/khong-co")
    assert r.status_code == 404
    assert "Không tìm thấy văn bản" in r.text
    assert "/documents/nq-57-2024" in r.text


def test_viewer_titles_and_duplicate_anchors():
    assert (
        unit_title(Unit(kind="chapter", label="II", heading="QUY ĐỊNH CHUNG"))
        == "Chương II. QUY ĐỊNH CHUNG"
    )
    assert (
        unit_title(Unit(kind="article", label="Điều 3", heading="Điều 3. Giải thích"))
        == "Điều 3. Giải thích"
    )
    root = Unit(
        kind="document", children=[Unit(kind="row", locator="A"), Unit(kind="row", locator="A")]
    )
    view = build_view(root)
    assert [c.anchor for c in view.children] == ["a", None]


def test_citation_urls_point_at_the_viewer(client):
    """A citation URL names the document page and the anchor the viewer gives its locator."""
    for c in client.post("/api/chat", json={"message": IN_SCOPE}).json()["citations"]:
        assert c["url"].split("#")[0] in (
            f"/documents/{c['doc'].removesuffix('.txt')}",
            f"/documents/{c['doc']}",
        )
        assert c["url"].split("#")[1] == anchor(c["locator"])


# -- pages, widget assets, API docs ------------------------------------------------------------


def test_demo_page_and_widget_assets(client):
    page = client.get("/")
    assert page.status_code == 200 and 'src="/widget.js"' in page.text
    js = client.get("/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "/api/chat/stream" in js.text
    css = client.get("/widget.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_openapi_docs(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/chat", "/api/chat/stream", "/api/feedback", "/api/search"} <= spec["paths"].keys()
    assert client.get("/docs").status_code == 200


def test_unknown_route_and_cors(client):
    r = client.get("/khong-ton-tai")
    assert r.status_code == 404 and r.json()["detail"] == "Không tìm thấy địa chỉ yêu cầu."
    pre = client.options(
        "/api/chat",
        headers={
            "Origin": "https://cong-thong-tin.example.vn",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] in ("*", "https://cong-thong-tin.example.vn")


def test_extra_routers_are_mounted(settings, assistant):
    from fastapi import APIRouter

    extra = APIRouter()

    @extra.post("/webhooks/test")
    def hook() -> dict:
        return {"ok": True}

    app = create_app(
        settings,
        assistant,
        searcher=tiny_search,
        documents=lambda: DOCUMENTS,
        extra_routers=[extra],
    )
    with TestClient(app, client=LOOPBACK) as c:
        assert c.post("/webhooks/test").json() == {"ok": True}


def test_viewer_renders_the_real_corpus_without_losing_text():
    """Every unit of every parsed corpus document gets its anchor and every line is shown."""
    from html import unescape
    from pathlib import Path

    from ingest.pipeline import load_corpus

    parsed, failed, _ = load_corpus(Settings(corpus_dir=Path(__file__).parents[1] / "corpus"))
    assert not failed and len(parsed) >= 10
    for doc in parsed:
        html = render_document(doc.meta, doc.root)
        ids = re.findall(r' id="([^"]+)"', html)
        assert len(ids) == len(set(ids)), doc.meta.id
        assert {anchor(u.locator) for u in doc.root.walk() if u.locator} <= set(ids)
        # Compared as slugs: a title line "I- MỤC TIÊU" may be shown as the heading "I. MỤC TIÊU".
        shown = anchor(unescape(re.sub(r"<[^>]+>", " ", html)))
        for unit in doc.root.walk():
            for line in unit.text.splitlines():
                tail = anchor(line.split(" | ")[-1][-30:])
                assert tail == "top" or tail in shown, (doc.meta.id, unit.locator, line)


def test_chat_and_feedback_on_postgresql(tmp_path, assistant):
    import uuid

    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", 5432)) != 0:
            pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432")
    store = Storage(
        "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        schema=f"nq57_web_{uuid.uuid4().hex[:12]}",
    )
    try:
        app = create_app(
            Settings(data_dir=tmp_path),
            assistant,
            searcher=tiny_search,
            documents=lambda: DOCUMENTS,
            storage=store,
        )
        with TestClient(app, client=LOOPBACK) as c:
            assert c.get("/readyz").status_code == 200
            first = c.post("/api/chat", json={"message": IN_SCOPE}).json()
            c.post(
                "/api/chat",
                json={"message": OUT_OF_SCOPE, "conversation_id": first["conversation_id"]},
            )
            assert (
                c.post(
                    "/api/feedback", json={"message_id": first["message_id"], "rating": "up"}
                ).status_code
                == 200
            )
        stats = store.stats()
        assert stats["answers"] == 2 and stats["abstained"] == 1
        assert stats["feedback"] == {"up": 1, "down": 0}
        assert len(store.history(first["conversation_id"])) == 4
    finally:
        store.drop_schema()
