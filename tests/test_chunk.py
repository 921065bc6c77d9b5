"""Chunk invariants over the ten corpus documents, plus targeted checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.catalog import load_catalog
from ingest.chunk import RECORD_KINDS, chunk_document, split_text
from ingest.clean import clean_text
from ingest.model import Chunk, DocumentMeta, Unit
from ingest.structure import is_title_only, parse_document
from nq57.text import match_key

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
DOC_IDS = [
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
]


@pytest.fixture(scope="module")
def parsed() -> dict[str, tuple[DocumentMeta, str, Unit]]:
    out = {}
    for meta in load_catalog(CORPUS):
        text = clean_text((CORPUS / "docs" / meta.file).read_text(encoding="utf-8"))
        out[meta.id] = (meta, text, parse_document(text, meta))
    return out


def _check_invariants(
    meta: DocumentMeta, text: str, root: Unit, chunks: list[Chunk], max_chars: int
) -> None:
    assert chunks, meta.id
    lines = set(text.split("\n"))
    tops = [u for u in root.children if u.indexable or u.kind in RECORD_KINDS]
    top_texts = [u.full_text for u in tops]
    for i, chunk in enumerate(chunks):
        assert chunk.chunk_index == i
        assert chunk.doc_id == meta.id
        assert chunk.text.strip() and chunk.locator
        assert chunk.breadcrumb[0] == meta.short_name
        if len(chunk.text) > max_chars:
            # Only a single word longer than the limit may exceed it.
            assert " " not in chunk.text.strip() and "\n" not in chunk.text.strip()
        chunk_lines = chunk.text.split("\n")
        if chunk.text not in text:
            # Table chunks: the header line(s) followed by rows, each a line of the document
            # (or a piece of one when a long row was split).
            assert all(ln in lines or any(ln in full for full in top_texts) for ln in chunk_lines)
        # Never across two top-level units.
        owners = [k for k, full in enumerate(top_texts) if all(ln in full for ln in chunk_lines)]
        assert owners, (chunk.locator, chunk.text[:80])


def test_signature_recipients_and_preamble_are_their_own_chunks(parsed):
    meta, _, root = parsed["tt-33-2025-bkhcn"]
    chunks = chunk_document(root, meta)
    records = {c.kind: c for c in chunks if c.kind in RECORD_KINDS}
    assert set(records) == {"preamble", "recipients", "signature"}
    assert records["recipients"].locator == "Nơi nhận"
    assert records["recipients"].text.startswith("Nơi nhận")
    assert records["signature"].locator == "Chữ ký"
    assert records["signature"].text.endswith("Nguyễn Mạnh Hùng")
    assert "Căn cứ Luật Công nghiệp công nghệ số" in records["preamble"].text
    # The content chunks do not repeat the records.
    assert [c for c in chunks if c.text.startswith("Nơi nhận")] == [records["recipients"]]
    assert all("Nguyễn Mạnh Hùng" not in c.text for c in chunks if c.kind not in RECORD_KINDS)


def _check_coverage(root: Unit, chunks: list[Chunk]) -> None:
    """Every indexable unit's text is in some chunk (a split title-only line: in a breadcrumb)."""
    headers = sorted({u.text for u in root.walk() if u.kind == "table" and u.text}, key=len)

    def body(chunk: Chunk) -> str:
        # Table chunks repeat the header: drop it so that split rows read on.
        for header in reversed(headers):
            if chunk.text.startswith(header + "\n"):
                return chunk.text[len(header) + 1 :]
        return chunk.text

    corpus = match_key("\n".join(body(c) for c in chunks))
    crumbs = {h for c in chunks for h in c.breadcrumb}

    def visit(unit: Unit) -> None:
        if not unit.indexable:
            return
        if unit.kind == "table" and unit.text:
            assert any(c.text.startswith(unit.text + "\n") for c in chunks), unit.locator
        elif unit.text and unit.kind != "document" and match_key(unit.text) not in corpus:
            assert is_title_only(unit), (unit.locator, unit.text[:80])
            assert unit.heading in crumbs, unit.locator
        for child in unit.children:
            visit(child)

    visit(root)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_invariants_with_defaults(parsed, doc_id: str) -> None:
    meta, text, root = parsed[doc_id]
    chunks = chunk_document(root, meta)
    _check_invariants(meta, text, root, chunks, 1200)
    _check_coverage(root, chunks)
    # Non-content blocks never become content chunks; preamble, recipients and signature are
    # records.
    hidden = {u.text for u in root.walk() if not u.indexable}
    assert not any(c.text in hidden for c in chunks if c.kind not in RECORD_KINDS)
    assert not any("Nơi nhận:" in c.text for c in chunks if c.kind != "recipients")


@pytest.mark.parametrize(
    "doc_id", ["nq-57-2024", "nq-03-cp-2025", "qd-1169-ttg-2025", "tb-624-vpcp-2025"]
)
def test_invariants_with_small_chunks(parsed, doc_id: str) -> None:
    meta, text, root = parsed[doc_id]
    chunks = chunk_document(root, meta, max_chars=300, min_chars=80)
    _check_invariants(meta, text, root, chunks, 300)
    _check_coverage(root, chunks)
    assert len(chunks) > len(chunk_document(root, meta))


def test_nq57_breadcrumbs_and_merging(parsed) -> None:
    meta, _, root = parsed["nq-57-2024"]
    chunks = chunk_document(root, meta)
    iii2 = [c for c in chunks if c.locator.startswith("III.2")]
    assert iii2
    for chunk in iii2:
        assert chunk.breadcrumb[:2] == ["Nghị quyết 57-NQ/TW", "III. NHIỆM VỤ, GIẢI PHÁP"]
        assert chunk.breadcrumb[2].startswith("2. Khẩn trương, quyết liệt hoàn thiện thể chế")
    # III.2's own sentence opens its first chunk, followed by its first paragraph.
    assert iii2[0].locator == "III.2"
    assert iii2[0].text.startswith("2. Khẩn trương, quyết liệt hoàn thiện thể chế")
    assert "\nTiếp tục thể chế hoá đầy đủ" in iii2[0].text
    # The title-only "1. Đến năm 2030" is not a chunk of its own; it heads its bullets.
    assert not any(c.text == "1. Đến năm 2030" for c in chunks)
    ii1 = [c for c in chunks if c.locator.startswith("II.1")]
    assert ii1 and all(c.breadcrumb[-1] == "1. Đến năm 2030" for c in ii1)
    # A whole small section stays one chunk: II.2 (title + one paragraph).
    assert [c.locator for c in chunks if c.locator.startswith("II.2")] == ["II.2"]


def test_table_chunks_repeat_the_header(parsed) -> None:
    meta, _, root = parsed["nq-03-cp-2025"]
    chunks = chunk_document(root, meta)
    header = (
        "TT | Tên nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Kết quả | Thời gian hoàn thành"
    )
    annex2 = [c for c in chunks if c.locator.startswith("Phụ lục II")]
    assert annex2 and all(c.text.startswith(header + "\n") for c in annex2)
    row44 = [c for c in annex2 if "44. | Xây dựng Danh mục Công nghệ chiến lược" in c.text]
    assert len(row44) == 1
    # Either the row itself or a range of small rows that contains it.
    m = re.fullmatch(r"Phụ lục II, nhiệm vụ (\d+)(?:–(\d+))?", row44[0].locator)
    assert m and int(m.group(1)) <= 44 <= int(m.group(2) or m.group(1))
    assert row44[0].breadcrumb[1].startswith("Phụ lục II. DANH MỤC CÁC NHIỆM VỤ")
    assert row44[0].breadcrumb[2].startswith("III. Tăng cường đầu tư, hoàn thiện hạ tầng")
    # Small rows are grouped; the group is named by its range.
    ranges = [c.locator for c in chunks if "–" in c.locator]
    assert "Phụ lục I, chỉ tiêu 11.4–11.11" in ranges


def test_tt33_points_and_clauses(parsed) -> None:
    meta, _, root = parsed["tt-33-2025-bkhcn"]
    chunks = chunk_document(root, meta)
    point = [c for c in chunks if c.locator == "Điều 3 khoản 2 điểm b"]
    assert len(point) == 1 and point[0].text.startswith("b) Doanh nghiệp phải có tổng chi")
    assert point[0].breadcrumb[1].startswith("Điều 3. Tiêu chí doanh nghiệp")
    # A short article is one chunk holding its title line.
    art1 = [c for c in chunks if c.locator == "Điều 1"]
    assert len(art1) == 1 and art1[0].text.startswith("Điều 1. Phạm vi điều chỉnh")


def test_long_unit_is_split_at_sentences() -> None:
    meta = DocumentMeta(id="t", file="t.txt", number="1/2025/NQ-CP", type="Nghị quyết", title="Thử")
    sentence = "Cơ quan nhà nước có trách nhiệm triển khai nhiệm vụ được giao đúng tiến độ. "
    text = "I. NHIỆM VỤ\n1. " + sentence * 40
    root = parse_document(text, meta)
    chunks = chunk_document(root, meta, max_chars=400, min_chars=100)
    assert len(chunks) > 5
    assert {c.locator for c in chunks} == {"I.1"}
    assert all(len(c.text) <= 400 and c.text.endswith("tiến độ.") for c in chunks)
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    assert all(c.breadcrumb[:2] == ["Nghị quyết 1/2025/NQ-CP", "I. NHIỆM VỤ"] for c in chunks)


def test_split_text_is_verbatim() -> None:
    text = "Một câu ngắn. " * 5 + "Một mệnh đề dài; " * 20 + "x" * 50
    pieces = split_text(text, 60)
    assert all(p in text for p in pieces)
    assert match_key(" ".join(pieces)) == match_key(text)
    assert all(len(p) <= 60 for p in pieces)
    assert split_text("y" * 100, 10) == ["y" * 100]  # one word cannot be split


def test_invalid_sizes_are_refused(parsed) -> None:
    meta, _, root = parsed["tt-33-2025-bkhcn"]
    with pytest.raises(ValueError, match="max_chars"):
        chunk_document(root, meta, max_chars=0)
