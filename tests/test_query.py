"""Query analysis on real phrasings (accented, unaccented, chat abbreviations) and the real catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.model import DocumentMeta
from retrieval.query import (
    ProvisionRef,
    analyze_query,
    expand_abbreviations,
    locator_matches,
    without_request,
)
from retrieval.restore import DiacriticRestorer

ROOT = Path(__file__).resolve().parents[1]
CATALOG_JSON = Path("/work/shared/corpus/catalog.json")


@pytest.fixture(scope="module")
def catalog() -> list[DocumentMeta]:
    entries = json.loads(CATALOG_JSON.read_text(encoding="utf-8"))["documents"]
    return [
        DocumentMeta(
            id=Path(e["file"]).stem,
            file=e["file"],
            number=e["number"],
            type=e["type"],
            title=e["title"],
            issued=e.get("issued", ""),
            issuer=e.get("issuer", ""),
            notes=e.get("note", ""),
        )
        for e in entries
    ]


@pytest.fixture(scope="module")
def restorer() -> DiacriticRestorer:
    docs = sorted((ROOT / "corpus" / "docs").glob("*.txt"))
    return DiacriticRestorer.train(p.read_text(encoding="utf-8") for p in docs)


# ----- normalisation -------------------------------------------------------------------------


def test_normalization(catalog: list[DocumentMeta]) -> None:
    q = analyze_query("  Hoà\x00 nhập\u00ad\t\tquốc   tế \n ", catalog)
    assert q.normalized == "Hòa nhập quốc tế"
    assert q.original == "  Hoà\x00 nhập\u00ad\t\tquốc   tế \n "
    assert q.folded == "hoa nhap quoc te"


def test_rejects_non_text(catalog: list[DocumentMeta]) -> None:
    with pytest.raises(TypeError, match="must be str"):
        analyze_query(None, catalog)  # type: ignore[arg-type]


def test_empty_query(catalog: list[DocumentMeta]) -> None:
    q = analyze_query("   ", catalog)
    assert q.expanded == "" and q.doc_refs == [] and q.provision is None
    assert not q.unaccented


# ----- abbreviations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expanded"),
    [
        ("nq 57 ko dc ap dung cho dn ah", "nghị quyết 57 không được ap dung cho doanh nghiệp"),
        ("NQ 57 hok đc ad dung cho DN à", "nghị quyết 57 không được dung cho doanh nghiệp"),
        ("dmst la j v", "đổi mới sáng tạo la gì vậy"),
        ("nq57 chi bn cho khcn", "nghị quyết 57 chi bao nhiêu cho khoa học và công nghệ"),
        ("KH&CN vs ĐMST", "khoa học và công nghệ với đổi mới sáng tạo"),
        ("R&D co dc ho tro k", "R&D co được ho tro không"),
        ("cds ntn", "chuyển đổi số như thế nào"),
        ("bct ban hanh bh", "bộ chính trị ban hanh bao giờ"),
        ("ng dan co dc gi", "người dan co được gi"),
        ("mn oi cho hoi", "mọi người oi cho hoi"),
        ("QĐ 1169/QĐ-TTg noi gi", "quyết định 1169/QĐ-TTg noi gi"),
        ("qd cua ttg", "quyết định cua thủ tướng"),
        ("ho tro 50 tr dung ko?", "ho tro 50 triệu dung không?"),
        ("cp giao nhiem vu gi, bn tien?", "chính phủ giao nhiem vu gi, bao nhiêu tien?"),
        ("cty sx chip co trong dm ko", "cty sản xuất chip co trong danh mục không"),
    ],
)
def test_expansion(typed: str, expanded: str) -> None:
    assert expand_abbreviations(typed) == expanded


@pytest.mark.parametrize(
    ("typed", "expanded"),
    [
        # "kh" is "không" in chat but "kế hoạch" before a number.
        ("kh 3260 co gi", "kế hoạch 3260 co gi"),
        ("kh biet nua", "không biet nua"),
        # "tt" is "thông tư" only before a number; alone it may be "thủ tướng"/"thông tin".
        ("tt 33/2025", "thông tư 33/2025"),
        ("tt so 33", "thông tư so 33"),
        ("tt moi nhat", "tt moi nhat"),
        # "nd" is "nghị định" before a number; alone usually "nội dung": left as typed.
        ("nd 13", "nghị định 13"),
        ("nd chinh", "nd chinh"),
        ("tb 624", "thông báo 624"),
        # Labels after structure words are never expanded or dropped.
        ("trich diem a", "trich diem a"),
        ("phu luc v", "phu luc v"),
        ("diem k khoan 2", "diem k khoan 2"),
        # Final particles only at the end.
        ("co dc ko a", "co được không"),
        ("co dc ko ạ?", "co được không?"),
        ("kh3260 giao gi", "kế hoạch 3260 giao gi"),
        ("tt33 ap dung khi nao", "thông tư 33 ap dung khi nao"),
        ("a oi co dc ko", "a oi co được không"),
        ("sao z", "sao vậy"),
        # Units after a number are not "không".
        ("luong 500 k", "luong 500 k"),
        # Tokens inside an official number stay untouched.
        ("57-NQ/TW", "57-NQ/TW"),
        ("tr 5", "tr 5"),
    ],
)
def test_expansion_ambiguity(typed: str, expanded: str) -> None:
    assert expand_abbreviations(typed) == expanded


# ----- document references -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "doc_ids"),
    [
        ("Nghị quyết 57 có mục tiêu gì?", ["nq-57-2024"]),
        ("nghi quyet 57 chi cho khoa hoc bao nhieu", ["nq-57-2024"]),
        ("nghị quyết số 57 nói gì", ["nq-57-2024"]),
        ("NQ 57 ko dc ap dung cho dn ah", ["nq-57-2024"]),
        ("nq57 la j", ["nq-57-2024"]),
        ("Theo 57-NQ/TW thì sao", ["nq-57-2024"]),
        ("Nghị quyết số 57-NQ/TƯ ngày 22/12/2024", ["nq-57-2024"]),
        ("quyết định 1169 truyền thông", ["qd-1169-ttg-2025"]),
        ("QĐ 1169/QĐ-TTg giao ai", ["qd-1169-ttg-2025"]),
        ("qd 2629 ve chinh phu so", ["qd-2629-ttg-2025"]),
        ("quyet dinh 2629/QD-TTg", ["qd-2629-ttg-2025"]),
        ("TT 33/2025 ưu đãi thuế", ["tt-33-2025-bkhcn"]),
        ("khoản 2 Điều 3 Thông tư 33/2025/TT-BKHCN", ["tt-33-2025-bkhcn"]),
        ("thong tu 32 ban dan", ["tt-32-2025-bkhcn"]),
        ("NQ 03 co bao nhieu nhiem vu", ["nq-03-cp-2025"]),
        ("nghị quyết 03/NQ-CP", ["nq-03-cp-2025"]),
        ("ket luan 69 noi gi", ["kl-69-2024"]),
        ("thông báo 624 của văn phòng chính phủ", ["tb-624-vpcp-2025"]),
        ("624/TB-VPCP", ["tb-624-vpcp-2025"]),
        # The number's own code names the type, whatever word comes before it.
        ("Thông báo kết luận số 624/TB-VPCP", ["tb-624-vpcp-2025"]),
        ("kế hoạch 3260 của Đảng đoàn Quốc hội", ["kh-3260-ddqh15-2025"]),
        ("kh 3260", ["kh-3260-ddqh15-2025"]),
        ("3260-KH/ĐĐQH15", ["kh-3260-ddqh15-2025"]),
        ("nq 20", ["nq-20-2012"]),
        ("kết luận 69 và nghị quyết 20 khác gì", ["kl-69-2024", "nq-20-2012"]),
        ("NQ 57 với NQ 03", ["nq-57-2024", "nq-03-cp-2025"]),
    ],
)
def test_doc_refs_resolve(catalog: list[DocumentMeta], question: str, doc_ids: list[str]) -> None:
    q = analyze_query(question, catalog)
    assert [r.doc_id for r in q.doc_refs] == doc_ids
    by_id = {d.id: d for d in catalog}
    assert [r.number for r in q.doc_refs] == [by_id[i].number for i in doc_ids]


@pytest.mark.parametrize(
    ("question", "number", "doc_type"),
    [
        # Number and type must agree: there is no Thông tư 57 or Quyết định 57 in the catalog.
        ("thông tư 57 quy định gì", "57", "Thông tư"),
        ("quyet dinh 57", "57", "Quyết định"),
        # 03 exists as NQ-CP, not as NQ-TW.
        ("nghị quyết 03-NQ/TW", "03-NQ/TW", "Nghị quyết"),
        # Known but not in the corpus.
        ("Nghị quyết 71/NQ-CP sửa đổi gì", "71/NQ-CP", "Nghị quyết"),
        ("nghi dinh 13", "13", "Nghị định"),
        ("Luật 93/2025/QH15", "93/2025/QH15", "Luật"),
    ],
)
def test_doc_refs_unresolved(
    catalog: list[DocumentMeta], question: str, number: str, doc_type: str
) -> None:
    q = analyze_query(question, catalog)
    assert len(q.doc_refs) == 1
    ref = q.doc_refs[0]
    assert ref.doc_id is None
    assert ref.number == number
    assert ref.type == doc_type


def test_year_must_agree(catalog: list[DocumentMeta]) -> None:
    assert analyze_query("thông tư 33/2024", catalog).doc_refs[0].doc_id is None
    assert analyze_query("thông tư 33/2025", catalog).doc_refs[0].doc_id == "tt-33-2025-bkhcn"


@pytest.mark.parametrize(
    "question",
    ["khoa học công nghệ là gì", "năm 2030 đạt bao nhiêu", "57 là gì", "dieu kien ho tro"],
)
def test_no_doc_ref(catalog: list[DocumentMeta], question: str) -> None:
    assert analyze_query(question, catalog).doc_refs == []


# ----- provisions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("khoản 2 Điều 3 Thông tư 33", ProvisionRef(article=3, clause=2)),
        ("Điều 3 khoản 2 điểm b", ProvisionRef(article=3, clause=2, point="b")),
        ("dieu 3 khoan 2 diem b", ProvisionRef(article=3, clause=2, point="b")),
        ("điểm đ khoản 1 Điều 2", ProvisionRef(article=2, clause=1, point="đ")),
        # Folded "d" may be "đ": reported as typed, locator_matches accepts both.
        ("diem d khoan 1 dieu 2", ProvisionRef(article=2, clause=1, point="d")),
        ("Điều 5", ProvisionRef(article=5)),
        ("dieu so 5", ProvisionRef(article=5)),
        ("mục II.1 nghị quyết 57", ProvisionRef(outline="II.1")),
        ("muc iii.2.b", ProvisionRef(outline="III.2.b")),
        ("theo III.2 thì", ProvisionRef(outline="III.2")),
        ("mục III", ProvisionRef(outline="III")),
        ("phần II", ProvisionRef(outline="II")),
        ("mục 2 phần III", ProvisionRef(outline="III.2")),
        ("phần III mục 2", ProvisionRef(outline="III.2")),
        ("phụ lục II", ProvisionRef(annex="II")),
        ("phu luc II nhiem vu so 44", ProvisionRef(annex="II", row=44, row_kind="nhiệm vụ")),
        ("nhiệm vụ 44 nq 03", ProvisionRef(row=44, row_kind="nhiệm vụ")),
        ("chi tieu 12", ProvisionRef(row=12, row_kind="chỉ tiêu")),
        # Outline-numbered texts letter their points inside the outline.
        ("điểm i mục 1 phần II", ProvisionRef(outline="II.1.i")),
        ("diem b muc III.2", ProvisionRef(outline="III.2.b")),
        # ... and number their clauses inside it; points run past p.
        ("Điểm q khoản 2.2 mục II Kế hoạch 3260", ProvisionRef(outline="II.2.2.q")),
        ("khoản 2 mục II", ProvisionRef(outline="II.2")),
        ("điểm s khoản 1 Điều 4", ProvisionRef(article=4, clause=1, point="s")),
    ],
)
def test_provision(catalog: list[DocumentMeta], question: str, expected: ProvisionRef) -> None:
    assert analyze_query(question, catalog).provision == expected


@pytest.mark.parametrize(
    "question",
    [
        "điều kiện được hỗ trợ",
        "nhiều điều cần biết",
        "điểm mới của nghị quyết",
        "khoa hoc cong nghe",
        "nhiem vu chinh la gi",
        "phan bo ngan sach",
        # Amounts and look-alike words, not structure.
        "muc 2% GDP",
        "mức 2 triệu",
        "mức 3",
        "chi tiêu 12 tỷ",
        "chi tieu 12 ty dong",
        "điểm y tế",
        "khoán 2 lần",
    ],
)
def test_no_provision(catalog: list[DocumentMeta], question: str) -> None:
    assert analyze_query(question, catalog).provision is None


# ----- locator matching ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locator", "asked", "matches"),
    [
        ("Điều 3 khoản 2 điểm b", ProvisionRef(article=3, clause=2, point="b"), True),
        ("Điều 3 khoản 2 điểm b", ProvisionRef(article=3), True),
        ("Điều 3 khoản 2", ProvisionRef(article=3, clause=2), True),
        ("Điều 3 khoản 2", ProvisionRef(clause=2), True),
        ("Điều 30 khoản 2", ProvisionRef(article=3), False),
        ("Điều 3 khoản 1", ProvisionRef(article=3, clause=2), False),
        ("Điều 3", ProvisionRef(article=3, clause=2), False),
        ("Điều 2 khoản 1 điểm đ", ProvisionRef(article=2, clause=1, point="d"), True),
        ("Điều 2 khoản 1 điểm d", ProvisionRef(article=2, clause=1, point="đ"), True),
        ("Điều 2 khoản 1 điểm e", ProvisionRef(article=2, clause=1, point="d"), False),
        ("III.2.b", ProvisionRef(outline="III.2.b"), True),
        ("III.2.b", ProvisionRef(outline="III.2"), True),
        ("III.2.b", ProvisionRef(outline="III"), True),
        ("II.1", ProvisionRef(outline="II.1"), True),
        ("II.1.a", ProvisionRef(outline="II.1"), True),
        ("II.10", ProvisionRef(outline="II.1"), False),
        ("III.1", ProvisionRef(outline="II.1"), False),
        ("II", ProvisionRef(outline="II.1"), False),
        ("Phụ lục II, nhiệm vụ 44", ProvisionRef(annex="II", row=44, row_kind="nhiệm vụ"), True),
        ("Phụ lục II, nhiệm vụ 44", ProvisionRef(row=44, row_kind="nhiệm vụ"), True),
        ("Phụ lục II, nhiệm vụ 44", ProvisionRef(annex="II"), True),
        ("Phụ lục II, nhiệm vụ 44", ProvisionRef(annex="I"), False),
        ("Phụ lục II, nhiệm vụ 144", ProvisionRef(row=44, row_kind="nhiệm vụ"), False),
        ("Phụ lục I, chỉ tiêu 12", ProvisionRef(row=12, row_kind="chỉ tiêu"), True),
        ("Phụ lục I, chỉ tiêu 12", ProvisionRef(row=12, row_kind="nhiệm vụ"), False),
        ("Phụ lục I, chỉ tiêu 12", ProvisionRef(annex="I", row=12), True),
        ("Phu luc I, chi tieu 12", ProvisionRef(annex="I", row=12, row_kind="chỉ tiêu"), True),
        ("Điều 3 khoản 2", ProvisionRef(outline="III"), False),
        ("III.2", ProvisionRef(article=3), False),
        ("", ProvisionRef(article=3), False),
        ("Điều 3", ProvisionRef(), False),
    ],
)
def test_locator_matches(locator: str, asked: ProvisionRef, matches: bool) -> None:
    assert locator_matches(locator, asked) is matches


@pytest.mark.parametrize(
    ("locator", "asked", "matches"),
    [
        ("Điều 3", ProvisionRef(article=3, clause=2), True),
        ("II", ProvisionRef(outline="II.1"), True),
        ("Phụ lục II", ProvisionRef(annex="II", row=44, row_kind="nhiệm vụ"), True),
        ("Điều 4", ProvisionRef(article=3, clause=2), False),
        ("III", ProvisionRef(outline="II.1"), False),
    ],
)
def test_locator_matches_ancestor(locator: str, asked: ProvisionRef, matches: bool) -> None:
    assert locator_matches(locator, asked, allow_ancestor=True) is matches


def test_locator_matches_analyzed_question(catalog: list[DocumentMeta]) -> None:
    asked = analyze_query("trich nguyen van diem d khoan 1 dieu 2 tt 32", catalog).provision
    assert asked is not None
    assert locator_matches("Điều 2 khoản 1 điểm đ", asked)
    assert not locator_matches("Điều 2 khoản 1", asked)


# ----- other signals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "verbatim"),
    [
        ("trích nguyên văn Điều 3", True),
        ("trich nguyen van dieu 3", True),
        ("cho xem nguyên văn mục II.1", True),
        ("toàn văn nghị quyết 57", True),
        ("trích lập quỹ phát triển khoa học", False),
        ("nghị quyết 57 nói gì", False),
    ],
)
def test_wants_verbatim(catalog: list[DocumentMeta], question: str, verbatim: bool) -> None:
    assert analyze_query(question, catalog).wants_verbatim is verbatim


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Ai ký Quyết định 1169?", "signer"),
        ("qd 1169 do ai ky vay", "signer"),
        ("người ký thông tư 33 là ai", "signer"),
        ("Thông tư 32 do Bộ Công Thương ban hành đúng không?", "issuance"),
        ("co quan nao ban hanh ke hoach 3260", "issuance"),
        ("Nghị quyết 57 ban hành ngày nào?", "issuance"),
        ("Căn cứ pháp lý của Thông tư 33 là gì?", "issuance"),
        ("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?", ""),
        ("Bộ nào chủ trì ban hành danh mục công nghệ chiến lược?", ""),
        ("chữ số thập phân", ""),
    ],
)
def test_questions_about_how_a_document_was_made(
    catalog: list[DocumentMeta], question: str, kind: str
) -> None:
    assert analyze_query(question, catalog).asks_record == kind


def test_request_phrasing_is_removed() -> None:
    assert (
        without_request("Câu nào trong NQ 57 nói về thể chế? Trích đúng nguyên văn giúp tôi.")
        == "trong NQ 57 nói về thể chế? ."
    )
    assert without_request("nghị quyết 57 nói gì về thể chế") == "nghị quyết 57 nói gì về thể chế"


def test_years_and_numbers(catalog: list[DocumentMeta]) -> None:
    q = analyze_query("đến năm 2030 chi 2% GDP, nghị quyết ngày 22/12/2024", catalog)
    assert q.years == [2030, 2024]
    assert q.numbers == ["2030", "2", "22", "12", "2024"]
    assert analyze_query("thông tư 33/2025", catalog).years == [2025]
    assert analyze_query("cấp 1.500 tỷ đồng", catalog).years == []


# ----- accents ------------------------------------------------------------------------------


def test_unaccented_is_restored(catalog: list[DocumentMeta], restorer: DiacriticRestorer) -> None:
    q = analyze_query("nghi quyet 57 chi cho khoa hoc bao nhieu", catalog, restorer)
    assert q.unaccented
    assert q.restored == "nghị quyết 57 chi cho khoa học bao nhiêu"
    assert q.folded == "nghi quyet 57 chi cho khoa hoc bao nhieu"


def test_teen_code_is_expanded_then_restored(
    catalog: list[DocumentMeta], restorer: DiacriticRestorer
) -> None:
    q = analyze_query("nq 57 ko dc ap dung cho dn ah", catalog, restorer)
    assert q.unaccented
    assert q.restored == "nghị quyết 57 không được áp dụng cho doanh nghiệp"
    assert q.folded == "nghi quyet 57 khong duoc ap dung cho doanh nghiep"


def test_half_accented_is_restored(
    catalog: list[DocumentMeta], restorer: DiacriticRestorer
) -> None:
    q = analyze_query("nghị quyết 57 chi cho khoa hoc bao nhieu", catalog, restorer)
    assert q.unaccented
    assert q.restored == "nghị quyết 57 chi cho khoa học bao nhiêu"


def test_accented_is_left_alone(catalog: list[DocumentMeta], restorer: DiacriticRestorer) -> None:
    # "cho", "khoa", "tin" are legitimately unaccented: an accented question is not touched.
    text = "Nghị quyết 57 dành cho khoa học và thông tin bao nhiêu"
    q = analyze_query(text, catalog, restorer)
    assert not q.unaccented
    assert q.restored == q.expanded == text


def test_without_restorer(catalog: list[DocumentMeta]) -> None:
    q = analyze_query("nghi quyet 57 la gi", catalog)
    assert q.unaccented
    assert q.restored == q.expanded == "nghi quyet 57 la gi"


def test_a_part_named_by_its_heading_words_holds_the_item_asked():
    from retrieval.query import ProvisionRef, within_named_part

    units = [
        ("I.1", ["NQ", "I. QUAN ĐIỂM CHỈ ĐẠO"]),
        ("III.6, ý 1", ["NQ", "III. NHIỆM VỤ, GIẢI PHÁP", "6. Thúc đẩy …"]),
        ("B.III.3.2", ["NQ", "B. ĐỊNH HƯỚNG", "III. NHIỆM VỤ VÀ GIẢI PHÁP", "3. …"]),
    ]
    six = within_named_part(ProvisionRef(outline="6"), "muc 6 phan nhiem vu cua nq 57", units)
    assert six.outline == "III.6"
    nested = within_named_part(ProvisionRef(outline="3.2"), "muc 3.2 phan nhiem vu", units)
    assert nested.outline == "B.III.3.2"
    # An item the part does not have, or a part no heading names, leaves the reference as asked.
    assert within_named_part(ProvisionRef(outline="9"), "muc 9 phan nhiem vu", units).outline == "9"
    assert within_named_part(ProvisionRef(outline="6"), "muc 6 phan ket luan", units).outline == "6"
    assert within_named_part(
        ProvisionRef(outline="II.1"), "muc II.1 phan nhiem vu", units
    ).outline == ("II.1")
