"""The legal vocabulary of Vietnamese legal and Party documents, in one place.

Ingest (structure, catalog, loaders), query analysis and answering all read documents and
questions in the same words: document types and their codes, provision words ("Điều",
"khoản", "điểm", "mục", "Phụ lục", "nhiệm vụ", "chỉ tiêu"), outline labels (roman, decimal,
letter) and official document numbers. Three spellings of them exist and each has its own
section here:

* as printed in a document, line by line (accented, cased): ``*_LINE`` / ``*_HEADING``;
* as the index writes locators ("Điều 3 khoản 2", "Phụ lục II, nhiệm vụ 44", "III.2.b");
* as a user types them, matched on folded lower-case text ("dieu 3", "nq 57", "phu luc ii").

Core layer: nothing here imports from ingest, retrieval or bot.
"""

from __future__ import annotations

import re

# ----- provision words, as locators spell them ------------------------------------------------
PART = "Phần"
CHAPTER = "Chương"
SECTION = "Mục"
ARTICLE = "Điều"
CLAUSE = "khoản"
POINT = "điểm"
ANNEX = "Phụ lục"
ITEM = "mục"
TASK = "nhiệm vụ"
TARGET = "chỉ tiêu"
# The words that name a table row, by what the table lists.
ROW_WORDS = (TASK, TARGET, ITEM)

ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def annex_value(label: str) -> int | None:
    """The number an annex label stands for, Roman or Arabic ("II", "2" → 2); a single
    unnumbered annex ("") is the first. None for a label that is neither."""
    label = label.strip().upper()
    if not label:
        return 1
    if label.isdigit():
        return int(label)
    if not all(c in ROMAN_VALUES for c in label):
        return None
    values = [ROMAN_VALUES[c] for c in label]
    return sum(-v if v < after else v for v, after in zip(values, [*values[1:], 0], strict=True))


def same_annex(asked: str, have: str) -> bool:
    """Whether the annex asked ("Phụ lục 2", "phụ lục II") is the one a locator names."""
    a, b = annex_value(asked), annex_value(have)
    return a == b if a is not None and b is not None else asked.upper() == have.upper()


# ----- document types --------------------------------------------------------------------------
# Heading words of Vietnamese legal and Party documents; longer phrases first.
DOCUMENT_TYPES = (
    "Thông tư liên tịch",
    "Nghị quyết liên tịch",
    "Hiến pháp",
    "Bộ luật",
    "Luật",
    "Pháp lệnh",
    "Lệnh",
    "Nghị quyết",
    "Nghị định",
    "Quyết định",
    "Thông tư",
    "Chỉ thị",
    "Kết luận",
    "Kế hoạch",
    "Thông báo",
    "Hướng dẫn",
    "Quy định",
    "Quy chế",
    "Chương trình",
    "Đề án",
    "Chiến lược",
    "Báo cáo",
    "Tờ trình",
    "Công văn",
    "Công điện",
)

# Folded lower-case type names and codes, as users type them → the catalog's type (folded).
TYPE_WORDS: dict[str, str] = {
    "nghi quyet": "nghi quyet",
    "nq": "nghi quyet",
    "quyet dinh": "quyet dinh",
    "qd": "quyet dinh",
    "thong tu": "thong tu",
    "tt": "thong tu",
    "nghi dinh": "nghi dinh",
    "nd": "nghi dinh",
    "ket luan": "ket luan",
    "kl": "ket luan",
    "thong bao": "thong bao",
    # "Thông báo kết luận 624": a notice of conclusions, not a Kết luận.
    "thong bao ket luan": "thong bao",
    "tb": "thong bao",
    "ke hoach": "ke hoach",
    "kh": "ke hoach",
    "chi thi": "chi thi",
    "luat": "luat",
    # Asked in English ("Article 5 of Circular 33", "Resolution 57").
    "resolution": "nghi quyet",
    "decision": "quyet dinh",
    "circular": "thong tu",
    "conclusion": "ket luan",
    "notice": "thong bao",
}
# Folded type → how it is written.
TYPE_NAMES = {
    "nghi quyet": "Nghị quyết",
    "quyet dinh": "Quyết định",
    "thong tu": "Thông tư",
    "nghi dinh": "Nghị định",
    "ket luan": "Kết luận",
    "thong bao": "Thông báo",
    "ke hoach": "Kế hoạch",
    "chi thi": "Chỉ thị",
    "luat": "Luật",
}
# The type code inside an official number ("57-NQ/TW", "1169/QĐ-TTg") → the folded type.
CODE_TYPES = {
    "nq": "nghi quyet",
    "qd": "quyet dinh",
    "tt": "thong tu",
    "nd": "nghi dinh",
    "kl": "ket luan",
    "tb": "thong bao",
    "kh": "ke hoach",
    "ct": "chi thi",
}
# Issuer codes people spell differently ("NQ/TƯ" for "NQ/TW").
CODE_ALIASES = {"tu": "tw"}
# Folded type words that describe a document without naming it ("văn bản kết luận …").
DESCRIBING_TYPE_WORDS = (
    r"\b(?:van ban|van kien|nghi quyet|quyet dinh|ket luan|ke hoach|thong bao|thong tu)\b"
)

# ----- document numbers --------------------------------------------------------------------
# In a document's header: "Số: 57-NQ/TW", "Số 33/2025/TT-BKHCN".
NUMBER_LINE = re.compile(r"(?:^|[\s|(])[Ss]ố\s*[:.]?\s*(\d+[\w./\-]*[\w])")
# A heading line naming the type ("NGHỊ QUYẾT", "QUYẾT ĐỊNH: …") and an inline "Thông tư số …".
TYPE_HEADING = re.compile(
    r"^(" + "|".join(re.escape(t.upper()) for t in DOCUMENT_TYPES) + r")(?=$|[\s:])\s*:?\s*(.*)$"
)
INLINE_TYPE_HEADING = re.compile(
    r"^(" + "|".join(re.escape(t) for t in DOCUMENT_TYPES) + r")\s+số\s", re.IGNORECASE
)

# A mention of a document: "Nghị quyết 57", "NQ 57", "57-NQ/TW", "thông tư số 33/2025/TT-BKHCN".
DOCUMENT_MENTION = re.compile(
    r"\b(?:nghị quyết|nghi quyet|nq|quyết định|quyet dinh|qđ|qd|thông tư|thong tu|tt|kết luận|ket luan|kl|"
    r"kế hoạch|ke hoach|kh|thông báo|thong bao|tb|nghị định|nghi dinh|nđ|nd)\s*(?:số\s*|so\s*)?\d+[\w/\-]*"
    r"|\b\d+/?\d*-?(?:NQ|QĐ|QD|TT|KL|KH|TB|NĐ|ND)[\w/\-]*",
    re.IGNORECASE,
)
# A law, decree or directive named by its number, folded ("luat so 93/2025/qh15"): the corpus
# cites them without holding them.
LAW_MENTION = re.compile(r"\b(?:luat|bo luat|nghi dinh|chi thi)\s+(?:so\s+)?\d+[\w/-]*")
# Document-type codes glued to a number as users type them: "nq57", "qd1169", "tt33".
GLUED_CODE = re.compile(r"^(nq|qđ|qd|tt|nđ|nd|kh|kl|tb)(\d+\S*)$", re.IGNORECASE)
_TYPE_ALT = "|".join(sorted((re.escape(k) for k in TYPE_WORDS), key=len, reverse=True))
# Folded: "nghi quyet so 57-nq/tw", "qd 1169/qd-ttg", "thong tu 33/2025/tt-bkhcn", "nq57".
TYPED_REFERENCE = re.compile(
    rf"\b(?P<type>{_TYPE_ALT})\s*(?:so\s*)?(?P<num>\d+)"
    r"(?:\s*/\s*(?P<year>(?:19|20)\d\d)(?!\d))?"
    r"(?P<code>[-/][a-z][a-z0-9]*(?:[-/][a-z0-9]+)*)?"
)
# Folded, a bare official number: "57-nq/tw", "03/nq-cp", "33/2025/tt-bkhcn", "3260-kh/ddqh15".
CODE_REFERENCE = re.compile(
    r"\b(?P<num>\d+)(?:/(?P<year>(?:19|20)\d\d))?\s*[-/]\s*(?P<type>nq|qd|tt|nd|kl|tb|kh|ct)"
    r"(?P<code>(?:\s*[-/]\s*[a-z0-9]+)*)\b"
)
# Folded: any number that labels a provision or a document rather than a quantity.
REFERENCE_NUMBER = re.compile(
    r"\b(?:dieu|khoan|diem|muc|phan|chuong|nhiem vu|chi tieu|phu luc|so|nghi quyet|nq|quyet dinh|qd|"
    r"thong tu|tt|ket luan|kl|ke hoach|kh|thong bao|tb|nghi dinh|nd)\s*\d+[\w/.-]*"
    r"|\b\d+[-/][\w/-]+"
)

# ----- provisions as printed, one cleaned line at a time -----------------------------------
PART_LINE = re.compile(r"^(?:Phần|PHẦN)\s+(thứ\s+\S+|THỨ\s+\S+|[IVXLC]+|\d+)\b\s*[.:\-–]?\s*(.*)$")
CHAPTER_LINE = re.compile(r"^(?:Chương|CHƯƠNG)\s+([IVXLC]+|\d+)\b\s*[.:\-–]?\s*(.*)$")
SECTION_LINE = re.compile(r"^(?:Mục|MỤC)\s+(\d+|[IVXLC]+)\b\s*[.:\-–]?\s*(.*)$")
ARTICLE_LINE = re.compile(r"^Điều\s+(\d+[a-z]?)\s*[.:]\s*(.*)$")
ANNEX_LINE = re.compile(
    r"^(?:PHỤ LỤC|Phụ lục)(?:\s+(?:số\s+)?([IVXLC]+|\d+)\b)?\s*(?:[.:\-–]\s*(.*))?$"
)
# Party and programme outlines: "A-", "I.", "1.", "1.1.", "a)".
LETTER_SECTION_LINE = re.compile(r"^([A-HK-UW-ZĐ])\s*[.\-–]\s+(\S.*)$")
ROMAN_LINE = re.compile(r"^([IVXLC]+)\s*[.\-–)]\s+(\S.*)$")
DECIMAL_LINE = re.compile(r"^(\d+(?:\.\d+)+)\s*[.\-–)]?\s+([^\sa-zđ].*)$")
NUMBER_ITEM_LINE = re.compile(r"^(\d{1,3})\s*[.\-–)]\s+(\S.*)$")
POINT_LINE = re.compile(r"^([a-zđ])\)\s*(\S.*)$")
# Any line that opens a provision, so a loader never joins it to the previous paragraph.
STRUCTURE_START = re.compile(
    r"^(Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC|Điều|ĐIỀU|Phụ lục|PHỤ LỤC)\s"
    r"|^([IVXLC]+|\d+(\.\d+)*|[a-zđ])\s*[.)\-]\s"
    r"|^[-+•–]\s"
)
# Where a header's title ends: the basis, the first provision or the first outline label.
TITLE_STOP = re.compile(
    r"^(Căn cứ|Điều\s+\d|Chương\s|Phần\s|Mục\s|QUYẾT ĐỊNH|QUYẾT NGHỊ|[IVX]+[.\-]\s|[A-Z][.\-]\s|\d+[.\-]\s)"
)
# Table rows: " | "-separated cells after a row number ("44 | …"), a group ("II | …").
TABLE_ROW = re.compile(r"^(\d+(?:\.\d+)*)\.?\s*\|")
# Words that name a part of a policy text itself (folded): "mục tiêu … là gì?" asks for the
# items of the section "Mục tiêu", not for a definition.
SECTION_CONCEPT = re.compile(
    r"(?<!\w)(?:muc tieu|nhiem vu|giai phap|quan diem|dinh huong|tam nhin|chi tieu)(?!\w)"
)
GROUP_ROW = re.compile(r"^([IVXLC]+(?:\.\d+)*)\.?\s*\|\s*(.*)$")
BARE_ROW_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?$")
TABLE_HEADER_ROW = re.compile(r"^(?:STT|TT|Số TT|Số thứ tự)\s*(?:\||$)", re.I)

# ----- locators, as the index writes them --------------------------------------------------
ARTICLE_LOCATOR = re.compile(r"^Điều (\d+)(?: khoản (\d+))?(?: điểm (\S+))?")
# The annex a locator names: "Phụ lục II, nhiệm vụ 4" → "II"; a single unnumbered "Phụ lục" → "".
ANNEX_LOCATOR = re.compile(r"^Phụ lục(?: ([IVXLC]+|\d+))?(?:,|$)")
ANNEX_ROW_LOCATOR = re.compile(r"^Phụ lục(?: ([IVX]+))?,(?: [^,]+,)* (nhiệm vụ|chỉ tiêu|mục) (\d+)")
OUTLINE_LOCATOR = re.compile(r"^([IVXLC]+|[A-Z]|\d+)(?:\.([\w.]+))?(?:,|$)")
# An outline locator ("II.2", "3.1") reads "mục II.2" in a sentence.
OUTLINE_START = re.compile(r"^(?:[IVXLC]+|\d+)(?:[.\d]|$)")

# ----- provisions as users type them (folded lower case) -----------------------------------
ROMAN = r"[ivxlc]+"
# Words after which a short token is a label, not an abbreviation ("điểm a", "Phụ lục V").
LABEL_CONTEXT = {"diem", "muc", "phan", "luc", "chuong"}
# A number followed by a unit is an amount ("mức 2%", "chi tiêu 12 tỷ"), not a label.
NOT_AMOUNT = r"(?!\s*(?:%|phan tram|trieu|ty|nghin|ngan|dong|usd|k)\b)(?!%)"
ARTICLE_REF = re.compile(r"\b(?:dieu|article)\s*(?:so\s*)?(\d+)\b")
CLAUSE_REF = re.compile(rf"\b(?:khoan|clause)\s*(?:so\s*)?(\d+(?:\.\d+)*)\b{NOT_AMOUNT}")
# Point letters of Vietnamese legal texts (a…x, no f/j/w); "điểm y tế" is not a point.
POINT_REF = re.compile(r"\bdiem\s+([a-eg-ik-vx])(?:\)|\b)")
ANNEX_REF = re.compile(rf"\bphu\s*luc\s*(?:so\s*)?({ROMAN}|\d+)\b")
ROW_REF = re.compile(rf"\b(nhiem\s*vu|chi\s*tieu)\s*(?:so\s*)?(\d+)\b{NOT_AMOUNT}")
PART_REF = re.compile(rf"\bphan\s+(?:thu\s+)?({ROMAN})\b")
PART_LETTER_REF = re.compile(r"\bphan\s+([a-h])\b")
SECTION_REF = re.compile(
    rf"\b(?:tieu\s+)?muc\s+(?:so\s+)?((?:{ROMAN}|\d+)(?:\.(?:\d+|[a-z]))*)(?![\w.]){NOT_AMOUNT}"
)
OUTLINE_REF = re.compile(rf"(?<![\w.])({ROMAN}(?:\.(?:\d+|[a-z]))+)(?![\w.])")
CHAPTER_REF = re.compile(rf"\bchuong\s+({ROMAN}|\d+)\b")
# Accented or folded, as a follow-up names a provision ("còn khoản 3 thì sao?").
PROVISION_LABEL = r"(?:\d+(?:\.\d+)*|[IVXLC]+(?:\.\d+)*(?:\.[a-zđ])?|[a-zđ])(?!\w)"
PROVISION_MENTION = re.compile(
    rf"\b(?:điều|dieu|khoản|khoan|điểm|diem|mục|muc|nhiệm vụ|nhiem vu|chỉ tiêu|chi tieu)\s+{PROVISION_LABEL}",
    re.IGNORECASE,
)

# A provision of a law named by its title, matched on folded text ("khoản 1 Điều 23 Luật Đầu tư
# quy định …", "điều 5 bộ luật dân sự"): the corpus cites laws without holding them. The title
# runs to the words of the question around it.
LAW_PROVISION = re.compile(
    r"\b(?:dieu|khoan|diem)\s+\w+\s+(?:cua\s+)?(?P<law>(?:bo\s+)?luat\s+(?P<title>\w+(?:,?\s+\w+){0,8}))"
)
_TITLE_END = re.compile(
    r"\s+(?:quy dinh|noi|la|co|ve|thi|the nao|gi|nhung|ra sao|duoc|ap dung|ghi|neu|viet|"
    r"dinh nghia|gom|bao gom|cho|tai|theo|nam)\b"
)


# A law asked about as the one that says something ("Luật Chuyển đổi số quy định trách nhiệm
# … thế nào?", "theo Luật An ninh mạng, …", "vi phạm luật an ninh mạng khi …").
LAW_SUBJECT = re.compile(
    r"(?:^|[,.?;:]\s*|\b(?P<lead>theo|vi pham|trai)\s+)(?P<law>(?:bo\s+)?luat\s+(?P<title>\w+(?:\s+\w+){0,8}))"
)
_SAYS = re.compile(r"\s+(?:quy dinh|noi|ghi|neu|dinh nghia|yeu cau|cam)\b")


def law_provision(folded: str, text: str) -> str:
    """The title of the law whose provision ``text`` asks about ("Luật Đầu tư"), or that it asks
    what a law says ("Luật Chuyển đổi số quy định …"), as typed, or "". ``folded`` is ``text``
    folded and lower-cased, character by character."""
    if len(folded) != len(text):
        return ""
    for m, cited in ((LAW_PROVISION.search(folded), True), (LAW_SUBJECT.search(folded), False)):
        if m is None:
            continue
        end = _TITLE_END.search(folded, m.start("title"), m.end("title"))
        stop = end.start() if end else m.end("law")
        # A law named by its title is asked about when a provision, "theo …" or what it says
        # ("… quy định …") goes with it; "xây dựng Luật X" names a task of the texts.
        if cited or m.groupdict().get("lead") or _SAYS.match(folded, stop):
            return text[m.start("law") : stop].strip(" ,.?")
    return ""
