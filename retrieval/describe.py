"""Documents described rather than named.

Citizens rarely type "57-NQ/TW"; they write "nghị quyết của Bộ Chính trị cuối năm 2024",
"văn bản kết luận đầu năm 2024", "chương trình truyền thông của Thủ tướng", "phiên họp lần thứ
năm". Each catalog entry becomes a profile (type, issuer, date, the distinctive words of its
title) and a question is scored against every profile; a document that clearly fits gets the
same treatment as a named one in retrieval (an extra filtered query, fused with the open one).

Pure functions over folded, lower-case text; the catalog is the only input.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.model import DocumentMeta
from nq57.legal import DESCRIBING_TYPE_WORDS, DOCUMENT_MENTION, TYPE_WORDS
from nq57.text import fold, normalize, remove_folded

# Issuers as people call them (folded), longest first so "thu tuong chinh phu" is not also
# read as "chinh phu".
_ISSUER_ALIASES: dict[str, tuple[str, ...]] = {
    "bo chinh tri": ("bo chinh tri",),
    "thu tuong chinh phu": ("thu tuong chinh phu", "thu tuong"),
    "van phong chinh phu": ("van phong chinh phu", "vpcp"),
    "chinh phu": ("chinh phu",),
    "dang doan quoc hoi": ("dang doan quoc hoi", "quoc hoi"),
    "ban chap hanh trung uong dang": (
        "ban chap hanh trung uong",
        "hoi nghi trung uong",
        "trung uong dang",
    ),
    "bo khoa hoc va cong nghe": ("bo khoa hoc va cong nghe", "bo khcn", "bo kh&cn", "bo kh cn"),
}
# (alias, canonical issuer), longest alias first.
_ALIASES = sorted(
    ((alias, canon) for canon, aliases in _ISSUER_ALIASES.items() for alias in aliases),
    key=lambda item: -len(item[0]),
)
# Generic words of titles: they say nothing about which document is meant.
_GENERIC = {
    "nghi", "quyet", "dinh", "thong", "tu", "bao", "ket", "luan", "ke", "hoach", "van", "ban",
    "khoa", "hoc", "cong", "nghe", "phat", "trien", "so", "ngay", "nam", "cua", "ve", "va",
    "thuc", "hien", "khai", "quy", "phe", "duyet", "chinh", "phu", "bo", "tri",
    "doi", "moi", "sang", "tao", "chuyen", "quoc", "gia", "den", "cho", "trong", "duoc", "theo",
    "tw", "nq", "qd", "ttg", "cp", "kh", "kl", "tb", "tt",
}  # fmt: skip
_TOKEN = re.compile(r"[a-z0-9]+")
# "năm 2024" as the time a document was issued, not a target ("đến năm 2030").
_ISSUE_YEAR = re.compile(
    r"(?<!den )(?<!toi )(?<!truoc )(?<!sau )(?<!tu )(?<!doan )"
    r"\b(?:(?P<when>dau|cuoi|giua)\s+)?(?:nam|thang\s+(?P<month>\d{1,2})(?:\s+nam|/|\s))\s*(?P<year>(?:19|20)\d\d)\b"
)
_LISTED = r"\b(?:nhung|cac|may|bao nhieu) {0} nao\b|\b(?:nhung|cac|may|bao nhieu) {0}\b|\b{0} nao\b"
_MONTHS = {"dau": range(1, 4), "giua": range(4, 10), "cuoi": range(10, 13)}
# Weights: a title phrase is the most telling, then the date, then type and issuer.
TYPE_WEIGHT = 1.0
ISSUER_WEIGHT = 1.0
YEAR_WEIGHT = 1.5
WHEN_WEIGHT = 0.5
TITLE_CAP = 3.0
THRESHOLD = 2.0
# A title alone must match several distinctive phrases ("phiên họp lần thứ năm"): two common
# ones ("ưu đãi", "doanh nghiệp") also fit questions about other texts.
TITLE_ALONE = 2.5
MARGIN = 0.5
# A title that a named document only qualifies fits by its own phrases: "chương trình truyền
# thông", "triển khai" beside the type word.
NESTED_TITLE = 2.0


def _folded(text: str) -> str:
    return " ".join(_TOKEN.findall(fold(normalize(text)).lower()))


def _bigrams(tokens: list[str]) -> set[tuple[str, str]]:
    return {
        (a, b)
        for a, b in itertools.pairwise(tokens)
        if not (a in _GENERIC and b in _GENERIC) and not a.isdigit() and not b.isdigit()
    }


@dataclass(frozen=True)
class Profile:
    doc_id: str
    type: str  # folded ("nghi quyet")
    issuer: str  # folded canonical issuer ("bo chinh tri")
    year: int | None
    month: int | None
    title_bigrams: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class Described:
    doc_id: str
    score: float
    title: float  # the title phrases' part of the score
    anchored: bool = False  # the issuer or the issuing year was mentioned
    typed: bool = False  # the document's type was mentioned

    @property
    def clear(self) -> bool:
        # A type word alone anchors nothing ("pháp luật", "quyết định" as a verb, "kế hoạch"
        # as a plan): an issuer or a date must fit, or several distinctive title phrases, fewer
        # of them after the type ("Quyết định phê duyệt Chương trình phát triển Chính phủ số").
        return self.score >= THRESHOLD and (
            self.anchored
            or self.title >= TITLE_ALONE
            or (self.typed and self.title >= NESTED_TITLE)
        )


# What a title approves or issues, when the question names it rather than the document's type.
_TITLE_HEADS = ("chuong trinh", "ke hoach", "de an", "danh muc")
HEADED_TITLE = 1.0


class DocumentProfiles:
    """Score a question against every catalog entry's type, issuer, date and title."""

    def __init__(self, catalog: Sequence[DocumentMeta]) -> None:
        self.profiles: list[Profile] = []
        for doc in catalog:
            date = re.match(r"((?:19|20)\d\d)-(\d\d)", doc.issued or "")
            self.profiles.append(
                Profile(
                    doc_id=doc.id,
                    type=_folded(doc.type),
                    issuer=_folded(doc.issuer),
                    year=int(date.group(1)) if date else None,
                    month=int(date.group(2)) if date else None,
                    title_bigrams=frozenset(_bigrams(_folded(doc.title).split())),
                )
            )
        self._titles = {doc.id: _folded(doc.title) for doc in catalog}
        df = Counter(b for p in self.profiles for b in p.title_bigrams)
        n = max(len(self.profiles), 2)
        # A phrase in one title weighs 1, in half of them about nothing.
        self._idf = {b: max(0.0, math.log(n / c) / math.log(n)) for b, c in df.items()}

    def score(self, question: str) -> list[Described]:
        q = _folded(question)
        if not q or not self.profiles:
            return []
        tokens = q.split()
        q_bigrams = _bigrams(tokens)
        issuers = _issuers_in(q)
        dates = [(m.group("when"), int(m.group("year"))) for m in _ISSUE_YEAR.finditer(q)]
        types = {p.type for p in self.profiles if p.type and f" {p.type} " in f" {q} "}
        out = []
        for p in self.profiles:
            s = 0.0
            anchored = False
            if p.type in types:
                s += TYPE_WEIGHT
            if p.issuer and p.issuer in issuers:
                s += ISSUER_WEIGHT
                anchored = True
            for when, year in dates:
                if p.year == year:
                    s += YEAR_WEIGHT
                    anchored = True
                    if when and p.month is not None:
                        s += WHEN_WEIGHT if p.month in _MONTHS[when] else -WHEN_WEIGHT
            title = min(TITLE_CAP, sum(self._idf.get(b, 0.0) for b in q_bigrams & p.title_bigrams))
            if s + title > 0:
                out.append(
                    Described(
                        p.doc_id, round(s + title, 3), round(title, 3), anchored, p.type in types
                    )
                )
        return sorted(out, key=lambda d: -d.score)

    def filter(self, question: str) -> list[str]:
        """Documents fitting every type, issuer and year the question names ("văn bản nào do
        Bộ KH&CN ban hành năm 2025?"), in catalog order; all of them when it names none."""
        q = _folded(question)
        issuers = _issuers_in(q)
        dates = [m.group("year", "month") for m in _ISSUE_YEAR.finditer(q)]
        # "tháng 11 năm 2025" is one month of that year, "năm 2025" the whole year.
        years = {int(year) for year, month in dates if not month}
        months = {(int(year), int(month)) for year, month in dates if month}
        # "những tt nào của bộ KHCN": a type as users type it; a code only where it names what
        # is listed ("tt" is also "thông tin").
        asked = {
            t
            for w, t in TYPE_WORDS.items()
            if f" {w} " in f" {q} " and (" " in w or re.search(_LISTED.format(w), q))
        }
        types = {p.type for p in self.profiles if p.type and p.type in asked}
        return [
            p.doc_id
            for p in self.profiles
            if (not issuers or p.issuer in issuers)
            and (not dates or p.year in years or (p.year, p.month) in months)
            and (not types or p.type in types)
        ]

    def qualified(self, question: str, named_id: str, named_number: str) -> str | None:
        """The document whose title the named one only qualifies: "Quyết định phê duyệt Chương
        trình truyền thông thực hiện Nghị quyết 57" names NQ 57 but means QĐ 1169. Its type (or
        what its title approves: "Chương trình truyền thông Nghị quyết 57") is written before
        the name, its title holds the named number, and its title phrases fit clearly better
        than any other document's."""
        mention = DOCUMENT_MENTION.search(question)
        if mention is None:
            return None
        before = _folded(question[: mention.start()])
        number = _folded(named_number)
        scored = [
            d for d in self.score(DOCUMENT_MENTION.sub(" ", question)) if d.doc_id != named_id
        ]
        if not scored:
            return None
        best = scored[0]
        if len(scored) > 1 and scored[1].score > best.score - MARGIN:
            return None
        profile = next(p for p in self.profiles if p.doc_id == best.doc_id)
        title = self._titles[best.doc_id]
        # "Chương trình truyền thông Nghị quyết 57": what the title approves, written before the
        # name instead of the document's type, with a phrase of that title besides.
        headed = any(f" {h} " in f" {before} " and f" {h} " in f" {title} " for h in _TITLE_HEADS)
        typed = bool(profile.type) and f" {profile.type} " in f" {before} "
        if not (typed or headed):
            return None
        if not (best.anchored or best.title >= (HEADED_TITLE if headed else NESTED_TITLE)):
            return None
        return best.doc_id if number in title else None

    def match(self, question: str, limit: int = 2) -> list[str]:
        """Documents the question clearly describes: above the threshold and near the best."""
        scored = self.score(question)
        if not scored:
            return []
        # Near the best of all, clear or not: "Chính phủ số" in a title names no issuer.
        best = scored[0].score
        return [d.doc_id for d in scored if d.clear and d.score >= best - MARGIN][:limit]


def strip_description(text: str) -> str:
    """``text`` without the words that describe a document rather than ask about it: the
    document type, the issuer, the issuing date ("văn bản kết luận đầu năm 2024 của Bộ Chính
    trị nói gì về chợ công nghệ" → "… nói gì về chợ công nghệ")."""
    return remove_folded(text, _DESCRIPTION)


# "Chương trình đẩy mạnh truyền thông thực hiện NQ 57": a document named by what its title
# approves; those words say which text is meant, not what is asked of it.
_QUALIFIER = re.compile(
    rf"\b(?:{'|'.join(_TITLE_HEADS)})\b(?:\s+[\w&]+){{0,8}}?\s+"
    r"(?:nghi quyet|nq|quyet dinh|qd|thong tu|tt|ket luan|kl|thong bao|tb)\s*(?:so\s*)?\d+"
    r"(?:[/-][\w/-]+)?"
)


def without_qualifier(text: str) -> str:
    """``text`` without a document named by what its title approves: "Mục tiêu chung của
    Chương trình truyền thông thực hiện NQ 57 là gì?" → "Mục tiêu chung của  là gì?"."""
    return remove_folded(text, _QUALIFIER)


def without_issuers(text: str) -> str:
    """``text`` without the document types and issuers it names, its years kept: "năm 2027"
    may be what is asked ("QĐ 1169 đặt mục tiêu gì cho năm 2027?")."""
    return remove_folded(text, _ISSUERS)


_ISSUERS = re.compile(
    DESCRIBING_TYPE_WORDS
    + r"|\b(?:cua\s+)?(?:"
    + "|".join(re.escape(alias) for alias, _ in _ALIASES)
    + r")\b"
)
_DESCRIPTION = re.compile(_ISSUERS.pattern + "|" + _ISSUE_YEAR.pattern)


def _issuers_in(folded: str) -> set[str]:
    """Canonical issuers mentioned; a longer name hides the shorter one inside it."""
    text = f" {folded} "
    found: set[str] = set()
    for alias, canon in _ALIASES:
        needle = f" {alias} "
        if needle in text:
            found.add(canon)
            text = text.replace(needle, " # ")
    return found
