"""Figures a user claims, checked against the passages found."""

from bot.claims import builds_on_claim, claimed_numbers, premise_correction, verdict
from retrieval.types import Hit

TARGET = Hit(
    "c1",
    1.0,
    "nq-57-2024",
    "nq-57-2024.txt",
    "57-NQ/TW",
    "Nghị quyết 57",
    "II.1",
    "Kinh phí chi cho nghiên cứu phát triển đạt 2% GDP.",
    breadcrumb=["Nghị quyết 57", "II. MỤC TIÊU", "Đến năm 2030"],
)


def test_document_and_provision_numbers_are_not_claims():
    assert claimed_numbers("Điều 3 Thông tư 33/2025/TT-BKHCN yêu cầu 2% doanh thu?") == {"2%"}


def test_a_contradicted_figure_is_corrected_first():
    question = "Nghị quyết 57 đặt mục tiêu chi R&D đạt 5% GDP, đúng không?"
    correction = premise_correction(question, [TARGET])
    assert correction is not None and "“5%”" in correction
    assert verdict(question, correction, [TARGET]) == "Không đúng"


def test_a_stated_figure_is_confirmed_and_a_plain_question_gets_no_verdict():
    # The heading "Đến năm 2030" states the year.
    assert verdict("Đến năm 2030 chi R&D đạt 2% GDP phải không?", None, [TARGET]) == "Đúng"
    assert premise_correction("Chi R&D đạt 2% GDP phải không?", [TARGET]) is None
    assert verdict("Chi cho R&D đạt bao nhiêu % GDP?", None, [TARGET]) is None


def _hit(text: str, locator: str = "II.1") -> Hit:
    return Hit(
        "c2", 1.0, "nq-57-2024", "nq-57-2024.txt", "57-NQ/TW", "Nghị quyết 57", locator, text
    )


R_AND_D = _hit(
    "- Kinh phí chi cho nghiên cứu phát triển (R&D) đạt 2% GDP, trong đó kinh phí từ xã hội "
    "chiếm hơn 60%; bố trí ít nhất 3% tổng chi ngân sách hằng năm cho phát triển khoa học."
)
ROWS = _hit(
    "Hình thành sàn dữ liệu | Sàn dữ liệu | 5 | Bộ Công an\n"
    "Số trung tâm dữ liệu quốc gia | Trung tâm | 10 | Bộ Công an",
    "Phụ lục I, chỉ tiêu 28",
)


def test_a_figure_stated_for_something_else_does_not_confirm_the_claim():
    # "3%" is in the sentence, but the clause about R&D says 2%.
    question = "Nghị quyết 57 đặt mục tiêu chi cho R&D đạt 3% GDP, đúng không?"
    correction = premise_correction(question, [R_AND_D])
    assert correction is not None and "“3%”" in correction
    assert verdict(question, correction, [R_AND_D]) == "Không đúng"
    # "10" is in another row.
    rows = "Nghị quyết 03 giao hình thành 10 sàn dữ liệu, đúng không?"
    assert "“10”" in (premise_correction(rows, [ROWS]) or "")
    # The true figures are confirmed from their own clause and row.
    assert verdict("Chi cho R&D đạt 2% GDP đúng không?", None, [R_AND_D]) == "Đúng"
    assert verdict("Hình thành 5 sàn dữ liệu phải không?", None, [ROWS]) == "Đúng"


def test_a_claim_that_shares_no_words_with_the_passages_gets_no_verdict():
    question = "Mức lương tối thiểu vùng là 5 triệu đồng đúng không?"
    assert verdict(question, None, [ROWS]) is None


def test_a_figure_is_checked_beside_the_year_the_claim_names():
    # One clause, three figures each with its own year: the claim's year picks its figure.
    nq20 = _hit(
        "Nâng tổng đầu tư xã hội cho khoa học và công nghệ đạt 1,5% GDP vào năm 2015, trên 2% "
        "GDP vào năm 2020 và khoảng 3% GDP vào năm 2030.",
        "B.III.2.1",
    )
    wrong = "Tổng đầu tư xã hội cho khoa học và công nghệ năm 2015 là 2% GDP đúng không?"
    correction = premise_correction(wrong, [nq20])
    assert correction is not None and "“2%”" in correction
    right = "Tổng đầu tư xã hội cho khoa học và công nghệ đạt 1,5% GDP vào năm 2015 phải không?"
    assert premise_correction(right, [nq20]) is None
    assert verdict(right, None, [nq20]) == "Đúng"
    later = "Đầu tư xã hội cho khoa học và công nghệ khoảng 3% GDP vào năm 2030 đúng không?"
    assert verdict(later, None, [nq20]) == "Đúng"


FUNDS = Hit(
    "c2",
    1.0,
    "tb-624-vpcp-2025",
    "tb-624-vpcp-2025.txt",
    "624/TB-VPCP",
    "Thông báo 624",
    "I",
    "(3) nguồn lực tài chính được quan tâm tăng cường, bổ sung 25.000 tỷ đồng từ nguồn tăng thu "
    "năm 2025 và bảo đảm mức tối thiểu 3% tổng chi ngân sách nhà nước;",
    breadcrumb=["Thông báo 624", "I. VỀ KẾT QUẢ ĐẠT ĐƯỢC"],
)


def test_a_figure_stated_as_fact_is_corrected_where_its_clause_says_another():
    stated = (
        "Thông báo 624 nói đã bổ sung 50.000 tỷ đồng từ nguồn tăng thu. Chia cho các bộ thế nào?"
    )
    correction = premise_correction(stated, [FUNDS])
    assert correction is not None and "“50.000”" in correction
    # The same figure as the text's: nothing to correct; a figure with no clause about it either.
    assert premise_correction(stated.replace("50.000", "25.000"), [FUNDS]) is None
    assert premise_correction("Có 40 trung tâm đổi mới sáng tạo được lập ra?", [FUNDS]) is None


def test_a_document_named_with_its_year_claims_no_year():
    assert claimed_numbers("Nghị quyết 20 năm 2012 đặt TFP đóng góp 35% phải không?") == {"35%"}


def test_a_question_asked_on_top_of_a_claim_builds_on_it():
    assert builds_on_claim(
        "TT 33 yêu cầu 70% nhân lực R&D người Việt. Công ty 10 người cần mấy?", {"70%", "10"}
    )
    assert builds_on_claim(
        "Thong tu 33 mien thue 100% trong 10 nam, vay dieu kien la gi?", {"100%"}
    )
    # Asked whether the claim holds, or asked for the figure itself: no claim to build on.
    assert not builds_on_claim("TT 33 yêu cầu 70% nhân lực R&D là người Việt, đúng không?", {"70%"})
    assert not builds_on_claim(
        "Có đúng là NQ 57 đặt mục tiêu 40% GDP? Mình nghe vậy, dung ko", {"40%"}
    )
    assert not builds_on_claim(
        "tt 33 bắt chi r&d tối thiểu 5% doanh thu mới dc ưu đãi thuế hả", {"5%"}
    )
    assert not builds_on_claim("nq57 giao ai danh gia ket qua, may thang bao cao 1 lan?", {"1"})


TB_5G = _hit(
    "(4) đôn đốc các doanh nghiệp viễn thông phủ sóng 5G trên phạm vi toàn quốc, phải đạt 90% "
    "trong năm 2025 (đến nay mới đạt 39,5%);",
    "III.5.a",
)
SIX_CLEAR = _hit(
    "Tổ chức thực hiện còn lúng túng, phối hợp chưa chặt chẽ, phân công nhiệm vụ chưa bảo đảm "
    "nguyên tắc “6 rõ”; (4) Kỷ luật, kỷ cương chưa nghiêm",
    "II.2",
)


def test_a_number_that_is_part_of_a_name_is_no_claim():
    assert claimed_numbers("Cả nước có bao nhiêu thuê bao 5G?") == set()
    assert claimed_numbers("Kinh phí cho d3 4n 06 là bao nhiêu?") == {"06"}
    # Money written with its unit glued on is still an amount.
    assert claimed_numbers("Hỗ trợ 500tr phải không?") == {"500"}
    assert premise_correction("Hiện cả nước có bao nhiêu thuê bao 5G theo TB 624?", [TB_5G]) is None


def test_a_figure_the_passages_hold_beside_the_same_word_is_read_not_claimed():
    question = "Nguyên tắc “6 rõ” nhắc trong TB 624 gồm những nội dung cụ thể nào?"
    assert premise_correction(question, [SIX_CLEAR]) is None
    # Beside another word, the same figure stated as fact is still corrected.
    claim = "Thông báo 624 nói tổ chức thực hiện đã bảo đảm nguyên tắc 7 rõ"
    assert premise_correction(claim, [SIX_CLEAR]) is not None


MAKE_IN_VIETNAM = Hit(
    "c3",
    1.0,
    "nq-03-cp-2025",
    "nq-03-cp-2025.txt",
    "03/NQ-CP",
    "Nghị quyết 03",
    "Phụ lục I, chỉ tiêu 35",
    "Tỷ lệ Make in Vietnam trong tổng doanh thu công nghiệp số Việt Nam | % | 50 | "
    "Bộ Thông tin và Truyền thông",
    breadcrumb=["Nghị quyết 03", "Phụ lục I", "Đến năm 2030"],
)


def test_a_row_whose_unit_column_is_percent_states_shares():
    claim = "Tỷ lệ Make in Vietnam trong tổng doanh thu công nghiệp số đạt 70% vào năm 2030?"
    correction = premise_correction(claim, [MAKE_IN_VIETNAM])
    assert correction is not None and "“70%”" in correction
    held = "Tỷ lệ Make in Vietnam trong tổng doanh thu công nghiệp số đạt 50% đúng không?"
    assert premise_correction(held, [MAKE_IN_VIETNAM]) is None
    assert verdict(held, None, [MAKE_IN_VIETNAM]) == "Đúng"
