"""File loaders: every format comes out as plain lines with Vietnamese diacritics intact."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from ingest.loaders import SUPPORTED_SUFFIXES, LoaderError, load_file

CORPUS_DOCS = Path(__file__).resolve().parents[1] / "corpus" / "docs"

PDF_PAGE_1 = [
    "Điều 1. Phạm vi điều chỉnh",
    "1. Thông tư này quy định tiêu chí doanh nghiệp được hưởng ưu đãi.",
    "a) Dự án sản xuất thiết bị điện tử;",
    "đ) Trường hợp khác do Bộ trưởng quyết định.",
]
PDF_PAGE_2 = [
    "Điều 2. Hiệu lực thi hành",
    "Thông tư này có hiệu lực từ ngày 01 tháng 01 năm 2026.",
]


def _find_font() -> Path | None:
    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    if shutil.which("fc-list"):
        out = subprocess.run(
            ["fc-list", ":family=DejaVu Sans:style=Book", "file"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        candidates += [Path(line.split(":")[0]) for line in out.splitlines() if line.strip()]
    return next((p for p in candidates if p.is_file()), None)


@pytest.fixture(scope="module")
def font() -> Path:
    path = _find_font()
    if path is None:
        pytest.skip("no DejaVu Sans font (apt-get install fonts-dejavu-core)")
    return path


def _pdf(font: Path, pages: list[list[str]]) -> FPDF:
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(font))
    pdf.set_font("DejaVu", size=11)
    for lines in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, "\n".join(lines))
    return pdf


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# --------------------------------------------------------------------------- PDF


def test_pdf_text_layer_page_by_page(tmp_path: Path, font: Path) -> None:
    path = tmp_path / "tt-99-2025.pdf"
    _pdf(font, [PDF_PAGE_1, PDF_PAGE_2]).output(str(path))
    text = load_file(path)
    assert _lines(text) == PDF_PAGE_1 + PDF_PAGE_2
    # The second page starts on its own line.
    assert "\nĐiều 2. Hiệu lực thi hành" in text


def test_pdf_encrypted_with_empty_user_password_still_loads(tmp_path: Path, font: Path) -> None:
    path = tmp_path / "restricted.pdf"
    pdf = _pdf(font, [PDF_PAGE_1])
    pdf.set_encryption(owner_password="chu-so-huu", user_password="")
    pdf.output(str(path))
    assert _lines(load_file(path)) == PDF_PAGE_1


def test_pdf_with_password_raises(tmp_path: Path, font: Path) -> None:
    path = tmp_path / "locked.pdf"
    pdf = _pdf(font, [PDF_PAGE_1])
    pdf.set_encryption(owner_password="chu-so-huu", user_password="mat-khau")
    pdf.output(str(path))
    with pytest.raises(LoaderError, match=r"locked\.pdf.*encrypted"):
        load_file(path)


def test_scanned_pdf_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 120, 160, style="F")  # a page that is only a picture
    pdf.output(str(path))
    with pytest.raises(LoaderError, match=r"scan\.pdf.*OCR"):
        load_file(path)


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage without xref", b"not a pdf at all"],
)
def test_corrupt_pdf_raises(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "hong.pdf"
    path.write_bytes(content)
    with pytest.raises(LoaderError, match=r"hong\.pdf"):
        load_file(path)


def test_truncated_pdf_raises(tmp_path: Path, font: Path) -> None:
    whole = tmp_path / "whole.pdf"
    _pdf(font, [PDF_PAGE_1]).output(str(whole))
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole.read_bytes()[:300])
    with pytest.raises(LoaderError, match=r"cut\.pdf"):
        load_file(path)


# --------------------------------------------------------------------------- DOCX


def test_docx_paragraphs_and_tables_in_body_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("THÔNG TƯ")
    document.add_paragraph("Điều 1. Danh mục thiết bị")
    document.add_paragraph("")  # empty paragraphs carry nothing
    table = document.add_table(rows=3, cols=3)
    rows = [
        ["STT", "Tên thiết bị", "Mã HS"],
        ["1", "Máy quang khắc", "8486.20"],
        ["2", "Thiết bị khắc axit", "8486.20"],
    ]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    document.add_paragraph("Điều 2. Hiệu lực")
    merged = document.add_table(rows=2, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 2)).text = "Phụ lục II. Nhiệm vụ"
    cell = merged.cell(1, 1)
    cell.text = "Xây dựng"
    cell.add_paragraph("Luật Chuyển đổi số")
    merged.cell(1, 0).text = "1"
    merged.cell(1, 2).text = "Bộ Khoa học và Công nghệ"
    document.add_paragraph("khoản 1 điểm đ) kết thúc.")
    path = tmp_path / "tt-32-moi.docx"
    document.save(str(path))

    assert _lines(load_file(path)) == [
        "THÔNG TƯ",
        "Điều 1. Danh mục thiết bị",
        "STT | Tên thiết bị | Mã HS",
        "1 | Máy quang khắc | 8486.20",
        "2 | Thiết bị khắc axit | 8486.20",
        "Điều 2. Hiệu lực",
        "Phụ lục II. Nhiệm vụ",
        "1 | Xây dựng Luật Chuyển đổi số | Bộ Khoa học và Công nghệ",
        "khoản 1 điểm đ) kết thúc.",
    ]


def test_docx_automatic_list_numbers_are_written(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Điều 3. Trách nhiệm thi hành")
    document.add_paragraph("Các bộ, ngành chủ trì;", style="List Number")
    document.add_paragraph("Ủy ban nhân dân các tỉnh phối hợp.", style="List Number")
    document.add_paragraph("Lưu: VT, KGVX.", style="List Bullet")
    path = tmp_path / "danh-so.docx"
    document.save(str(path))
    assert _lines(load_file(path)) == [
        "Điều 3. Trách nhiệm thi hành",
        "1. Các bộ, ngành chủ trì;",
        "2. Ủy ban nhân dân các tỉnh phối hợp.",
        "- Lưu: VT, KGVX.",
    ]


def test_corrupt_docx_raises(tmp_path: Path) -> None:
    garbage = tmp_path / "rac.docx"
    garbage.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(LoaderError, match=r"rac\.docx"):
        load_file(garbage)
    # A valid zip that is not a Word document.
    not_word = tmp_path / "khong-phai-word.docx"
    with zipfile.ZipFile(not_word, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(LoaderError, match=r"khong-phai-word\.docx"):
        load_file(not_word)


# --------------------------------------------------------------------------- HTML

LEGAL_PAGE = """<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Nghị quyết 71/NQ-CP - Cổng thông tin</title>
<script>var menu = "Trang chủ";</script><style>.menu{color:red}</style></head>
<body><form id="form1" action="/">
<header class="site-header"><div class="logo">Cổng Thông tin điện tử</div></header>
<nav><ul><li><a href="/">Trang chủ</a></li><li><a href="/vb">Văn bản pháp luật</a></li></ul></nav>
<div class="main-menu"><a href="/tt">Tin tức sự kiện</a> <a href="/lh">Liên hệ</a></div>
<div class="wrapper"><div class="col-left">
<div id="toanvancontent">
<table><tr><td><b>CHÍNH PHỦ</b></td><td><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></td></tr>
<tr><td>Số: 71/NQ-CP</td><td><i>Hà Nội, ngày 01 tháng 4 năm 2025</i></td></tr></table>
<p align="center"><b>NGHỊ QUYẾT</b></p>
<p align="center">Sửa đổi, bổ sung, cập nhật Chương trình hành động của Chính phủ</p>
<p><b>Điều 1.</b> Phạm vi&nbsp;điều chỉnh</p>
<p>1. Khoản này quy định
   về <a href="/cds">chuyển đổi số</a> quốc gia.</p>
<p>a) Điểm a: nội dung thứ nhất;</p>
<p>đ) Điểm đ: nội dung cuối.</p>
<ul><li>Bộ Khoa học và Công nghệ</li><li>- Bộ Tài chính</li></ul>
<table border="1"><caption>Phụ lục I</caption>
<tr><th>STT</th><th>Nhiệm vụ</th><th>Cơ quan chủ trì</th></tr>
<tr><td>1</td><td><p>Xây dựng</p><p>Luật Chuyển đổi số</p></td><td>Bộ Khoa học và Công nghệ</td></tr>
</table>
</div></div>
<div class="sidebar"><h3>Văn bản liên quan</h3><a href="/57">Nghị quyết 57-NQ/TW</a></div></div>
<footer>Bản quyền © 2025 Cổng Thông tin điện tử</footer>
<script>track("Điều 99");</script></form></body></html>
"""

EXPECTED_BODY = [
    "CHÍNH PHỦ | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Số: 71/NQ-CP | Hà Nội, ngày 01 tháng 4 năm 2025",
    "NGHỊ QUYẾT",
    "Sửa đổi, bổ sung, cập nhật Chương trình hành động của Chính phủ",
    "Điều 1. Phạm vi điều chỉnh",
    "1. Khoản này quy định về chuyển đổi số quốc gia.",
    "a) Điểm a: nội dung thứ nhất;",
    "đ) Điểm đ: nội dung cuối.",
    "- Bộ Khoa học và Công nghệ",
    "- Bộ Tài chính",
    "Phụ lục I",
    "STT | Nhiệm vụ | Cơ quan chủ trì",
    "1 | Xây dựng Luật Chuyển đổi số | Bộ Khoa học và Công nghệ",
]


def test_html_main_text_without_page_furniture(tmp_path: Path) -> None:
    path = tmp_path / "nq-71-cp-2025.html"
    path.write_text(LEGAL_PAGE, encoding="utf-8")
    assert _lines(load_file(path)) == EXPECTED_BODY


def test_html_without_known_container_uses_densest_block(tmp_path: Path) -> None:
    # No id/class that names the body, and a link-heavy column whose class says nothing.
    links = "".join(
        f'<li><a href="/vb/{i}">Văn bản số {i} về chuyển đổi số</a></li>' for i in range(30)
    )
    page = (
        LEGAL_PAGE.replace('<div id="toanvancontent">', '<div class="x1">')
        .replace('class="sidebar"', 'class="col-right"')
        .replace("<h3>Văn bản liên quan</h3>", f"<ul>{links}</ul>")
    )
    path = tmp_path / "trang.htm"
    path.write_text(page, encoding="utf-8")
    assert _lines(load_file(path)) == EXPECTED_BODY


def _cp1258_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    tones = "".join(c for c in decomposed if c in "\u0300\u0301\u0303\u0309\u0323")
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
    return base + tones


def test_html_declared_legacy_charset(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
        "</head><body><article><p>Điều 1. Phạm vi điều chỉnh</p></article></body></html>"
    )
    # Windows-1258 has the toned vowels only as base letter + combining tone mark.
    legacy = "".join(_cp1258_char(ch) for ch in page)
    path = tmp_path / "cu.html"
    path.write_bytes(legacy.encode("cp1258"))
    # cp1258 writes some tones as combining marks; compare in composed form.
    text = unicodedata.normalize("NFC", load_file(path))
    assert _lines(text) == ["Điều 1. Phạm vi điều chỉnh"]


def test_html_with_no_text_raises(tmp_path: Path) -> None:
    path = tmp_path / "rong.html"
    path.write_text(
        "<html><body><script>x()</script><nav>Menu</nav></body></html>", encoding="utf-8"
    )
    with pytest.raises(LoaderError, match=r"rong\.html.*no text"):
        load_file(path)


# --------------------------------------------------------------------------- text and markdown


def test_txt_utf8_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffĐiều 1. Phạm vi\r\nkhoản 2 điểm đ)\r\n".encode())
    assert load_file(path) == "Điều 1. Phạm vi\nkhoản 2 điểm đ)\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_txt_utf16_and_utf32_with_bom(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "u16.txt"
    body = "Điều 1. Nghị quyết số 57-NQ/TW\nĐổi mới sáng tạo\n"
    bom = {"utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path.write_bytes(bom + body.encode(encoding))
    assert load_file(path) == body


def test_txt_not_utf8_raises(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Điều 1".encode() + b" caf\xe9 \xff\xfe")
    with pytest.raises(LoaderError, match=r"latin\.txt.*UTF-8"):
        load_file(path)


def test_txt_binary_raises(tmp_path: Path) -> None:
    path = tmp_path / "anh.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(LoaderError, match=r"anh\.txt"):
        load_file(path)


def test_markdown_markup_is_stripped_and_list_items_kept(tmp_path: Path) -> None:
    path = tmp_path / "ghi-chu.md"
    path.write_text(
        "# Nghị quyết **71/NQ-CP**\n"
        "\n"
        "Đoạn văn có chữ *nghiêng*, chữ __đậm__ và [liên kết](https://vbpl.vn/71) được\n"
        "ngắt dòng giữa chừng.\n"
        "\n"
        "## Điều 1. Sửa đổi\n"
        "1. Khoản một;\n"
        "2. Khoản hai:\n"
        "   a) điểm a;\n"
        "   đ) điểm đ.\n"
        "* Gạch đầu dòng\n"
        "- Gạch thứ hai\n"
        "\n"
        "> Trích dẫn `nguyên văn`\n"
        "\n"
        "---\n"
        "\n"
        "| STT | Nhiệm vụ |\n"
        "|-----|----------|\n"
        "| 1 | Xây dựng ![hình](a.png)Luật |\n"
        "\n"
        "[71]: https://vbpl.vn/71\n",
        encoding="utf-8",
    )
    assert _lines(load_file(path)) == [
        "Nghị quyết 71/NQ-CP",
        "Đoạn văn có chữ nghiêng, chữ đậm và liên kết được ngắt dòng giữa chừng.",
        "Điều 1. Sửa đổi",
        "1. Khoản một;",
        "2. Khoản hai:",
        "a) điểm a;",
        "đ) điểm đ.",
        "- Gạch đầu dòng",
        "- Gạch thứ hai",
        "Trích dẫn nguyên văn",
        "STT | Nhiệm vụ",
        "1 | Xây dựng hìnhLuật",
    ]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("name", ["trong.txt", "trong.md", "trong.pdf", "trong.docx", "trong.html"])
def test_empty_file_raises(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"  \n")
    with pytest.raises(LoaderError, match=re.escape(name) + ".*empty"):
        load_file(path)


@pytest.mark.parametrize("name", ["van-ban.doc", "bang.xlsx", "khong-duoi"])
def test_unsupported_suffix_raises(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("Điều 1.", encoding="utf-8")
    with pytest.raises(LoaderError, match=re.escape(name) + ".*unsupported"):
        load_file(path)


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(LoaderError, match=r"khong-co\.txt.*cannot read"):
        load_file(tmp_path / "khong-co.txt")


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".pdf", ".docx", ".html", ".htm"} == SUPPORTED_SUFFIXES


def test_corpus_texts_load_unchanged() -> None:
    files = sorted(CORPUS_DOCS.glob("*.txt"))
    assert len(files) == 10
    for path in files:
        assert load_file(path) == path.read_text(encoding="utf-8").replace("\r\n", "\n")
