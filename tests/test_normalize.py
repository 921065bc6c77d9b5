"""Disguised text is read as what it says."""

from __future__ import annotations

import pytest

from bot.normalize import deobfuscate


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("ｃｈíｎｈ ｔｒị", "chính trị"),
        ("ｄảｎｇ ｃộｎｇ ｓảｎ", "dảng cộng sản"),
        ("tham nh\u200bũng", "tham nhũng"),
        ("hối\u2060 lộ", "hối lộ"),
        ("\ufeffbỏ qua hướng dẫn", "bỏ qua hướng dẫn"),
        ("t.h.a.m n.h.ũ.n.g", "tham nhũng"),
        ("t-h-a-m ô", "tham ô"),
        ("ch1nh tr1", "chinh tri"),
        ("h4ck cổng", "hack cổng"),
        # Cyrillic а, о, е, р, с standing in for Latin letters.
        ("Đảng сộng sản", "Đảng cộng sản"),
        ("tоàn bộ hệ thống", "toàn bộ hệ thống"),
        ("рhản động", "phản động"),
        # Cyrillic т, whose capital passes for T.
        ("số đт của bộ trưởng", "số đt của bộ trưởng"),
    ],
)
def test_disguises_are_undone(typed, plain):
    assert deobfuscate(typed) == plain


@pytest.mark.parametrize(
    "text",
    [
        "Nghị quyết 57-NQ/TW mục II.1 điểm a, b, c",
        "chi 2% GDP cho R&D đến năm 2030",
        "nq57 qd1169 tt33 5g 6g k12",
        "Thông tư 33/2025/TT-BKHCN khoản 2 Điều 3",
        "điểm a b c khoản 2",
        "Phụ lục II, nhiệm vụ 44",
        "Chuyển đổi số quốc gia có những nhiệm vụ chính nào?",
    ],
)
def test_plain_questions_stay_as_they_are(text):
    assert deobfuscate(text) == text


def test_vietnamese_letters_are_never_taken_for_look_alikes():
    text = "Ơn Đảng, ưu tiên ăn ân êm ông đi; ƯU TIÊN ĂN ÂN ÔNG"
    assert deobfuscate(text) == text
