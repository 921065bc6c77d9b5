"""Provisions a document does not have, and partial answers: said plainly, never quoted as if
they answered."""

from __future__ import annotations

import pytest

from bot.provisions import describe, missing_provision_reply, nearest_units, organisation
from retrieval.query import ProvisionRef

ARTICLES = ["Phần đầu", "Điều 1", "Điều 2", "Điều 3", "Điều 3 khoản 2", "Điều 3 khoản 3", "Chữ ký"]
OUTLINE = ["Phần đầu", "Mở đầu, đoạn 1", "I.1", "I.2", "II.1", "II.1, ý 3", "II.2", "III", "IV.3"]
ANNEX = [
    "Điều 1",
    "Điều 2",
    "Phụ lục I, chỉ tiêu 1",
    "Phụ lục II, nhiệm vụ 1",
    "Phụ lục II, nhiệm vụ 140",
]


def test_a_provision_reads_as_a_person_writes_it():
    assert describe(ProvisionRef(article=2, clause=9)) == "khoản 9 Điều 2"
    assert describe(ProvisionRef(outline="II.9")) == "mục II.9"
    assert (
        describe(ProvisionRef(annex="II", row=300, row_kind="nhiệm vụ"))
        == "nhiệm vụ 300 Phụ lục II"
    )


def test_the_organisation_of_each_kind_of_document():
    assert organisation(ARTICLES) == "gồm Điều 1 đến Điều 3"
    assert "I, II, III, IV" in organisation(OUTLINE)
    assert "không chia thành điều" in organisation(OUTLINE)
    assert "Phụ lục I, Phụ lục II" in organisation(ANNEX)


def test_the_nearest_real_units():
    assert nearest_units(ProvisionRef(article=3, clause=9), ARTICLES) == [
        "Điều 3: khoản 2 đến khoản 3"
    ]
    assert nearest_units(ProvisionRef(article=40), ARTICLES) == ["Điều 1 đến Điều 3"]
    assert nearest_units(ProvisionRef(outline="II.9"), OUTLINE) == ["mục II.1, II.2"]
    assert nearest_units(ProvisionRef(annex="II", row=300, row_kind="nhiệm vụ"), ANNEX) == [
        "Phụ lục II: nhiệm vụ 1 đến nhiệm vụ 140"
    ]


def test_the_reply_says_the_document_has_no_such_provision():
    reply = missing_provision_reply("Thông tư 33/2025/TT-BKHCN", ProvisionRef(article=40), ARTICLES)
    assert reply.startswith("Thông tư 33/2025/TT-BKHCN không có Điều 40.")
    assert "Điều 1 đến Điều 3" in reply


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "says"),
    [
        # Party resolution: parts and items, no articles.
        ("Trích nguyên văn Điều 40 Nghị quyết 57", "Nghị quyết 57-NQ/TW không có Điều 40"),
        ("nghi quyet 57 muc II.9 noi gi", "không có mục II.9"),
        # Decision of the Prime Minister.
        ("Điều 12 Quyết định 1169/QĐ-TTg quy định gì?", "không có Điều 12"),
        # Circular.
        ("trích nguyên văn khoản 9 Điều 3 Thông tư 33/2025/TT-BKHCN", "không có khoản 9 Điều 3"),
        # Annex table of the Government's action programme.
        ("Nhiệm vụ 300 Phụ lục II Nghị quyết 03/NQ-CP là gì?", "không có nhiệm vụ 300"),
    ],
)
def test_provisions_that_do_not_exist(assistant, question, says):
    answer = assistant.ask(question)
    assert answer.abstained
    assert says in answer.text, answer.text
    assert not answer.citations
    assert "Nguyên văn" not in answer.text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "locator"),
    [
        ("Trích nguyên văn khoản 2 Điều 3 Thông tư 33/2025/TT-BKHCN", "Điều 3 khoản 2"),
        ("mục II.1 Nghị quyết 57 nói gì", "II.1"),
        ("Phụ lục II Nghị quyết 03/NQ-CP nhiệm vụ 44", "Phụ lục II, nhiệm vụ 44"),
    ],
)
def test_provisions_that_exist_are_still_quoted(assistant, question, locator):
    answer = assistant.ask(question)
    assert not answer.abstained, answer.meta
    assert any(c.locator.startswith(locator) for c in answer.citations)


@pytest.mark.slow
def test_a_partial_answer_says_first_that_the_detail_is_not_set(assistant):
    # The texts speak of venture capital funds, but set no amount for them.
    answer = assistant.ask(
        "Nhà nước cấp bao nhiêu tỷ đồng cho mỗi quỹ đầu tư mạo hiểm theo Nghị quyết 57?"
    )
    assert answer.abstained, answer.meta
    if answer.citations:  # shown as related, never as the answer
        assert answer.text.startswith("Các văn bản hiện có không quy định")
        assert all(c.related for c in answer.citations)
        assert answer.meta["reason"] == "detail_not_in_texts"
    payload = answer.to_dict()
    assert all(c["related"] for c in payload["citations"])
