"""`nq57 ask/search/ingest` while `nq57 serve` runs on the same data dir: through the service;
and CLI errors as one Vietnamese line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from nq57 import remote
from nq57.cli import app
from nq57.settings import get_settings
from tests.admin_helpers import Served
from tests.conftest import EMBED_CACHE
from tests.live_corpus import live_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    from bot.assistant import build_assistant
    from channels.server import build_app
    from ingest.pipeline import ingest

    settings = live_settings(tmp_path_factory.mktemp("remote"), EMBED_CACHE.resolve())
    ingest(settings)
    app = build_app(settings, runtime=build_assistant(settings))
    with Served(app) as url:
        port = int(url.rsplit(":", 1)[1])
        remote.announce(settings, "127.0.0.1", port)
        yield settings, url
        remote.withdraw(settings)


@pytest.fixture
def cli(running, monkeypatch):
    settings, _ = running
    monkeypatch.setenv("NQ57_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("NQ57_CORPUS_DIR", str(settings.corpus_dir))
    monkeypatch.setenv("NQ57_EMBED_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.delenv("NQ57_ADMIN_TOKEN", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_ask_and_search_go_through_the_running_service(cli, running):
    _, url = running
    assert remote.running_service(get_settings()) == url
    r = cli.invoke(app, ["ask", "Nghị quyết 57 đặt mục tiêu gì đến năm 2030?", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) == {"answer", "citations", "intent", "abstained", "latency_ms"}
    assert data["citations"] and data["citations"][0]["url"].startswith(url)
    r = cli.invoke(app, ["search", "nghi quyet 57 chi cho khoa hoc bao nhieu", "-k", "3", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 3 and set(rows[0]) == {
        "rank", "score", "doc", "doc_number", "locator", "text", "chunk_id"
    }  # fmt: skip


def test_ingest_asks_the_service_to_reindex(cli, monkeypatch):
    r = cli.invoke(app, ["ingest", "--json"])
    assert r.exit_code == 1 and "NQ57_ADMIN_TOKEN" in r.output
    monkeypatch.setenv("NQ57_ADMIN_TOKEN", "the-stats-token")
    get_settings.cache_clear()
    r = cli.invoke(app, ["ingest", "--json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["documents"] >= 10 and summary["chunks"] > 500 and not summary["failed"]


def test_a_stale_service_file_is_ignored(tmp_path):
    settings = get_settings().model_copy(update={"data_dir": tmp_path})
    remote.service_file(settings).write_text(
        json.dumps({"url": "http://127.0.0.1:9", "pid": 2**22})
    )
    assert remote.running_service(settings) is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["ask", "--bogus", "x"], "không có tùy chọn --bogus"),
        (["report", "monthly", "--out", "x.xlsx"], "thiếu tùy chọn --month"),
        (["ingest", "--corpus", "/khong/co"], "không tìm thấy thư mục văn bản"),
        (["khong-co-lenh"], "không có lệnh"),
    ],
)
def test_cli_errors_are_one_vietnamese_line(args, expected, tmp_path):
    env = {"NQ57_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}
    r = subprocess.run(
        [sys.executable, "-m", "nq57.cli", *args], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=120,
    )  # fmt: skip
    err = r.stderr.strip()
    assert r.returncode in (1, 2)
    assert err.startswith("Lỗi:") and expected in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
