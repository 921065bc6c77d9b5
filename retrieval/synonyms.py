"""Everyday words → the words the legal texts use, appended to a question before search.

Citizens say "công ty", "startup", "chip", "tiền"; the resolutions say "doanh nghiệp",
"khởi nghiệp sáng tạo", "bán dẫn", "kinh phí". Appending the legal term (never replacing the
user's) lets the sparse leg and the lexical rerank meet the text. Matching is on folded,
lower-cased text so unaccented questions expand alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nq57.text import fold

# lay phrase (accented, as a citizen writes it) → legal wording found in the corpus
LAY_TO_LEGAL: dict[str, str] = {
    "công ty": "doanh nghiệp",
    "cty": "doanh nghiệp",
    "startup": "khởi nghiệp sáng tạo",
    "start-up": "khởi nghiệp sáng tạo",
    "khởi nghiệp": "khởi nghiệp sáng tạo",
    "chip": "bán dẫn vi mạch",
    "con chip": "bán dẫn vi mạch",
    "r&d": "nghiên cứu phát triển",
    "nghiên cứu và phát triển": "nghiên cứu phát triển",
    "vốn": "nguồn lực tài chính",
    "ngân sách": "tổng chi ngân sách",
    "thanh toán bằng thẻ": "giao dịch không dùng tiền mặt",
    "ví điện tử": "giao dịch không dùng tiền mặt",
    "tiền giấy": "tiền mặt",
    "không dùng tiền mặt": "giao dịch không dùng tiền mặt",
    "quỹ rủi ro": "quỹ đầu tư mạo hiểm",
    "đầu tư rủi ro": "đầu tư mạo hiểm",
    "thử nghiệm có kiểm soát": "cơ chế thử nghiệm sandbox",
    "sandbox": "cơ chế thử nghiệm có kiểm soát",
    "thử nghiệm mô hình kinh doanh mới": "cơ chế thí điểm thử nghiệm công nghệ mới",
    "thuế tndn": "thuế thu nhập doanh nghiệp",
    "thuế thu nhập công ty": "thuế thu nhập doanh nghiệp",
    "miễn giảm thuế": "ưu đãi thuế",
    "giảm thuế": "ưu đãi thuế",
    "hàng điện tử": "thiết bị điện tử",
    "đồ điện tử": "thiết bị điện tử",
    "mười nghìn dân": "vạn dân",
    "10.000 dân": "vạn dân",
    "10 nghìn dân": "vạn dân",
    "người làm nghiên cứu": "nhân lực nghiên cứu",
    "nhà khoa học": "nhà khoa học nhân lực",
    "chuyên gia nước ngoài": "chuyên gia nhà khoa học nước ngoài",
    "thu hút nhân tài": "thu hút nhân tài chuyên gia",
    "dịch vụ công online": "dịch vụ công trực tuyến",
    "dvc": "dịch vụ công",
    "dịch vụ công trên mạng": "dịch vụ công trực tuyến",
    "mạng 5g": "hạ tầng 5G",
    "internet": "hạ tầng số viễn thông",
    "cáp quang biển": "cáp quang biển quốc tế",
    "dữ liệu của dân": "cơ sở dữ liệu quốc gia về dân cư",
    "kinh tế số": "quy mô kinh tế số",
    "tỉ lệ": "tỷ lệ",
    "tỷ lệ": "tỉ lệ",
    "tuyên truyền": "truyền thông",
    "báo chí": "truyền thông báo chí",
    "bộ nào": "bộ chủ trì",
    "ai chịu trách nhiệm": "chủ trì",
    "ai làm": "chủ trì",
    "hạn chót": "thời hạn hoàn thành",
    "bao giờ xong": "thời hạn hoàn thành",
    "khi nào xong": "thời hạn hoàn thành",
    "sản phẩm đầu ra": "kết quả sản phẩm",
    "mua sắm công": "mua sắm đặt hàng sản phẩm",
    "nhà nước mua": "đặt hàng mua sắm",
    "trường đại học": "cơ sở giáo dục đại học",
    "học bổng": "chính sách học bổng",
    "chuyển đổi số doanh nghiệp": "chuyển đổi số trong doanh nghiệp",
    "chính phủ điện tử": "chính phủ số",
    "xếp hạng": "xếp hạng chỉ số",
    "cộng thêm": "bổ sung",
    "thêm tiền": "bổ sung kinh phí",
    "nguồn tiền": "kinh phí nguồn vốn",
    "bao nhiêu tiền": "kinh phí",
    "thu vượt": "tăng thu",
    "vượt thu": "tăng thu",
    "máy chủ": "trung tâm dữ liệu",
    "data center": "trung tâm dữ liệu",
    "cloud": "điện toán đám mây",
    "phương tiện": "công cụ",
    "người dân": "người dân doanh nghiệp",
    "tiền thưởng": "khen thưởng",
    "bằng sáng chế": "sáng chế sở hữu trí tuệ",
    "bản quyền": "sở hữu trí tuệ",
    "doanh nghiệp nhỏ": "doanh nghiệp nhỏ và vừa",
    "doanh nghiệp vừa và nhỏ": "doanh nghiệp nhỏ và vừa",
    "công ty trong nước": "doanh nghiệp Việt Nam",
    "doanh nghiệp trong nước": "doanh nghiệp Việt Nam",
    # Questions asking what counts as something: the texts answer in "Giải thích từ ngữ".
    "thế nào là": "giải thích từ ngữ",
    "được tính là": "giải thích từ ngữ",
    "được coi là": "giải thích từ ngữ",
    "được hiểu là": "giải thích từ ngữ",
    "định nghĩa": "giải thích từ ngữ",
    "có hiệu lực": "hiệu lực thi hành",
    "áp dụng từ": "hiệu lực thi hành",
    "sánh vai": "ngang tầm",
    "sánh ngang": "ngang tầm",
    "nước phát triển": "nước tiên tiến",
    "công khai": "công bố",
    "vấn đề lớn": "bài toán lớn",
    "bao lâu một lần": "hằng năm định kỳ",
    "mấy lần": "định kỳ",
    "đăng ở đâu": "công bố trên cổng thông tin điện tử",
}


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for lay, legal in LAY_TO_LEGAL.items():
        key = re.escape(fold(lay).lower())
        out.append((re.compile(rf"(?<![\w&.]){key}(?![\w&])"), legal))
    return out


@lru_cache(maxsize=4096)
def expand_synonyms(text: str) -> str:
    """``text`` followed by the legal wording of every lay phrase it contains."""
    folded = fold(text).lower()
    extra = [legal for pattern, legal in _patterns() if pattern.search(folded)]
    # "AI" only in capitals: folded, "ai" is also "who" ("ai chủ trì").
    if re.search(r"(?<!\w)A\.?I(?!\w)", text):
        extra.append("trí tuệ nhân tạo")
    extra = [e for e in dict.fromkeys(extra) if fold(e).lower() not in folded]
    return f"{text} {' '.join(extra)}" if extra else text
