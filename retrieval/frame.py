"""What a question asks for: its attribute and its constraints (pure functions).

One analysis per turn that later stages read: the gate checks that the passages hold an answer
of the asked kind, and a decline names the kind of detail the texts do not give. Cues are read
on folded, lower-cased text with teen-code expanded, so "bao nhieu", "bn %" and "bao nhiêu"
meet the same rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nq57.text import fold, whole_words

ATTRIBUTES = (
    "verbatim",
    "number",
    "date",
    "agency",
    "name",
    "definition",
    "list",
    "how",
    "yes_no",
    "what_is",
    "other",
)
# First match wins: "trích nguyên văn … bao nhiêu" asks for the text, not the number.
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, whole_words(body))
    for name, body in (
        ("verbatim", r"trich (?:nguyen )?van|nguyen van|dung nguyen|chinh xac cau chu|toan van"),
        (
            "number",
            r"bao nhieu|may (?:phan tram|ty|trieu|nguoi|nam|ngay|thang|muc|chi tieu|nhiem vu)|"
            r"ti le|ty le|muc (?:chi|ho tro|thue|phat|uu dai)|so luong|phan tram|bao nhieu tien|"
            r"kinh phi (?:la )?bao|ngan sach bao|con so|chi tieu so|dat muc(?! tieu)|gia tri",
        ),
        (
            "date",
            r"khi nao|bao gio|luc nao|ngay nao|nam nao|thang nao|thoi han|han chot|"
            r"den khi|thoi diem|hieu luc tu|co hieu luc|ban hanh ngay|thoi gian nao|moc",
        ),
        (
            "agency",
            r"co quan nao|bo nao|don vi nao|ai (?:chu tri|phu trach|ky|ban hanh|chiu trach nhiem|"
            r"thuc hien|lam truong ban)|ai la|do ai|nganh nao|to chuc nao|chu tri|"
            r"phoi hop voi|giao cho|trach nhiem cua ai",
        ),
        (
            # Names of particular firms, people or sites: what the texts rarely give.
            "name",
            r"ke ten (?:cac |nhung )?(?:\d+ )?(?:nha khoa hoc|doanh nghiep|cong ty|ca nhan|nguoi|"
            r"tap the)|danh sach (?:cac |nhung )?(?:\d+ )?(?:doanh nghiep|cong ty|nha khoa hoc|"
            r"ca nhan)|ten (?:la )?(?:gi|j)\b|ten cu the|ten (?:doanh nghiep|cong ty|nguoi)|"
            r"dia chi (?:web|website|trang|truy cap|email|lien he)|website|trang web|\blink\b",
        ),
        ("definition", r"la gi|nghia la|duoc hieu|khai niem|dinh nghia|the nao la|giai thich"),
        (
            "list",
            r"nhung (?:gi|nao|noi dung|nhiem vu|giai phap|muc tieu|chinh sach)|gom (?:nhung|co)|"
            r"bao gom|cac (?:nhiem vu|giai phap|muc tieu|chi tieu)|liet ke|danh muc|ke ten",
        ),
        (
            "how",
            r"nhu the nao|the nao|ra sao|cach nao|bang cach|lam sao|thu tuc|quy trinh|"
            r"dieu kien|tieu chi|yeu cau gi",
        ),
        (
            "yes_no",
            r"co (?:phai|dung|duoc|bi|can|nen)\b.*(?:khong|ko|k|chua)|dung khong|phai khong|"
            r"co khong|duoc khong|hay khong|dung ko|phai ko",
        ),
        ("what_is", r"noi (?:gi|ve gi)|de cap|quy dinh gi|la van ban|ve viec gi|muc tieu"),
    )
)
# The kinds whose answer is a detail that a passage either states or does not.
SPECIFIC = frozenset({"number", "date", "agency", "name"})
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_DATE_IN_TEXT = re.compile(
    r"(?<!\d)(?:19|20)\d\d(?!\d)|(?<!\d)\d{1,2}/\d{1,2}(?:/\d{2,4})?|\bngay \d|\bthang \d|quy [1-4i]",
)
_NUMBER_IN_TEXT = re.compile(r"(?<![\d/.])\d+(?:[.,]\d+)*(?![\d/])")
# A name as texts print one: a web address, a quoted title ("“Bình dân học vụ số”"), an
# acronym (VNeID), or a person's full name (three capitalised syllables).
_NAME_IN_TEXT = re.compile(
    r"\b[\w-]+\.(?:gov\.vn|vn|com|org|net)\b|[“\"«][^”\"»]{3,80}[”\"»]|"
    r"\b(?![IVXLC]+\b)[A-ZĐ][A-Za-zĐ]*[A-ZĐ][A-Za-zĐ]*\b|"
    r"\b[A-ZĐ][a-zà-ỹđ]+(?:\s+[A-ZĐ][a-zà-ỹđ]+){2,}"
)
_AGENCY_IN_TEXT = re.compile(
    r"\b(?:bo|uy ban|ubnd|chinh phu|thu tuong|ban chi dao|ban |van phong|so |vien|hoi dong|"
    r"quoc hoi|dang doan|cap uy|tinh uy|thanh uy|doanh nghiep|co quan|tap doan|ngan hang|"
    r"dai hoc|chu tri|phoi hop)"
)


# Stricter than ``_AGENCY_IN_TEXT`` (a gate feature, read folded): a body named as written,
# "Bộ Văn hóa, Thể thao và Du lịch", "Ủy ban nhân dân", or the one who "chủ trì", so that
# "nhằm quảng bá thương hiệu quốc gia" does not pass for naming an agency.
_AGENCY_NAMED = re.compile(
    r"(?<!\w)(?:(?:Bộ|Ủy ban|Uỷ ban|Văn phòng|Viện|Hội đồng|Ban|Tổ đảng|Đảng đoàn|Tập đoàn|"
    r"Ngân hàng|Sở|Cục|Tổng cục|Đài|Thông tấn xã|Hội)\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈÍÓÒÚÙÝ]|UBND|"
    r"Chính phủ|Thủ tướng|Quốc hội|Bộ Chính trị|[Cc]hủ trì)"
)


def names_agency(text: str) -> bool:
    """Whether ``text`` names a body as written ("Bộ Công an chủ trì")."""
    return _AGENCY_NAMED.search(text) is not None


@dataclass(frozen=True)
class Frame:
    attribute: str
    years: tuple[str, ...] = field(default_factory=tuple)
    unit: str = ""  # "%", "ty", "nguoi": the unit a number question asks for

    @property
    def specific(self) -> bool:
        return self.attribute in SPECIFIC

    @property
    def label(self) -> str:
        """Vietnamese name of the detail asked, for "the texts do not set …"."""
        return _LABELS.get(self.attribute, "nội dung cụ thể")


_LABELS = {
    "number": "con số, mức hoặc tỷ lệ cụ thể",
    "date": "thời hạn hoặc mốc thời gian cụ thể",
    "agency": "cơ quan hoặc người cụ thể",
    "name": "tên hoặc danh sách cụ thể",
}


def frame_of(question: str) -> Frame:
    """The question's frame; ``question`` is the text as typed or restored."""
    folded = " " + " ".join(fold(question).lower().split()) + " "
    attribute = next((name for name, rx in _CUES if rx.search(folded)), "other")
    return Frame(attribute, tuple(dict.fromkeys(_YEAR.findall(folded))), asked_unit(folded))


def holds_answer(frame: Frame, text: str) -> bool:
    """Whether ``text`` contains something of the asked kind (a number, a date, an agency)."""
    folded = fold(text).lower()
    if frame.attribute == "number":
        # A year is a date, not the amount or rate asked.
        return any(not _YEAR.fullmatch(n) for n in _NUMBER_IN_TEXT.findall(folded))
    if frame.attribute == "date":
        return bool(_DATE_IN_TEXT.search(folded))
    if frame.attribute == "agency":
        return bool(_AGENCY_IN_TEXT.search(folded))
    if frame.attribute == "name":
        return bool(_NAME_IN_TEXT.search(text))
    return True


# "bao nhiêu tỷ đồng", "mấy phần trăm", "bao nhiêu người": the unit the answer must carry.
_UNIT = re.compile(
    r"(?:bao nhieu|may|bn)\s+(ty dong|ty|trieu dong|trieu|nghin|usd|dong|tien|phan tram|%|nguoi|"
    r"doanh nghiep|chi tieu|nhiem vu|trung tam|du an|nam|thang|ngay|tuan|dai bieu|thanh vien|"
    r"cong ty|thue bao|truong|lan)(?!\w)"
)
_UNIT_IN_TEXT = {"phan tram": "%", "ty dong": "ty", "trieu dong": "trieu"}
# Units of an amount of money: "bao nhiêu tiền" is answered by "500 nghìn tỷ đồng" too.
MONEY_UNITS = frozenset({"ty", "trieu", "nghin", "dong", "usd", "tien"})
_MONEY_IN_TEXT = re.compile(
    r"\d[\d.,]*\s*(?:(?:nghin|ngan|trieu|ty)\s+)*(?:ty|trieu|dong|usd|vnd)(?!\w)"
)


# "Kinh phí … là bao nhiêu?", "bao nhiêu vốn đầu tư": an amount is asked without its unit; money
# or a share answers it ("ít nhất 3% tổng chi ngân sách").
AMOUNT = "so tien"
_AMOUNT_NOUN = (
    r"kinh phi|ngan sach|tong von|von dau tu|nguon von|chi phi|muc ho tro|so tien|tien thuong|"
    r"gia tri giai thuong|muc phat|muc luong|muc chi|tong muc dau tu|von dieu le"
)
_AMOUNT_ASKED = re.compile(
    rf"\b(?:{_AMOUNT_NOUN})\b.{{0,60}}\b(?:bao nhieu|bn)\b|\b(?:bao nhieu|bn)\s+(?:{_AMOUNT_NOUN})\b"
)


_SPANS = frozenset({"nam", "thang", "ngay", "tuan"})


def carries_unit(unit: str, text: str) -> bool:
    """A number of ``unit`` stands in ``text``: "5 năm", "3%"; "năm 2026" names a year, not a
    number of years."""
    folded = " ".join(fold(text).lower().split())
    if unit == AMOUNT:
        return _MONEY_IN_TEXT.search(folded) is not None or carries_unit("%", folded)
    if unit in MONEY_UNITS:
        return _MONEY_IN_TEXT.search(folded) is not None
    word = re.escape(unit)
    if re.search(rf"\d[\d.,]*\s*{word}(?!\w)", folded):
        return True
    # "bao nhiêu nhiệm vụ …?" is answered by "100% các nhiệm vụ …", a share of the things counted.
    if unit not in _SPANS and re.search(
        rf"\d[\d.,]*\s*%\s*(?:(?:cac|so|nhung)\s+)?{word}(?!\w)", folded
    ):
        return True
    # A table row names its unit in a column of its own: "| Doanh nghiệp | ≥ 10", "| % | 50"
    # ("| Năm 2030 | 5" is a year's column, not five years).
    column = rf"\|\s*{word}(?:\W[^|]*)?\|\s*[≥≤<>]?\s*\d"
    return unit not in _SPANS and re.search(column, folded) is not None


def asked_unit(question: str) -> str:
    """The unit a number question asks for, folded ("ty", "%", "nguoi", ``AMOUNT``), or ""."""
    folded = " ".join(fold(question).lower().split())
    m = _UNIT.search(folded)
    if m:
        return _UNIT_IN_TEXT.get(m.group(1), m.group(1))
    return AMOUNT if _AMOUNT_ASKED.search(folded) else ""


# "117 thôn chưa có điện … ở những tỉnh nào?", "kể tên 16 nghị định đó": a question naming how
# many things a text counts and asking which they are. The count comes from the text; whether
# the text also names them is what the answer turns on.
_NUMBER_WORDS = {
    "hai": "2", "ba": "3", "bốn": "4", "sáu": "6", "bảy": "7", "tám": "8", "chín": "9",
    "mười": "10",
}  # fmt: skip
# Read with the marks as typed or restored: "trung tâm" and "quảng bá" hold no number.
_COUNTED = re.compile(
    rf"(?<![\w.,/])(\d{{1,4}}|{'|'.join(_NUMBER_WORDS)})\s+(\w{{2,}})(?!\w)(?! nào| nao)"
)
# A number after these names a document, a provision or a year, not a count.
_NOT_A_COUNT = frozenset((
    "nq", "tt", "qd", "tb", "kh", "kl", "nd", "quyet", "tu", "dinh", "bao", "hoach", "luan",
    "so", "thu", "dieu", "khoan", "muc", "tieu", "vu", "luc", "nam", "khoa", "diem", "dong",
))  # fmt: skip
_ASKS_MEMBERS = whole_words(
    r"ke ten|liet ke|ten(?: goi)?(?: cu the)?(?: la gi| cua| cac| nhung)|"
    r"(?:nhung|cac|la) [a-z]+(?: [a-z]+)? nao|(?:o|tai) (?:nhung )?(?:tinh|thanh pho|dia phuong|"
    r"noi) nao|o dau|nam o|dat o"
)


def counted_members(question: str) -> list[tuple[str, str]]:
    """The sets whose members ``question`` asks for, as (count, first word of the noun):
    ("117", "thon") for "117 thôn … nằm ở những tỉnh nào?"; [] for any other question."""
    lowered = " ".join(question.lower().split())
    if not _ASKS_MEMBERS.search(fold(lowered)):
        return []
    found = []
    for m in _COUNTED.finditer(lowered):
        before = fold(lowered[: m.start()]).split()[-1:]
        noun = fold(m.group(2))
        if (before and before[0] in _NOT_A_COUNT) or not noun.isalpha():
            continue
        count = _NUMBER_WORDS.get(m.group(1), m.group(1)).lstrip("0")
        if count and not _YEAR.fullmatch(count) and noun not in _SPANS:
            found.append((count, noun))
    return list(dict.fromkeys(found))


def counts_without_naming(count: str, noun: str, text: str) -> bool | None:
    """Whether ``text`` counts the set ("21 ngân hàng thương mại đã đăng ký") but names none of
    its members; None when it does not count that set at all. Members follow their count in the
    same sentence or table cell: after a colon, a bracket or "gồm", or as capitalised names
    ("hai thành phố Hà Nội, Thành phố Hồ Chí Minh")."""
    cased = " ".join(fold(text).split())
    folded = cased.lower()
    words = [fold(w) for w, n in _NUMBER_WORDS.items() if n == count]
    spelled = "|".join([rf"0*{count}", *words])
    mentions = list(re.finditer(rf"(?<![\w.,/])(?:{spelled})\s+{noun}(?!\w)", folded))
    if not mentions:
        return None
    for m in mentions:
        end = m.end() + len(re.split(r"\||\. ", folded[m.end() :] + "|")[0])
        after, shown = folded[m.end() : end], cased[m.end() : end]
        if re.search(r"[:(]|\b(?:bao )?gom\b|\bla\b", after[:80]) and re.search(r"[,;]", after):
            return False
        if re.search(r"\s[A-Z][a-z]*\s+[A-Z]", shown[:60]):
            return False
    return True
