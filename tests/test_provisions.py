"""Provisions a document does not have, and partial answers: said plainly, never quoted as if
they answered."""

from __future__ import annotations

import pytest

from bot.provisions import (
    clearly_absent,
    describe,
    missing_provision_reply,
    nearest_units,
    organisation,
)
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


# A table whose later rows sit in a chunk named after their group, not after the rows.
TABLE = ["Điều 1", "Phụ lục I, chỉ tiêu 1–5", "Phụ lục I, nhóm II", "Phụ lục II, nhiệm vụ 1–45"]
TABLE_TEXTS = [
    "Điều 1. Ban hành kèm theo Nghị quyết này.",
    "TT | Chỉ tiêu | Đơn vị\n1 | Chi cho R&D | % GDP\n5 | Nhân lực | người",
    "TT | Chỉ tiêu | Đơn vị\nII | Đến năm 2045\n"
    + "\n".join(f"{n} | Chỉ tiêu {n} | %" for n in range(36, 42)),
    "TT | Tên nhiệm vụ\n1. | Xây dựng luật\n45. | Triển khai",
]


def test_a_row_the_table_holds_is_there_though_its_chunk_does_not_name_it():
    row = ProvisionRef(annex="I", row=40, row_kind="chỉ tiêu")
    assert not clearly_absent(row, TABLE, TABLE_TEXTS)
    # Nhiệm vụ 45 of Phụ lục II says nothing of chỉ tiêu 45 of Phụ lục I.
    assert clearly_absent(ProvisionRef(annex="I", row=45, row_kind="chỉ tiêu"), TABLE, TABLE_TEXTS)
    assert nearest_units(row, TABLE, TABLE_TEXTS) == ["Phụ lục I: chỉ tiêu 1 đến chỉ tiêu 41"]


def test_an_annex_the_document_lacks():
    assert clearly_absent(ProvisionRef(annex="III"), TABLE, TABLE_TEXTS)
    assert not clearly_absent(ProvisionRef(annex="II"), TABLE, TABLE_TEXTS)
    # "Phụ lục 2" is the document's "Phụ lục II"; "Phụ lục 3" is still absent.
    assert not clearly_absent(ProvisionRef(annex="2"), TABLE, TABLE_TEXTS)
    assert clearly_absent(ProvisionRef(annex="3"), TABLE, TABLE_TEXTS)
    # A single unnumbered annex is "Phụ lục I" too, and no other.
    single = ["Điều 1", "Phụ lục, A, mục 1–2", "Phụ lục, B, mục 18"]
    assert not clearly_absent(ProvisionRef(annex="I"), single)
    assert clearly_absent(ProvisionRef(annex="II"), single)


def test_an_item_past_the_last_of_a_list_in_an_annex():
    single = ["Điều 1", "Phụ lục, A, mục 1–2", "Phụ lục, B, mục 18"]
    assert clearly_absent(ProvisionRef(outline="20"), single)
    assert not clearly_absent(ProvisionRef(outline="18"), single)
    # In a text numbered in items, "mục 20" is an outline item, judged as one.
    assert clearly_absent(ProvisionRef(outline="20"), ["1", "2, đoạn 1", "3"])
    assert not clearly_absent(ProvisionRef(outline="2"), ["1", "2, đoạn 1", "3"])


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
        ("chỉ tiêu 50 trong phụ lục I nghị quyết 03/NQ-CP", "không có chỉ tiêu 50"),
        ("Phụ lục IV của Quyết định 2629/QĐ-TTg có gì?", "không có Phụ lục IV"),
        ("Phần E Nghị quyết 20-NQ/TW viết gì?", "không có mục E"),
        ("mục 25 danh mục B Thông tư 32/2025/TT-BKHCN là thiết bị gì?", "không có mục 25"),
        # A clause or point inside its article's chunk, read from the article's own lines.
        ("Điểm c khoản 1 Điều 3 Thông tư 33 quy định trường hợp nào?", "không có điểm c khoản 1"),
        ("Khoản 3 Điều 1 Thông tư 32/2025/TT-BKHCN quy định gì?", "không có khoản 3 Điều 1"),
        # An item of a part by its number ("nhóm nhiệm vụ số 8 trong mục III").
        (
            "Nhom nhiem vu so 8 trong muc III cua Nghi quyet 57 la gi?",
            "không có nhiệm vụ 8 mục III",
        ),
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
        ("chỉ tiêu 40 phụ lục I Nghị quyết 03/NQ-CP là gì?", "Phụ lục I"),
        ("Phần B Nghị quyết 20-NQ/TW", "B"),
        ("Trích nguyên văn điểm b khoản 2 Điều 3 Thông tư 33/2025/TT-BKHCN", "Điều 3 khoản 2"),
        ("Điều 3 khoản 4 Thông tư 33/2025/TT-BKHCN yêu cầu gì?", "Điều 3 khoản 4"),
        ("Khoản 2 Điều 4 Thông tư 33 quy định gì?", "Điều 4"),
    ],
)
def test_provisions_that_exist_are_still_quoted(assistant, question, locator):
    answer = assistant.ask(question)
    assert not answer.abstained, answer.meta
    assert any(c.locator.startswith(locator) for c in answer.citations)


def test_a_unit_asked_about_as_a_whole_is_quoted_from_itself(assistant):
    # "quy định gì?" about a clause found: its own text, not the articles around it.
    answer = assistant.ask("Khoản 4 Điều 3 Thông tư 33 quy định gì?")
    assert [c.locator for c in answer.citations] == ["Điều 3 khoản 4"], answer.text
    assert "chuỗi cung ứng trong nước" in answer.text


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


def test_annex_numbers_compare_by_value():
    from nq57.legal import annex_value, same_annex

    assert [annex_value(x) for x in ("I", "II", "IV", "IX", "XL", "2", "")] == [
        1,
        2,
        4,
        9,
        40,
        2,
        1,
    ]
    assert same_annex("2", "II") and same_annex("I", "") and not same_annex("II", "")
    assert annex_value("A") is None and same_annex("A", "a")
