"""Conversation store on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.answer import Answer, Citation
from channels.storage import Storage, StorageError, UnknownMessage, hash_user_key, new_id

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = Storage(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'nq57.sqlite3'}", salt="s1")
        s.migrate()
        yield s
        s.close()
        return
    if not _pg_available():
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432")
    # One schema per test so parallel runs on the same database never see each other.
    s = Storage(PG_URL, schema=f"nq57_test_{uuid.uuid4().hex[:12]}", salt="s1")
    s.migrate()
    yield s
    s.drop_schema()
    s.close()


def answer(intent="answer", abstained=False, n_citations=1, text="Trả lời [1]") -> Answer:
    cites = [
        Citation(
            doc="nq-57-2024.txt",
            doc_id="nq-57-2024",
            doc_number="57-NQ/TW",
            doc_title="Nghị quyết 57",
            locator=f"II.{i + 1}",
            quote="Đến năm 2030, tiềm lực khoa học đạt mức tiên tiến",
            url=f"/documents/nq-57-2024#ii-{i + 1}",
        )
        for i in range(n_citations)
    ]
    return Answer(text=text, intent=intent, abstained=abstained, citations=cites, latency_ms=12.5)


def test_migrate_is_idempotent_and_versioned(store):
    store.migrate()  # second run must be a no-op
    store.ping()
    inspector = sa.inspect(store.engine)
    tables = set(inspector.get_table_names(schema=store.schema))
    assert {
        "conversations",
        "messages",
        "feedback",
        "nq57_schema_version",
        "admin_users",
        "audit_log",
    } <= tables
    with store.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version_num FROM nq57_schema_version")).all()
    assert [v[0] for v in versions] == ["0003"]


def test_sqlite_file_and_parent_dirs_are_created(tmp_path):
    path = tmp_path / "a" / "b" / "c.sqlite3"
    s = Storage(f"sqlite:///{path}")
    s.migrate()
    assert path.exists()
    s.close()


def test_history_is_ordered_and_limited(store):
    cid = store.new_conversation("web")
    for i in range(6):
        store.add_message(cid, "user", f"câu hỏi {i}")
        store.add_message(cid, "assistant", f"trả lời {i}", intent="answer", abstained=False)
    turns = store.history(cid, limit=10)
    assert len(turns) == 10
    assert [t.content for t in turns[:2]] == ["câu hỏi 1", "trả lời 1"]
    assert (turns[-1].role, turns[-1].content) == ("assistant", "trả lời 5")
    assert store.history("no-such-conversation") == []
    assert store.has_conversation(cid)
    assert not store.has_conversation("no-such-conversation")


def test_user_key_is_hashed_never_stored_in_clear(store):
    phone = "84901234567"
    cid = store.new_conversation("zalo_oa", phone)
    with store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT * FROM conversations WHERE id = :i"), {"i": cid}).one()
    assert phone not in " ".join(str(v) for v in row)
    assert row.user_key == hash_user_key("zalo_oa", phone, "s1")
    assert hash_user_key("zalo_oa", phone, "other-salt") != row.user_key
    # The same user finds the same thread again; another channel is another thread.
    assert store.conversation_for("zalo_oa", phone) == cid
    assert store.conversation_for("telegram", phone) != cid


def test_client_chosen_conversation_id(store):
    assert store.new_conversation("web", conversation_id="eval-q001") == "eval-q001"
    assert store.has_conversation("eval-q001")
    with pytest.raises(ValueError):
        store.new_conversation("web", conversation_id="bad id with spaces")


def test_ids_are_time_ordered_uuids():
    first = new_id()
    time.sleep(0.002)
    later = [new_id() for _ in range(50)]
    assert all(uuid.UUID(i).version == 7 for i in [first, *later])
    assert all(first < i for i in later)  # later ids sort after: appended to the index
    assert len(set(later)) == 50


def test_first_exchange_starts_the_conversation_in_one_transaction(store):
    assert not store.has_conversation("w-1")
    store.add_exchange("w-1", "Mục tiêu năm 2030?", answer(), start="web")
    assert store.has_conversation("w-1")
    # Starting again is a no-op: the second turn joins the same conversation.
    store.add_exchange("w-1", "Còn năm 2045?", answer(), start="web")
    store.add_message("w-2", "user", "câu hỏi lỗi", start="web")
    assert [t.content for t in store.history("w-1")][::2] == ["Mục tiêu năm 2030?", "Còn năm 2045?"]
    assert [t.content for t in store.history("w-2")] == ["câu hỏi lỗi"]
    with pytest.raises(ValueError):
        store.add_exchange("bad id", "x", answer(), start="web")
    assert store.stats()["by_channel"] == {"web": 2}


def test_exchange_keeps_answer_metadata(store):
    cid = store.new_conversation("web")
    mid = store.add_exchange(cid, "Mục tiêu năm 2030?", answer(n_citations=2), message_id=None)
    msg = store.get_message(mid)
    assert msg["role"] == "assistant"
    assert msg["intent"] == "answer"
    assert msg["abstained"] is False
    assert msg["latency_ms"] == pytest.approx(12.5)
    assert [c["locator"] for c in msg["citations"]] == ["II.1", "II.2"]
    assert msg["created_at"].tzinfo is not None
    assert [t.role for t in store.history(cid)] == ["user", "assistant"]
    assert store.get_message("missing") is None


def test_feedback_replaces_and_rejects_unknown(store):
    cid = store.new_conversation("web")
    mid = store.add_exchange(cid, "q", answer())
    store.add_feedback(mid, "up")
    store.add_feedback(mid, "down", "Thiếu thông tin về thuế")
    fb = store.get_feedback(mid)
    assert (fb["rating"], fb["comment"]) == ("down", "Thiếu thông tin về thuế")
    with pytest.raises(UnknownMessage):
        store.add_feedback(str(uuid.uuid4()), "up")
    with pytest.raises(ValueError):
        store.add_feedback(mid, "meh")


def test_stats_for_operators(store):
    cid = store.new_conversation("web")
    m1 = store.add_exchange(cid, "q1", answer())
    store.add_exchange(cid, "q2", answer())
    store.add_exchange(cid, "thời tiết?", answer("out_of_scope", True, 0))
    m4 = store.add_exchange(
        store.new_conversation("telegram", "42"), "chào", answer("smalltalk", True, 0)
    )
    store.add_feedback(m1, "up")
    store.add_feedback(m4, "down")
    stats = store.stats()
    assert stats["conversations"] == 2
    assert stats["by_channel"] == {"web": 1, "telegram": 1}
    assert stats["answers"] == 4
    assert stats["by_intent"] == {"answer": 2, "out_of_scope": 1, "smalltalk": 1}
    assert stats["abstained"] == 2
    assert stats["abstention_rate"] == pytest.approx(0.5)
    assert stats["feedback"] == {"up": 1, "down": 1}
    future = store.stats(since=datetime.now(UTC) + timedelta(hours=1))
    assert future["answers"] == 0 and future["abstention_rate"] == 0.0


def test_concurrent_writers(store):
    cids = [store.new_conversation("web") for _ in range(6)]
    errors: list[BaseException] = []

    def worker(cid: str) -> None:
        try:
            for i in range(8):
                store.add_exchange(cid, f"q{i}", answer())
                store.history(cid)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(c,)) for c in cids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.stats()["answers"] == 48
    assert all(len(store.history(c, limit=100)) == 16 for c in cids)


def test_schemas_isolate_parallel_runs():
    if not _pg_available():
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432")
    a = Storage(PG_URL, schema=f"nq57_test_{uuid.uuid4().hex[:12]}")
    b = Storage(PG_URL, schema=f"nq57_test_{uuid.uuid4().hex[:12]}")
    try:
        a.migrate()
        b.migrate()
        cid = a.new_conversation("web")
        assert a.has_conversation(cid)
        assert not b.has_conversation(cid)
    finally:
        a.drop_schema()
        b.drop_schema()


def test_unreachable_database_raises_storage_error():
    s = Storage(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test")
    with pytest.raises(StorageError, match="unreachable"):
        s.ping()
    with pytest.raises(StorageError, match="migration failed"):
        s.migrate()
    with pytest.raises(StorageError):
        s.new_conversation("web")
    assert not s.migrated


def test_bad_schema_name_is_refused():
    with pytest.raises(ValueError):
        Storage(PG_URL, schema='x"; DROP TABLE messages; --')
    with pytest.raises(ValueError):
        Storage("sqlite:///:memory:", schema="abc")
