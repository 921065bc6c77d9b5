"""Corpus catalog: the real catalog, validation errors, and metadata guessed for dropped-in files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest

from ingest.catalog import CatalogError, discover, guess_meta, load_catalog
from ingest.loaders import SUPPORTED_SUFFIXES, load_file

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

ENTRY = """\
- id: nq-71-cp-2025
  file: nq-71-cp-2025.txt
  number: 71/NQ-CP
  type: Nghị quyết
  title: Nghị quyết sửa đổi, bổ sung Chương trình hành động của Chính phủ
  issued: "2025-04-01"
  issuer: Chính phủ
  notes: ""
"""

NQ71_HEADER = [
    "CHÍNH PHỦ",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 71/NQ-CP",
    "Hà Nội, ngày 01 tháng 4 năm 2025",
    "NGHỊ QUYẾT",
    "Sửa đổi, bổ sung, cập nhật Chương trình hành động của Chính phủ thực hiện Nghị quyết số 57-NQ/TW",
    "CHÍNH PHỦ",
    "Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;",
    "QUYẾT NGHỊ:",
    "Điều 1. Sửa đổi, bổ sung Chương trình hành động.",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the project's corpus."""
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS / "docs", root / "docs")
    shutil.copy(CORPUS / "catalog.yaml", root / "catalog.yaml")
    for path in (root / "docs").iterdir():
        path.chmod(0o644)
    return root


def _small_corpus(tmp_path: Path, catalog: str, files: dict[str, str]) -> Path:
    root = tmp_path / "c"
    (root / "docs").mkdir(parents=True)
    (root / "catalog.yaml").write_text(catalog, encoding="utf-8")
    for name, text in files.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    return root


# --------------------------------------------------------------------------- the real catalog


def test_real_catalog_has_ten_entries_pointing_at_files() -> None:
    metas = load_catalog(CORPUS)
    assert len(metas) == 10
    assert len({m.id for m in metas}) == 10
    on_disk = {p.name for p in (CORPUS / "docs").iterdir() if p.suffix in SUPPORTED_SUFFIXES}
    assert {m.file for m in metas} == on_disk
    for meta in metas:
        assert meta.id == Path(meta.file).stem
        assert (CORPUS / "docs" / meta.file).is_file()
        assert meta.number and meta.type and meta.title and meta.issuer and meta.notes
        assert meta.title.startswith(meta.type)
        assert len(meta.issued) == 10


def test_real_catalog_notes_amendment_and_signer() -> None:
    by_id = {m.id: m for m in load_catalog(CORPUS)}
    assert "71/NQ-CP" in by_id["nq-03-cp-2025"].notes
    assert "Nguyễn Chí Dũng" in by_id["qd-1169-ttg-2025"].notes
    assert by_id["nq-57-2024"].short_name == "Nghị quyết 57-NQ/TW"


def test_discover_real_corpus_without_warnings() -> None:
    metas, warnings = discover(CORPUS)
    assert warnings == []
    assert [m.id for m in metas] == [m.id for m in load_catalog(CORPUS)]


def test_header_guess_agrees_with_real_catalog() -> None:
    """Guessing on the real texts gives what the catalog says, wherever a header exists."""
    found = 0
    for meta in load_catalog(CORPUS):
        guess = guess_meta(load_file(CORPUS / "docs" / meta.file), meta.file)
        assert guess.id == meta.id
        assert guess.type == meta.type, meta.id
        if guess.number:
            found += 1
            assert guess.number == meta.number, meta.id
            assert guess.issued == meta.issued, meta.id
    # qd-1169 is raw PDF text that starts at the heading: no number or date to read.
    assert found >= 9


# --------------------------------------------------------------------------- dropped-in files


def test_dropped_in_docx_gets_guessed_metadata(corpus: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "CHÍNH PHỦ"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    table.cell(1, 0).text = "Số: 71/NQ-CP"
    table.cell(1, 1).text = "Hà Nội, ngày 01 tháng 4 năm 2025"
    for line in NQ71_HEADER[5:]:
        document.add_paragraph(line)
    document.save(str(corpus / "docs" / "nq-71-cp-2025.docx"))

    metas, warnings = discover(corpus)
    assert len(metas) == 11
    guessed = metas[-1]
    assert guessed.id == "nq-71-cp-2025"
    assert guessed.file == "nq-71-cp-2025.docx"
    assert guessed.number == "71/NQ-CP"
    assert guessed.type == "Nghị quyết"
    assert guessed.issued == "2025-04-01"
    assert guessed.issuer == "Chính phủ"
    assert guessed.title == (
        "Nghị quyết sửa đổi, bổ sung, cập nhật Chương trình hành động của Chính phủ "
        "thực hiện Nghị quyết số 57-NQ/TW"
    )
    assert len(warnings) == 1
    assert "nq-71-cp-2025.docx" in warnings[0] and "guessed" in warnings[0]


def test_dropped_in_text_variants(tmp_path: Path) -> None:
    law = [
        "QUỐC HỘI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Luật số: 93/2025/QH15",
        "LUẬT",
        "KHOA HỌC, CÔNG NGHỆ VÀ ĐỔI MỚI SÁNG TẠO",
        "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;",
    ]
    conclusion = (
        "# Kết luận số 70-KL/TW ngày 05/02/2024 của Ban Bí thư về tiếp tục thực hiện Chỉ thị số 1\n\n"
        "Nội dung kết luận.\n"
    )
    root = _small_corpus(
        tmp_path,
        "[]\n",
        {"luat-93.txt": "\n".join(law), "kl-70.md": conclusion, "ghi-chu.txt": "Xin chào\n"},
    )
    metas, warnings = discover(root)
    by_id = {m.id: m for m in metas}
    assert sorted(by_id) == ["ghi-chu", "kl-70", "luat-93"]
    assert by_id["luat-93"].number == "93/2025/QH15"
    assert by_id["luat-93"].type == "Luật"
    assert by_id["luat-93"].issuer == "Quốc hội"
    assert by_id["luat-93"].title == "Luật khoa học, công nghệ và đổi mới sáng tạo"
    assert by_id["kl-70"].number == "70-KL/TW"
    assert by_id["kl-70"].issued == "2024-02-05"
    assert by_id["kl-70"].issuer == "Ban Bí thư"
    assert by_id["kl-70"].title == "Kết luận của Ban Bí thư về tiếp tục thực hiện Chỉ thị số 1"
    # Nothing to read: the entry still exists, named after the file, and the warning says so.
    assert by_id["ghi-chu"].number == "" and by_id["ghi-chu"].title == "ghi-chu"
    note = next(w for w in warnings if "ghi-chu.txt" in w)
    assert "number" in note and "type" in note


def test_unreadable_dropped_file_is_listed_with_a_warning(tmp_path: Path) -> None:
    root = _small_corpus(tmp_path, "[]\n", {})
    (root / "docs" / "hong.pdf").write_bytes(b"not a pdf")
    metas, warnings = discover(root)
    assert [m.file for m in metas] == ["hong.pdf"]
    assert any("hong.pdf" in w and "cannot read" in w for w in warnings)


def test_entry_without_file_and_unsupported_files_warn(tmp_path: Path) -> None:
    root = _small_corpus(tmp_path, ENTRY, {"a.txt": "\n".join(NQ71_HEADER)})
    (root / "docs" / "cu.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (root / "docs" / "~$a.docx").write_bytes(b"lock")
    (root / "docs" / ".DS_Store").write_bytes(b"\x00")
    metas, warnings = discover(root)
    assert [m.id for m in metas] == ["a"]
    assert metas[0].number == "71/NQ-CP"
    assert any("nq-71-cp-2025" in w and "not found" in w for w in warnings)
    assert any("cu.doc" in w and "unsupported" in w for w in warnings)
    assert not any("~$a.docx" in w or ".DS_Store" in w for w in warnings)


def test_no_catalog_file_guesses_everything(tmp_path: Path) -> None:
    root = tmp_path / "c"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "nq-71.txt").write_text("\n".join(NQ71_HEADER), encoding="utf-8")
    assert load_catalog(root) == []
    metas, warnings = discover(root)
    assert [m.number for m in metas] == ["71/NQ-CP"]
    assert any("no catalog" in w for w in warnings)


def test_same_stem_twice_is_an_error(tmp_path: Path) -> None:
    root = _small_corpus(tmp_path, "[]\n", {"x.txt": "Điều 1.", "x.md": "Điều 1."})
    with pytest.raises(CatalogError, match=r"x\.md.*x\.txt|x\.txt.*x\.md"):
        discover(root)


def test_missing_docs_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="docs"):
        discover(tmp_path)


# --------------------------------------------------------------------------- validation


def test_malformed_yaml(tmp_path: Path) -> None:
    root = _small_corpus(tmp_path, "- id: a\n  file: [a.txt\n  number: 1\n", {})
    with pytest.raises(CatalogError, match=r"catalog\.yaml.*malformed"):
        load_catalog(root)


def test_duplicate_id(tmp_path: Path) -> None:
    root = _small_corpus(tmp_path, ENTRY + ENTRY, {})
    with pytest.raises(CatalogError, match=r"entry 2 \(nq-71-cp-2025\).*duplicate id.*entry 1"):
        load_catalog(root)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("  number: 71/NQ-CP\n", ""), r"nq-71-cp-2025.*missing.*number"),
        (('"2025-04-01"', '"2025-02-30"'), r"nq-71-cp-2025.*not a real date"),
        (('"2025-04-01"', "01/4/2025"), r"nq-71-cp-2025.*YYYY-MM-DD"),
        (("id: nq-71-cp-2025", "id: nq-71"), r"nq-71.*file stem"),
        (("  notes:", "  ghichu:"), r"nq-71-cp-2025.*unknown key 'ghichu'"),
        (("file: nq-71-cp-2025.txt", "file: ../nq-71-cp-2025.txt"), r"not a path"),
        (("file: nq-71-cp-2025.txt", "file: nq-71-cp-2025.doc"), r"unsupported"),
        (("issuer: Chính phủ", "issuer: [Chính phủ]"), r"'issuer' must be text"),
    ],
)
def test_invalid_entries(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in ENTRY
    root = _small_corpus(tmp_path, ENTRY.replace(old, new), {})
    with pytest.raises(CatalogError, match=message):
        load_catalog(root)


def test_unquoted_yaml_date_and_json_catalog(tmp_path: Path) -> None:
    root = _small_corpus(tmp_path, ENTRY.replace('"2025-04-01"', "2025-04-01"), {})
    assert load_catalog(root)[0].issued == "2025-04-01"

    # The shape of a JSON catalog: {"documents": [...]}, ids from stems, "note" for notes.
    (root / "catalog.yaml").unlink()
    doc = {
        "file": "nq-71-cp-2025.txt",
        "number": "71/NQ-CP",
        "type": "Nghị quyết",
        "title": "Nghị quyết sửa đổi",
        "issued": "2025-04-01",
        "issuer": "Chính phủ",
        "note": "Sửa đổi Nghị quyết 03/NQ-CP",
    }
    (root / "catalog.json").write_text(
        json.dumps({"documents": [doc]}, ensure_ascii=False), encoding="utf-8"
    )
    [meta] = load_catalog(root)
    assert meta.id == "nq-71-cp-2025"
    assert meta.notes == "Sửa đổi Nghị quyết 03/NQ-CP"


def test_catalog_that_is_not_a_list(tmp_path: Path) -> None:
    root = _small_corpus(tmp_path, "id: a\nfile: a.txt\n", {})
    with pytest.raises(CatalogError, match="list"):
        load_catalog(root)
