"""A claim about a document itself, checked against its card: issuer, signer, dates."""

from __future__ import annotations

import pytest

from bot.claims import asks_if_claim_holds


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
