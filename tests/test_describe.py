"""Documents described by type, issuer, date or title words, against the real catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.catalog import discover
from ingest.model import DocumentMeta
from retrieval.describe import DocumentProfiles, strip_description

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def profiles() -> DocumentProfiles:
    return DocumentProfiles(discover(CORPUS)[0])


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        # type + year + time of year + issuer
        ("Văn bản kết luận đầu năm 2024 của Bộ Chính trị nói gì về chợ công nghệ?", "kl-69-2024"),
        ("nghi quyet dot pha cuoi nam 2024 cua bo chinh tri", "nq-57-2024"),
        # issuer + a distinctive title word
        ("Chương trình truyền thông của Thủ tướng nhắm tới ai?", "qd-1169-ttg-2025"),
        # a title phrase alone, when it is distinctive enough
        ("Phiên họp lần thứ năm quyết định bổ sung bao nhiêu tiền?", "tb-624-vpcp-2025"),
        ("danh muc thiet bi ban dan duoc khuyen khich gom nhung gi", "tt-32-2025-bkhcn"),
    ],
)
def test_described_documents_are_found(profiles, question, doc_id):
    assert profiles.match(question)[0] == doc_id


@pytest.mark.parametrize(
    "question",
    [
        "Mục tiêu đến năm 2030 là gì?",  # a target year is not an issuing date
        "Hướng dẫn quyết toán thuế thu nhập cá nhân",  # two common title words are not enough
        "Ban Chỉ đạo do ai làm trưởng ban?",
        "xin chào",
        "",
    ],
)
def test_vague_questions_describe_nothing(profiles, question):
    assert profiles.match(question) == []


def test_wrong_time_of_year_counts_against():
    catalog = [
        DocumentMeta(id="a", file="a.txt", number="1/NQ", type="Nghị quyết", title="Về A",
                     issued="2024-01-10", issuer="Chính phủ"),
        DocumentMeta(id="b", file="b.txt", number="2/NQ", type="Nghị quyết", title="Về B",
                     issued="2024-12-10", issuer="Chính phủ"),
    ]  # fmt: skip
    p = DocumentProfiles(catalog)
    assert p.match("nghị quyết cuối năm 2024 của Chính phủ") == ["b"]
    assert p.match("nghị quyết đầu năm 2024 của Chính phủ") == ["a"]
    # Without the time of year both fit equally: both are returned.
    assert sorted(p.match("nghị quyết năm 2024 của Chính phủ")) == ["a", "b"]
    assert DocumentProfiles([]).match("nghị quyết năm 2024") == []


def test_description_words_are_stripped_for_choosing_sentences():
    assert (
        strip_description("Văn bản kết luận đầu năm 2024 của Bộ Chính trị nói gì về chợ công nghệ?")
        == "nói gì về chợ công nghệ?"
    )
    # Target years are what is asked about, not a description.
    assert strip_description("Mục tiêu đến năm 2030 là gì?") == "Mục tiêu đến năm 2030 là gì?"
    assert strip_description("chương trình của Thủ tướng về truyền thông") == (
        "chương trình về truyền thông"
    )


def test_a_type_word_alone_anchors_nothing():
    # In a library of laws every question says "pháp luật"; short titles are common words.
    laws = [
        DocumentMeta(id=t, file=t, number="", type="Luật", title=t)
        for t in ("Luật Du lịch", "Luật Dân sự", "Luật Hôn nhân và gia đình")
    ]
    p = DocumentProfiles(laws)
    assert (
        p.match("Theo quy định của pháp luật về du lịch, hợp đồng lữ hành phải lập thế nào?") == []
    )
    # Several distinctive phrases of one title still name it.
    assert p.match("Theo Luật hôn nhân và gia đình, ai được kết hôn?") == [
        "Luật Hôn nhân và gia đình"
    ]


@pytest.mark.parametrize(
    ("question", "named", "number", "meant"),
    [
        # The named resolution only qualifies the title of the document meant.
        (
            "Quyết định phê duyệt Chương trình đẩy mạnh truyền thông thực hiện Nghị quyết 57 "
            "do ai ký?",
            "nq-57-2024",
            "57-NQ/TW",
            "qd-1169-ttg-2025",
        ),
        (
            "Kế hoạch triển khai Nghị quyết 57 của Đảng đoàn Quốc hội có mấy phần?",
            "nq-57-2024",
            "57-NQ/TW",
            "kh-3260-ddqh15-2025",
        ),
        # The named document itself: no other type is written before its name.
        ("Nghị quyết 57 nói gì về truyền thông?", "nq-57-2024", "57-NQ/TW", None),
        # What a title approves, written instead of its type: the Government's programme is
        # Nghị quyết 03, the communication programme Quyết định 1169.
        (
            "Chương trình hành động thực hiện Nghị quyết 57 của Chính phủ có mấy nhóm nhiệm vụ",
            "nq-57-2024",
            "57-NQ/TW",
            "nq-03-cp-2025",
        ),
        (
            "Mục 5 phần nhiệm vụ của chương trình truyền thông NQ 57 nói về gì?",
            "nq-57-2024",
            "57-NQ/TW",
            "qd-1169-ttg-2025",
        ),
        # A heading word that no title of another document begins with names no programme.
        ("Nhiệm vụ phát triển khoa học công nghệ của NQ 57 là gì?", "nq-57-2024", "57-NQ/TW", None),
    ],
)
def test_a_named_document_that_qualifies_a_title(profiles, question, named, number, meant):
    assert profiles.qualified(question, named, number) == meant


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("kho có những tt nào của bộ KHCN v?", {"tt-32-2025-bkhcn", "tt-33-2025-bkhcn"}),
        ("có mấy qd trong kho?", {"qd-1169-ttg-2025", "qd-2629-ttg-2025"}),
        ("văn bản nào ban hành tháng 01/2025?", {"nq-03-cp-2025", "kh-3260-ddqh15-2025"}),
        ("van ban nao ban hanh thang 1 nam 2025", {"nq-03-cp-2025", "kh-3260-ddqh15-2025"}),
    ],
)
def test_a_listing_filter_reads_type_codes_and_months(profiles, question, kept):
    assert set(profiles.filter(question)) == kept


def test_a_type_code_that_lists_nothing_filters_nothing(profiles):
    # "tt" is also "thông tin": only "những tt", "tt nào" name what is listed.
    assert len(profiles.filter("những văn bản nào có tt về bán dẫn?")) == 10


def test_a_document_named_by_what_its_title_approves_is_no_part_of_the_question():
    from retrieval.describe import without_qualifier

    asked = without_qualifier("Mục tiêu chung của Chương trình truyền thông thực hiện NQ 57 là gì?")
    assert " ".join(asked.split()) == "Mục tiêu chung của là gì?"
    assert without_qualifier("NQ 57 nói gì về chuyển đổi số?") == "NQ 57 nói gì về chuyển đổi số?"
