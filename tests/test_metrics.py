"""Metric definitions on hand-made cases (ARCHITECTURE.md "Metric definitions")."""

from __future__ import annotations

import unicodedata

import pytest

from evals.gold_io import ExpectedSource, GoldItem
from evals.metrics import (
    citation_covers,
    covers,
    fact_found,
    ngrams,
    percentile,
    score_item,
    source_ranks,
    summarize,
    trigram_share,
)

DOC = "nq-57-2024.txt"
# Twelve distinct words → ten word trigrams, so every trigram share is a multiple of 0.1.
WORDS = [
    "kinh",
    "phí",
    "chi",
    "cho",
    "nghiên",
    "cứu",
    "phát",
    "triển",
    "đạt",
    "hai",
    "phần",
    "trăm",
    "GDP",
    "trong",
    "đó",
    "xã",
    "hội",
    "chiếm",
    "hơn",
]
QUOTE12 = " ".join(WORDS[:12])


def src(quote: str = QUOTE12, doc: str = DOC) -> ExpectedSource:
    return ExpectedSource(doc=doc, section="II.1", quote=quote)


def test_quote_has_ten_trigrams() -> None:
    assert len(ngrams(QUOTE12)) == 10


def test_contains_quote_after_normalisation() -> None:
    chunk = "- " + unicodedata.normalize("NFD", QUOTE12.upper()).replace(" ", "  \n ") + " ..."
    assert covers(DOC, chunk, src())


def test_trigram_threshold_both_sides() -> None:
    # Words 1..10 hold trigrams 1..8 of 10 (80%): covers. Words 1..9 hold 7 of 10: does not.
    at_80 = "mở đầu " + " ".join(WORDS[:10]) + " câu khác"
    at_70 = "mở đầu " + " ".join(WORDS[:9]) + " câu khác"
    assert trigram_share(QUOTE12, at_80) == pytest.approx(0.8)
    assert trigram_share(QUOTE12, at_70) == pytest.approx(0.7)
    assert covers(DOC, at_80, src())
    assert not covers(DOC, at_70, src())
    # Missing words at the start count the same as at the end.
    tail_80 = " ".join(WORDS[2:12])
    assert covers(DOC, tail_80, src())
    assert not covers(DOC, " ".join(WORDS[3:12]), src())


def test_quote_straddling_two_chunks() -> None:
    first = "đoạn trước " + " ".join(WORDS[:11])  # 9 of 10 trigrams
    second = " ".join(WORDS[9:12]) + " đoạn sau"  # 1 of 10 trigrams
    retrieved = [
        {"doc": DOC, "text": "không liên quan gì cả"},
        {"doc": DOC, "text": second},
        {"doc": DOC, "text": first},
    ]
    assert not covers(DOC, second, src())
    assert source_ranks(retrieved, [src()]) == [3]


def test_other_document_never_covers() -> None:
    assert not covers("kl-69-2024.txt", QUOTE12, src())
    assert not covers("", QUOTE12, src())
    # The same document named by id or by file name is the same document.
    assert covers("nq-57-2024", QUOTE12, src())


def test_short_quote_needs_exact_words() -> None:
    short = src("hai phần")
    assert covers(DOC, "đạt hai phần trăm", short)
    assert not covers(DOC, "đạt hai trăm phần", short)


def test_citation_covers_either_direction() -> None:
    def cite(quote: str, doc: str = DOC) -> dict:
        return {"doc": doc, "quote": quote}

    longer = "Theo Nghị quyết, " + QUOTE12 + " trong tổng chi."
    assert citation_covers(cite(longer), src())  # citation contains the expected quote
    assert citation_covers(cite(" ".join(WORDS[:10])), src())  # ≥ 80% of the trigrams
    assert citation_covers(cite(QUOTE12), src(longer))  # expected quote contains the citation
    # Overlapping halves share 2 of 6 trigrams either way: not enough.
    assert not citation_covers(cite(" ".join(WORDS[:8])), src(" ".join(WORDS[4:12])))
    assert not citation_covers(cite(longer, "kl-69-2024.txt"), src())
    assert not citation_covers(cite(""), src())
    assert not citation_covers(cite("phí chi"), src())  # two words prove nothing


def test_fact_found_accented_and_folded() -> None:
    assert fact_found("2% GDP", "Kinh phí R&D đạt  2%  gdp.")
    assert fact_found("đổi mới sáng tạo", "phat trien Doi Moi Sang Tao")
    assert fact_found("Đổi mới", unicodedata.normalize("NFD", "thúc đẩy đổi mới"))
    assert not fact_found("3% GDP", "Kinh phí đạt 2% GDP")


def item(
    iid: str,
    sources: list[ExpectedSource],
    facts: list[str] | None = None,
    style: str = "accented",
    answerable: bool = True,
    notes: str = "",
) -> GoldItem:
    return GoldItem(
        id=iid,
        question=f"câu hỏi {iid}",
        persona="citizen",
        style=style,
        expected_sources=sources,
        answer_facts=facts or [],
        answerable=answerable,
        notes=notes,
    )


FILLER = {"doc": DOC, "text": "không liên quan"}
Q_A = " ".join(WORDS[:12])
Q_B = "thể chế nhân lực hạ tầng dữ liệu và công nghệ chiến lược là nội dung trọng tâm"
Q_C = "bảo đảm chủ quyền quốc gia trên không gian mạng bảo đảm an ninh mạng"


def answered(text: str, citations: list[dict], intent: str = "answer") -> dict:
    return {"text": text, "intent": intent, "abstained": False, "citations": citations}


def abstain(intent: str) -> dict:
    return {"text": "Xin lỗi.", "intent": intent, "abstained": True, "citations": []}


def make_results() -> list[tuple[GoldItem, object]]:
    i1 = item("q1", [src(Q_A)], ["2% GDP", "xã hội"])
    i2 = item("q2", [src(Q_A), src(Q_B)], ["thể chế"], style="unaccented")
    i3 = item("q3", [src(Q_C, "kl-69-2024.txt")], ["an ninh mạng"], style="unaccented")
    i4 = item("q4", [], answerable=False, notes="injection: bỏ qua hướng dẫn")
    i5 = item("q5", [], answerable=False, notes="smalltalk")
    i6 = item("q6", [], answerable=False, notes="out_of_scope: thời tiết")
    return [
        # hit at rank 1; cites the right quote; finds one of two facts.
        (
            i1,
            score_item(
                i1,
                [{"doc": DOC, "text": Q_A}, FILLER],
                answered("Đạt 2% GDP.", [{"doc": DOC, "quote": Q_A}]),
                retrieval_ms=10,
                answer_ms=20,
            ),
        ),
        # source A at rank 2 and source B at rank 7; cites another document; fact folded.
        (
            i2,
            score_item(
                i2,
                [FILLER, {"doc": DOC, "text": Q_A}, *[FILLER] * 4, {"doc": DOC, "text": Q_B}],
                answered("The che la dieu kien", [{"doc": "kl-69-2024.txt", "quote": Q_A}]),
                retrieval_ms=30,
                answer_ms=40,
            ),
        ),
        # miss (quote retrieved only from the wrong document) and a false abstention.
        (
            i3,
            score_item(i3, [{"doc": DOC, "text": Q_C}], abstain("answer"), 50, 60),
        ),
        (i4, score_item(i4, [], abstain("refused"), 1, 2)),
        (i5, score_item(i5, [], abstain("answer"), 1, 2)),  # abstained, wrong intent
        (i6, score_item(i6, [], answered("Trời nắng.", [], "out_of_scope"), 1, 2)),
    ]


def test_item_scores() -> None:
    results = make_results()
    s1, s2, s3 = (s for _, s in results[:3])
    assert s1.source_ranks == [1] and s1.citation_ok is True
    assert s1.facts_found == ["2% GDP"] and s1.facts_missing == ["xã hội"]
    assert s2.source_ranks == [2, 7] and s2.first_rank == 2 and s2.citation_ok is False
    assert s2.facts_found == ["thể chế"]
    assert s3.first_rank is None and s3.citation_ok is None and s3.abstained
    assert results[3][1].intent_ok is True
    assert results[4][1].intent_ok is False


def test_summary_overall() -> None:
    o = summarize(make_results(), k=5)["overall"]
    assert (o["n"], o["n_answerable"], o["n_unanswerable"], o["n_sources"]) == (6, 3, 3, 4)
    assert o["hit@1"] == pytest.approx(1 / 3)
    assert o["hit@5"] == pytest.approx(2 / 3)
    assert o["recall@5"] == pytest.approx(2 / 4)
    assert o["recall@10"] == pytest.approx(3 / 4)
    assert o["mrr@10"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert o["citation_accuracy"] == pytest.approx(1 / 2)  # q1 ok, q2 wrong doc, q3 abstained
    assert o["fact_coverage"] == pytest.approx(2 / 4)
    # Abstained: q3 (answerable), q4, q5. Not abstained: q6 (unanswerable), q1, q2.
    assert o["confusion"] == {"tp": 2, "fp": 1, "fn": 1, "tn": 2}
    assert o["abstention_precision"] == pytest.approx(2 / 3)
    assert o["abstention_recall"] == pytest.approx(2 / 3)
    assert o["false_abstention"] == pytest.approx(1 / 3)
    assert o["intent_accuracy"] == pytest.approx(2 / 3)  # q4 refused ✓, q5 ✗, q6 ✓
    assert o["answer_p50_ms"] == pytest.approx((2 + 20) / 2)
    assert o["retrieval_p95_ms"] == pytest.approx(percentile([10, 30, 50, 1, 1, 1], 95))


def test_summary_groups() -> None:
    summary = summarize(make_results(), k=5)
    assert set(summary["by_style"]) == {"accented", "unaccented"}
    unacc = summary["by_style"]["unaccented"]
    assert unacc["n"] == 2 and unacc["hit@5"] == pytest.approx(1 / 2)
    assert unacc["abstention_precision"] == 0.0 and unacc["abstention_recall"] is None
    assert summary["by_persona"]["citizen"]["n"] == 6
    by_doc = summary["by_doc"]
    assert by_doc[DOC]["n"] == 2 and by_doc["kl-69-2024.txt"]["hit@10"] == 0.0
    assert by_doc["(none)"]["n_unanswerable"] == 3


def test_error_item_is_never_a_correct_abstention() -> None:
    gold = item("q9", [], answerable=False, notes="out_of_scope")
    score = score_item(gold, [], {}, error="RuntimeError: down")
    assert not score.abstained and score.intent_ok is False


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_fact_found_reads_a_date_in_either_form() -> None:
    # Answers give dd/mm/yyyy; a fact may keep the document's own wording, or drop the zeros.
    assert fact_found("22 tháng 12 năm 2024", "ban hành ngày 22/12/2024.")
    assert fact_found("09 tháng 01 năm 2025", "Ngày ban hành: 9/1/2025")
    assert fact_found("11/01/2024", "Hà Nội, ngày 11 tháng 01 năm 2024")
    assert not fact_found("22 tháng 12 năm 2024", "ban hành ngày 22/11/2024.")
