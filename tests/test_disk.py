"""A full disk and a read-only data dir, for real: small tmpfs mounts (root only; skipped with
the reason otherwise), then the same check through a patched os.statvfs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ingest import diskspace
from ingest.pipeline import IngestError, ingest
from nq57.settings import Settings
from tests.test_pipeline import make_corpus

QUESTION = "Thông tư 33/2025/TT-BKHCN quy định về nội dung gì?"
MB = 1024 * 1024


def _mount(target: Path, size_mb: int, read_only: bool = False) -> None:
    target.mkdir(parents=True, exist_ok=True)
    options = f"size={size_mb}m,mode=0755" + (",ro" if read_only else "")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not permitted'})")


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.fixture
def tmpfs(tmp_path):
    mounted: list[Path] = []

    def mount(name: str, size_mb: int, read_only: bool = False) -> Path:
        target = tmp_path / name
        _mount(target, size_mb, read_only)
        mounted.append(target)
        return target

    yield mount
    for target in reversed(mounted):
        _umount(target)


def fill(path: Path, leave_bytes: int) -> None:
    """Write a file until only ``leave_bytes`` are free on ``path``'s file system."""
    free = diskspace.free_bytes(path)
    with open(path / "filler.bin", "wb") as fh:
        block = b"\0" * MB
        remaining = free - leave_bytes
        while remaining > 0:
            n = min(remaining, len(block))
            try:
                fh.write(block[:n])
                fh.flush()
            except OSError:
                break
            remaining -= n


def nq57(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env, "HF_HUB_OFFLINE": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "nq57.cli", *args],
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_full_disk_ingest_refuses_and_the_old_index_keeps_answering(tmpfs, tmp_path):
    disk = tmpfs("disk", 256)
    settings = Settings(data_dir=disk / "data", corpus_dir=make_corpus(tmp_path), _env_file=None)
    first = ingest(settings)
    assert first.chunks > 5
    fill(disk, leave_bytes=2 * MB)
    assert diskspace.free_bytes(disk) < 4 * MB

    with pytest.raises(IngestError, match="not enough free space") as caught:
        ingest(settings, rebuild=True)
    assert str(disk) in str(caught.value) and "the existing index is unchanged" in str(caught.value)

    # The command line says it in one line, exit code 1, no traceback, no SIGBUS.
    env = {"NQ57_DATA_DIR": str(settings.data_dir), "NQ57_CORPUS_DIR": str(settings.corpus_dir)}
    done = nq57("ingest", "--rebuild", env=env, cwd=tmp_path)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "not enough free space" in done.stderr and "Traceback" not in done.stderr

    # The old generation still answers, from a new process as after a restart…
    asked = nq57("search", QUESTION, "--json", env=env, cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "tt-33-2025-bkhcn" in asked.stdout

    # …and `serve` on the full disk answers too: the log is what is lost, and it is counted.
    from channels.server import build_app

    serve_settings = settings.model_copy(update={"retention_days": 0, "db_write_wait": 0.2})
    app = build_app(serve_settings)
    with TestClient(app) as client:
        for _ in range(4):
            r = client.post("/api/chat", json={"message": QUESTION})
            assert r.status_code == 200 and r.json()["citations"]
        assert client.get("/readyz").status_code == 200


def test_full_disk_check_with_a_patched_statvfs(tmp_path, monkeypatch):
    settings = Settings(
        data_dir=tmp_path / "data", corpus_dir=make_corpus(tmp_path), _env_file=None
    )
    ingest(settings)
    real = os.statvfs
    Full = namedtuple("Full", "f_bavail f_frsize")

    def full(path):
        real(path)  # the path must exist as with the real call
        return Full(f_bavail=10, f_frsize=4096)

    monkeypatch.setattr(diskspace.os, "statvfs", full)
    with pytest.raises(IngestError, match=r"needs about \d+ MB, 0 MB are free"):
        ingest(settings, rebuild=True)
    monkeypatch.undo()
    assert ingest(settings).chunks > 5  # nothing was damaged


def test_read_only_data_dir_gives_one_clear_message(tmpfs, tmp_path):
    ro = tmpfs("ro", 8, read_only=True)
    env = {"NQ57_DATA_DIR": str(ro), "NQ57_CORPUS_DIR": str(make_corpus(tmp_path))}
    for args in (("serve", "--port", "1"), ("ingest",), ("purge",)):
        done = nq57(*args, env=env, cwd=tmp_path)
        assert done.returncode == 1, (args, done.returncode, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
        message = " ".join(done.stderr.split())  # the console wraps long lines
        assert message.count("Lỗi:") == 1
        assert f"Không ghi được vào thư mục dữ liệu {ro}" in message
        assert f"Cannot write to the data directory {ro}" in message
        assert "Read-only file system" in message


def test_read_only_index_gives_one_clear_message(tmpfs, tmp_path):
    disk = tmpfs("ro-index", 256)
    corpus = make_corpus(tmp_path)
    env = {"NQ57_DATA_DIR": str(disk), "NQ57_CORPUS_DIR": str(corpus)}
    assert nq57("ingest", env=env, cwd=tmp_path).returncode == 0  # a process that then exits
    done = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot remount read-only ({done.stderr.strip()})")
    for args in (("search", QUESTION), ("ask", QUESTION), ("serve", "--port", "1")):
        done = nq57(*args, env=env, cwd=tmp_path)
        assert done.returncode == 1, (args, done.returncode, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
        message = " ".join(done.stderr.split())
        assert f"Cannot write to the data directory {disk}" in message
