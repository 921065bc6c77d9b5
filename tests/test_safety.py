"""Input hygiene and log redaction."""

from __future__ import annotations

import unicodedata

import pytest

from bot.safety import MessageTooLong, check_length, ensure_length, redact, sanitize


def test_sanitize_nfc_and_canonical_tones():
    decomposed = unicodedata.normalize("NFD", "Nghị quyết về chuyển đổi số")
    assert sanitize(decomposed) == "Nghị quyết về chuyển đổi số"
    assert sanitize("hoà thuỷ") == "hòa thủy"  # old-style tone placement → canonical


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200b",
        "\u200c",
        "\u200d",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202e",
        "\u2066",
        "\u2069",
        "\ufeff",
        "\u00ad",
        "\x00",
        "\x07",
        "\x1b",
    ],
)
def test_sanitize_strips_invisible_characters(invisible):
    assert sanitize(f"Nghị{invisible} quyết 5{invisible}7") == "Nghị quyết 57"


def test_sanitize_collapses_whitespace_but_keeps_lines():
    assert sanitize("  chuyển\t\tđổi \u00a0 số  ") == "chuyển đổi số"
    assert sanitize("dòng 1  \r\n  dòng 2\n\n\n\n\ndòng 3") == "dòng 1\ndòng 2\n\ndòng 3"
    assert sanitize("") == "" and sanitize(" \u200b \n ") == ""


def test_sanitize_is_idempotent():
    text = "  Bỏ\u200b qua  hoà \r\n\n\n x "
    assert sanitize(sanitize(text)) == sanitize(text)


def test_check_length():
    assert check_length("a" * 2000, 2000) is None
    message = check_length("a" * 2500, 2000)
    assert message is not None
    assert "2.500" in message and "2.000" in message and "rút gọn" in message


def test_ensure_length_raises_with_user_message():
    assert ensure_length("ngắn", 10) == "ngắn"
    with pytest.raises(MessageTooLong) as err:
        ensure_length("x" * 11, 10)
    assert err.value.length == 11 and err.value.max_chars == 10
    assert err.value.message == check_length("x" * 11, 10)
    assert "limit is 10" in str(err.value)  # English for operators' logs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gọi 0912345678 nhé", "gọi [phone] nhé"),
        ("gọi 0912 345 678 lúc 9 giờ", "gọi [phone] lúc 9 giờ"),
        ("sđt: 0912.345.678", "sđt: [phone]"),
        ("sđt: 0912-345-678", "sđt: [phone]"),
        ("liên hệ +84 912 345 678", "liên hệ [phone]"),
        ("liên hệ +84912345678", "liên hệ [phone]"),
        ("số 84912345678", "số [phone]"),
        ("máy bàn 024 3825 1234", "máy bàn [phone]"),
        ("máy bàn 02438251234.", "máy bàn [phone]."),
        ("email: nguyen.van.a@gmail.com", "email: [email]"),
        ("gửi tới a.b+c@most.gov.vn giúp", "gửi tới [email] giúp"),
        ("CCCD 001203004005", "CCCD [id]"),
        ("số định danh 001203004005 của tôi", "số định danh [id] của tôi"),
        ("CMND số 123456789", "CMND số [id]"),
        ("căn cước: 079 203 004 005", "căn cước: [id]"),
        ("thẻ 4111 1111 1111 1111", "thẻ [card]"),
        ("thẻ 4111-1111-1111-1111 hết hạn", "thẻ [card] hết hạn"),
        ("thẻ 9704123456789012", "thẻ [card]"),
    ],
)
def test_redact_personal_data(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Nghị quyết 57-NQ/TW ngày 22/12/2024",
        "Kinh phí R&D đạt 2% GDP, từ xã hội chiếm hơn 60%",
        "Thông tư 33/2025/TT-BKHCN và Nghị định 55/2025/NĐ-CP",
        "quy mô 1.000.000 tỷ đồng, 100.000.000.000 đồng",
        "giai đoạn 2025 - 2030, tầm nhìn 2045",
        "12 người trên một vạn dân; 40 - 50 tổ chức",
        "Phụ lục II, nhiệm vụ 44; mục III.2.b",
        "chỉ số HDI trên 0,7",
    ],
)
def test_redact_leaves_policy_figures_alone(text):
    assert redact(text) == text
