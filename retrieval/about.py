"""Questions about a document itself rather than what it says (pure functions).

"Nghị quyết 57 là gì?", "Thông tư 33 có hiệu lực khi nào?", "ai ký Kế hoạch 3260?" ask for a
field of the document's card; "văn bản nào do Bộ KH&CN ban hành?" asks for a list of the corpus.
Search reads them to put the document's own header, signature or effect clause first; the
assistant reads them to answer with the card.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.chunk import RECORD_KINDS
from nq57.legal import DOCUMENT_MENTION, LAW_MENTION
from nq57.text import fold, whole_words
from retrieval.terms import STOPWORDS, without_document_names
from retrieval.types import Hit

# What a document question asks, on folded text; first match wins.
_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, whole_words(body))
    for name, body in (
        (
            "signer",
            r"ai ky|nguoi ky|ky boi|do ai ky|ky ban hanh|chu ky(?! so)|who signed|signed by|"
            # Whether someone signed it: "do Tổng Bí thư trực tiếp ký phải không?"
            r"(?:truc tiep|da|dung ten) ky|ky (?:phai khong|dung khong|hay khong|a|ha|ko)|"
            r"(?:dong chi|nguoi|ong|ba|vi) nao ky",
        ),
        (
            "effect",
            r"(?:hieu luc|ap dung tu|thi hanh tu|bat dau ap dung)(?: (?:thi hanh|tu|ke tu|vao|la))?"
            r"(?: (?:khi nao|bao gio|ngay nao|luc nao|thoi diem nao|nam nao|tu ngay nao|tu khi nao))?",
        ),
        ("amend", r"sua doi|thay the|bo sung|bai bo|con hieu luc|het hieu luc|duoc sua|cap nhat"),
        # Who proposed it: "theo đề nghị của bộ nào, tờ trình số mấy?" (read before the issuer:
        # "đề xuất của đơn vị nào" asks who proposed it, not who issued it).
        (
            "proposer",
            r"(?:theo |nguoi |co quan )?(?:de nghi|de xuat)(?: cua)?(?: (?:\w+ ){0,2}nao)?|"
            r"(?:ai|bo nao|co quan nao|don vi nao) (?:de xuat|de nghi|trinh)|to trinh",
        ),
        (
            "issuer",
            r"co quan nao|ai ban hanh|do ai|cua ai|ban hanh boi|cua co quan nao|noi ban hanh|"
            r"cua (?:\w+ ){1,3}nao",
        ),
        # What the title holds: "phiên họp thứ mấy", "khoá mấy", "số hiệu đầy đủ", the
        # conference that adopted it, the resolution it carries on.
        (
            "title",
            r"(?:lan )?thu may|khoa (?:may|nao)|so (?:ky )?hieu(?: day du)?|ky hieu|"
            r"hoi nghi (?:nao|gi)|(?:phien|cuoc) hop (?:nao|gi)|ky hop nao|dai hoi nao|"
            r"(?:tiep tuc )?(?:thuc hien|trien khai|cu the hoa) (?:nghi quyet|ket luan|van ban) nao",
        ),
        (
            "date",
            r"ngay nao|ngay bao nhieu|khi nao|bao gio|nam nao|thang nao|ban hanh ngay|"
            r"ban hanh nam|ban hanh khi|ra doi|ngay ban hanh|ngay ky",
        ),
        (
            "annexes",
            r"(?:co |gom |kem )(?:nhung |may |bao nhieu |cac )?phu luc|phu luc (?:nao|gi)|"
            r"(?:nhung|cac|may|bao nhieu) phu luc",
        ),
        (
            "parts",
            r"gom (?:nhung |may |bao nhieu )?(?:phan|muc|chuong|dieu|noi dung)|bo cuc|cau truc|"
            r"co may phan|co bao nhieu phan|nhung phan nao|cac phan|chia (?:thanh|lam)",
        ),
        (
            "basis",
            r"can cu|dua tren (?:luat|van ban)|vien dan",
        ),
        (
            "what",
            r"la gi|la van ban gi|la van ban nao|noi ve (?:gi|cai gi|van de gi|viec gi)|ve viec gi|"
            r"noi dung chinh|tom tat|gioi thieu|de cap (?:gi|den gi|toi gi)|la sao|ve gi|nhu the nao|"
            r"ten day du|ten goi|ten chinh thuc|trich yeu|ban ve|"
            r"phe duyet (?:\w+ ){0,2}(?:gi|cai gi|nhung gi)|ban hanh (?:\w+ ){0,2}(?:gi|cai gi)",
        ),
    )
)
# A claim of who issued or signed it, asked whether it holds: "do Bộ Công Thương ban hành
# đúng không?", "do ông X ký phải không?".
_CLAIMED_BY = re.compile(
    r"(?<!\w)(?:do|la do|duoc) (?P<who>(?:[\w&]+ ){1,8}?)(?:truc tiep )?(?P<verb>ban hanh|ky)"
    r"(?: (?:va )?(?:ban hanh|ky))? (?:(?:co )?(?:dung|phai) (?:khong|ko|k|chu)|a|ha|nhi|chu|"
    r"khong|ko)\W*$"
)


def claimed_by(question: str) -> tuple[str, str] | None:
    """The field and the name a yes/no claim gives ("issuer", "bo cong thuong"), folded."""
    rest = " ".join(fold(without_document_names(question)).lower().split())
    m = _CLAIMED_BY.search(rest)
    return (_claimed_field(m), m["who"].strip()) if m else None


def _claimed_field(claim: re.Match[str]) -> str:
    return "signer" if claim["verb"] == "ky" else "issuer"


# "Văn bản nào mới nhất?": one document, by its issuing date.
_NEWEST = whole_words(r"moi nhat|gan day nhat|gan nhat|muon nhat|sau cung")
_OLDEST = whole_words(r"cu nhat|som nhat|dau tien|lau nhat|xa nhat")
# Words that only ask about the document: once they and its name are gone, nothing may remain.
_CARD_WORD_LIST = (
    "ai ban hanh", "chinh thuc", "dieu chinh", "gioi thieu", "nghi quyet", "quyet dinh",
    "bao nhieu", "phe duyet", "thong bao", "trich yeu", "ban chat", "ban hanh", "cau truc",
    "dua tren", "hieu luc", "ke hoach", "ket luan", "muc dich", "nhung gi", "noi dung",
    "quy dinh", "thay the", "thi hanh", "thong tu", "van kien", "ap dung", "bao gio", "bat dau",
    "bo sung", "chuc vu", "co quan", "de nghi", "ky hieu", "nhu the", "pham vi", "phu luc",
    "kem", "thong qua", "nghi dinh", "de xuat", "trinh", "hoi nghi", "phien hop", "ky hop",
    "dai hoi", "tiep tuc", "de", "v",
    # Who signs, named in a question of whether they signed ("do Tổng Bí thư ký phải không?").
    "tong bi thu", "bi thu", "pho thu tuong", "thu tuong", "pttg", "bo truong", "chu tich",
    "chu nhiem", "thu truong", "dong chi", "truc tiep", "pho", "tt",
    "sua doi", "ten goi", "tom tat", "tu cach", "van ban", "bai bo", "ban ve", "bo cuc", "can cu",
    "cap nhat", "liet ke", "vien dan", "to trinh", "so hieu", "sau do", "vao", "tai", "bang",
    "ghi", "theo",
    "chuong", "cua ai", "day du", "de cap", "ra doi", "van de", "ai ky", "chinh", "do ai",
    "khong", "nghia", "nguoi", "nhung", "thang", "thanh", "trong", "biet", "chia", "chua", "dieu",
    "dung", "duoc", "giup", "hien", "luat", "minh", "muon", "ngay", "phai", "phan", "viec", "ban",
    "boi", "cac", "cai", "can", "cho", "con", "cua", "den", "doc", "gom", "hay", "het", "hoi",
    "khi", "kho", "lam", "len", "lon", "may", "muc", "nam", "nao", "nay", "nhe", "noi", "roi",
    "sao", "ten", "the", "toi", "vay", "voi", "xem", "xin", "ad", "co", "da", "do", "em", "gi",
    "ha", "ko", "ky", "la", "no", "oi", "ra", "se", "so", "tu", "va", "ve", "a", "j", "k", "y",
    "who", "signed", "by", "of", "the",
    "z", "cung", "moi", "tung",
    # Where a field stands and how it is wanted ("trích hai dòng căn cứ ở phần mở đầu").
    "trich", "nguyen van", "dong", "hai", "o dau", "mo dau", "phan dau",
)  # fmt: skip
# Longest first, so that "tư cách" is not read as "tư" and a stray "cách".
_CARD_WORDS = whole_words("|".join(sorted(_CARD_WORD_LIST, key=len, reverse=True)))
_TYPES = r"(?:van ban|vb|thong tu|tt|quyet dinh|qd|nghi quyet|nq|ket luan|ke hoach|thong bao)"
_LISTING = re.compile(
    rf"(?<!\w)(?:{_TYPES}(?: nao| gi)(?!\w)|(?:bao nhieu|may) {_TYPES}(?!\w)|"
    r"(?:nhung|cac) (?:van ban|vb)(?!\w)|"
    r"danh sach(?: cac)? (?:van ban|vb)|kho (?:co|gom) (?:nhung )?(?:van ban|gi)|"
    # "trong bộ văn bản có cái nào ban hành năm 2012", "bộ tài liệu có mấy quyết định"
    r"(?:bo|kho) (?:van ban|vb|tai lieu)(?: nay)? (?:co|gom) (?:cai|van ban|vb)? ?"
    r"(?:nao|may|bao nhieu|nhung)(?!\w))"
)


def card_fields(question: str, title: str = "", described: bool = False) -> tuple[str, ...] | None:
    """The card fields a question about one document asks, in the order asked ("what", "date",
    "issuer", "signer", "effect", "parts", "annexes", "amend", "basis"): "ban hành ngày nào, ai
    ký?" asks two. None when it asks about the document's content. Words of the document's ``title`` may
    describe it ("Thông tư 32 về danh mục bán dẫn do ai ký?") when a field other than what it
    is about is asked: "Thông tư 33 quy định tiêu chí gì?" asks about its content. A document
    ``described`` rather than named was found by the words around the field asked ("Văn bản
    về danh sách máy móc ngành chip … theo đề xuất của đơn vị nào?"): they describe it."""
    rest = " ".join(fold(without_document_names(question)).lower().split())
    taken: list[tuple[int, int, str]] = []
    for name, rx in _FIELDS:
        # A span read as one field is not read again ("hiệu lực khi nào" is not also a date).
        m = next(
            (
                m
                for m in rx.finditer(rest)
                if all(m.end() <= s or e <= m.start() for s, e, _ in taken)
            ),
            None,
        )
        if m is not None:
            taken.append((m.start(), m.end(), name))
    if claim := _CLAIMED_BY.search(rest):
        # "Thông tư 32 do Bộ Công Thương ban hành đúng không?": the name is the claim checked.
        taken.append((claim.start(), claim.end(), _claimed_field(claim)))
    fields = tuple(dict.fromkeys(name for _, _, name in sorted(taken)))
    # Card words, and the words that ask for a field ("của bộ nào", "tờ trình số mấy").
    spans = [m.span() for m in _CARD_WORDS.finditer(rest)] + [(s, e) for s, e, _ in taken]
    leftover = [
        m.group(0)
        for m in re.finditer(r"\w+", rest)
        if not any(s <= m.start() and m.end() <= e for s, e in spans)
        and m.group(0) not in STOPWORDS
        and not m.group(0).isdigit()
    ]
    titled = _title_words(title)
    # Of a described document, only a field no question about its content asks ("do ai ký",
    # "theo đề nghị của ai"); "cơ quan nào", "năm nào" also ask what the text assigns.
    by_description = described and bool(fields) and set(fields) <= _OWN_FIELDS
    if leftover and not (
        set(fields) - {"what"} and (by_description or all(t in titled for t in leftover))
    ):
        return None
    return fields or ("what",)


_OWN_FIELDS = frozenset({"signer", "proposer", "effect"})


def _title_words(title: str) -> set[str]:
    """The words of a title, and the initials of each run of two to five of them: "TNDN" stands
    for "thu nhập doanh nghiệp" in a question that describes a circular by its title."""
    words = re.findall(r"\w+", fold(title).lower())
    initials = {
        "".join(w[0] for w in words[i : i + n])
        for n in range(2, 6)
        for i in range(len(words) - n + 1)
    }
    return set(words) | initials


def asks_what(question: str) -> bool:
    """The question asks in so many words what the document is ("… là gì?", "… phê duyệt
    chương trình gì?"), rather than landing on "what" because it asks no other field."""
    rest = " ".join(fold(without_document_names(question)).lower().split())
    return bool(dict(_FIELDS)["what"].search(rest))


_ORDER = whole_words(
    r"(?:ra|ban hanh|co|ky|den|xuat hien|ra doi) (?:truoc|sau)(?: hon)?|som hon|muon hon|"
    r"moi hon|cu hon|truoc hay sau|sau hay truoc|nao truoc|nao sau|thu tu thoi gian"
)


def asks_order(question: str) -> bool:
    """ "Nghị quyết 03 và Kế hoạch 3260, văn bản nào ra trước?": which came first."""
    return bool(_ORDER.search(" ".join(fold(question).lower().split())))


def compared_fields(question: str) -> tuple[str, ...] | None:
    """The card fields a question about several named documents asks of each ("… do ai ký?"),
    a question of which came first asking their dates; None when it asks about content."""
    folded = " ".join(fold(question).lower().split())
    rest = _ORDER.sub(" ", folded)
    fields = card_fields(rest)
    if fields is None or (fields == ("what",) and not asks_what(rest)):
        return ("date",) if rest != folded and fields is not None else None
    return fields


def superlative(question: str) -> str | None:
    """ "newest" or "oldest" when a listing question asks for one document by its date."""
    folded = " ".join(fold(question).lower().split())
    return "newest" if _NEWEST.search(folded) else "oldest" if _OLDEST.search(folded) else None


_CITING = whole_words(
    r"can cu|dan chieu|vien dan|nhac (?:den|toi|lai)|de cap (?:den|toi)|trich dan|thuc hien|"
    r"trien khai|cu the hoa|dua tren|dung lam|lay (?:\w+ ){1,4}lam"
)
_WHICH_DOCS = re.compile(
    rf"(?<!\w)(?:(?:{_TYPES}|tai lieu) nao|nhung {_TYPES}|cac {_TYPES}|"
    r"o (?:nhung )?(?:van ban|vb|dau)|trong (?:nhung )?(?:van ban|vb) nao)(?!\w)"
)


# Named before the documents asked for, a document is their object only when passive ("Nghị
# quyết 71 được nhắc tới trong văn bản nào?"); "QĐ 1169 được ban hành căn cứ vào những văn bản
# nào?" asks for its own legal bases.
_CITED_PASSIVE = whole_words(
    r"(?:duoc|bi) (?:\w+ ){0,2}(?:nhac (?:den|toi|lai)|dan chieu|vien dan|trich dan|de cap|"
    r"trien khai|thuc hien|cu the hoa)"
)


def asks_citing(question: str) -> bool:
    """ "Những văn bản nào lấy Nghị quyết 71/NQ-CP làm căn cứ?", "Nghị quyết 57 được triển khai
    bằng văn bản nào?": the documents of the corpus that cite a document."""
    folded = " ".join(fold(question).lower().split())
    which = _WHICH_DOCS.search(folded)
    mention = DOCUMENT_MENTION.search(folded) or LAW_MENTION.search(folded)
    if which is None or mention is None:
        return False
    if which.start() < mention.start():
        cited = bool(_CITING.search(folded, which.end()))
    else:
        cited = bool(_CITED_PASSIVE.search(folded, mention.end(), which.start() + 1))
    # "Văn bản nào thực hiện Nghị quyết 57 về R&D?" asks for a passage on R&D.
    tail = _CITING.sub(" ", _CARD_WORDS.sub(" ", folded[max(mention.end(), which.end()) :]))
    topic = [w for w in re.findall(r"\w+", tail) if w not in STOPWORDS and not w.isdigit()]
    return cited and not topic


def mentions(text: str, number: str, doc_type: str = "") -> re.Match[str] | None:
    """Where ``text`` names the document numbered ``number``: the full number ("71/NQ-CP")
    anywhere, a bare one ("71") only after the document's type ("Nghị quyết số 71")."""
    if "/" in number or "-" in number:
        rx = rf"(?<![\w/-]){re.escape(number)}(?![\w/-])"
    elif doc_type:
        rx = rf"{re.escape(doc_type)}\s+(?:số\s+)?{re.escape(number)}(?!\d)"
    else:
        return None
    return re.search(rx, text, re.IGNORECASE)


# What may stand before a listing's "văn bản nào": the question's opening words, or a verb
# whose object it is ("Bộ KH&CN ban hành những văn bản nào?", "… ký những quyết định nào?").
_LISTING_LEAD = re.compile(r"(?:^|\s)(?:ban hanh|ky|thuoc|la|gom|co|do|duoc|cua|trong kho)$")
_FILLERS = re.compile(
    r"(?:\s(?:nhung|cac|mot|may|bao nhieu|tat ca|(?:trong )?(?:bo|kho) (?:van ban|vb|tai lieu)"
    r"(?: nay)?))+$"
)


def asks_listing(question: str) -> bool:
    """ "Văn bản nào do Bộ KH&CN ban hành?", "kho có bao nhiêu văn bản?"; not "Chương trình
    hành động nêu kế hoạch gì để …", which asks what a document says."""
    folded = " ".join(fold(question).lower().split())
    for m in _LISTING.finditer(folded):
        before = " ".join(re.sub(r"[^\w\s]", " ", folded[: m.start()]).split())
        before = _FILLERS.sub("", f" {before}").strip()
        if len(before.split()) <= 3 or _LISTING_LEAD.search(before):
            return True
    return False


def asks_signer(question: str) -> bool:
    """ "… do ai ký?": the signer is one of the fields asked."""
    return bool(dict(_FIELDS)["signer"].search(" ".join(fold(question).lower().split())))


_EFFECT = re.compile(r"hiệu lực(?: thi hành)? (?:kể )?từ[^.;\n]*[.;]?")
_SENTENCE_END = re.compile(r"[.;\n]")


def _effect_sentence(text: str) -> str | None:
    """The part of a sentence, between ".", ";" or line ends, that says from when the text
    takes effect. Found from the phrase outward: a pattern that opens on "any run of
    characters" is tried at every position of every chunk."""
    m = _EFFECT.search(text)
    if m is None:
        return None
    start = max((e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())), default=0)
    return text[start : m.end()].strip()


@dataclass(frozen=True)
class Records:
    """Where a document's card reads its fields: the header (number, date, issuer, title,
    legal bases), the signature block, and the clause that sets when it takes effect."""

    header: Hit | None
    signature: Hit | None
    effect: tuple[Hit, str] | None  # the chunk and the sentence of the clause
    # The passage the signature block follows: its last line closes the text.
    closing: Hit | None = None

    def evidence(self, fields: Sequence[str]) -> list[Hit]:
        """The chunks that answer ``fields``, the first field's first."""
        by_field = {"signer": self.signature, "effect": self.effect[0] if self.effect else None}
        found = [by_field.get(name) or self.header for name in fields] + [self.header]
        if "signer" in fields and self.signature is not None:
            found.append(self.closing)
        return list({h.chunk_id: h for h in found if h is not None}.values())


def records_of(number: str, chunks: Sequence[Hit]) -> Records:
    """The card's records among a document's chunks, in reading order. Some texts open with
    their title line and no header block ("Kết luận số 69-KL/TW ngày …"): that line is the
    header."""
    header = next((h for h in chunks if h.kind == "preamble"), None) or next(
        (h for h in chunks[:1] if number and number in h.text), None
    )
    at = next((i for i, h in enumerate(chunks) if h.kind == "signature"), None)
    signature = chunks[at] if at is not None else None
    # The recipients' list often stands between the last line and the signature.
    closing = (
        next((h for h in reversed(chunks[:at]) if h.kind not in RECORD_KINDS), None) if at else None
    )
    effect = next(
        (
            (hit, sentence)
            for hit in chunks
            if hit.kind not in RECORD_KINDS and (sentence := _effect_sentence(hit.text)) is not None
        ),
        None,
    )
    return Records(header, signature, effect, closing)
