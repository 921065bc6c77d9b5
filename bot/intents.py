"""Rule-based intent classification: answer, smalltalk, out_of_scope or refused.

Rules are written once in accented Vietnamese and compiled so that each accented letter also
matches its unaccented and tone-less forms ("bạn" matches "bạn", "ban", "ban"): people type
without diacritics and with teen-code ("ko", "dc", "bn"), and both must meet the same rule. A
letter typed with a *different* accent does not match ("sơ đồ" is not "sổ đỏ").

Out-of-scope is decided conservatively: a topic rule only fires when no in-scope signal
(science, technology, digital transformation, data, semiconductors…) is present, because the
evidence gate downstream abstains on its own when the corpus has nothing. When in doubt: answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from bot.answer import Turn
from bot.safety import sanitize
from nq57.text import fold, has_diacritics, whole_words

IntentName = Literal["answer", "smalltalk", "out_of_scope", "refused"]


@dataclass
class IntentResult:
    intent: IntentName
    reason: str
    reply: str | None


# --- user-facing texts -----------------------------------------------------------------------

SCOPE_TEXT = (
    "Tôi là trợ lý hỏi đáp về Nghị quyết 57-NQ/TW của Bộ Chính trị về đột phá phát triển "
    "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia, cùng các văn bản liên quan."
)
DOCUMENT_KINDS = (
    "Tôi trả lời dựa trên các văn bản chính thức: nghị quyết, kết luận của Bộ Chính trị và "
    "Trung ương (57-NQ/TW, 20-NQ/TW, 69-KL/TW); chương trình hành động của Chính phủ "
    "(03/NQ-CP); kế hoạch của Đảng đoàn Quốc hội; quyết định của Thủ tướng (truyền thông về "
    "Nghị quyết 57, Chương trình phát triển Chính phủ số); thông báo kết luận của Ban Chỉ đạo; "
    "thông tư của Bộ Khoa học và Công nghệ (bán dẫn, ưu đãi thuế cho dự án sản xuất thiết bị "
    "điện tử). Mỗi câu trả lời đều kèm trích dẫn nguồn."
)

EXAMPLE_QUESTIONS: list[str] = [
    "Nghị quyết 57 đặt mục tiêu chi cho nghiên cứu phát triển (R&D) bao nhiêu phần trăm GDP?",
    "Đến năm 2030, quy mô kinh tế số phải đạt bao nhiêu phần trăm GDP?",
    "Dự án sản xuất thiết bị điện tử cần đáp ứng tiêu chí gì để được ưu đãi thuế thu nhập doanh nghiệp?",
    "Chương trình phát triển Chính phủ số có những mục tiêu gì?",
    "Tỷ lệ người dân sử dụng dịch vụ công trực tuyến đến năm 2030 là bao nhiêu?",
    "Nhà nước có chính sách gì cho quỹ đầu tư mạo hiểm và doanh nghiệp khởi nghiệp sáng tạo?",
]


def _examples(n: int = 3) -> str:
    return "\n".join(f"• {q}" for q in EXAMPLE_QUESTIONS[:n])


SMALLTALK_REPLY = (
    f"Xin chào! {SCOPE_TEXT}\n\n{DOCUMENT_KINDS}\n\nBạn có thể hỏi, ví dụ:\n{_examples()}"
)
THANKS_REPLY = (
    "Rất vui được giúp bạn! Nếu còn thắc mắc về Nghị quyết 57-NQ/TW hay các văn bản liên quan, "
    f"bạn cứ hỏi tiếp nhé. Ví dụ:\n{_examples(2)}"
)
GOODBYE_REPLY = (
    "Cảm ơn bạn đã trò chuyện. Khi cần tìm hiểu về Nghị quyết 57-NQ/TW và các văn bản liên "
    "quan, bạn cứ quay lại hỏi nhé. Chúc bạn một ngày tốt lành!"
)
_OFFER = (
    "Tôi có thể giúp bạn tra cứu nội dung Nghị quyết 57-NQ/TW và các văn bản liên quan, "
    f"luôn kèm trích dẫn nguồn. Ví dụ:\n{_examples()}"
)
REFUSAL_REPLY = f"Xin lỗi, tôi không thể thực hiện yêu cầu này.\n\n{_OFFER}"
_REFUSALS = {
    "injection": REFUSAL_REPLY,
    "fabrication": (
        "Xin lỗi, tôi không thể soạn hay bịa ra trích dẫn, phát biểu, số liệu hoặc điều khoản "
        "không có thật, kể cả khi chỉ để thử. Tôi chỉ trích nguyên văn từ văn bản chính thức.\n\n"
        f"{_OFFER}"
    ),
    "personal_data": (
        "Xin lỗi, tôi không cung cấp thông tin cá nhân (số điện thoại, địa chỉ nhà, email riêng, "
        "giấy tờ tùy thân…) của bất kỳ ai, kể cả cán bộ, lãnh đạo. Để liên hệ chính thức, bạn có "
        "thể dùng thông tin công khai trên cổng thông tin điện tử của cơ quan nhà nước liên "
        f"quan.\n\n{_OFFER}"
    ),
    "abuse": (
        "Tôi hiểu có thể bạn đang chưa hài lòng. Tôi sẵn sàng hỗ trợ nếu bạn muốn hỏi về nội "
        f"dung chính sách.\n\n{_OFFER}"
    ),
}

_GOV_PORTAL = "Cổng thông tin điện tử Chính phủ (chinhphu.vn)"
_DVC = "Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)"
OUT_OF_SCOPE_REPLY = (
    "Xin lỗi, câu hỏi này nằm ngoài phạm vi của tôi. "
    f"{SCOPE_TEXT}\n\n"
    f"Với các thủ tục hành chính, bạn có thể tra cứu trên {_DVC}; với thông tin chính sách "
    f"chung, hãy xem {_GOV_PORTAL} hoặc cổng thông tin của bộ, ngành phụ trách lĩnh vực đó.\n\n"
    f"Nếu bạn quan tâm đến Nghị quyết 57, bạn có thể hỏi, ví dụ:\n{_examples()}"
)


def out_of_scope_reply(topic: str) -> str:
    """The decline text for one topic, pointing to where such questions are answered."""
    where = _WHERE.get(topic)
    if where is None:
        return OUT_OF_SCOPE_REPLY
    return (
        "Xin lỗi, câu hỏi này nằm ngoài phạm vi của tôi. "
        f"{SCOPE_TEXT}\n\n{where}\n\n"
        f"Nếu bạn quan tâm đến Nghị quyết 57, bạn có thể hỏi, ví dụ:\n{_examples()}"
    )


_WHERE = {
    "weather": "Về thời tiết, bạn có thể xem bản tin của Trung tâm Dự báo khí tượng thủy văn "
    "quốc gia (nchmf.gov.vn).",
    "sports": "Về thể thao, bạn có thể theo dõi các trang tin thể thao chính thống.",
    "lottery": "Tôi không cung cấp thông tin về xổ số hay dự đoán kết quả.",
    "cooking": "Về nấu ăn, bạn có thể tham khảo các trang ẩm thực.",
    "dating": "Về chuyện tình cảm, tôi không phải là người tư vấn phù hợp.",
    "finance": "Về giá chứng khoán, tiền mã hóa, vàng, tỷ giá hay lãi suất, bạn nên xem thông tin "
    "từ Ngân hàng Nhà nước Việt Nam (sbv.gov.vn), Ủy ban Chứng khoán Nhà nước (ssc.gov.vn) hoặc "
    "các trang tài chính chính thống.",
    "medical": "Về sức khỏe, triệu chứng hay thuốc men, bạn nên hỏi bác sĩ hoặc cơ sở y tế; thông "
    "tin chính thức có trên cổng thông tin của Bộ Y tế (moh.gov.vn). Trường hợp khẩn cấp, hãy "
    "gọi 115.",
    "tax": "Về kê khai, quyết toán, hoàn thuế cá nhân hay hộ kinh doanh, bạn có thể hỏi Bộ Tài "
    f"chính / cơ quan thuế (gdt.gov.vn, ứng dụng eTax Mobile) hoặc tra cứu thủ tục trên {_DVC}.",
    "business_registration": "Về thủ tục đăng ký doanh nghiệp, hộ kinh doanh, bạn có thể tra cứu "
    f"trên Cổng thông tin quốc gia về đăng ký doanh nghiệp (dangkykinhdoanh.gov.vn) hoặc {_DVC}.",
    "land": "Về đất đai, sổ đỏ, nhà ở, bạn có thể liên hệ Văn phòng đăng ký đất đai, Ủy ban nhân "
    f"dân cấp xã nơi có đất, Bộ Nông nghiệp và Môi trường, hoặc tra cứu thủ tục trên {_DVC}.",
    "traffic": "Về vi phạm và xử phạt giao thông, bạn có thể tra cứu trên trang của Cục Cảnh sát "
    f"giao thông (csgt.vn), Bộ Công an hoặc {_DVC}.",
    "family": "Về kết hôn, ly hôn, nuôi con, bạn có thể liên hệ Ủy ban nhân dân cấp xã, Tòa án "
    f"nhân dân nơi cư trú, Bộ Tư pháp (moj.gov.vn) hoặc tra cứu thủ tục trên {_DVC}.",
    "other_law": "Về các luật và thủ tục khác, bạn có thể tra cứu văn bản trên Cơ sở dữ liệu quốc "
    f"gia về văn bản pháp luật (vbpl.vn), {_DVC} hoặc hỏi cơ quan quản lý lĩnh vực đó.",
    "general": f"Bạn có thể tìm thông tin chính sách chung trên {_GOV_PORTAL}.",
}


# --- pattern compilation ---------------------------------------------------------------------

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _toneless(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))


def _loosen(pattern: str) -> str:
    """Each accented letter → a class of itself, its tone-less and its bare form."""
    out = []
    for ch in sanitize(pattern).lower():
        if ch.isascii():
            out.append(ch)
            continue
        variants = dict.fromkeys([ch, _toneless(ch), fold(ch)])
        out.append("[" + "".join(variants) + "]" if len(variants) > 1 else ch)
    return "".join(out)


def _rx(*patterns: str) -> re.Pattern[str]:
    """Compile alternatives, loosened, bounded by word edges."""
    body = "|".join(f"(?:{_loosen(p)})" for p in patterns)
    return whole_words(body)


def _strict(*patterns: str) -> re.Pattern[str]:
    """Alternatives matched with their exact accents (for words whose bare form is innocent)."""
    body = "|".join(f"(?:{sanitize(p).lower()})" for p in patterns)
    return whole_words(body)


# --- text preparation ------------------------------------------------------------------------

# Teen-code and common abbreviations, token → expansion (tokens are lower case).
_TEEN = {
    "ko": "không",
    "k": "không",
    "kg": "không",
    "khg": "không",
    "hok": "không",
    "hk": "không",
    "hem": "không",
    "hông": "không",
    "dc": "được",
    "đc": "được",
    "bn": "bạn",
    "mk": "mình",
    "mik": "mình",
    "mjk": "mình",
    "mh": "mình",
    "tui": "tôi",
    "j": "gì",
    "ji": "gì",
    "zậy": "vậy",
    "ntn": "như thế nào",
    "r": "rồi",
    "vs": "với",
    "cx": "cũng",
    "cg": "cũng",
    "lm": "làm",
    "ns": "nói",
    "bít": "biết",
    "bik": "biết",
    "hum": "hôm",
    "hnay": "hôm nay",
    "ng": "người",
    "mn": "mọi người",
    "mng": "mọi người",
    "nhìu": "nhiều",
    "nhiu": "nhiều",
    "iu": "yêu",
    "ny": "người yêu",
    "sđt": "số điện thoại",
    "sdt": "số điện thoại",
    "đt": "điện thoại",
    "camon": "cảm ơn",
    "cmon": "cảm ơn",
    "kamon": "cảm ơn",
    "tks": "thanks",
    "thks": "thanks",
    "thx": "thanks",
    "nq": "nghị quyết",
    "khcn": "khoa học công nghệ",
    "cđs": "chuyển đổi số",
    "cds": "chuyển đổi số",
    "đmst": "đổi mới sáng tạo",
    "dmst": "đổi mới sáng tạo",
    "tbt": "tổng bí thư",
    "tncn": "thu nhập cá nhân",
    "tndn": "thu nhập doanh nghiệp",
    "bhxh": "bảo hiểm xã hội",
    "csgt": "cảnh sát giao thông",
    "gplx": "giấy phép lái xe",
    "xsmb": "xổ số",
    "xsmn": "xổ số",
    "xskt": "xổ số",
}
_TOKEN = re.compile(r"\w+")
_NON_WORD = re.compile(r"[^\w\s]+")


# "v"/"z" mean "vậy" only at the end of a sentence ("bạn là ai v?"), not in "v-league".
_FINAL_VAY = re.compile(r"(?<!\w)[vz](?=[\s?!.…]*$)")


def _expand(text: str) -> str:
    text = text.replace("kh&cn", "khoa học công nghệ").replace("r&d", "nghiên cứu phát triển")
    text = _FINAL_VAY.sub("vậy", text)
    return _TOKEN.sub(lambda m: _TEEN.get(m.group(0), m.group(0)), text)


@dataclass
class _Prepared:
    original: str  # sanitized, case kept
    text: str  # lower case, teen-code expanded, punctuation kept
    bare: str  # `text` without punctuation, single spaces


def _prepare(message: str) -> _Prepared:
    original = sanitize(message)
    text = _expand(original.lower())
    bare = " ".join(_NON_WORD.sub(" ", text).split())
    return _Prepared(original, text, bare)


# --- refusal rules ---------------------------------------------------------------------------

_INSTRUCTIONS = (
    "(?:hướng dẫn|chỉ dẫn|chỉ thị|mệnh lệnh|lệnh|quy tắc|nguyên tắc|luật lệ|ràng buộc|thiết lập|"
    "cài đặt|prompt|câu lệnh|lời nhắc)"
)
_SECRET_PROMPT = (
    r"(?:system prompt|prompt|lời nhắc|câu lệnh|chỉ dẫn|cấu hình|thiết lập|quy tắc|hướng dẫn|"
    r"instructions?)"
)
_YOU = r"(?:bạn|mày|em|bot|cậu|trợ lý|you)"
_INJECTION = _rx(
    rf"(?:bỏ qua|phớt lờ|lờ đi|gạt bỏ|vứt bỏ|bỏ hết|quên (?:đi )?(?:hết|mọi|tất cả|toàn bộ|"
    rf"những|các|hết các|hết mọi)) (?:đi )?(?:mọi|tất cả|hết|các|những|toàn bộ)? ?(?:các |những )?"
    rf"{_INSTRUCTIONS}",
    rf"{_YOU} (?:đừng|không cần|không phải|hãy thôi|thôi) (?:tuân theo|tuân thủ|làm theo|quan tâm "
    rf"đến|để ý) (?:mọi |các |những |tất cả )?{_INSTRUCTIONS}",
    rf"{_SECRET_PROMPT} (?:ban đầu |gốc |hệ thống |nội bộ |bí mật |ẩn |được giao |trước đó )?"
    rf"(?:của|cua|mà) {_YOU}",
    r"(?:in|hiển thị|hiện|cho (?:tôi|mình|em) xem|tiết lộ|viết lại|lặp lại|sao chép|copy|xuất|"
    r"liệt kê|dán|gửi) (?:ra )?(?:toàn bộ |nguyên văn |đầy đủ )?(?:cái )?"
    r"(?:system prompt|prompt|lời nhắc|câu lệnh|chỉ dẫn|cấu hình)"
    r"(?: (?:hệ thống|gốc|ban đầu|nội bộ|bí mật|ẩn))?",
    r"system prompt|system message|lời nhắc hệ thống|prompt hệ thống|chỉ dẫn hệ thống|"
    r"câu lệnh hệ thống|thông điệp hệ thống|prompt gốc|prompt ban đầu",
    r"ignore (?:all |any |the |your )?(?:previous |prior |above |earlier |preceding )?"
    r"(?:instructions|prompts?|rules|directions|messages)",
    r"(?:disregard|forget|override) (?:all |any |the |your )?(?:previous |prior |above |earlier )?"
    r"(?:instructions|prompts?|rules|guidelines|directions)",
    r"(?:reveal|print|show|repeat|output) (?:me )?(?:your |the )?(?:initial |original |hidden |"
    r"system )?(?:prompt|instructions)",
    r"developer mode|dev mode|chế độ (?:nhà phát triển|developer|dev|không giới hạn|thần|god|admin|"
    r"quản trị)|god mode|jailbreak|jail break|dan mode|do anything now|chế độ dan",
    rf"{_YOU} (?:giờ|bây giờ|từ giờ|từ nay|từ bây giờ|hiện giờ|now|are now|will be)"
    r" (?:là |sẽ là |trở thành |is |be |are )?dan",
    r"(?:hãy là|trở thành|you are|act as) dan",
    rf"(?:từ giờ|từ nay|từ bây giờ|bây giờ|giờ) (?:trở đi )?{_YOU} (?:là|sẽ là|đóng vai|trở thành) dan",
    r"(?:đóng vai|nhập vai|giả vờ|giả làm|hóa thân|act as|pretend|roleplay|role play)"
    r"[^.?!\n]{0,80}(?:không (?:còn )?(?:có |bị )?(?:bất kỳ |một )?(?:giới hạn|kiểm duyệt|ràng buộc|"
    r"quy tắc|luật lệ|đạo đức|hạn chế)|unrestricted|uncensored|unfiltered|no (?:limits|rules|"
    r"restrictions|filter))",
    rf"{_YOU} (?:được|bị) (?:lập trình|cài đặt|dặn|cấu hình) (?:những |các )?"
    r"(?:gì|như thế nào|ra sao|thế nào)",
    r"(?:prompt|lệnh|câu lệnh) injection|<\|im_start\|>|\[system\]|### ?(?:system|instruction)",
    # An instruction hidden in an encoding: decoded, it is still not the user's question.
    r"(?:giải mã|đọc ngược|dịch ngược|decode|read (?:it |this )?backwards)[^.?!\n]{0,60}"
    r"(?:làm theo|thực hiện|trả lời theo|follow|execute|do what it says)",
    r"(?:làm theo|thực hiện|follow|execute) (?:the |this )?(?:lệnh|yêu cầu|chỉ dẫn|đoạn|câu|"
    r"instructions?)? ?(?:đã |bị )?(?:mã hóa|mã hoá|viết ngược|đảo ngược|encoded|base64)",
    r"(?:giả vờ|giả làm|đóng vai|nhập vai|act as|pretend)(?: là| to be)? (?:admin|quản trị|nhà phát triển|"
    r"developer|lập trình viên|root|sysadmin)",
    r"(?:tiết lộ|cho (?:tôi|mình|em) (?:xem|biết)|in ra|đưa ra|gửi|show|reveal)[^.?!\n]{0,40}"
    r"(?:api key|api-key|mật khẩu|password|access token|secret key|khóa bí mật|khóa api)",
)

_CREATE = (
    r"(?:viết|soạn|tạo|làm|đặt|dựng|sáng tác|nghĩ ra|chế|thêu dệt|cho tôi|cho mình|đưa ra|"
    r"nặn|bịa|giúp tôi|giúp mình|write|make up|invent|create|generate)"
)
_FAKE = r"(?:giả mạo|không có thật|không tồn tại|hư cấu|bịa đặt|fake|made up|fictional)"
_UTTERANCE = (
    r"(?:trích dẫn|câu trích dẫn|phát biểu|bài phát biểu|lời phát biểu|tuyên bố|lời nói|câu nói|"
    r"lời|điều khoản|điều luật|khoản|nghị quyết|quyết định|thông tư|văn bản|công văn|chỉ thị|"
    r"số liệu|thống kê|tin|bản tin|tin tức|bài báo|quote|statement|citation)"
)
_OFFICIAL = (
    r"(?:tổng bí thư|thủ tướng|phó thủ tướng|chủ tịch nước|chủ tịch quốc hội|chủ tịch|bộ trưởng|"
    r"thứ trưởng|bí thư|lãnh đạo|quan chức|cán bộ|đại biểu|giám đốc|cục trưởng|vụ trưởng|"
    r"trưởng ban|ủy viên|phát ngôn viên|ông|bà|anh|chị|minister|official)"
)
_OFFICIAL_PAPER = (
    r"quyết định|công văn|công điện|thông báo|thông cáo(?: báo chí)?|nghị quyết|chỉ thị|tờ trình|"
    r"kết luận|giấy phép|giấy chứng nhận|văn bản|bài phát biểu|phát biểu"
)
_FABRICATION = _rx(
    r"(?:hãy|cứ|thử|tự|cứ việc|giúp tôi|giúp mình) bịa",
    r"bịa (?:ra|đặt|đại|đi|một|1|vài|mấy|chuyện|câu|lời|trích dẫn|số liệu|nội dung|phát biểu|"
    r"điều|tin|cũng được|thêm)",
    rf"{_CREATE} (?:ra )?(?:cho tôi |cho mình |giúp tôi |giúp mình )?(?:một|1|vài|mấy|các|những)? ?"
    rf"(?:cái |đoạn |bài |câu )?{_UTTERANCE}(?: [^.?!\n]{{0,60}})? {_FAKE}",
    rf"{_UTTERANCE} {_FAKE} (?:của|về|cho|nói|rằng)",
    # "giả" next to its noun only: with a gap it would catch "tham gia".
    rf"{_CREATE} (?:ra )?(?:cho tôi |cho mình |giúp tôi |giúp mình )?(?:một|1|vài|mấy|các|những)? ?"
    rf"(?:cái |đoạn |bài |câu )?{_UTTERANCE} giả",
    rf"giả mạo (?:lời |chữ ký |con dấu )?(?:{_UTTERANCE}|{_OFFICIAL}|chữ ký|con dấu)",
    rf"(?:mạo danh|giả danh|đóng giả|nhại giọng|nhại lời|giả giọng|giả lời) {_OFFICIAL}",
    rf"(?:giả sử|giả như|coi như|tưởng tượng|đóng vai|nhập vai) (?:bạn|mày|em|bot|cậu) (?:là|làm) {_OFFICIAL}",
    rf"(?:thay mặt|nhân danh|với tư cách) {_OFFICIAL}[^.?!\n]{{0,60}}(?:tuyên bố|phát biểu|công bố|ban hành)",
    rf"(?:viết|soạn) [^.?!\n]{{0,40}}như (?:thể )?(?:là )?{_OFFICIAL} [^.?!\n]{{0,30}}"
    r"(?:đã )?(?:nói|phát biểu|tuyên bố)",
    # A document in the State's name, asked for outright with its marks of office (number,
    # national motto, signature, seal) or its issuing body.
    rf"(?:^|hãy |giúp (?:tôi |mình |em )?|bạn |cho (?:tôi|mình|em) )(?:soạn|viết|thảo|làm|tạo|"
    rf"dựng|giả|bịa)(?: thảo)?(?: giúp| hộ| giùm| cho)?(?: tôi| mình| em)?(?: một| 1| cái| bản)?"
    rf" (?:{_OFFICIAL_PAPER})(?!\w)[^?!\n]{{0,120}}(?:số hiệu|quốc hiệu|chữ ký|con dấu|"
    rf"đóng dấu|dấu đỏ|mang danh|nhân danh|thay mặt|ký tên|(?:của|thay) (?:thủ tướng|chính phủ|"
    rf"bộ trưởng|bộ|ubnd|ủy ban nhân dân|văn phòng chính phủ|bộ chính trị|ban bí thư|quốc hội|"
    rf"tỉnh ủy|thành ủy|tổng bí thư|chủ tịch))",
    r"(?:fabricate|make up|invent) (?:a |some )?(?:quote|statement|citation|law|article)",
    r"fake (?:quote|statement|citation)",
    rf"{_CREATE} (?:giúp|hộ|dùm|giùm)? ?(?:tôi |mình )?(?:một|1|vài|mấy)? ?(?:cái |đoạn |bài |câu )?"
    rf"{_UTTERANCE} giả",
    r"(?:viết lại|sửa lại|sửa|thêm|chèn|soạn|viết)[^.?!\n]{0,80}(?:như|giống|y như|y hệt) "
    r"(?:là )?(?:văn bản |bản )?(?:thật|chính thức)",
)

_PERSONAL = (
    r"(?:số điện thoại|số di động|số máy|điện thoại (?:riêng|cá nhân|di động)|địa chỉ nhà|"
    r"nhà riêng|địa chỉ (?:riêng|cá nhân|nơi ở|nhà ở|thường trú|tạm trú)|nơi ở|chỗ ở|nhà ở đâu|"
    r"sống ở đâu|email (?:riêng|cá nhân)|email|gmail|hộp thư (?:riêng|cá nhân)|"
    r"zalo|facebook|tài khoản mạng xã hội|cccd|căn cước|cmnd|chứng minh nhân dân|hộ chiếu|"
    r"số tài khoản|tài khoản ngân hàng|biển số xe|hộ khẩu|thông tin cá nhân|thông tin riêng tư|"
    r"phone number|home address|personal email)"
)
_PERSONAL_DATA = _rx(
    rf"{_PERSONAL} (?:cá nhân |riêng |của |nhà |cua )*(?:ngài |đồng chí |vị )?{_OFFICIAL}",
    rf"{_OFFICIAL}(?: [^\s.?!,]+){{0,6}} (?:có |dùng |là |ở )?(?:số điện thoại|số di động|"
    r"địa chỉ nhà|nhà riêng|email riêng|email cá nhân|cccd|căn cước|cmnd|sống ở đâu|"
    r"nhà ở đâu)",
)

_ABUSE = _rx(
    r"ngu như|ngu ngốc|ngu si|ngu vãi|ngu thế|ngu vậy|ngu quá|ngu vl|ngu vcl|"
    r"(?:mày|bot|mi|cái bot|con bot|thằng bot) (?:ngu|dốt|điên|khùng|vô dụng|rác)",
    r"thằng ngu|con ngu|súc vật|khốn nạn|mất dạy|đồ rác rưởi|cút đi|cút xéo|im mồm|câm mồm|"
    r"câm miệng|não cá vàng|não phẳng",
    r"dmm|dcm|dkm|vcl|vkl|clgt|cmm|mẹ mày|mẹ kiếp",
    r"fuck|fucking|shit|bitch|idiot|stupid bot|moron|asshole|wtf",
)
# Curses whose letters are also abbreviations in questions ("dm" danh mục, "vl" vật liệu, "cc"
# các): abuse only in a message too short to be a question about anything.
_ABUSE_SHORT = _rx(r"dm|vl|cc")
_SHORT_WORDS = 4
# Insults whose bare form is an innocent word ("bộ máy", "còn cho", "đi", "lớn"): exact accents.
_ABUSE_STRICT = _strict(
    r"địt|đéo|lồn|cặc|buồi|đụ|đĩ|đm|đmm|đcm|đkm|đồ ngu|óc chó|óc lợn|chó má|đồ chó|con chó|"
    r"thằng chó|bố mày|cha mày"
)
# "ngu" unaccented is also "ngũ"/"ngủ" typed without marks ("doi ngu can bo").
_ABUSE_ACCENTED_ONLY = _strict(r"ngu")


# Backstops for the policy categories (bot/policy.yaml is the mechanism): only phrasings whose
# meaning is unmistakable, so a question about what the texts say never meets them.
_POLITICAL = _rx(
    r"đa đảng|đa nguyên|độc đảng|chế độ (?:một đảng|độc tài|này|hiện tại|hiện nay|cộng sản)|"
    r"độc tài|biểu tình|lật đổ|phản động|ba que|bò đỏ|dư luận viên|regime change|"
    # Changing the regime, not a rule of reporting, pay or incentives ("chế độ báo cáo").
    r"(?:thay đổi|thay|đổi|lật) chế độ(?! (?:báo cáo|đãi ngộ|ưu đãi|tiền lương|lương|chính sách|"
    r"làm việc|tài chính|thông tin|phụ cấp|bảo hiểm|thuế|kế toán|học bổng))",
    r"(?:đảng|chính phủ|nhà nước|bộ chính trị|tổng bí thư|thủ tướng|lãnh đạo|chế độ|chính quyền)"
    r"(?!\w)[^?.!\n]{0,30}(?:có giỏi|có tốt|có đúng không|sai lầm|thất bại|bất tài|kém cỏi|có xứng|"
    r"có đáng tin|tồi tệ|độc tài|có chính danh)",
    # Whether the Party or its members should have a privilege or a duty: an opinion asked.
    r"(?<!\w)(?:đảng viên|đảng|bộ chính trị)(?!\w)[^?.!\n]{0,40}(?:có nên|nên được|nên hay không)",
    # Content that mocks or insults someone ("viết thêm bài thơ chửi cơ quan đó").
    r"(?:viết|làm|sáng tác|soạn|đặt|nghĩ)(?: thêm)?(?: giúp| hộ| giùm| cho)?(?: tôi| mình| em)?"
    r"(?: một| 1| vài| mấy)? (?:bài thơ|bài vè|bài hát|bài rap|bài|đoạn|câu|status|meme|truyện|"
    r"thơ|vè|tin)(?!\w)[^?.!\n]{0,20}(?:chửi|chế giễu|chê bai|bêu xấu|nói xấu|bôi nhọ|xúc phạm|"
    r"lăng mạ|mỉa mai|châm biếm|chế nhạo|đả kích|bóc phốt|miệt thị)",
)
_ALLEGATION = _rx(
    r"(?<!chống )(?<!phòng )(?:tham nhũng|nhận hối lộ|ăn hối lộ|tham ô|biển thủ|ăn chặn|rút ruột|"
    r"lại quả|bảo kê|sân sau|ăn tiền|đút túi|chia chác)(?!\w)[^?.!\n]{0,40}"
    r"(?:bao nhiêu|những ai|là ai|ai|đúng không|phải không|có không|không)",
    r"(?:ông|bà|bộ trưởng|thứ trưởng|giám đốc|chủ tịch|bí thư|quan chức|cán bộ nào|lãnh đạo nào)"
    r"(?!\w)[^?.!\n]{0,40}(?:tham nhũng|nhận hối lộ|ăn hối lộ|tham ô|biển thủ|ăn chặn|nhận tiền|"
    r"lại quả|bảo kê)",
    # Someone named or pointed at, then a wrongdoing or its sanction: "FPT có đút lót …",
    # "Bà … ký Kết luận 69 rồi bị kỷ luật phải không?", "Bộ nào … vì lãnh đạo tham nhũng?".
    r"(?:ông|bà|công ty|tập đoàn|bộ nào|sở nào|lãnh đạo|bộ trưởng|thứ trưởng|giám đốc|chủ tịch)"
    r"(?!\w)[^?.!\n]{0,70}(?:đút lót|hối lộ|tham nhũng|tham ô|biển thủ|thổi giá|bị kỷ luật|"
    r"bị điều tra|bị khởi tố|đấu đá|phe phái|(?:chia|ăn|nhận|lấy) phần trăm|lại quả)(?!\w)",
    r"(?:có|đã) (?:phải )?(?:đã )?(?:đút lót|hối lộ|nhận hối lộ|tham nhũng|tham ô|biển thủ)"
    r"(?!\w)[^?.!\n]{0,80}(?:không|chưa|ko|k)\s*\??$",
    # "Khoản 25.000 tỷ … bị ai tham ô?": who did it, asked before the wrongdoing.
    r"(?<!\w)(?:những )?ai(?: đã| đang)? (?:tham nhũng|nhận hối lộ|ăn hối lộ|tham ô|biển thủ|"
    r"ăn chặn|rút ruột|đút túi|chia chác)(?!\w)",
)
_ILLEGAL = _rx(
    r"(?:cách|làm sao|làm thế nào|hướng dẫn|chỉ (?:tôi|mình|em)|mẹo|bí quyết|how to)"
    r"(?!\w)[^?.!\n]{0,40}(?:khai khống|khai gian|làm giả|hóa đơn (?:giả|khống)|chứng từ (?:giả|khống)|"
    r"trốn thuế|né thuế|lách (?:luật|thuế|quy định|tiêu chí)|hối lộ|đút lót|rửa tiền|hack|"
    r"tấn công|đánh cắp|lấy trộm|buôn lậu|nhập lậu|qua mặt|gian lận|nâng khống|mua bằng|crack|"
    r"làm giả|biển thủ|fake)",
)
_HATE = _rx(
    r"(?:người|dân|bọn|lũ|đám|tụi)\s+(?:miền (?:bắc|nam|trung|tây)|bắc kỳ|nam kỳ|dân tộc|"
    r"đồng bào|theo đạo|công giáo|phật giáo|hồi giáo|đồng tính|lgbt|khuyết tật|nước ngoài|"
    r"trung quốc|quê)(?!\w)[^?.!\n]{0,50}(?:lười|ngu|dốt|kém|gian|lừa đảo|bẩn|không xứng|"
    r"gánh nặng|thấp kém|mọi rợ|gián điệp|nguy hiểm)",
    r"(?:phụ nữ|đàn bà|con gái)(?!\w)[^?.!\n]{0,30}(?:kém|dốt|ngu|không hợp|không nên|nên ở nhà|"
    r"không làm được)",
    r"bắc kỳ|nam kỳ|khựa|bọn mọi",
)
_POLICY_RULES = (
    ("political", _POLITICAL),
    ("allegation", _ALLEGATION),
    ("illegal", _ILLEGAL),
    ("hate", _HATE),
)


def policy_rule(message: str) -> str | None:
    """The policy category a rule recognises in ``message`` (the backstop), else None."""
    text = _prepare(message).text
    return next((name for name, rx in _POLICY_RULES if rx.search(text)), None)


# --- smalltalk -------------------------------------------------------------------------------

_GREETING = (
    r"xin chào|chào|chao xìn|hello|hellu|helo|hi|hey|alo|a lô|good morning|good evening|"
    r"chào buổi sáng|chào buổi tối|chào buổi chiều|hế lô|hê lô|hé lô|hallo|halo|"
    r"(?:bạn |bot |em )?(?:có )?khỏe không|dạo này thế nào|how are you"
)
_THANKS = r"cảm ơn|cám ơn|thanks|thank you|thank|ty|biết ơn|đa tạ"
_BYE = r"tạm biệt|bye|bye bye|bai|goodbye|good bye|hẹn gặp lại|see you|pp|bb"
_ACK = (
    r"ok|oke|okay|okie|oki|okela|ừ|ừm|uh|uk|um|vâng|dạ|được rồi|rõ rồi|hiểu rồi|tốt|tốt quá|"
    r"tuyệt|tuyệt vời|hay quá|hay|good|great|nice|cool|đúng rồi|chuẩn|được|xong"
)
_IDENTITY = (
    r"(?:bạn|mày|em|bot|cậu|ad|admin|trợ lý) (?:là|tên là|tên) (?:ai|gì|cái gì|người hay máy|"
    r"robot|người thật|chatbot)|ai đang (?:trả lời|nói chuyện|chat)|who are you|what are you|"
    r"giới thiệu (?:về )?(?:bản thân|bạn|chút)|bạn tên gì|tên bạn là gì"
)
_CAPABILITY = (
    r"(?:bạn|em|bot|cậu|trợ lý|mày) (?:có thể |có |sẽ )?(?:trả lời|giúp|hỗ trợ|làm|tư vấn|biết)"
    r"(?: được| cho tôi| cho mình| tôi| mình)? (?:gì|những gì|được gì|được những gì|việc gì|"
    r"như thế nào|thế nào|những việc gì|về gì|về cái gì)|"
    r"(?:tôi|mình|em) (?:có thể |nên |được )?hỏi (?:bạn )?(?:những )?(?:gì|cái gì|về gì|"
    r"như thế nào|thế nào)|"
    r"hỏi (?:được )?(?:những )?(?:gì|cái gì)|hướng dẫn sử dụng|cách sử dụng|cách dùng|"
    r"dùng (?:bạn|bot|trợ lý) (?:như thế nào|thế nào|ra sao)|what can you do|help|trợ giúp|"
    r"menu|start|bắt đầu|phạm vi|bạn biết những gì"
)
_HELP = (
    r"giúp (?:tôi|mình|em|với|tôi với|mình với|em với|đỡ|đỡ tôi|đỡ mình)|cứu|cứu với|"
    r"hỗ trợ (?:tôi|mình|em)(?: với)?|(?:tôi|mình|em) cần (?:giúp|hỗ trợ|giúp đỡ)(?: đỡ)?|"
    r"có ai không|có ai ở đó không|có ai đó không|test|testing|thử|thử thôi"
)
_FILLER = (
    r"ạ|à|nhé|nha|nhá|nhỉ|ơi|bạn|bot|ad|admin|em|anh|chị|vậy|thế|nhiều|lắm|rất|đã|hả|hử|mình|"
    r"tôi|trợ lý|rồi|với|nhé bạn|cả nhà|mọi người|shop|bác|nhiều nhé|lần nữa|và|hen|nghen|"
    r"thật|quá|có|cho|nhá|ha|hihi|haha|hehe|kaka|lol|the|you|much|so|very|a|oh|ồ|ô|wow|ok thì|"
    r"chúc|một ngày tốt lành|ngày tốt lành|ngày mới|vui vẻ|buổi sáng|buổi tối|buổi chiều"
)


_SMALLTALK = re.compile(
    r"^(?:(?:"
    + "|".join(
        _loosen(body)
        for body in (_THANKS, _BYE, _IDENTITY, _CAPABILITY, _HELP, _GREETING, _ACK, _FILLER)
    )
    + r")(?:\s+|$))+$"
)
_SMALLTALK_MAX_WORDS = 16


_KIND_PATTERNS = {
    kind: whole_words(_loosen(body))
    for kind, body in (
        ("bye", _BYE),
        ("thanks", _THANKS),
        ("identity", _IDENTITY),
        ("capability", _CAPABILITY),
        ("help", _HELP),
        ("greeting", _GREETING),
        ("ack", _ACK),
    )
}


def _smalltalk(bare: str) -> str | None:
    """The smalltalk kind when the whole message is pleasantries/meta questions, else None."""
    if not bare:
        return "empty"
    if len(bare.split()) > _SMALLTALK_MAX_WORDS or not _SMALLTALK.match(bare):
        return None
    for kind, pattern in _KIND_PATTERNS.items():
        if pattern.search(bare):
            return kind
    return "filler"


# --- out of scope ----------------------------------------------------------------------------

_TOPICS: dict[str, re.Pattern[str]] = {
    "weather": _rx(
        r"thời tiết|dự báo (?:mưa|nắng|bão)|trời (?:có )?(?:mưa|nắng|lạnh|nóng) (?:không|chưa)|"
        r"nhiệt độ (?:hôm nay|ngày mai|ở|tại)|bão số|áp thấp nhiệt đới|có mưa không|weather|"
        r"áo mưa|mang ô|mang dù|trời (?:mưa|nắng|rét)|mưa to|nắng nóng"
    ),
    "sports": _rx(
        r"bóng đá|đá bóng|đá banh|bóng chuyền|tỷ số|trận đấu|trận (?:đá|chung kết)|world cup|"
        r"euro 20\d\d|ngoại hạng anh|premier league|champions league|cúp c1|v league|v-league|"
        r"sea games|đội tuyển (?:việt nam|bóng|quốc gia)|cầu thủ|huấn luyện viên|messi|ronaldo|"
        r"vô địch (?:world cup|aff|sea games)|aff cup|football|kết quả trận|trận [^.?!\n]{1,30} (?:vs|gặp|với) |"
        r"\bvs\b[^.?!\n]{0,30}(?:ai thắng|mấy bàn|tỉ số)|ai thắng|man utd|man city|liverpool|arsenal|"
        r"chelsea|real madrid|barcelona|barca|\bmu\b"
    ),
    "lottery": _rx(
        r"xổ số|xs(?:mb|mn|mt|kt)|lô đề|số đề|đánh đề|đánh lô|soi cầu|vietlott|vé số|"
        r"giải đặc biệt hôm nay|kết quả xs|con số may mắn|mega 6/45|power 6/55"
    ),
    "cooking": _rx(
        r"công thức (?:nấu|làm món|làm bánh|món)|cách (?:nấu|làm món|làm bánh|chế biến|luộc|"
        r"chiên|rán|kho)|nấu (?:món|ăn|canh|phở|cơm|cháo|lẩu|bún)|món ăn|món ngon|làm bánh|"
        r"ăn gì (?:hôm nay|tối nay|trưa nay)|recipe"
    ),
    "dating": _rx(
        r"hẹn hò|người yêu|tỏ tình|crush|thất tình|tán gái|tán trai|cưa gái|cưa trai|bạn gái|"
        r"bạn trai|yêu đơn phương|chia tay người yêu|làm quen (?:với )?(?:gái|trai|bạn gái)|"
        r"tình yêu|dating"
    ),
    "finance": _rx(
        r"bitcoin|ethereum|crypto|tiền ảo|tiền điện tử|tiền mã hóa|coin|altcoin|"
        r"chứng khoán|cổ phiếu|vn-?index|vnindex|mã ck|giá vàng|vàng sjc|tỷ giá|giá (?:đô|usd|"
        r"đô la|vàng|xăng|dầu|bạc)|lãi suất (?:ngân hàng|tiết kiệm|vay)|gửi tiết kiệm|"
        r"vay (?:tiền|tín chấp|mua nhà)|forex|đầu tư (?:coin|vàng|chứng khoán|cổ phiếu)|"
        r"stock price|đổi (?:đô|usd|tiền|ngoại tệ|euro|yên)|(?:đô la|usd|euro) sang|tiền việt"
    ),
    "medical": _rx(
        r"triệu chứng|đau (?:đầu|bụng|họng|lưng|răng|dạ dày|ngực|bụng)|bị (?:sốt|ho|cảm|cúm|"
        r"tiêu chảy|dị ứng|mất ngủ)|sốt (?:cao|xuất huyết|siêu vi)|uống thuốc|thuốc (?:gì|nào|"
        r"trị|chữa|giảm đau|kháng sinh|hạ sốt)|kháng sinh|liều (?:dùng|lượng)|chữa (?:bệnh|trị)|"
        r"bệnh (?:tiểu đường|tim|gan|thận|ung thư|cao huyết áp|dạ dày|trĩ)|huyết áp|mang thai|"
        r"có bầu|tiêm (?:vắc xin|vaccine|phòng)|bác sĩ|khám bệnh|nhập viện|giảm cân|"
        r"ăn kiêng|covid|paracetamol|panadol"
    ),
    "tax": _rx(
        r"(?:khai|kê khai|quyết toán|hoàn|nộp|tính|đóng|miễn|giảm trừ) thuế (?:thu nhập cá nhân|"
        r"cá nhân|hộ kinh doanh|nhà đất|đất|môn bài|trước bạ)",
        r"thuế thu nhập cá nhân|quyết toán thuế|hoàn thuế|mã số thuế|giảm trừ gia cảnh|"
        r"người phụ thuộc|thuế (?:nhà đất|đất|môn bài|trước bạ|hộ kinh doanh|cho thuê nhà|"
        r"bán hàng online|tiktok|shopee)|lệ phí trước bạ|etax|thuế khoán",
    ),
    "business_registration": _rx(
        r"đăng ký (?:kinh doanh|doanh nghiệp|hộ kinh doanh|công ty|thành lập)|"
        r"thành lập (?:công ty|doanh nghiệp|hộ kinh doanh)|mở (?:công ty|doanh nghiệp|cửa hàng|"
        r"quán|shop)|giấy phép kinh doanh|giấy chứng nhận đăng ký (?:kinh doanh|doanh nghiệp)|"
        r"thủ tục (?:mở|thành lập|đăng ký|giải thể)|vốn điều lệ|con dấu công ty|giải thể công ty|"
        r"hộ kinh doanh|kinh doanh cá thể"
    ),
    "land": _rx(
        r"sổ đỏ|sổ hồng|luật đất đai|tranh chấp (?:đất|ranh giới|nhà)|chuyển nhượng (?:quyền sử "
        r"dụng )?đất|mua bán (?:đất|nhà)|mua (?:đất|nhà)|bán (?:đất|nhà)|thừa kế|giá đất|"
        r"đền bù|giải phóng mặt bằng|thu hồi đất|chuyển mục đích sử dụng đất|đất (?:thổ cư|"
        r"nông nghiệp|ở|vườn|lúa)|quyền sử dụng đất|xây (?:nhà|dựng nhà)|giấy phép xây dựng|"
        r"tách thửa|cho thuê nhà|thuê nhà|hợp đồng thuê"
    ),
    "traffic": _rx(
        r"phạt nguội|(?:mức |bị |tiền |nộp )phạt (?:giao thông|xe|lỗi|vượt|nồng độ|không đội|"
        r"quá tốc độ|bao nhiêu)|vượt đèn đỏ|nồng độ cồn|bằng lái|giấy phép lái xe|đăng kiểm|"
        r"biển số xe|quá tốc độ|mũ bảo hiểm|cảnh sát giao thông|nghị định 168|nghị định 100|"
        r"lỗi (?:vượt|đi sai làn|không đội mũ|rẽ)|đi sai làn|luật giao thông|"
        r"trật tự an toàn giao thông|thi bằng lái"
    ),
    "family": _rx(
        r"ly hôn|ly dị|kết hôn|đăng ký kết hôn|quyền nuôi con|cấp dưỡng|luật hôn nhân|"
        r"hôn nhân và gia đình|chia tài sản (?:khi |sau )?(?:ly hôn|vợ chồng)|ngoại tình|"
        r"giành quyền nuôi|khai sinh|giấy khai sinh|nhận con nuôi"
    ),
    "other_law": _rx(
        r"bộ luật (?:hình sự|dân sự|lao động|tố tụng)|luật (?:hình sự|dân sự|lao động|nhà ở|"
        r"cư trú|nghĩa vụ quân sự|bảo hiểm xã hội|bảo hiểm y tế|kinh doanh bất động sản|"
        r"khám bệnh|phòng chống ma túy|thi hành án)|nghĩa vụ quân sự|đi nghĩa vụ|"
        r"bảo hiểm xã hội một lần|rút bảo hiểm xã hội|lương hưu|trợ cấp thất nghiệp|"
        r"sa thải|hợp đồng lao động|tiền lương tối thiểu|lương tối thiểu|tạm trú|thường trú|"
        r"làm căn cước|làm hộ chiếu|cấp hộ chiếu|hộ chiếu|passport|visa|kiện (?:ra tòa|tụng)|khởi kiện|"
        r"án treo|ngồi tù|tiền án"
    ),
    "general": _rx(
        r"tử vi|bói|xem bói|phong thủy|cung hoàng đạo|xem tuổi|ngày tốt|tarot|"
        r"bài hát|ca sĩ|phim (?:hay|gì|mới|chiếu rạp)|chơi game|game|truyện cười|kể chuyện cười|"
        r"làm thơ|bài thơ|viết văn|bài văn|giải (?:bài tập|toán|phương trình)|dịch sang tiếng|"
        r"du lịch ở đâu|địa điểm du lịch|khách sạn|vé máy bay|đặt phòng|mua sắm|giảm giá|"
        r"đi chơi|chỗ chơi|đi phượt|du lịch|đà lạt|phú quốc|nha trang|sa pa|sapa|hạ long|"
        r"iphone|samsung|điện thoại nào tốt|laptop nào"
    ),
}

# An in-scope signal anywhere in the message keeps it with the evidence gate.
_IN_SCOPE = _rx(
    r"nghị quyết|nq ?57|\d+-nq|kết luận 69|quyết định (?:1169|2629)|thông báo 624|kế hoạch 3260|"
    r"thông tư (?:32|33)|57|1169|2629|3260|624|khoa học|công nghệ|kỹ thuật số|đổi mới sáng tạo|"
    r"sáng tạo|chuyển đổi số|số hóa|chính phủ số|kinh tế số|xã hội số|công dân số|hạ tầng số|"
    r"nền tảng số|dữ liệu|cơ sở dữ liệu|csdl|bán dẫn|vi mạch|chip|trí tuệ nhân tạo|khởi nghiệp|"
    r"startup|start-up|nhân lực|nhân tài|đầu tư mạo hiểm|quỹ đầu tư|nghiên cứu|nghiên cứu phát "
    r"triển|sáng chế|sở hữu trí tuệ|internet|viễn thông|an ninh mạng|an toàn thông tin|"
    r"không gian mạng|vneid|đề án 06|dịch vụ công trực tuyến|trực tuyến|thông minh|"
    r"ban chỉ đạo|bộ chính trị|thể chế|ưu đãi|truyền thông|phòng thí nghiệm|tự động hóa|robot|"
    r"lượng tử|blockchain|chuỗi khối|điện toán đám mây|dữ liệu lớn|big data|iot|5g|6g|"
    r"vệ tinh|không gian|công nghiệp|doanh nghiệp công nghệ|chuyển giao|thử nghiệm|sandbox|"
    r"(?<!tiền )(?<!thuốc lá )điện tử|bệnh án điện tử|hồ sơ sức khỏe điện tử",
)
_IN_SCOPE_CASED = re.compile(r"(?<!\w)(?:AI|R&D|ICT|IoT|KH&CN|KHCN|CĐS|ĐMST|NQ)(?!\w)")

_FOLLOW_UP = _rx(r"^(?:còn|thế còn|vậy còn|vậy|thế|và|nếu|thì|còn về)|(?:thì sao|thì thế nào)$")
_FOLLOW_UP_MAX_WORDS = 10


def _in_scope(prepared: _Prepared) -> bool:
    return bool(_IN_SCOPE.search(prepared.text) or _IN_SCOPE_CASED.search(prepared.original))


def _follows_in_scope_turn(prepared: _Prepared, history: list[Turn] | None) -> bool:
    """A short follow-up ("còn đất đai thì sao?") right after an in-scope question."""
    if not history or len(prepared.bare.split()) > _FOLLOW_UP_MAX_WORDS:
        return False
    if not _FOLLOW_UP.search(prepared.bare):
        return False
    last_user = next((t.content for t in reversed(history) if t.role == "user"), None)
    return last_user is not None and _in_scope(_prepare(last_user))


# --- classification --------------------------------------------------------------------------


def _refusal_reason(prepared: _Prepared) -> str | None:
    text = prepared.text
    if _INJECTION.search(text):
        return "injection"
    if _FABRICATION.search(text):
        return "fabrication"
    if _PERSONAL_DATA.search(text):
        return "personal_data"
    if _ABUSE.search(prepared.bare) or _ABUSE_STRICT.search(prepared.bare):
        return "abuse"
    if len(prepared.bare.split()) <= _SHORT_WORDS and _ABUSE_SHORT.search(prepared.bare):
        return "abuse"
    if has_diacritics(prepared.original) and _ABUSE_ACCENTED_ONLY.search(prepared.bare):
        return "abuse"
    return None


_SMALLTALK_REPLIES = {"thanks": THANKS_REPLY, "bye": GOODBYE_REPLY}


def classify(message: str, history: list[Turn] | None = None) -> IntentResult:
    """Decide what to do with one user message (earlier turns only help follow-ups)."""
    prepared = _prepare(message)

    refusal = _refusal_reason(prepared)
    if refusal is not None:
        return IntentResult("refused", refusal, _REFUSALS[refusal])

    kind = _smalltalk(prepared.bare)
    if kind is not None:
        return IntentResult("smalltalk", kind, _SMALLTALK_REPLIES.get(kind, SMALLTALK_REPLY))

    if not _in_scope(prepared) and not _follows_in_scope_turn(prepared, history):
        for topic, pattern in _TOPICS.items():
            if pattern.search(prepared.text):
                return IntentResult("out_of_scope", topic, out_of_scope_reply(topic))

    return IntentResult("answer", "default", None)
