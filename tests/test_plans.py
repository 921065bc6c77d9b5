"""Answer plans by frame, on real questions in every document type: document cards, corpus
lists, outlines, the direct line of a factoid, yes/no verdicts; and answers a phone can read."""

from __future__ import annotations

import re

import pytest

from bot.cards import vn_date
from retrieval.about import asks_citing, asks_listing, card_fields, superlative
from retrieval.frame import frame_of

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("Nghị quyết 57 là gì?", "what"),
        ("nq 57 ban hanh ngay nao", "date"),
        ("Thông tư 33/2025/TT-BKHCN do cơ quan nào ban hành?", "issuer"),
        ("Quyết định 1169 ai ký vậy", "signer"),
        ("thong tu 33 co hieu luc khi nao", "effect"),
        ("Nghị quyết 03/NQ-CP gồm những phần nào?", "parts"),
        ("NQ 03 được sửa đổi bởi văn bản nào?", "amend"),
        ("Nghị quyết 57 gồm những phần lớn nào?", "parts"),
        ("Quyết định 2629/QĐ-TTg phê duyệt cái gì?", "what"),
        ("Quyết định 1169 được ban hành theo đề nghị của bộ nào?", "proposer"),
        ("Thong tu 32 can cu vao luat va nghi dinh nao?", "basis"),
        ("Nghị quyết 20-NQ/TW được thông qua tại hội nghị nào?", "title"),
        ("Ket luan 69-KL/TW do dong chi Tong Bi thu truc tiep ky phai khong?", "signer"),
        ("Thông tư 32/2025/TT-BKHCN quy định về cái gì?", "what"),
        # Questions about what a document says are not about the document.
        ("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?", None),
        ("NQ 57 nói gì về trí tuệ nhân tạo", None),
        ("Thông tư 33 quy định tiêu chí gì cho doanh nghiệp?", None),
    ],
)
def test_card_fields(question, field):
    assert (card_fields(question) or (None,))[0] == field


TT32 = "Thông tư ban hành Danh mục nguyên liệu, vật liệu bán dẫn, thiết bị, máy móc, công cụ"


@pytest.mark.parametrize(
    ("question", "title", "fields"),
    [
        ("Thông tư 33 ban hành ngày nào, ai ký?", "", ("date", "signer")),
        ("NQ 57 do cơ quan nào ban hành và ban hành ngày nào?", "", ("issuer", "date")),
        # "khi nào" after "hiệu lực" asks when it takes effect, not when it was issued.
        ("Thông tư 33/2025/TT-BKHCN có hiệu lực khi nào?", "", ("effect",)),
        ("Ket luan 69-KL/TW ban hanh ngay nao, ve viec gi?", "", ("date", "what")),
        ("Thông báo 624 gồm những nội dung và phụ lục nào?", "", ("parts", "annexes")),
        ("Ai ky Ke hoach 3260 va ky voi tu cach gi?", "", ("signer",)),
        ("Thông báo 624/TB-VPCP ra ngày nào và thông báo về cuộc họp gì?", "", ("date", "title")),
        # A claim of who issued or signed it, asked whether it holds.
        ("Thông tư 32 do Bộ Công Thương ban hành đúng không?", "", ("issuer",)),
        ("QĐ 1169 do Phó Thủ tướng Trần Hồng Hà ký phải không?", "", ("signer",)),
        # Title words describe the document when something about it is asked …
        ("Thong tu 32 ve danh muc ban dan do ai ky, can cu luat nao?", TT32, ("signer", "basis")),
        # … but not when they are what is asked about.
        ("Thong tu 32 ve danh muc ban dan", TT32, None),
        ("Thông tư 32 quy định danh mục bán dẫn gồm những thiết bị gì?", TT32, None),
    ],
)
def test_card_fields_in_the_order_asked(question, title, fields):
    assert card_fields(question, title) == fields


def test_listing_questions_and_dates():
    assert asks_listing("Văn bản nào do Bộ KH&CN ban hành?")
    assert asks_listing("kho co bao nhieu van ban")
    assert not asks_listing("Nghị quyết 57 đặt mục tiêu gì?")
    # A type word asked of a document's content is no listing of the corpus.
    assert not asks_listing("Chương trình hành động nêu kế hoạch gì để người dân có danh tính số?")
    assert asks_listing("Bộ KH&CN ban hành những văn bản nào?")
    assert asks_listing("Phó Thủ tướng Nguyễn Chí Dũng ký những quyết định nào?")
    assert vn_date("2024-12-22") == "22/12/2024"
    assert superlative("Văn bản nào mới nhất trong kho?") == "newest"
    assert superlative("van ban nao cu nhat") == "oldest"
    assert superlative("Văn bản nào do Bộ KH&CN ban hành?") is None


def test_a_card_answers_each_field_asked_in_order(assistant):
    answer = assistant.ask("Thông tư 33 ban hành ngày nào, ai ký?")
    first, second = answer.text.split("\n")[:2]
    assert "ban hành ngày 15/11/2025" in first and "Nguyễn Mạnh Hùng" in second
    assert {c.locator for c in answer.citations} >= {"Phần đầu", "Chữ ký"}


def test_a_card_quotes_the_legal_basis(assistant):
    answer = assistant.ask("Thong tu 32 ve danh muc ban dan do ai ky, can cu luat nao?")
    assert answer.meta.get("plan") == "card", answer.meta
    assert "Căn cứ Luật Công nghiệp công nghệ số 71/2025/QH15" in answer.text


def test_issuer_words_do_not_hide_a_card_question(assistant):
    answer = assistant.ask("Nghị quyết 03 của Chính phủ đã được sửa đổi bởi văn bản nào?")
    assert answer.meta.get("plan") == "card" and "71/NQ-CP" in answer.text.split("\n")[0]


def test_a_card_reads_the_effect_only_from_a_clause_that_sets_it(assistant):
    # Thông báo 624 sets no date of effect; "có hiệu lực" in a task is not one.
    answer = assistant.ask("Thông báo 624 là gì?")
    assert "Hiệu lực" not in answer.text


def test_the_newest_document_is_named_first(assistant):
    answer = assistant.ask("Văn bản nào mới nhất trong bộ tài liệu?")
    assert answer.text.startswith("Văn bản ban hành mới nhất trong kho là Quyết định số 2629")
    assert answer.citations[0].doc_id == "qd-2629-ttg-2025"


def test_a_listing_names_documents_in_the_official_form(assistant):
    answer = assistant.ask("Bộ Chính trị có những văn bản nào trong kho tài liệu này?")
    assert "Kết luận số 69-KL/TW ngày 11/01/2024 của Bộ Chính trị" in answer.text
    assert "Nghị quyết số 57-NQ/TW ngày 22/12/2024" in answer.text


def test_a_text_without_a_header_block_is_cited_by_its_title_line(assistant):
    # KL 69 opens with its title line ("Kết luận số 69-KL/TW ngày 11/01/2024 …"), no header.
    answer = assistant.ask("Kết luận 69 được ban hành ngày nào?")
    assert answer.meta.get("plan") == "card" and "11/01/2024" in answer.text.split("\n")[0]
    assert answer.citations[0].locator.startswith("Mở đầu"), answer.citations[0]
    assert "69-KL/TW ngày 11/01/2024" in answer.citations[0].quote


def test_a_document_described_by_its_title_is_the_one_meant(assistant):
    signer = assistant.ask(
        "Quyết định phê duyệt Chương trình đẩy mạnh truyền thông thực hiện Nghị quyết 57 do ai ký?"
    )
    assert "Nguyễn Chí Dũng" in signer.text.split("\n")[0], signer.text
    quoted = assistant.ask(
        "Trích nguyên văn Điều 2 của Quyết định phê duyệt Chương trình truyền thông thực hiện "
        "Nghị quyết 57."
    )
    assert not quoted.abstained and quoted.citations[0].doc_id == "qd-1169-ttg-2025"
    assert quoted.citations[0].locator.startswith("Điều 2")


def test_a_digital_signature_is_not_a_signer_question(assistant):
    answer = assistant.ask(
        "Hệ thống chứng thực chữ ký số chuyên dùng công vụ do cơ quan nào chủ trì phát triển?"
    )
    assert not answer.abstained and "Ban Cơ yếu Chính phủ" in answer.text


@pytest.mark.parametrize(
    ("question", "says", "cited"),
    [
        # Party resolution (no signature block in the corpus's text).
        ("Nghị quyết 57 là gì?", "ban hành ngày 22/12/2024", "Phần đầu"),
        # Decision of the Prime Minister, signed by a deputy.
        ("Quyết định 1169/QĐ-TTg do ai ký?", "Nguyễn Chí Dũng", "Chữ ký"),
        # Circular: when it takes effect, read from its own clause.
        ("Thông tư 33/2025/TT-BKHCN có hiệu lực khi nào?", "01 tháng 01 năm 2026", "Điều 4"),
        # Resolution of the Government, amended by a text not in the corpus.
        ("Nghị quyết 03/NQ-CP được sửa đổi bởi văn bản nào?", "71/NQ-CP", None),
    ],
)
def test_document_cards(assistant, question, says, cited):
    answer = assistant.ask(question)
    assert not answer.abstained and answer.meta.get("plan") == "card", answer.meta
    assert says in answer.text.split("\n")[0], answer.text
    if cited:
        assert answer.citations[0].locator.startswith(cited)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", answer.text), "dates read dd/mm/yyyy"


def test_a_signer_is_cited_with_the_line_the_signature_closes(assistant):
    answer = assistant.ask("qđ 2629 ai ký v, thủ tướng hay pttg ký")
    assert answer.meta.get("plan") == "card", answer.meta
    first = answer.text.split("\n")[0]
    assert "Nguyễn Chí Dũng" in first and "chịu trách nhiệm thi hành Quyết định này" in first
    closing = next(c for c in answer.citations if c.locator.startswith("Điều 3"))
    assert closing.quote.endswith("chịu trách nhiệm thi hành Quyết định này./.")


def test_a_card_names_who_proposed_the_text(assistant):
    answer = assistant.ask(
        "Quyết định 1169 được ban hành theo đề nghị của bộ nào, tờ trình số mấy?"
    )
    assert answer.meta.get("plan") == "card", answer.meta
    assert "Bộ trưởng Bộ Khoa học và Công nghệ tại Tờ trình số 41/TTr-BKHCN" in answer.text
    assert "Căn cứ Luật" not in answer.text.split("\n- Số, ký hiệu")[0]
    lacking = assistant.ask("Nghị quyết 57 được ban hành theo đề nghị của cơ quan nào?")
    assert "không ghi cơ quan đề nghị" in lacking.text


def test_an_amendment_is_shown_in_the_lines_that_name_it(assistant):
    # The amending resolution is not in the corpus; two decisions cite it as amending NQ 03.
    answer = assistant.ask("Nghi quyet 03/NQ-CP da duoc sua doi boi van ban nao?")
    assert answer.meta.get("plan") == "card", answer.meta
    assert "Căn cứ Nghị quyết số 71/NQ-CP ngày 01 tháng 4 năm 2025" in answer.text
    assert {c.doc_id for c in answer.citations} >= {"qd-1169-ttg-2025", "qd-2629-ttg-2025"}


def test_a_card_on_what_a_document_does_cites_its_first_article(assistant):
    answer = assistant.ask("Thông tư 32/2025/TT-BKHCN là văn bản gì?")
    assert answer.meta.get("plan") == "card", answer.meta
    first = next(c for c in answer.citations if c.locator == "Điều 1")
    assert first.quote.startswith("Điều 1. Ban hành kèm theo Thông tư này Danh mục")
    assert first.quote[:60] in answer.text


def test_a_card_on_the_parts_links_each_part_to_its_opening(assistant):
    answer = assistant.ask("Nghị quyết 57 gồm những phần nào?")
    assert answer.meta.get("plan") == "card", answer.meta
    line = answer.text.split("\n")[0]
    assert "I. QUAN ĐIỂM CHỈ ĐẠO [" in line and "IV. TỔ CHỨC THỰC HIỆN [" in line
    locators = [c.locator for c in answer.citations]
    assert any(loc.startswith("I.") for loc in locators)
    assert any(loc.startswith("IV") for loc in locators)


def test_a_card_names_parts_labelled_with_a_dash_and_gives_the_title(assistant):
    # NQ 20 writes its parts "A- …", "B- …", "C- TỔ CHỨC THỰC HIỆN".
    answer = assistant.ask("Nghị quyết 20 năm 2012 chia làm mấy phần?")
    assert answer.meta.get("plan") == "card", answer.meta
    line = answer.text.split("\n")[0]
    assert "A. TÌNH HÌNH VÀ NGUYÊN NHÂN [" in line and "C. TỔ CHỨC THỰC HIỆN [" in line
    assert any(c.locator == "C" for c in answer.citations)
    # Each part is cited with its heading, as the text prints it.
    assert any(c.quote.startswith("B. ĐỊNH HƯỚNG PHÁT TRIỂN") for c in answer.citations)
    dated = assistant.ask("Quyết định 2629/QĐ-TTg phê duyệt cái gì, ngày nào?")
    what = dated.text.split("\n")[0]
    assert "là quyết định phê duyệt Chương trình phát triển Chính phủ số" in what
    # What it is says when it was issued, once.
    assert "ban hành ngày 01/12/2025" in what and dated.text.count("01/12/2025") == 1
    titled = assistant.ask("Quyết định 2629/QĐ-TTg có hiệu lực khi nào?")
    assert "- Trích yếu: Quyết định phê duyệt Chương trình phát triển Chính phủ số" in titled.text


def test_corpus_listing_by_issuer(assistant):
    answer = assistant.ask("Những văn bản nào do Bộ Khoa học và Công nghệ ban hành?")
    assert answer.meta.get("plan") == "card"
    assert "Thông tư số 32/2025/TT-BKHCN" in answer.text
    assert "Thông tư số 33/2025/TT-BKHCN" in answer.text
    assert "57-NQ/TW" not in answer.text
    everything = assistant.ask("Kho có bao nhiêu văn bản?")
    assert "10 văn bản" in everything.text.split("\n")[0]


def test_corpus_listing_by_month(assistant):
    november = assistant.ask("Trong kho có những văn bản nào được ban hành vào tháng 11 năm 2025?")
    assert november.text.startswith("Kho có 3 văn bản phù hợp"), november.text
    assert "624/TB-VPCP" in november.text and "2629/QĐ-TTg" not in november.text


@pytest.mark.parametrize(
    "question",
    [
        "Những văn bản nào trong kho có hiệu lực từ ngày 01/01/2026?",
        "nhung van ban nao co hieu luc tu ngay 1/1/2026",
    ],
)
def test_corpus_listing_by_the_day_texts_take_effect(assistant, question):
    answer = assistant.ask(question)
    assert answer.text.startswith("Kho có 2 văn bản phù hợp"), answer.text
    assert "32/2025/TT-BKHCN" in answer.text and "33/2025/TT-BKHCN" in answer.text
    # Each cites the clause that sets the day, not its header.
    assert [c.locator for c in answer.citations] == ["Điều 2", "Điều 4"], answer.citations
    assert answer.text.count("hiệu lực thi hành kể từ ngày 01 tháng 01 năm 2026") == 2


def test_a_listing_answers_even_when_the_question_asks_an_issuer_or_signer(assistant):
    # "do Bộ Chính trị ban hành" asks for an issuer, but of the corpus: no "which document?".
    party = assistant.ask("Trong bộ văn bản này, những văn bản nào do Bộ Chính trị ban hành?")
    assert party.meta.get("plan") == "card", party.meta
    assert "Nghị quyết số 57-NQ/TW" in party.text and "Kết luận số 69-KL/TW" in party.text
    assert "20-NQ/TW ngày" not in party.text.split("\n")[1]
    signed = assistant.ask("Trong bộ tài liệu có mấy quyết định của Thủ tướng Chính phủ, do ai ký?")
    assert signed.text.startswith("Kho có 2 văn bản phù hợp"), signed.text
    assert signed.text.count("Nguyễn Chí Dũng") == 2
    assert [c.locator for c in signed.citations].count("Chữ ký") == 2
    assert asks_listing("trong bo vb co cai nao ban hanh nam 2012 ko")
    assert not asks_listing("Các nghị quyết về chuyển đổi số đặt mục tiêu gì?")


@pytest.mark.parametrize(
    ("question", "says"),
    [
        # The title holds the answer: the session, the Party congress, the number.
        ("Nghi quyet 20-NQ/TW la nghi quyet cua hoi nghi Trung uong nao, khoa may?", "khoá XI"),
        ("tb 624 là kết luận phiên họp thứ mấy của ban chỉ đạo cp v", "Phiên họp lần thứ năm"),
        ("So hieu day du cua Nghi quyet 57 la gi va do co quan nao ban hanh?", "57-NQ/TW"),
        # The header's basis and proposal lines.
        ("Quyết định 1169 được ban hành theo tờ trình số mấy, của bộ nào?", "41/TTr-BKHCN"),
        (
            "Đề nghị liệt kê các luật được viện dẫn tại phần căn cứ của Quyết định 2629/QĐ-TTg.",
            "Luật Dữ liệu",
        ),
        # "về truyền thông Nghị quyết 57" is part of QĐ 1169's title, not a second document.
        (
            "Quyết định 1169 về truyền thông Nghị quyết 57 căn cứ vào những luật nào?",
            "Luật Báo chí",
        ),
        (
            "Chương trình hành động (Nghị quyết 03) sau đó được cập nhật bằng nghị quyết nào?",
            "71/NQ-CP",
        ),
        # "Thông báo kết luận 624" is the notice, not a Kết luận 624 missing from the corpus.
        ("Thong bao ket luan 624 do ai ky?", "Phạm Mạnh Cường"),
        # Its title, after its type, names QĐ 2629; "Chính phủ số" names no issuer.
        (
            "Quyết định phê duyệt Chương trình phát triển Chính phủ số có số hiệu và ngày ban hành thế nào?",
            "2629/QĐ-TTg",
        ),
    ],
)
def test_cards_read_the_title_and_header_lines_asked(assistant, question, says):
    answer = assistant.ask(question)
    assert answer.meta.get("plan") == "card", (answer.meta, answer.text[:200])
    assert says in answer.text, answer.text


def test_a_signer_asked_in_english(assistant):
    answer = assistant.ask("Who signed Circular 33/2025/TT-BKHCN?")
    assert "Nguyễn Mạnh Hùng" in answer.text
    assert answer.citations[0].locator == "Chữ ký"


def test_two_documents_joined_are_both_asked_about(assistant):
    both = assistant.retriever.analyze("Quyết định 1169 và Nghị quyết 57 ban hành ngày nào?")
    assert both.named_docs == ["qd-1169-ttg-2025", "nq-57-2024"]


def test_an_outline_item_is_never_its_label_alone(assistant):
    # "2. Tăng cường …" is one item, not "2." and a sentence after it.
    answer = assistant.ask("Nghị quyết 57 có những quan điểm chỉ đạo nào?")
    assert answer.meta.get("plan") == "outline", answer.meta
    items = answer.text.split("\n")[1:]
    assert len(items) == 5
    assert all(re.match(r"^\d\. \S+ \S+", item) for item in items), items
    # A short heading ("1. Mục tiêu chung") brings the first words of what it heads.
    goals = assistant.ask("Mục tiêu đến năm 2030 của Chương trình phát triển Chính phủ số là gì?")
    assert (
        "1. Mục tiêu chung: Đến năm 2030, Việt Nam hoàn thành xây dựng Chính phủ số" in goals.text
    )


@pytest.mark.parametrize(
    ("question", "locator", "item"),
    [
        ("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?", "II.1", "Kinh phí chi cho nghiên cứu"),
        # Unaccented, a decision's "Mục tiêu" under a title naming NQ 57 covers it as well: the
        # named document's heading is the one.
        ("nghi quyet 57 dat muc tieu gi den nam 2030", "II.1", "Kinh phí chi cho nghiên cứu"),
        ("nq57 co nhung nhiem vu giai phap nao", "III", "hoàn thiện thể chế"),
        ("Chương trình phát triển Chính phủ số có những mục tiêu gì?", "II", "Mục tiêu"),
        # A summary is answered by the section it names, not the preamble.
        ("Tóm tắt giúp tôi mục tiêu đến năm 2030 của Nghị quyết 57.", "II.1", "2% GDP"),
        ("Tom tat nhung ton tai, han che ma Thong bao 624 chi ra.", "II", "Về tồn tại"),
        # The document's name and issuer say which document, not which section.
        ("Mục đích của Kế hoạch 3260 của Đảng đoàn Quốc hội gồm những gì?", "I", "Quán triệt"),
        # A unit held whole in one chunk: its numbered lines are the items.
        ("Chương trình hành động kèm Nghị quyết 03 có những mục tiêu gì?", "I", "2. Xác định"),
    ],
)
def test_outlines_list_the_sections_items(assistant, question, locator, item):
    answer = assistant.ask(question)
    assert answer.meta.get("plan") == "outline", answer.meta
    assert f"mục {locator} " in answer.text.split("\n")[0]
    assert item in answer.text
    assert len(answer.citations) >= 2
    assert all(c.locator.startswith(locator) for c in answer.citations)


def test_a_document_described_by_another_it_names_is_outlined_from_its_own_text(assistant):
    answer = assistant.ask("Chương trình truyền thông NQ 57 có mục tiêu gì?")
    assert answer.text.startswith("Theo Quyết định 1169/QĐ-TTg, mục II "), answer.text
    assert all(c.doc == "qd-1169-ttg-2025.txt" for c in answer.citations)


def test_a_list_without_a_heading_is_outlined_from_its_lead_in(assistant):
    # Kết luận 69: "… tập trung thực hiện tốt một số nhiệm vụ trọng tâm sau:", then 1. to 7.
    answer = assistant.ask("Kết luận 69-KL/TW nêu những nhiệm vụ trọng tâm nào?")
    assert answer.meta.get("plan") == "outline", answer.meta
    lines = answer.text.split("\n")
    assert "nhiệm vụ trọng tâm sau:» [1]" in lines[0]
    assert lines[1].startswith("1. Tăng cường sự lãnh đạo của Đảng") and lines[7].startswith("7.")
    assert [c.locator.split(",")[0] for c in answer.citations[1:]] == list("1234567")


@pytest.mark.parametrize(
    ("question", "law"),
    [
        (
            "Theo KH 3260, Tổ đảng ở Thường trực Ủy ban Tài chính, Ngân sách phải rà soát, "
            "kiến nghị sửa đổi những luật nào?",
            "Luật Ngân sách nhà nước",
        ),
        # Not the outline of another body's unit (was "m) Đảng ủy cơ quan Văn phòng Quốc hội").
        ("ủy ban quốc phòng an ninh dc giao rà soát những luật nào trong kh 3260 z", "Quốc phòng"),
        (
            "Kế hoạch của Đảng đoàn Quốc hội giao Ủy ban Văn hóa, Giáo dục rà soát các luật nào?",
            "Luật Nhà giáo",
        ),
    ],
)
def test_a_detail_under_a_heading_is_quoted_not_outlined(assistant, question, law):
    answer = assistant.ask(question)
    assert answer.meta.get("plan") != "outline", answer.text[:200]
    assert law in answer.text


@pytest.mark.parametrize(
    ("question", "direct"),
    [
        (
            "Nghị quyết 57 đặt mục tiêu chi cho nghiên cứu phát triển bao nhiêu phần trăm GDP?",
            "2% GDP",
        ),
        (
            "Ai chủ trì nhiệm vụ 44 Phụ lục II Nghị quyết 03/NQ-CP?",
            "Cơ quan chủ trì: Bộ Khoa học và Công nghệ",
        ),
    ],
)
def test_factoids_put_the_answer_first(assistant, question, direct):
    answer = assistant.ask(question)
    first = answer.text.split("\n")[0]
    assert first.startswith("➤") and direct in first, answer.text
    assert "|" not in answer.text, "table rows are spelled out"


def test_a_row_without_its_table_header_is_spelled_out(assistant):
    # TT 32's list rows come without their header: the item's name, then its description.
    answer = assistant.ask("dn minh lam ve chip ban dan thi dc uu dai gi ko")
    assert "|" not in answer.text, answer.text
    row = next(c for c in answer.citations if c.doc == "tt-32-2025-bkhcn.txt")
    assert "|" in row.quote  # the citation keeps the row as written


def test_yes_no_claims_get_a_verdict(assistant):
    wrong = assistant.ask("NQ 57 đặt mục tiêu chi R&D 5% GDP đến năm 2030 đúng không?")
    assert wrong.text.startswith("Không đúng.") and "2% GDP" in wrong.text
    right = assistant.ask("NQ 57 đặt mục tiêu chi R&D 2% GDP đến năm 2030 phải không?")
    assert right.text.startswith("Đúng.") and "2% GDP" in right.text


def test_answers_quote_at_most_two_passages(assistant):
    answer = assistant.ask("Doanh nghiệp được hỗ trợ gì khi đổi mới công nghệ?")
    assert answer.text.count("«") <= 2
    assert len(answer.citations) <= 2


def test_frames_of_questions():
    assert frame_of("chi bao nhiêu phần trăm GDP").attribute == "number"
    assert frame_of("chi bao nhiêu phần trăm GDP").unit == "%"
    assert frame_of("thời hạn hoàn thành là khi nào").attribute == "date"
    assert frame_of("cơ quan nào chủ trì").attribute == "agency"
    assert frame_of("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?").attribute != "number"
    assert frame_of("trích nguyên văn khoản 2 Điều 3").attribute == "verbatim"


def test_documents_compared_by_date(assistant):
    answer = assistant.ask(
        "Nghị quyết 03/NQ-CP và Kế hoạch 3260 của Đảng đoàn Quốc hội, văn bản nào ra trước?"
    )
    assert answer.text.startswith("Nghị quyết 03/NQ-CP ban hành trước (09/01/2025)")
    assert "10/01/2025" in answer.text
    # Each document's line cites its own header, numbered in order.
    assert [c.doc_id for c in answer.citations] == ["nq-03-cp-2025", "kh-3260-ddqh15-2025"]
    assert "[1]" in answer.text and "[2]" in answer.text and "[3]" not in answer.text
    both = assistant.ask("QĐ 1169 và QĐ 2629 có hiệu lực khi nào?")
    assert "ngày ký ban hành" in both.text and "thay thế Quyết định số 942/QĐ-TTg" in both.text
    # A question about what two documents say is not a card.
    content = assistant.ask("Nghị quyết 57 và Nghị quyết 03 nói gì về R&D?")
    assert content.meta.get("plan") != "card"


def test_documents_that_cite_a_document(assistant):
    answer = assistant.ask("Những văn bản nào trong kho lấy Nghị quyết 71/NQ-CP làm căn cứ?")
    docs = {c.doc_id for c in answer.citations}
    assert {"qd-1169-ttg-2025", "qd-2629-ttg-2025"} <= docs
    assert all("71/NQ-CP" in c.quote for c in answer.citations)
    assert "chưa có trong kho" in answer.text  # NQ 71 itself is not held
    # A document of the corpus, named bare, by those that implement it.
    implemented = assistant.ask("văn bản nào triển khai nghị quyết 57")
    assert "nq-03-cp-2025" in {c.doc_id for c in implemented.citations}
    assert "nq-57-2024" not in {c.doc_id for c in implemented.citations}


def test_a_card_on_annexes_lists_only_the_annexes(assistant):
    answer = assistant.ask("Chương trình hành động kèm Nghị quyết 03/NQ-CP có những phụ lục nào?")
    assert answer.text.startswith("Nghị quyết 03/NQ-CP có 2 phụ lục: Phụ lục I.")
    assert "I. MỤC TIÊU" not in answer.text.split("\n")[0]
    assert {c.locator.split(",")[0] for c in answer.citations} >= {"Phụ lục I", "Phụ lục II"}
    assert "không có phụ lục" in assistant.ask("Thông tư 33 có phụ lục không?").text


def test_a_question_on_what_was_approved_gets_the_card(assistant):
    # "… phê duyệt chương trình gì?" asks what the decision is, not for its Điều 1 outline.
    answer = assistant.ask("Quyết định 1169/QĐ-TTg phê duyệt chương trình gì?")
    assert answer.meta.get("plan") == "card"
    assert "Đẩy mạnh truyền thông thực hiện" in answer.text.split("\n")[0]
    # A title's abbreviation describes the document: "TNDN" is "thu nhập doanh nghiệp".
    tndn = assistant.ask(
        "Thông tư quy định tiêu chí ưu đãi thuế TNDN cho dự án sản xuất thiết bị điện tử có số "
        "hiệu gì, ban hành ngày nào?"
    )
    assert tndn.meta.get("plan") == "card" and "15/11/2025" in tndn.text


def test_a_signer_the_copy_lacks_is_not_answered(assistant):
    # The corpus's NQ 57 has no signature block: saying so is a decline, and its header is
    # shown as related, not as the answer.
    for question in ("Ai là người ký Nghị quyết 57-NQ/TW?", "nq 57 ai ky"):
        answer = assistant.ask(question)
        assert answer.abstained and "không kèm phần chữ ký" in answer.text, question
        assert answer.citations and all(c.related for c in answer.citations)
    # "No annexes" answers the question.
    assert not assistant.ask("Thông tư 33 có phụ lục không?").abstained
    assert not assistant.ask("Ai ký Thông tư 33?").abstained


@pytest.mark.parametrize(
    ("question", "citing"),
    [
        ("Những văn bản nào trong kho lấy Nghị quyết 71/NQ-CP làm căn cứ ban hành?", True),
        ("Nghị quyết 71 được nhắc tới trong văn bản nào", True),
        ("Luật 93/2025/QH15 được dẫn chiếu ở những văn bản nào?", True),
        ("van ban nao can cu nghi quyet 57 vay ad", True),
        # Asked by the type of the documents wanted.
        ("Những quyết định nào trong bộ tài liệu căn cứ Nghị quyết 71/NQ-CP?", True),
        ("Thông tư nào quy định về thuế theo Nghị quyết 57?", False),
        # Its own legal bases, and a passage on a topic, are other questions.
        ("QĐ 1169 về truyền thông NQ 57 được ban hành căn cứ vào những văn bản nào?", False),
        ("Văn bản nào quy định thực hiện Nghị quyết 57 về R&D 2% GDP?", False),
    ],
)
def test_questions_for_the_documents_that_cite_one(question, citing):
    assert asks_citing(question) is citing


def test_a_listing_by_the_person_who_signed(assistant):
    answer = assistant.ask("Những quyết định nào trong kho do Phó Thủ tướng Nguyễn Chí Dũng ký?")
    assert answer.text.startswith("Kho có 2 văn bản phù hợp"), answer.text
    assert "2629/QĐ-TTg" in answer.text and "1169/QĐ-TTg" in answer.text
    assert answer.text.count("Nguyễn Chí Dũng") == 2
    assert [c.locator for c in answer.citations].count("Chữ ký") == 2
    minister = assistant.ask("văn bản nào do ông Nguyễn Mạnh Hùng ký?")
    assert {c.doc for c in minister.citations} == {"tt-32-2025-bkhcn.txt", "tt-33-2025-bkhcn.txt"}


def test_documents_citing_one_in_a_given_month(assistant):
    answer = assistant.ask(
        "Trong tháng 01/2025 có những văn bản nào được ban hành để triển khai Nghị quyết 57?"
    )
    assert answer.text.startswith("Kho có 2 văn bản phù hợp nhắc đến Nghị quyết 57"), answer.text
    assert {c.doc for c in answer.citations} == {"nq-03-cp-2025.txt", "kh-3260-ddqh15-2025.txt"}
    assert "ngày 09/01/2025" in answer.text


def test_two_documents_signed_by_whom(assistant):
    answer = assistant.ask("TT 32 va TT 33 cung do ai ky ban hanh?")
    assert answer.text.count("Nguyễn Mạnh Hùng") == 2, answer.text
    signed = {c.doc for c in answer.citations if c.locator == "Chữ ký"}
    assert signed == {"tt-32-2025-bkhcn.txt", "tt-33-2025-bkhcn.txt"}
