"""Publishing a document while the service answers: upload, inspect, publish, re-index, swap."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from channels.admin.publish import PublishError, with_entry
from channels.admin.reindex import reindexer
from channels.server import build_app
from ingest.model import DocumentMeta
from tests.admin_helpers import csrf_of, login, make_users
from tests.conftest import EMBED_CACHE
from tests.live_corpus import QUESTION, live_settings, new_doc

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from bot.assistant import build_assistant
    from ingest.pipeline import ingest

    settings = live_settings(tmp_path_factory.mktemp("live"), EMBED_CACHE.resolve())
    ingest(settings)
    app = build_app(settings, runtime=build_assistant(settings))
    with TestClient(app, base_url="https://testserver") as client:
        make_users(app.state.nq57.storage)
        yield client


def upload(client, body: bytes, name: str = "qd-999-bkhcn-2026.txt"):
    token = csrf_of(client.get("/admin/documents").text)
    return client.post(
        "/admin/documents/upload", data={"csrf": token},
        files={"file": (name, body, "text/plain")},
    )  # fmt: skip


def publish_form(page: str, **changes) -> dict:
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    for name in ("doc_id", "number", "type", "issued", "issuer"):
        m = re.search(rf'name="{name}" value="([^"]*)"', page)
        fields[name] = m.group(1) if m else ""
    fields["title"] = re.search(r'<textarea name="title"[^>]*>(.*?)</textarea>', page, re.S).group(
        1
    )
    return fields | changes


def test_catalog_entry_replaced_in_place_keeping_comments():
    text = "# danh mục\n\n- id: a\n  file: a.txt\n  number: 1/QĐ\n\n- id: b\n  file: b.txt\n"
    entry = DocumentMeta(id="a", file="a.txt", number="2/QĐ", type="Quyết định", title="A")
    out = with_entry(text, entry)
    assert out.startswith("# danh mục\n\n- id: a\n") and "number: 2/QĐ" in out
    assert "1/QĐ" not in out and "- id: b" in out
    new = with_entry(text, DocumentMeta(id="c", file="c.txt", number="3", type="T", title="C"))
    assert new.startswith(text) and new.rstrip().endswith("title: C")


def test_upload_shows_structure_warnings_and_a_prefilled_entry(live):
    login(live, "editor1")
    r = upload(live, new_doc())
    assert r.status_code == 200
    assert "[Điều 2 khoản 1]" in r.text and "Điều 2 khoản 1" in r.text
    form = publish_form(r.text)
    assert form["number"] == "999/QĐ-BKHCN" and form["issued"] == "2026-11-15"
    assert form["doc_id"] == "qd-999-bkhcn-2026"
    bad = upload(live, b"\x00\x01", name="anh.png")
    assert bad.status_code == 422 and "Chỉ nhận tệp" in bad.text
    login(live, "viewer1")
    assert upload(live, new_doc()).status_code == 403


def test_publish_reindexes_and_answers_from_the_new_document(live):
    state = live.app.state.nq57
    before = state.extra["live"].version
    login(live, "editor1")
    old = live.post("/api/chat", json={"message": QUESTION}).json()
    assert not any(c["doc"].startswith("qd-999") for c in old["citations"])
    page = upload(live, new_doc()).text
    bad = publish_form(page, issued="15/11/2026")
    r = live.post("/admin/documents/publish", data=bad)
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text
    r = live.post("/admin/documents/publish", data=publish_form(page), follow_redirects=False)
    assert r.status_code == 303
    job = reindexer(state).wait(300)
    assert job.state == "done", job.message
    after = state.extra["live"].version
    assert after and after != before
    new = live.post("/api/chat", json={"message": QUESTION}).json()
    assert any(c["doc"] == "qd-999-bkhcn-2026.txt" for c in new["citations"]), new
    assert "ba hạng mục" in new["answer"]
    stored = state.storage.get_message(new["message_id"])
    assert stored["corpus_version"] == after
    listing = live.get("/admin/documents").text
    assert after in listing and "999/QĐ-BKHCN" in listing
    # The document list starts with NQ 57, dates as dd/mm/yyyy.
    first = re.search(
        r'<table id="documents">.*?<tr><td><a href="/documents/([^"]+)"', listing, re.S
    )
    assert first.group(1) == "nq-57-2024" and "15/11/2026" in listing
    audit = live.get("/admin/audit").text
    assert "document_publish" in audit and "reindex_done" in audit


def test_reindex_api_needs_the_token(live):
    assert live.post("/api/admin/reindex").status_code == 401
    r = live.post("/api/admin/reindex", headers={"Authorization": "Bearer the-stats-token"})
    assert r.status_code == 202
    assert reindexer(live.app.state.nq57).wait(300).state == "done"


def test_publish_rejects_an_unknown_upload(live, tmp_path):
    from channels.admin.publish import load_upload

    with pytest.raises(PublishError):
        load_upload(live.app.state.nq57.settings, "x" * 20)
