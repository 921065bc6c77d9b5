"""Figures a user claims, checked against the passages found."""

from bot.claims import claimed_numbers, premise_correction, verdict
from retrieval.types import Hit

TARGET = Hit(
    "c1",
    1.0,
    "nq-57-2024",
    "nq-57-2024.txt",
    "57-NQ/TW",
    "Nghị quyết 57",
    "II.1",
    "Kinh phí chi cho nghiên cứu phát triển đạt 2% GDP.",
    breadcrumb=["Nghị quyết 57", "II. MỤC TIÊU", "Đến năm 2030"],
)


def test_document_and_provision_numbers_are_not_claims():
    assert claimed_numbers("Điều 3 Thông tư 33/2025/TT-BKHCN yêu cầu 2% doanh thu?") == {"2%"}


def test_a_contradicted_figure_is_corrected_first():
    question = "Nghị quyết 57 đặt mục tiêu chi R&D đạt 5% GDP, đúng không?"
    correction = premise_correction(question, [TARGET])
    assert correction is not None and "“5%”" in correction
    assert verdict(question, correction, [TARGET]) == "Không đúng"


def test_a_stated_figure_is_confirmed_and_a_plain_question_gets_no_verdict():
    # The heading "Đến năm 2030" states the year.
    assert verdict("Đến năm 2030 chi R&D đạt 2% GDP phải không?", None, [TARGET]) == "Đúng"
    assert premise_correction("Chi R&D đạt 2% GDP phải không?", [TARGET]) is None
    assert verdict("Chi cho R&D đạt bao nhiêu % GDP?", None, [TARGET]) is None
