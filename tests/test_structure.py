"""Structure parsing on the real corpus texts (counts verified by reading the files)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.catalog import load_catalog
from ingest.clean import clean_text
from ingest.model import DocumentMeta, Unit
from ingest.structure import parse_document, render_tree

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def metas() -> dict[str, DocumentMeta]:
    return {m.id: m for m in load_catalog(CORPUS)}


@pytest.fixture(scope="module")
def trees(metas: dict[str, DocumentMeta]) -> dict[str, Unit]:
    out = {}
    for doc_id, meta in metas.items():
        text = clean_text((CORPUS / "docs" / meta.file).read_text(encoding="utf-8"))
        out[doc_id] = parse_document(text, meta)
    return out


def _find(root: Unit, locator: str) -> Unit:
    found = [u for u in root.walk() if u.locator == locator]
    assert len(found) == 1, f"{locator}: {len(found)} units"
    return found[0]


def _kinds(root: Unit) -> Counter[str]:
    return Counter(u.kind for u in root.walk())


def test_nq57_outline(trees: dict[str, Unit]) -> None:
    root = trees["nq-57-2024"]
    assert root.kind == "document" and root.heading == "Nghị quyết 57-NQ/TW"
    romans = [u.locator for u in root.children if u.kind == "outline"]
    assert romans == ["I", "II", "III", "IV"]
    part = _find(root, "III")
    assert part.heading == "III. NHIỆM VỤ, GIẢI PHÁP"
    assert [c.locator for c in part.children] == [f"III.{n}" for n in range(1, 8)]
    item = _find(root, "III.2")
    assert item.text.startswith(
        "2. Khẩn trương, quyết liệt hoàn thiện thể chế; xoá bỏ mọi tư tưởng"
    )
    assert item.heading.startswith("2. Khẩn trương, quyết liệt hoàn thiện thể chế")
    # One unnumbered paragraph, then four "-" bullets (read from the file).
    assert [c.kind for c in item.children] == ["paragraph", "bullet", "bullet", "bullet", "bullet"]
    assert item.children[0].text.startswith("Tiếp tục thể chế hoá đầy đủ")
    assert item.children[1].locator == "III.2, ý 1"
    assert item.children[1].text.startswith("- Khẩn trương sửa đổi, bổ sung, hoàn thiện đồng bộ")
    counts = _kinds(root)
    # 4 roman parts + 20 numbered items; 27 "- " lines in the file.
    assert counts["outline"] == 24
    assert counts["bullet"] == 27
    intro = [u for u in root.children if u.kind == "paragraph"]
    assert [u.locator for u in intro] == ["Mở đầu, đoạn 1", "Mở đầu, đoạn 2", "Mở đầu, đoạn 3"]


def test_tt33_articles_clauses_points(trees: dict[str, Unit]) -> None:
    root = trees["tt-33-2025-bkhcn"]
    counts = _kinds(root)
    assert (counts["article"], counts["clause"], counts["point"]) == (4, 12, 8)
    point = _find(root, "Điều 3 khoản 2 điểm b")
    assert point.kind == "point"
    assert point.text.startswith(
        "b) Doanh nghiệp phải có tổng chi cho hoạt động nghiên cứu khoa học, phát triển công nghệ"
    )
    assert "đạt tối thiểu 2% doanh thu thuần bình quân trong 03 năm tài chính" in point.text
    clause = _find(root, "Điều 1 khoản 1")
    assert clause.heading == "1. Phạm vi điều chỉnh"
    article = _find(root, "Điều 3")
    assert article.heading.startswith("Điều 3. Tiêu chí doanh nghiệp thực hiện dự án")


def test_nq03_annex_rows(trees: dict[str, Unit]) -> None:
    root = trees["nq-03-cp-2025"]
    row = _find(root, "Phụ lục II, nhiệm vụ 44")
    assert row.kind == "row"
    assert row.text.startswith("44. | Xây dựng Danh mục Công nghệ chiến lược | ")
    indicator = _find(root, "Phụ lục I, chỉ tiêu 12")
    assert (
        indicator.text == "12 | Tỉ lệ giao dịch không dùng tiền mặt | % | ≥ 80 | Ngân hàng Nhà nước"
    )
    annexes = [u for u in root.children if u.kind == "annex"]
    assert [a.locator for a in annexes] == ["Phụ lục I", "Phụ lục II"]
    tables = [[u for u in a.walk() if u.kind == "table"] for a in annexes]
    assert tables[1][0].text.startswith("TT | Tên nhiệm vụ | Cơ quan chủ trì")

    def numbered(annex: Unit) -> list[Unit]:
        return [u for u in annex.walk() if u.kind == "row" and u.label[:1].isdigit()]

    # Phụ lục I: 41 indicators plus 11.1-11.12 and 23.1-23.4; Phụ lục II: 140 tasks.
    assert len(numbered(annexes[0])) == 57
    assert [u.label for u in numbered(annexes[1])] == [str(n) for n in range(1, 141)]
    groups = [u.label for u in annexes[1].walk() if u.kind == "row" and u.children]
    assert groups == ["I", "II", "III", "IV", "V", "VI", "VII"]
    # A continuation line of a row stays in that row.
    row_108 = _find(root, "Phụ lục II, nhiệm vụ 108")
    assert "(5) Ứng dụng dữ liệu dân cư" in row_108.text
    # The attached programme is parsed as an outline after the signature.
    assert _find(root, "II.3.a").text.startswith("a) Ban hành Chương trình phát triển công nghệ")


def test_qd1169_raw_file(trees: dict[str, Unit]) -> None:
    root = trees["qd-1169-ttg-2025"]
    point = _find(root, "V.7.đ")
    assert point.text.startswith("đ) Định kỳ trước ngày 20 tháng 6 và trước ngày 20 tháng 12")
    assert _find(root, "V.7").heading.startswith("7. Các bộ, cơ quan ngang bộ")
    assert [u.locator for u in root.children if u.kind == "article"] == [
        "Điều 1",
        "Điều 2",
        "Điều 3",
    ]


def test_non_content_blocks_are_not_indexable(trees: dict[str, Unit]) -> None:
    for doc_id in ("tt-33-2025-bkhcn", "nq-03-cp-2025", "qd-1169-ttg-2025", "qd-2629-ttg-2025"):
        root = trees[doc_id]
        kinds = {u.kind: u for u in reversed(root.children) if not u.indexable}
        assert {"preamble", "recipients", "signature"} <= set(kinds), doc_id
        assert root.children[0].kind == "preamble" and "\nCăn cứ" in root.children[0].text
        assert kinds["recipients"].text.startswith("Nơi nhận:")
        assert not any("Căn cứ Luật" in u.text for u in root.walk() if u.indexable)
    signature = next(u for u in trees["nq-03-cp-2025"].children if u.kind == "signature")
    assert signature.text.split("\n") == [
        "TM. CHÍNH PHỦ",
        "KT. THỦ TƯỚNG",
        "PHÓ THỦ TƯỚNG",
        "[đã ký]",
        "Nguyễn Hòa Bình",
    ]
    kl69 = trees["kl-69-2024"]
    assert not any(u.kind == "preamble" for u in kl69.children)  # no header block
    assert next(u for u in kl69.children if u.kind == "signature").text.endswith("Trương Thị Mai")
    nq57 = trees["nq-57-2024"]
    assert "Số 57-NQ/TW" in nq57.children[0].text and not nq57.children[0].indexable


def test_other_outline_styles(trees: dict[str, Unit]) -> None:
    nq20 = trees["nq-20-2012"]
    assert [u.locator for u in nq20.children if u.kind == "outline"] == ["A", "B", "C"]
    assert _find(nq20, "B.III.2.1").text.startswith("2.1- Đổi mới mạnh mẽ cơ chế quản lý")
    kh = trees["kh-3260-ddqh15-2025"]
    assert _find(kh, "II.2.2.a").text == "a) Tổ đảng ở Thường trực Ủy ban KH,CN&MT"
    qd2629 = trees["qd-2629-ttg-2025"]
    plus = _find(qd2629, "II.2.a, ý 1, ý 1")
    assert plus.text.startswith("+ 100% dịch vụ công trực tuyến toàn trình")
    # Row numbers restart in each group, so the group joins the locator.
    row = _find(qd2629, "Phụ lục II, nhóm III.1.1, nhiệm vụ 1")
    assert "Cổng Dịch vụ công quốc gia" in row.text
    tt32 = trees["tt-32-2025-bkhcn"]
    vertical = _find(tt32, "Phụ lục, A, mục 9")
    assert vertical.text.split("\n")[:2] == ["9", "Khung dẫn (leadframes)"]
    assert _find(trees["tb-624-vpcp-2025"], "III.5.a").kind == "outline"


@pytest.mark.parametrize(
    "doc_id",
    [
        "kh-3260-ddqh15-2025",
        "kl-69-2024",
        "nq-03-cp-2025",
        "nq-20-2012",
        "nq-57-2024",
        "qd-1169-ttg-2025",
        "qd-2629-ttg-2025",
        "tb-624-vpcp-2025",
        "tt-32-2025-bkhcn",
        "tt-33-2025-bkhcn",
    ],
)
def test_every_line_lands_in_one_unit(
    trees: dict[str, Unit], metas: dict[str, DocumentMeta], doc_id: str
) -> None:
    root = trees[doc_id]
    text = clean_text((CORPUS / "docs" / metas[doc_id].file).read_text(encoding="utf-8"))
    unit_lines = [ln for u in root.walk() for ln in u.text.split("\n") if ln]
    assert sorted(unit_lines) == sorted(ln for ln in text.split("\n") if ln)
    for unit in root.walk():
        assert unit.locator and unit.heading, unit
    rows = [u.locator for u in root.walk() if u.kind == "row"]
    assert len(rows) == len(set(rows))


def test_render_tree(trees: dict[str, Unit]) -> None:
    root = trees["nq-57-2024"]
    out = render_tree(root, max_text=40)
    lines = out.split("\n")
    assert len(lines) == sum(1 for _ in root.walk())
    assert lines[0] == "[Nghị quyết 57-NQ/TW] document: Nghị quyết 57-NQ/TW"
    assert any(ln.startswith("    [III.2] outline: 2. Khẩn trương, quyết liệt") for ln in lines)
    assert any(ln.endswith("[không lập chỉ mục]") for ln in lines)
    assert all(
        len(re.sub(r"^\s*\[[^]]*\] \w+: ", "", ln).replace(" [không lập chỉ mục]", "")) <= 40
        for ln in lines
    )


def test_unknown_document_without_structure() -> None:
    meta = DocumentMeta(id="x", file="x.txt", number="1/2025/X", type="Công văn", title="Thử")
    root = parse_document("Một đoạn văn duy nhất không có cấu trúc.\nĐoạn thứ hai.", meta)
    assert [u.locator for u in root.children] == ["Mở đầu, đoạn 1", "Mở đầu, đoạn 2"]
    assert parse_document("", meta).children == []
