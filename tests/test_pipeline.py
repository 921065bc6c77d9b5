"""Ingestion end to end on a small real corpus: incremental updates, failures, crash-safe rebuild."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ingest.pipeline import IngestError, ingest
from ingest.store import EdgeStore
from nq57.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["tt-33-2025-bkhcn.txt", "tt-32-2025-bkhcn.txt"]


def make_corpus(base: Path, files=DOCS, shipped_vectors: bool = True) -> Path:
    """A corpus of ``files`` from the real one; with the vectors shipped for them, so only
    what a test changes goes through the model."""
    corpus = base / "corpus"
    (corpus / "docs").mkdir(parents=True)
    if shipped_vectors:
        shutil.copytree(ROOT / "corpus" / "vectors", corpus / "vectors")
    catalog = yaml.safe_load((ROOT / "corpus" / "catalog.yaml").read_text("utf-8"))
    entries = catalog["documents"] if isinstance(catalog, dict) else catalog
    keep = [e for e in entries if e["file"] in files]
    (corpus / "catalog.yaml").write_text(
        yaml.safe_dump({"documents": keep}, allow_unicode=True), "utf-8"
    )
    for f in files:
        shutil.copy(ROOT / "corpus" / "docs" / f, corpus / "docs" / f)
    return corpus


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", corpus_dir=make_corpus(tmp_path))


def test_incremental_ingest(settings):
    first = ingest(settings)
    assert first.documents == 2 and first.chunks > 5
    assert first.added == first.chunks and first.updated == first.removed == 0
    assert first.prebuilt == first.chunks and first.embedded == 0

    again = ingest(settings)
    assert (again.added, again.updated, again.removed, again.embedded) == (0, 0, 0, 0)

    path = settings.docs_dir / "tt-33-2025-bkhcn.txt"
    text = path.read_text("utf-8")
    target = "Điều 4. Tổ chức thực hiện"
    assert target in text
    head, tail = text.split(target, 1)
    first_line, rest = tail.split("\n", 1) if "\n" in tail else (tail, "")
    edited = (
        head + target + first_line + "\n" + rest.replace("Thông tư này", "Thông tư số 33 này", 1)
    )
    path.write_text(edited, "utf-8")
    changed = ingest(settings)
    assert changed.updated + changed.added >= 1
    assert changed.embedded == changed.updated + changed.added
    assert changed.embedded < first.chunks  # unchanged chunks are not embedded again

    (settings.docs_dir / "tt-32-2025-bkhcn.txt").unlink()
    removed = ingest(settings)
    assert removed.removed == first.per_document["tt-32-2025-bkhcn.txt"]
    store = EdgeStore(settings.index_dir / settings.collection)
    assert store.count() == removed.chunks
    store.close()


def test_broken_file_is_reported_and_others_ingest(settings):
    (settings.docs_dir / "hong.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    report = ingest(settings)
    assert report.documents == 2
    assert [f["file"] for f in report.failed] == ["hong.pdf"]
    assert "hong.pdf" in report.failed[0]["error"]


def test_empty_corpus_is_an_error_and_keeps_the_index(settings, tmp_path):
    ingest(settings)
    store = EdgeStore(settings.index_dir / settings.collection)
    before = store.count()
    store.close()
    empty = tmp_path / "empty"
    (empty / "docs").mkdir(parents=True)
    with pytest.raises(IngestError, match="no documents"):
        ingest(settings.model_copy(update={"corpus_dir": empty}))
    store = EdgeStore(settings.index_dir / settings.collection)
    assert store.count() == before
    store.close()


def test_killed_rebuild_leaves_old_index_answering(tmp_path):
    corpus = make_corpus(tmp_path, [*DOCS, "kl-69-2024.txt"])
    data = tmp_path / "data"
    env = os.environ | {
        "NQ57_DATA_DIR": str(data),
        "NQ57_CORPUS_DIR": str(corpus),
        "HF_HUB_OFFLINE": "1",
    }
    settings = Settings(data_dir=data, corpus_dir=corpus)
    first = ingest(settings)
    root = settings.index_dir / settings.collection
    live = (root / "current").resolve()
    shutil.rmtree(settings.cache_dir)  # force real embedding work so the kill lands mid-way
    env["NQ57_PREBUILT_VECTORS"] = "false"

    proc = subprocess.Popen(
        [sys.executable, "-m", "nq57.cli", "ingest", "--rebuild", "--json"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and len(list(root.glob("gen-*"))) < 2:
        time.sleep(0.02)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(list(root.glob("gen-*"))) == 2, "the rebuild never started its new generation"
    assert (root / "current").resolve() == live

    store = EdgeStore(root)
    assert store.count() == first.chunks
    store.close()

    report = ingest(settings, rebuild=True)
    assert report.chunks == first.chunks
    assert len(list(root.glob("gen-*"))) == 1  # the crashed generation was swept
    assert (root / "current").resolve() != live


def test_the_restorer_is_retrained_when_the_question_bank_changes(settings):
    from retrieval.restore import DiacriticRestorer

    ingest(settings)
    path = settings.index_dir / "restorer.json.gz"
    first = DiacriticRestorer.load(path)
    assert first.restore("theo ban thi nen") != "theo bạn thì nên"
    settings.questions_dir.mkdir(parents=True, exist_ok=True)
    (settings.questions_dir / "asked.jsonl").write_text(
        '{"question": "Theo bạn thì nên hỏi ai?", "kind": "out_of_domain"}\n'
        '{"question": "Theo ban thi nen hoi ai?", "kind": "out_of_domain"}\n',
        "utf-8",
    )
    ingest(settings)
    second = DiacriticRestorer.load(path)
    assert second.sources != first.sources
    assert second.restore("theo ban thi nen") == "theo bạn thì nên"
    modified = path.stat().st_mtime_ns
    ingest(settings)  # nothing changed: the model stays as it is
    assert path.stat().st_mtime_ns == modified
