"""Cleaning of extracted text: the raw QĐ 1169 PDF dump and the nine already clean texts."""

from __future__ import annotations

import itertools
import re
import unicodedata
from pathlib import Path

import pytest

from ingest.clean import clean_text
from nq57.text import tidy, words

DOCS = Path(__file__).resolve().parent.parent / "corpus" / "docs"
RAW = "qd-1169-ttg-2025.txt"


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cleaned_1169() -> str:
    return clean_text(_read(RAW))


def test_raw_1169_has_no_blank_lines_nor_page_numbers(cleaned_1169: str) -> None:
    raw_lines = _read(RAW).split("\n")
    assert sum(1 for ln in raw_lines if not ln.strip()) > 400  # the raw file really is a dump
    assert any(ln.strip() == "8" for ln in raw_lines)
    lines = cleaned_1169.rstrip("\n").split("\n")
    assert all(ln.strip() for ln in lines)
    assert not any(re.fullmatch(r"\d{1,3}", ln.strip()) for ln in lines)


def test_raw_1169_sentences_are_whole(cleaned_1169: str) -> None:
    lines = cleaned_1169.split("\n")
    article_1 = (
        "Điều 1. Phê duyệt Chương trình “Đẩy mạnh truyền thông thực hiện Nghị quyết số 57-NQ/TW "
        "ngày 22 tháng 12 năm 2024 của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, "
        "đổi mới sáng tạo và chuyển đổi số quốc gia đến năm 2030” (sau đây gọi tắt là Chương "
        "trình) với những nội dung sau đây:"
    )
    assert article_1 in lines
    point = next(ln for ln in lines if ln.startswith("đ) Định kỳ trước ngày 20 tháng 6"))
    assert point.endswith("để tổng hợp báo cáo Thủ tướng Chính phủ.")
    # "hợp tác công\n\n- tư nhằm" is one phrase split before a dash, not a bullet.
    assert any("hợp tác công - tư nhằm huy động tối đa nguồn lực" in ln for ln in lines)
    # No line ends mid-sentence with a lower-case continuation on the next line.
    for prev, nxt in itertools.pairwise(lines):
        if nxt[:1].islower() and not re.match(r"^[a-zđ]\) ", nxt):
            pytest.fail(f"broken sentence: {prev[-40:]!r} / {nxt[:40]!r}")


def test_raw_1169_paragraph_count_is_plausible(cleaned_1169: str) -> None:
    lines = cleaned_1169.rstrip("\n").split("\n")
    # Counted by reading the source: 6 "Căn cứ"/"Theo đề nghị" lines, Điều 1-3, 5 roman parts.
    assert sum(ln.startswith(("Căn cứ", "Theo đề nghị")) for ln in lines) == 6
    assert [ln[:7] for ln in lines if ln.startswith("Điều ")] == ["Điều 1.", "Điều 2.", "Điều 3."]
    assert sum(bool(re.match(r"^(I|II|III|IV|V)\. [A-ZĐ]", ln)) for ln in lines) == 5
    assert 100 < len(lines) < 200


def test_raw_1169_keeps_every_word() -> None:
    raw = _read(RAW)
    expected = [w for w in words(tidy(raw)) if w != "8"]
    got = words(clean_text(raw))
    assert got == expected


@pytest.mark.parametrize("name", sorted(p.name for p in DOCS.glob("*.txt")))
def test_idempotent_and_lossless(name: str) -> None:
    raw = _read(name)
    once = clean_text(raw)
    assert clean_text(once) == once
    if name != RAW:
        # Clean texts lose no word and keep their paragraphs.
        assert words(once) == words(tidy(raw))
        raw_paragraphs = sum(1 for ln in raw.split("\n") if ln.strip())
        assert len(once.splitlines()) >= raw_paragraphs - 10


def test_clean_texts_keep_list_lines() -> None:
    text = clean_text(_read("tt-33-2025-bkhcn.txt"))
    lines = text.split("\n")
    assert (
        "Điều 3. Tiêu chí doanh nghiệp thực hiện dự án sản xuất thiết bị điện tử được hưởng ưu đãi về thuế thu nhập doanh nghiệp"
        in lines
    )
    assert sum(ln.startswith("- ") for ln in lines) == 16  # the "Nơi nhận" list
    tt32 = clean_text(_read("tt-32-2025-bkhcn.txt")).split("\n")
    # A row number alone on its line is a table cell, not a page number.
    assert "9" in tt32 and "10" in tt32


def test_wrapped_heading_is_rejoined() -> None:
    text = clean_text(_read("tb-624-vpcp-2025.txt"))
    assert "III. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM, CỤ THỂ" in text.split("\n")


def _pdf_dump() -> str:
    body = [
        "CÔNG BÁO",
        "1. Các cơ quan nhà nước có trách nhiệm xây dựng kế hoạch triển khai thực hiện",
        "nhiệm vụ được giao, bảo đảm tiến độ và chất lượng, đồng thời báo cáo định kỳ",
        "kết quả thực hiện về cơ quan chủ trì tổng hợp.",
        "\f2",
        "CÔNG BÁO",
        "2. Doanh nghiệp được khuyến khích đầu tư cho nghiên cứu và phát triển công",
        "nghệ, đổi mới sáng tạo, chuyển đổi số; được hưởng ưu đãi theo quy định của",
        "pháp luật về thuế và các quy định khác có liên quan đến hoạt động infor-",
        "mation technology.",
        "3",
        "CÔNG BÁO",
        "3. Cơ quan chủ trì hướng dẫn, kiểm tra, đôn đốc việc thực hiện; tổng hợp kết",
        "quả, báo cáo cấp có thẩm quyền xem xét, quyết định theo quy định hiện hành.",
    ]
    for n in range(4, 14):
        body.append(
            f"{n}. Nội dung số {n} được trình bày trên nhiều dòng vì bản PDF ngắt dòng theo"
        )
        body.append("khổ giấy và không giữ được đoạn văn ban đầu của văn bản gốc.")
    lines = body
    return "\n\n".join(lines)


def test_pdf_artefacts_are_repaired() -> None:
    text = clean_text(_pdf_dump())
    lines = text.rstrip("\n").split("\n")
    assert "CÔNG BÁO" not in lines  # running header repeated on every page
    assert "2" not in lines and "3" not in lines  # page numbers
    assert "\f" not in text
    assert lines[0].startswith("1. Các cơ quan") and lines[0].endswith("cơ quan chủ trì tổng hợp.")
    assert any("hoạt động information technology." in ln for ln in lines)
    assert lines[2].startswith("3. Cơ quan chủ trì")
    assert clean_text(text) == text


def test_spelling_is_kept_and_spaces_are_normalised() -> None:
    # Verbatim quotes keep the source's tone placement; matching canonicalises its own copy.
    assert (
        clean_text("Thể chế hoá   thuỷ lợi\u00a0và khoẻ mạnh\r\n")
        == "Thể chế hoá thuỷ lợi và khoẻ mạnh\n"
    )
    decomposed = unicodedata.normalize("NFD", "hoá")
    assert clean_text(decomposed) == "hoá\n"
    assert clean_text("") == ""
