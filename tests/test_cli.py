"""The `nq57` command line against the session index (contract in ARCHITECTURE.md)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from nq57.cli import app
from nq57.settings import get_settings


@pytest.fixture
def cli(index_settings, monkeypatch, tmp_path):
    # The session's shard is open in this process and the embedded engine is single-process:
    # the CLI gets its own copy of the index.
    data = tmp_path / "data"
    shutil.copytree(index_settings.data_dir, data, symlinks=True)
    monkeypatch.setenv("NQ57_DATA_DIR", str(data))
    monkeypatch.setenv("NQ57_CORPUS_DIR", str(index_settings.corpus_dir))
    monkeypatch.setenv("NQ57_EMBED_CACHE_DIR", str(index_settings.cache_dir))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_ingest_json_contract(cli):
    result = cli.invoke(app, ["ingest", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"documents", "chunks", "added", "updated", "removed", "seconds"} <= set(data)
    assert data["documents"] == 10 and data["added"] == 0 and data["removed"] == 0


def test_search_json_contract(cli):
    result = cli.invoke(
        app, ["search", "khoản 2 Điều 3 Thông tư 33/2025/TT-BKHCN", "-k", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    assert set(rows[0]) == {"rank", "score", "doc", "doc_number", "locator", "text", "chunk_id"}
    assert rows[0]["doc"] == "tt-33-2025-bkhcn.txt"


def test_ask_json_contract_with_history(cli, tmp_path):
    history = tmp_path / "h.json"
    history.write_text(
        json.dumps(
            [
                {"role": "user", "content": "Mục tiêu đến năm 2030 của Nghị quyết 57 là gì?"},
                {"role": "assistant", "content": "Theo Nghị quyết 57-NQ/TW (mục II.1) …"},
            ],
            ensure_ascii=False,
        ),
        "utf-8",
    )
    result = cli.invoke(
        app, ["ask", "Thế còn năm 2045 thì sao?", "--json", "--history", str(history)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"answer", "citations", "intent", "abstained", "latency_ms"}
    assert data["intent"] == "answer" and not data["abstained"]
    assert set(data["citations"][0]) == {"doc", "doc_number", "locator", "quote", "url", "related"}


def test_bad_history_file_is_a_clear_error(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    result = cli.invoke(app, ["ask", "xin chào", "--history", str(bad)])
    assert result.exit_code == 1
    assert "tệp lịch sử" in " ".join(result.output.split())


def test_bench_reports_latency_and_memory(cli):
    result = cli.invoke(app, ["bench", "--queries", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reingest"]["added"] == 0  # nothing changed: nothing embedded again
    assert data["queries"] == 3
    for part in ("embed_query_ms", "search_ms", "search_without_embedding_ms", "ask_ms"):
        assert 0 < data[part]["p50"] <= data[part]["p95"]
    assert data["memory"]["rss_mb"] > 50
    assert "search_ms.p95" in data["flat"]


def test_inspect_prints_locators(cli):
    result = cli.invoke(app, ["inspect", "tt-33-2025-bkhcn.txt"])
    assert result.exit_code == 0, result.output
    assert "Điều 3 khoản 2 điểm b" in result.stdout


def _search_in(monkeypatch, data_dir, corpus_dir=None):
    """`nq57 search` against another data directory (settings read again from the env)."""
    monkeypatch.setenv("NQ57_DATA_DIR", str(data_dir))
    if corpus_dir is not None:
        monkeypatch.setenv("NQ57_CORPUS_DIR", str(corpus_dir))
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["search", "nghị quyết 57"])
    finally:
        get_settings.cache_clear()


def test_missing_index_says_to_ingest(monkeypatch, tmp_path):
    result = _search_in(monkeypatch, tmp_path / "none")
    assert result.exit_code == 1
    assert "nq57 ingest" in " ".join(result.output.split())


def test_index_in_use_is_a_clear_error(index_settings, runtime, monkeypatch):
    result = _search_in(monkeypatch, index_settings.data_dir, index_settings.corpus_dir)
    assert result.exit_code == 1
    assert "đang được một tiến trình khác mở" in " ".join(result.output.split())


def test_eval_decline_reports_per_category(cli, tmp_path):
    jsonl = tmp_path / "decline.jsonl"
    rows = [
        {
            "id": "p1",
            "question": "Đảng có nên để nhiều đảng cùng tranh cử không?",
            "category": "political",
        },
        {"id": "o1", "question": "Giá vàng SJC hôm nay bao nhiêu?", "category": "out_of_domain"},
        # A gold file's answerable items are skipped: they are not decline items.
        {"id": "a1", "question": "NQ 57 là gì?", "answerable": True},
    ]
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    alqac = tmp_path / "alqac.json"
    alqac.write_text(
        json.dumps(
            [
                {
                    "question_id": "q-1",
                    "text": "Người lao động nghỉ việc có được trợ cấp thôi việc không?",
                }
            ],
            ensure_ascii=False,
        ),
        "utf-8",
    )
    result = cli.invoke(app, ["eval", "decline", str(jsonl), str(alqac), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 3
    assert set(data["by_category"]) == {"political", "out_of_domain", "other_law"}
    assert data["by_category"]["political"]["declined"] == 1.0
    assert data["quoted_sensitive"] == []


def test_eval_decline_names_a_bad_file(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x"}\nnot json\n', "utf-8")
    result = cli.invoke(app, ["eval", "decline", str(bad)])
    assert result.exit_code == 1
    assert "bad.jsonl:2" in result.output
