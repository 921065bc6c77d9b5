"""Query analysis: normalise, expand phone abbreviations, restore diacritics, find references.

Citizens write "nq 57 ko dc ap dung cho dn ah", officials write "khoản 2 Điều 3 Thông tư
33/2025/TT-BKHCN"; both must reach the same chunks. Everything here is a pure function of the
text, the catalog and (optionally) a trained ``DiacriticRestorer``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ingest.model import DocumentMeta
from nq57.legal import (
    ANNEX_REF,
    ARTICLE_REF,
    CHAPTER_REF,
    CLAUSE_REF,
    CODE_ALIASES,
    CODE_REFERENCE,
    CODE_TYPES,
    GLUED_CODE,
    LABEL_CONTEXT,
    OUTLINE_REF,
    PART_LETTER_REF,
    PART_REF,
    POINT_REF,
    ROMAN,
    ROW_REF,
    SECTION_REF,
    TARGET,
    TASK,
    TYPE_NAMES,
    TYPE_WORDS,
    TYPED_REFERENCE,
    same_annex,
)
from nq57.text import fold, has_diacritics, normalize, remove_folded
from retrieval.restore import DiacriticRestorer

# ----- abbreviations -------------------------------------------------------------------------
# Whole-token, case-insensitive. Ambiguous ones are resolved by context below:
#   k / kh   "không" in chat; "kh" + number is "kế hoạch"; "điểm k" is a point label.
#   dk / đk  mostly "được" in chat, also "điều kiện"; we follow chat usage.
#   tt       "thông tư" only before a number; alone it may be "thủ tướng" or "thông tin",
#            so it is left as typed ("ttg" is the unambiguous "thủ tướng").
#   nd / nđ  "nghị định" only before a number; alone "nd" is usually "nội dung".
#   tb       "thông báo" only before a number; alone it may be "trung bình".
#   a / v / z / r  only as the last word, and never right after "điểm", "mục", "phụ lục"…,
#            where they are labels ("điểm a", "Phụ lục V").
#   tr       "triệu" only after a number ("50 tr"); alone it may be "trang", "trước".
#   hd, dt, gd, pt, bt: too ambiguous (hướng dẫn/hợp đồng/hoạt động…), left as typed.
ABBREVIATIONS: dict[str, str] = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "hong": "không",
    "hok": "không",
    "hk": "không",
    "khum": "không",
    "kg": "không",
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "đk": "được",
    "bn": "bao nhiêu",
    "bnhieu": "bao nhiêu",
    "j": "gì",
    "ntn": "như thế nào",
    "nq": "nghị quyết",
    "qđ": "quyết định",
    "qd": "quyết định",
    "kl": "kết luận",
    "dn": "doanh nghiệp",
    "cp": "chính phủ",
    "bct": "bộ chính trị",
    "ttg": "thủ tướng",
    "kh&cn": "khoa học và công nghệ",
    "khcn": "khoa học và công nghệ",
    "đmst": "đổi mới sáng tạo",
    "dmst": "đổi mới sáng tạo",
    "cds": "chuyển đổi số",
    "cđs": "chuyển đổi số",
    "cntt": "công nghệ thông tin",
    "nckh": "nghiên cứu khoa học",
    "vn": "Việt Nam",
    "ubnd": "ủy ban nhân dân",
    "qh": "quốc hội",
    "tthc": "thủ tục hành chính",
    "nsnn": "ngân sách nhà nước",
    "vs": "với",
    "ng": "người",
    "mn": "mọi người",
    "bh": "bao giờ",
    "bgio": "bao giờ",
    "mik": "mình",
    "mk": "mình",
    "cx": "cũng",
    "cg": "cũng",
    "trc": "trước",
    "nhìu": "nhiều",
    "nhiu": "nhiều",
    "lm": "làm",
    "oy": "rồi",
    "ad": "",
    "admin": "",
    "vb": "văn bản",
    "vbpl": "văn bản pháp luật",
    "dm": "danh mục",
    "dmuc": "danh mục",
    "sx": "sản xuất",
    "kd": "kinh doanh",
}
# Only when a number follows (optionally after "số"): "kh 3260", "tt 33/2025", "nđ 13".
NUMBERED_ABBREVIATIONS: dict[str, str] = {
    "kh": "kế hoạch",
    "tt": "thông tư",
    "nd": "nghị định",
    "nđ": "nghị định",
    "tb": "thông báo",
}
# Only right after a number.
AFTER_NUMBER_ABBREVIATIONS: dict[str, str] = {"tr": "triệu", "ty": "tỷ"}
# Only as the last word of the message.
FINAL_ABBREVIATIONS: dict[str, str] = {
    "ah": "",
    "ạ": "",
    "a": "",
    "à": "",
    "z": "vậy",
    "v": "vậy",
    "zay": "vậy",
    "dzay": "vậy",
    "r": "rồi",
}
# After a number these are units ("500 k" is 500 nghìn, "50 kg"), not "không".
_UNITS = {"k", "kg"}
_EDGE_PUNCT = "\"'“”‘’«»()[]{}.,;:!?…"

# ----- references ----------------------------------------------------------------------------

_VERBATIM = (
    "trich nguyen van",
    "nguyen van",
    "toan van",
    "trich dan",
    "trich lai",
    "chep lai",
    "nguyen ven",
    "noi dung day du",
    "day du noi dung",
    "tung chu",
)
# How a request is phrased, not what it is about ("trích đúng nguyên văn giúp tôi", "câu nào").
_REQUEST = re.compile(
    r"\b(?:trich (?:dung |lai )?(?:nguyen van|dan)|nguyen van|toan van|chep lai|tung chu"
    r"|(?:cau|doan|dieu|cho) nao|giup (?:toi|minh|em|voi)|cho (?:toi|minh|em) (?:hoi|biet|xem))\b"
)
_YEAR = re.compile(r"(?<![\d.,])(?:19[4-9]\d|20\d\d)(?![\d])")
# Questions about how a document was made rather than what it says (folded text): who signed
# it, and who issued it, when, on what legal basis.
_SIGNER = re.compile(
    r"\b(?:ai|nguoi nao|nguoi|vi nao)\s+ky\b|\bky\s+(?:ban hanh|thay|ten|boi)\b|\bchu ky\b(?!\s+(?:so|dien tu))"
    r"|\bwho signed\b|\bsigned by\b|\bsignatory\b"
)
# Who a text was sent to: its "Nơi nhận" list.
_RECIPIENTS = re.compile(
    r"\bnoi nhan\b|\b(?:duoc )?gui (?:toi|den|cho|ve) (?:nhung |cac )?(?:ai|noi nao|dau|co quan nao|"
    r"don vi nao|nhung noi|nhung co quan|cac co quan)\b|\bgui nhung (?:ai|noi nao|co quan nao)\b"
    r"|\b(?:co quan|don vi|noi) nao (?:duoc )?nhan\b|\brecipients?\b"
)
# The record that answers each kind of question about how a text was made; "issuance" (ai ban
# hành, khi nào, căn cứ) is answered by the preamble.
RECORD_ASKED = {"signer": "signature", "recipients": "recipients"}
_ISSUANCE = re.compile(
    r"\b(?:ai|co quan nao|bo nao|noi nao|don vi nao|cap nao)\s+ban hanh\b"
    r"|\b(?:do|boi)\s+(?:\w+\s+){0,5}ban hanh\b|\bban hanh boi\b|\btham quyen ban hanh\b"
    r"|\bban hanh\s+(?:ngay|khi nao|luc nao|nam nao|thang nao|bao gio)\b|\bngay ban hanh\b"
    r"|\bcan cu\s+(?:phap ly|ban hanh|nao|vao dau)\b|\bdua tren (?:luat|van ban) nao\b"
    r"|\bcan cu\s+(?:vao\s+)?(?:nhung\s+|cac\s+)?(?:luat|van ban|nghi dinh|nghi quyet)\s+nao\b"
    r"|\btheo de nghi cua\b|\bde nghi cua (?:ai|bo nao|co quan nao)\b"
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Below this share of accented syllables a message counts as typed without diacritics:
# accented Vietnamese has about 3 in 4 syllables marked, a half-accented message far fewer.
UNACCENTED_RATIO = 0.35


@dataclass
class DocRef:
    doc_id: str | None  # catalog id when the reference resolves, else None
    number: str | None  # official number ("57-NQ/TW"); as typed when not in the catalog
    type: str | None = None  # document type as in the catalog ("Nghị quyết")


@dataclass
class ProvisionRef:
    article: int | None = None  # Điều
    clause: int | None = None  # khoản
    point: str | None = None  # điểm (folded: "đ" is reported as "d" unless typed with đ)
    outline: str | None = None  # Party-text outline: "II.1", "III.2.b", "III"
    annex: str | None = None  # Phụ lục: "II"
    row: int | None = None  # nhiệm vụ / chỉ tiêu N
    row_kind: str | None = None  # "nhiệm vụ" or "chỉ tiêu"

    @property
    def empty(self) -> bool:
        return all(
            v is None
            for v in (self.article, self.clause, self.point, self.outline, self.annex, self.row)
        )


@dataclass
class AnalyzedQuery:
    original: str
    normalized: str
    expanded: str
    unaccented: bool
    restored: str
    folded: str
    doc_refs: list[DocRef] = field(default_factory=list)
    provision: ProvisionRef | None = None
    wants_verbatim: bool = False
    # "signer" (ai ký?), "recipients" (gửi tới những ai?) or "issuance" (ai ban hành, khi nào,
    # căn cứ)
    asks_record: str = ""
    years: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)

    @property
    def named_docs(self) -> list[str]:
        """The corpus documents the question names, in order, each once."""
        return list(dict.fromkeys(r.doc_id for r in self.doc_refs if r.doc_id))


# ----- normalisation and expansion -----------------------------------------------------------


def _clean(text: str) -> str:
    # Control characters become spaces; invisible format characters (soft hyphen, joiners)
    # vanish, except the zero-width space, which some keyboards type between words.
    text = "".join(
        " " if unicodedata.category(ch) == "Cc" or ch == "\u200b" else ch
        for ch in text
        if unicodedata.category(ch) != "Cf" or ch == "\u200b"
    )
    return " ".join(normalize(text).split())


def _fold_same_length(text: str) -> str:
    """fold() that keeps character offsets, so spans found in folded text map back."""
    out = []
    for ch in text:
        f = fold(ch)
        out.append(f if len(f) == 1 else ch)
    return "".join(out)


def expand_abbreviations(text: str) -> str:
    """Expand chat abbreviations token by token; see the tables above for the rules."""
    tokens = text.split(" ")
    out: list[str] = []
    n = len(tokens)
    for i, tok in enumerate(tokens):
        core = tok.strip(_EDGE_PUNCT)
        if not core:
            out.append(tok)
            continue
        start = tok.find(core)
        lead, trail = tok[:start], tok[start + len(core) :]
        key = core.lower()
        prev = fold(tokens[i - 1].strip(_EDGE_PUNCT)).lower() if i > 0 else ""
        after_label = prev in LABEL_CONTEXT
        nxt = tokens[i + 1].strip(_EDGE_PUNCT) if i + 1 < n else ""
        if fold(nxt).lower() == "so" and i + 2 < n:
            nxt = tokens[i + 2].strip(_EDGE_PUNCT)
        before_number = nxt[:1].isdigit()
        after_number = i > 0 and tokens[i - 1].strip(_EDGE_PUNCT)[-1:].isdigit()
        is_last = i == n - 1 or all(not t.strip(_EDGE_PUNCT) for t in tokens[i + 1 :])

        repl: str | None = None
        glued = GLUED_CODE.match(core)
        if glued:
            code = glued.group(1).lower()
            word = NUMBERED_ABBREVIATIONS.get(code) or ABBREVIATIONS.get(code)
            repl = f"{word} {glued.group(2)}" if word else None
        elif key in NUMBERED_ABBREVIATIONS and before_number:
            repl = NUMBERED_ABBREVIATIONS[key]
        elif key in AFTER_NUMBER_ABBREVIATIONS and after_number:
            repl = AFTER_NUMBER_ABBREVIATIONS[key]
        elif (after_label and len(key) <= 2) or (after_number and key in _UNITS):
            repl = None
        elif key in FINAL_ABBREVIATIONS and is_last and n >= 2:
            repl = FINAL_ABBREVIATIONS[key]
        elif key in ABBREVIATIONS:
            repl = ABBREVIATIONS[key]
        if repl is None:
            out.append(tok)
        elif repl:
            out.append(f"{lead}{repl}{trail}")
        elif out and (lead or trail):
            out[-1] += f"{lead}{trail}".strip()  # a dropped "ạ?" leaves its "?"
    return " ".join(t for t in out if t).strip()


def _accent_ratio(text: str) -> float:
    syllables = [
        w for w in re.findall(r"\w+", text) if w.isalpha() and not (len(w) > 1 and w.isupper())
    ]
    if not syllables:
        return 1.0
    return sum(has_diacritics(w) for w in syllables) / len(syllables)


# ----- references ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _CatalogKey:
    doc: DocumentMeta
    type: str  # folded lower
    num: int
    year: int | None
    code: str  # folded lower letters of the number after the leading digits: "nq/tw"


def _catalog_keys(catalog: Sequence[DocumentMeta]) -> list[_CatalogKey]:
    keys = []
    for doc in catalog:
        number = _fold_same_length(doc.number).lower()
        m = re.match(r"\s*(\d+)", number)
        if not m:
            continue
        year = re.search(r"/((?:19|20)\d\d)/", number)
        code = re.sub(r"[^a-z0-9]+", " ", number[m.end() :]).split()
        code = [c for c in code if not (year and c == year.group(1))]
        keys.append(
            _CatalogKey(
                doc=doc,
                type=fold(normalize(doc.type)).lower().strip(),
                num=int(m.group(1)),
                year=int(year.group(1)) if year else None,
                code=" ".join(code),
            )
        )
    return keys


def _code_parts(code: str | None) -> list[str]:
    parts = re.sub(r"[^a-z0-9]+", " ", code or "").split()
    return [CODE_ALIASES.get(p, p) for p in parts]


def _resolve(
    keys: list[_CatalogKey], dtype: str, num: int, year: int | None, code_parts: list[str]
) -> _CatalogKey | None:
    found = []
    for k in keys:
        if k.type != dtype or k.num != num:
            continue
        if year is not None and k.year is not None and year != k.year:
            continue
        # Every code part the user typed ("tw", "cp", "bkhcn") must be in the official number;
        # the type code itself ("nq", "tt") is implied by the type.
        kparts = k.code.split()
        if any(p not in kparts for p in code_parts):
            continue
        found.append(k)
    return found[0] if len(found) == 1 else None


def find_doc_refs(expanded: str, folded: str, catalog: Sequence[DocumentMeta]) -> list[DocRef]:
    """Document references in ``folded`` (same length as ``expanded``), resolved if possible."""
    keys = _catalog_keys(catalog)
    found: list[tuple[int, DocRef]] = []
    spans: list[tuple[int, int]] = []

    def add(m: re.Match[str], dtype: str, code: str | None) -> None:
        if any(m.start() < e and s < m.end() for s, e in spans):
            return
        spans.append(m.span())
        # "Thông báo kết luận số 624/TB-VPCP": the number's own type code names the type.
        own = _code_parts(code)[:1]
        if own and own[0] in CODE_TYPES:
            dtype = CODE_TYPES[own[0]]
        num = int(m.group("num"))
        year = int(m.group("year")) if m.group("year") else None
        key = _resolve(keys, dtype, num, year, _code_parts(code))
        if key is not None:
            ref = DocRef(doc_id=key.doc.id, number=key.doc.number, type=key.doc.type)
        else:
            typed = expanded[m.start("num") : m.end()].strip()
            type_name = next((k.doc.type for k in keys if k.type == dtype), None)
            ref = DocRef(
                doc_id=None,
                number=typed,
                type=type_name or TYPE_NAMES.get(dtype, dtype),
            )
        found.append((m.start(), ref))

    for m in TYPED_REFERENCE.finditer(folded):
        add(m, TYPE_WORDS[re.sub(r"\s+", " ", m.group("type"))], m.group("code"))
    for m in CODE_REFERENCE.finditer(folded):
        add(m, CODE_TYPES[m.group("type")], m.group("code"))
    refs: list[DocRef] = []
    for _, ref in sorted(found, key=lambda f: f[0]):
        if all((r.doc_id, r.number) != (ref.doc_id, ref.number) for r in refs):
            refs.append(ref)
    return refs


def _roman_upper(label: str) -> str:
    """ "iii.2.b" → "III.2.b": Roman numerals in capitals, point letters in lower case."""
    parts = label.split(".")
    head = parts[0].upper() if re.fullmatch(ROMAN, parts[0]) else parts[0]
    return ".".join([head, *parts[1:]])


# Words whose folded form collides with a structure word; typed with these accents they are
# not structure words ("mức 2" is a level, "chi tiêu 12" spending, "khoán 2" a lump sum).
_NOT_STRUCTURE = ("mức", "chi tiêu", "khoán")


def without_request(text: str) -> str:
    """The question without the words of the request itself: "Câu nào trong NQ 57 nói … ?
    Trích đúng nguyên văn giúp tôi." → "trong NQ 57 nói … ?"."""
    return remove_folded(text, _REQUEST)


def find_provision(folded: str, expanded: str = "") -> ProvisionRef | None:
    """The provision asked about (Điều/khoản/điểm, outline, annex row), if any.

    ``folded`` is ``expanded`` folded character by character (same length), so the accents
    the user did type can settle what folding made ambiguous.
    """
    aligned = len(expanded) == len(folded)

    def search(pattern: re.Pattern[str]) -> re.Match[str] | None:
        for m in pattern.finditer(folded):
            typed = expanded[m.start() : m.end()].lower() if aligned else ""
            if not any(typed.startswith(w) for w in _NOT_STRUCTURE):
                return m
        return None

    ref = ProvisionRef()
    if m := search(ARTICLE_REF):
        ref.article = int(m.group(1))
    clause = search(CLAUSE_REF)
    if clause:
        ref.clause = int(clause.group(1).split(".")[0])
    if m := search(POINT_REF):
        letter = m.group(1)
        typed = expanded[m.start(1)] if aligned else letter
        ref.point = "đ" if typed.lower() == "đ" else letter
    if m := search(ANNEX_REF):
        ref.annex = m.group(1).upper()
    if m := search(ROW_REF):
        ref.row = int(m.group(2))
        ref.row_kind = TASK if m.group(1).startswith("nhiem") else TARGET
    part = search(PART_REF)
    section = search(SECTION_REF)
    bare = OUTLINE_REF.search(folded)
    if section and part and section.group(1).isdigit():
        # "mục 2 phần III" / "phần III mục 2" → III.2
        ref.outline = f"{part.group(1).upper()}.{section.group(1)}"
    elif section:
        ref.outline = _roman_upper(section.group(1))
    elif bare:
        ref.outline = _roman_upper(bare.group(1))
    elif part:
        ref.outline = part.group(1).upper()
    elif aligned and (m := PART_LETTER_REF.search(folded)) and expanded[m.start(1)].isupper():
        # "Phần D": lettered parts are written in capitals ("phần a" is rarely a part).
        ref.outline = m.group(1).upper()
    if ref.outline and ref.article is None and ref.annex is None:
        # Outline-numbered texts number their clauses and letter their points inside the
        # outline: "điểm i mục 1 phần II" is II.1.i, "điểm q khoản 2.2 mục II" II.2.2.q.
        inner = [clause.group(1) if clause else None, ref.point]
        ref.outline = ".".join([ref.outline, *(part for part in inner if part)])
        ref.clause = ref.point = None
    return None if ref.empty else ref


# "mục 6 phần nhiệm vụ": a part named by its heading's words rather than its number.
_NAMED_PART = re.compile(r"\bphan\s+([a-z]+(?:\s+[a-z]+)?)")
_HEADING_LABEL = re.compile(r"^([IVXLC]+|[A-H])\.\s+(.+)")


def within_named_part(
    ref: ProvisionRef, folded: str, units: Sequence[tuple[str, Sequence[str]]]
) -> ProvisionRef:
    """ "Mục 6 phần nhiệm vụ của NQ 57" is III.6 of a text whose part III is "NHIỆM VỤ, GIẢI
    PHÁP"; "mục 3.2 phần nhiệm vụ" of NQ 20 is B.III.3.2. ``units``: the document's (locator,
    breadcrumb) pairs. The reference is returned unchanged unless exactly that unit exists."""
    named = _NAMED_PART.search(folded)
    if ref.outline is None or not ref.outline[0].isdigit() or named is None:
        return ref
    words = named.group(1)
    for locator, crumbs in units:
        for crumb in crumbs[1:]:
            m = _HEADING_LABEL.match(crumb)
            if m is None or not fold(m.group(2)).lower().startswith(words):
                continue
            parts = locator.split(",")[0].split(".")
            if m.group(1) not in parts:
                continue
            prefix = ".".join(parts[: parts.index(m.group(1)) + 1])
            unit = f"{prefix}.{ref.outline}"
            if any(re.match(rf"{re.escape(unit)}(?![\w])", loc) for loc, _ in units):
                return replace(ref, outline=unit)
    return ref


def analyze_query(
    text: str, catalog: Sequence[DocumentMeta], restorer: DiacriticRestorer | None = None
) -> AnalyzedQuery:
    if not isinstance(text, str):
        raise TypeError(f"query must be str, got {type(text).__name__}")
    normalized = _clean(text)
    expanded = expand_abbreviations(normalized)
    unaccented = bool(re.search(r"[^\W\d_]", normalized)) and (
        _accent_ratio(normalized) < UNACCENTED_RATIO
    )
    restored = restorer.restore(expanded) if (restorer is not None and unaccented) else expanded
    folded = _fold_same_length(expanded).lower()
    numbers = list(dict.fromkeys(_NUMBER.findall(expanded)))
    years = list(dict.fromkeys(int(y) for y in _YEAR.findall(expanded)))
    return AnalyzedQuery(
        original=text,
        normalized=normalized,
        expanded=expanded,
        unaccented=unaccented,
        restored=restored,
        folded=fold(expanded).lower(),
        doc_refs=find_doc_refs(expanded, folded, catalog),
        provision=find_provision(folded, expanded),
        wants_verbatim=any(p in folded for p in _VERBATIM),
        asks_record=(
            "signer"
            if _SIGNER.search(folded)
            else "recipients"
            if _RECIPIENTS.search(folded)
            else "issuance"
            if _ISSUANCE.search(folded)
            else ""
        ),
        years=years,
        numbers=numbers,
    )


# ----- locators ------------------------------------------------------------------------------


def _parse_locator(locator: str) -> ProvisionRef:
    low = " ".join(fold(normalize(locator)).lower().split())
    ref = ProvisionRef()
    spans: list[tuple[int, int]] = []
    for pattern, attr in ((ARTICLE_REF, "article"), (CLAUSE_REF, "clause")):
        if m := pattern.search(low):
            setattr(ref, attr, int(m.group(1).split(".")[0]))
            spans.append(m.span())
    if m := POINT_REF.search(low):
        ref.point = m.group(1)
        spans.append(m.span())
    if m := ANNEX_REF.search(low):
        ref.annex = m.group(1).upper()
        spans.append(m.span())
    if m := ROW_REF.search(low):
        ref.row = int(m.group(2))
        ref.row_kind = TASK if m.group(1).startswith("nhiem") else TARGET
        spans.append(m.span())
    if m := CHAPTER_REF.search(low):
        spans.append(m.span())
    rest = list(low)
    for s, e in spans:
        rest[s:e] = " " * (e - s)
    rest_text = "".join(rest)
    m = SECTION_REF.search(rest_text) or PART_REF.search(rest_text)
    if m:
        ref.outline = _roman_upper(m.group(1))
    else:
        for tok in re.split(r"[\s,;]+", rest_text):
            tok = tok.strip("-)")
            if re.fullmatch(rf"(?:{ROMAN}|\d+)(?:\.(?:\d+|[a-z]))*", tok):
                ref.outline = _roman_upper(tok)
                break
    return ref


def _outline_prefix(asked: str, have: str) -> bool:
    a = fold(asked).lower().split(".")
    h = fold(have).lower().split(".")
    return len(a) <= len(h) and h[: len(a)] == a


_FIELDS = ("article", "clause", "point", "annex", "row", "row_kind")


def _field_eq(name: str, asked: object, have: object) -> bool:
    if name == "annex":
        return same_annex(str(asked), str(have))
    if name in ("point", "row_kind"):
        return fold(str(asked)).lower() == fold(str(have)).lower()
    return asked == have


def _covers(upper: ProvisionRef, lower: ProvisionRef) -> bool:
    """Every field set in ``upper`` is set in ``lower`` with the same value (outline: prefix)."""
    for name in _FIELDS:
        want = getattr(upper, name)
        if want is None:
            continue
        got = getattr(lower, name)
        if got is None or not _field_eq(name, want, got):
            return False
    if upper.outline is not None:
        return lower.outline is not None and _outline_prefix(upper.outline, lower.outline)
    return True


def locator_matches(locator: str, provision: ProvisionRef, allow_ancestor: bool = False) -> bool:
    """Does a chunk's locator fall under the asked provision?

    Prefix semantics: asking "Điều 3" matches "Điều 3 khoản 2"; asking "II.1" matches "II.1.a"
    but not "II.10"; asking "nhiệm vụ 44" matches "Phụ lục II, nhiệm vụ 44". With
    ``allow_ancestor`` a locator above the asked provision also matches (a chunk holding all of
    Điều 3 contains its khoản 2). Point letters compare folded (d ≡ đ). An empty provision
    matches nothing.
    """
    if provision is None or provision.empty or not locator:
        return False
    have = _parse_locator(locator)
    if have.empty:
        return False
    if _covers(provision, have):
        return True
    return allow_ancestor and _covers(have, provision)
