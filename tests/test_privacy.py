"""Personal data and hostile text in the conversation store, on SQLite and PostgreSQL: what is
written, what is counted, what is echoed and logged, how long it is kept."""

from __future__ import annotations

import io
import json
import logging
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from channels.app import create_app
from channels.common import InboundMessage, MemoryHistory, MessageHandler
from channels.ratelimit import MemoryRateLimiter
from channels.redact import redact
from channels.retention import purge_expired
from channels.storage import Storage, conversations, feedback, hash_user_key, messages
from channels.usersalt import SALT_FILE
from nq57.settings import Settings
from tests.services import create_pg_database, drop_pg_database, pg_available, pg_db_url

IN_SCOPE = "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"
PERSONAL = (
    "Tôi là An, số điện thoại 0912 345 678, CCCD 001203004567, email an.nguyen@gmail.com. "
    "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"
)
SECRETS = ("0912 345 678", "001203004567", "an.nguyen@gmail.com")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store' / 'nq57.sqlite3'}"
        return
    if not pg_available():
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432")
    name = create_pg_database()
    yield pg_db_url(name)
    drop_pg_database(name)


@pytest.fixture
def web(db_url, tmp_path, runtime):
    settings = Settings(
        data_dir=tmp_path / "data", database_url=db_url, retention_days=0, _env_file=None
    )
    app = create_app(
        settings, runtime.assistant, searcher=runtime.search, documents=runtime.documents
    )
    with TestClient(app) as client:
        yield client, app.state.nq57.storage


def rows(storage, table) -> list[dict]:
    with storage.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(table))]


def post_raw(client, path: str, raw: bytes):
    return client.post(path, content=raw, headers={"Content-Type": "application/json"})


def test_nul_and_lone_surrogates_are_cleaned_and_saved(web):
    client, storage = web
    # Escapes as a browser or a script would send them.
    chat = post_raw(
        client,
        "/api/chat",
        b'{"message": "Ngh\\u1ecb quy\\u1ebft 57 \\u0000l\\u00e0 g\\u00ec \\ud800?"}',
    )
    assert chat.status_code == 200, chat.text
    stream = post_raw(client, "/api/chat/stream", b'{"message": "xin ch\\u00e0o \\udfff\\u0000"}')
    assert stream.status_code == 200 and "event: done" in stream.text
    fb = post_raw(
        client,
        "/api/feedback",
        json.dumps(
            {
                "message_id": chat.json()["message_id"],
                "rating": "down",
                "comment": "sai\u0000 \\ud800",
            }
        ).encode(),
    )
    assert fb.status_code == 200, fb.text
    storage.flush(10)
    saved = rows(storage, messages)
    questions = sorted(m["content"] for m in saved if m["role"] == "user")
    assert questions == ["Nghị quyết 57 là gì \ufffd?", "xin chào \ufffd"]
    assert all("\x00" not in m["content"] for m in saved)
    (vote,) = rows(storage, feedback)
    assert vote["rating"] == "down" and "\x00" not in vote["comment"]


def test_personal_data_is_redacted_before_storage_and_counted(web):
    client, storage = web
    chat = client.post("/api/chat", json={"message": PERSONAL})
    assert chat.status_code == 200
    fb = client.post(
        "/api/feedback",
        json={"message_id": chat.json()["message_id"], "rating": "up", "comment": "gọi 0987654321"},
    )
    assert fb.status_code == 200
    storage.flush(10)
    saved = rows(storage, messages)
    text = json.dumps(
        [m["content"] for m in saved] + [f["comment"] for f in rows(storage, feedback)]
    )
    for secret in (*SECRETS, "0987654321"):
        assert secret not in text
    (question,) = [m for m in saved if m["role"] == "user"]
    assert "[số điện thoại]" in question["content"] and "[email]" in question["content"]
    assert question["redacted"] == {"email": 1, "phone": 1, "cccd": 1}
    # The count covers every stored text (an answer that quoted the question is redacted too).
    total: dict[str, int] = {}
    for m in saved:
        for kind, n in (m["redacted"] or {}).items():
            total[kind] = total.get(kind, 0) + n
    assert storage.stats()["redacted"] == total and total["phone"] >= 1
    # What is needed to answer is kept.
    assert question["content"].endswith("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?")


def test_redaction_keeps_legal_numbers():
    text = "Nghị quyết 57-NQ/TW, Quyết định 1169/QĐ-TTg, 2% GDP, 1.000.000 đồng, năm 2030"
    assert redact(text) == (text, {})


def test_channel_notices_never_echo_personal_data(runtime):
    settings = Settings(max_message_chars=40, _env_file=None)
    handler = MessageHandler(runtime.assistant, MemoryRateLimiter(1), settings, MemoryHistory())
    msg = InboundMessage("zalo_bot", "u1", "c1", PERSONAL)
    too_long = handler.handle(msg)
    limited = handler.handle(InboundMessage("zalo_bot", "u1", "c1", "0912345678"))
    for answer in (too_long, limited):
        assert answer.meta.get("notice") in ("too_long", "rate_limited")
        for secret in (*SECRETS, "0912345678"):
            assert secret not in answer.text


def test_log_lines_are_redacted(db_url, tmp_path, runtime):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger().addHandler(handler)
    try:
        settings = Settings(data_dir=tmp_path / "data", database_url=db_url, _env_file=None)
        app = create_app(settings, runtime.assistant, searcher=runtime.search)
        with TestClient(app):
            logging.getLogger("nq57.web").warning("user wrote %s", PERSONAL)
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert "user wrote" in out and "[số điện thoại]" in out
    for secret in SECRETS:
        assert secret not in out


def test_user_key_salt_is_made_at_first_start_kept_and_private(tmp_path, runtime):
    data = tmp_path / "data"
    settings = Settings(data_dir=data, user_key_salt="", _env_file=None)
    first = create_app(settings, runtime.assistant).state.nq57.storage
    path = data / SALT_FILE
    salt = path.read_text().strip()
    assert len(salt) == 64 and int(salt, 16)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.salt == salt
    again = create_app(settings, runtime.assistant).state.nq57.storage
    assert again.salt == salt  # stable: follow-ups find their conversation after a restart
    assert hash_user_key("zalo_oa", "u1", salt) != hash_user_key("zalo_oa", "u1", "")
    first.close()
    again.close()


def test_sqlite_files_are_readable_by_their_owner_only(tmp_path, runtime):
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    app = create_app(settings, runtime.assistant, searcher=runtime.search)
    with TestClient(app) as client:
        assert client.post("/api/chat", json={"message": IN_SCOPE}).status_code == 200
        db = tmp_path / "data" / "nq57.sqlite3"
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        for f in files:
            assert f.exists(), f
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, (f, oct(f.stat().st_mode))


def _age(storage: Storage, conversation_id: str, days: int) -> None:
    when = datetime.now(UTC) - timedelta(days=days)
    with storage.engine.begin() as conn:
        conn.execute(
            conversations.update()
            .where(conversations.c.id == conversation_id)
            .values(created_at=when)
        )
        conn.execute(
            messages.update()
            .where(messages.c.conversation_id == conversation_id)
            .values(created_at=when)
        )


def test_purge_command_and_retention(db_url, tmp_path):
    storage = Storage(db_url)
    storage.migrate()
    old = storage.new_conversation("web")
    mid = storage.add_message(old, "user", "cũ")
    storage.add_feedback(storage.add_message(old, "assistant", "trả lời cũ"), "up")
    recent = storage.new_conversation("web")
    storage.add_message(recent, "user", "mới")
    _age(storage, old, 400)
    _age(storage, recent, 40)

    env = {**os.environ, "NQ57_DATABASE_URL": db_url, "NQ57_DATA_DIR": str(tmp_path / "d")}
    done = subprocess.run(
        [sys.executable, "-m", "nq57.cli", "purge", "--before", "2026-01-01", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["conversations"], result["messages"], result["feedback"]) == (1, 2, 1)
    assert storage.get_message(mid) is None and storage.has_conversation(recent)

    bad = subprocess.run(
        [sys.executable, "-m", "nq57.cli", "purge", "--before", "hôm qua"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr

    # The retention setting: conversations idle longer than N days go, the others stay.
    assert purge_expired(storage, 30) == {
        "conversations": 1,
        "messages": 1,
        "feedback": 0,
        "webhook_events": 0,
    }
    assert not storage.has_conversation(recent)
    storage.close()


def test_a_conversation_still_active_is_not_purged(tmp_path):
    storage = Storage(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    storage.migrate()
    cid = storage.new_conversation("zalo_oa", "u1")
    storage.add_message(cid, "user", "hỏi cũ")
    _age(storage, cid, 100)
    storage.add_message(cid, "user", "hỏi hôm nay")  # the citizen came back today
    assert storage.purge(datetime.now(UTC) - timedelta(days=90))["conversations"] == 0
    assert len(storage.history(cid)) == 2
    storage.close()
