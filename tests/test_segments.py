"""Quotable pieces of a passage: verbatim, and a numbered item's label stays with its text."""

from __future__ import annotations

from bot.compose import segments

ITEM = (
    "2. Tăng cường sự lãnh đạo toàn diện của Đảng, phát huy sức mạnh tổng hợp của cả hệ thống "
    "chính trị, sự tham gia tích cực của doanh nhân, doanh nghiệp và Nhân dân đối với phát triển "
    "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia. Xác định đây là cuộc cách "
    "mạng sâu sắc, toàn diện trên tất cả các lĩnh vực; được triển khai quyết liệt, kiên trì, đồng "
    "bộ, nhất quán, lâu dài với những giải pháp đột phá, mang tính cách mạng. Người dân và doanh "
    "nghiệp là trung tâm, là chủ thể, nguồn lực, động lực chính."
)


def test_a_numbered_items_label_stays_with_its_first_sentence():
    pieces = segments(ITEM)
    assert pieces[0].startswith("2. Tăng cường sự lãnh đạo")
    assert pieces[0].endswith("chuyển đổi số quốc gia.")
    assert all(p in ITEM for p in pieces)  # verbatim
    assert not any(p.strip() in {"2.", "a.", "II."} for p in pieces)


def test_sentences_of_a_long_line_are_split():
    pieces = segments(ITEM)
    assert len(pieces) >= 3
    assert (
        pieces[-1]
        == "Người dân và doanh nghiệp là trung tâm, là chủ thể, nguồn lực, động lực chính."
    )
