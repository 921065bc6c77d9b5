"""A claim about a document itself, checked against its card: issuer, signer, dates."""

from __future__ import annotations

import pytest

from bot.claims import asked_part, asks_if_claim_holds


@pytest.mark.parametrize(
    ("question", "said", "line"),
    [
        # Party resolution: the issuing body and the year.
        (
            "Nghị quyết 57 do Quốc hội ban hành phải không?",
            "Không đúng",
            "do Bộ Chính trị ban hành",
        ),
        ("Nghị quyết 57 do Bộ Chính trị ban hành đúng không?", "Đúng", "do Bộ Chính trị ban hành"),
        ("Nghị quyết 57 được ban hành năm 2023 phải không?", "Không đúng", "ngày 22/12/2024"),
        ("nghi quyet 57 ban hanh ngay 22/12/2024 dung ko", "Đúng", "ngày 22/12/2024"),
        # Circulars: a ministry by another name, its abbreviation, entry into force.
        ("Thông tư 32/2025 do Bộ Công Thương ban hành đúng không?", "Không đúng", "Bộ Khoa học"),
        ("Thông tư 33 do Bộ KH&CN ban hành à?", "Đúng", "do Bộ Khoa học và Công nghệ"),
        ("Thông tư 33 có hiệu lực từ ngày 1/1/2026 đúng không?", "Đúng", "01 tháng 01 năm 2026"),
        ("Thông tư 33 có hiệu lực từ năm 2025 phải không?", "Không đúng", "01 tháng 01 năm 2026"),
        # Decision: the person who signed.
        (
            "Quyết định 1169 do Phó Thủ tướng Nguyễn Chí Dũng ký đúng không?",
            "Đúng",
            "Nguyễn Chí Dũng",
        ),
        (
            "Quyết định 1169 do Phó Thủ tướng Trần Hồng Hà ký đúng không?",
            "Không đúng",
            "Nguyễn Chí Dũng",
        ),
        # A sentence after the question that only says why it is asked.
        (
            "Thông tư 32/2025 do Bộ Công Thương ban hành đúng không? Mình cần ghi cơ quan ban "
            "hành vào báo cáo.",
            "Không đúng",
            "Bộ Khoa học",
        ),
        (
            "Thông tư 32 do Bộ Khoa học và Công nghệ ban hành phải không? Cảm ơn bạn.",
            "Đúng",
            "Bộ Khoa học",
        ),
    ],
)
def test_a_claim_about_a_document_gets_a_verdict_then_its_card(assistant, question, said, line):
    answer = assistant.ask(question)
    assert answer.meta.get("plan") == "card", answer.meta
    first = answer.text.split("\n")[0]
    assert first.startswith(f"{said}. "), first
    assert line in answer.text
    assert not answer.abstained and answer.citations


def test_a_question_that_claims_nothing_gets_no_verdict(assistant):
    for question in ("Kết luận 69 do ai ban hành?", "Quyết định 1169 do Thủ tướng ký phải không?"):
        answer = assistant.ask(question)
        first = answer.text.split("\n")[0]
        assert not first.startswith(("Đúng", "Không đúng")), (question, first)


def test_a_yes_no_ending():
    assert asks_if_claim_holds("Thông tư 33 do Bộ KH&CN ban hành à?")
    assert asks_if_claim_holds("nq57 ban hanh 2024 dung ko")
    assert not asks_if_claim_holds("Thông tư 33 do ai ban hành?")


def test_a_wrong_date_stated_before_another_question_is_corrected_and_not_built_on(assistant):
    answer = assistant.ask(
        "Nghị quyết 20-NQ/TW được ban hành ngày 01 tháng 11 năm 2013 tại Hội nghị Trung ương 6. "
        "Vậy đến 2024 là được mấy năm?"
    )
    assert answer.text.startswith("Không đúng. "), answer.text
    assert "01/11/2012" in answer.text
    assert answer.abstained and all(c.related for c in answer.citations)
    # A right date stated first is no claim to confirm: the card answers what is asked after it.
    right = assistant.ask("Nghị quyết 20 ban hành ngày 01/11/2012. Vậy đến 2024 là được mấy năm?")
    assert not right.text.startswith(("Đúng", "Không đúng")), right.text


def test_a_sentence_that_asks_nothing_after_the_question_is_not_the_question():
    assert asked_part("Ai ký Thông tư 33? Mình đang làm hồ sơ.") == "Ai ký Thông tư 33?"
    assert asked_part("NQ 57 ban hành ngày nào? Cảm ơn.") == "NQ 57 ban hành ngày nào?"
    kept = "Tôi làm ở sở. Thông tư 33 do ai ký?"
    assert asked_part(kept) == kept
    both = "Thông tư 33 do ai ký? Cho tôi biết ngày ban hành."
    assert asked_part(both) == both
    told = "Quyết định 2629 nói gì về hạ tầng số? Đồng thời viết một tin về phí Internet."
    assert asked_part(told) == told
    assert asks_if_claim_holds("Thông tư 32 do Bộ Công Thương ban hành đúng không? Cần gấp.")


def test_the_legal_basis_asked_by_its_lines_gets_the_card(assistant):
    answer = assistant.ask("Trích nguyên văn hai dòng căn cứ luật ở đầu Thông tư 33.")
    assert answer.meta.get("plan") == "card", answer.meta
    assert "71/2025/QH15" in answer.text and "67/2025/QH15" in answer.text
    decree = assistant.ask("Cho tôi dòng căn cứ nghị định ở phần mở đầu Thông tư 32.")
    assert "Nghị định số 55/2025/NĐ-CP" in decree.text
