"""Document cards: what a document is, who issued and signed it, when, when it takes effect,
what amends it and what it contains; and lists of the corpus's documents.

"Nghị quyết 57 là gì?", "Thông tư 33 có hiệu lực khi nào?", "văn bản nào do Bộ KH&CN ban
hành?" ask about documents, not about a passage. The card answers from the catalog and from the
document's own text (its header, its signature block, the clause that sets when it takes
effect), and cites the text it read. Pure functions: the caller hands in the catalog entry and
the document's chunks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.answer import Answer, Citation
from bot.compose import make_citation
from ingest.model import DocumentMeta
from nq57.text import fold
from retrieval.terms import STOPWORDS, without_document_names
from retrieval.types import Hit

# What a document question asks, on folded text; first match wins.
_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rf"(?<!\w)(?:{body})(?!\w)"))
    for name, body in (
        ("signer", r"ai ky|nguoi ky|ky boi|do ai ky|ky ban hanh|chu ky|who signed|signed by"),
        (
            "effect",
            r"(?:hieu luc|ap dung tu|thi hanh tu|bat dau ap dung)(?: (?:thi hanh|tu|ke tu|vao|la))?"
            r"(?: (?:khi nao|bao gio|ngay nao|luc nao|thoi diem nao|nam nao|tu ngay nao|tu khi nao))?",
        ),
        ("amend", r"sua doi|thay the|bo sung|bai bo|con hieu luc|het hieu luc|duoc sua|cap nhat"),
        (
            "issuer",
            r"co quan nao|ai ban hanh|do ai|cua ai|ban hanh boi|cua co quan nao|noi ban hanh|"
            r"cua (?:\w+ ){1,3}nao",
        ),
        # What the title holds: "phiên họp thứ mấy", "khoá mấy", "số hiệu đầy đủ".
        ("title", r"(?:lan )?thu may|khoa (?:may|nao)|so (?:ky )?hieu(?: day du)?|ky hieu"),
        (
            "date",
            r"ngay nao|ngay bao nhieu|khi nao|bao gio|nam nao|thang nao|ban hanh ngay|"
            r"ban hanh nam|ban hanh khi|ra doi|ngay ban hanh|ngay ky",
        ),
        (
            "parts",
            r"gom (?:nhung |may |bao nhieu )?(?:phan|muc|chuong|dieu|noi dung)|bo cuc|cau truc|"
            r"co may phan|co bao nhieu phan|nhung phan nao|cac phan|chia (?:thanh|lam)|"
            r"(?:co |gom |kem )(?:nhung |may |bao nhieu )?phu luc|phu luc (?:nao|gi)",
        ),
        (
            "basis",
            r"can cu|theo de nghi|de nghi cua|dua tren (?:luat|van ban)|to trinh|vien dan",
        ),
        (
            "what",
            r"la gi|la van ban gi|la van ban nao|noi ve (?:gi|cai gi|van de gi|viec gi)|ve viec gi|"
            r"noi dung chinh|tom tat|gioi thieu|de cap (?:gi|den gi|toi gi)|la sao|ve gi|nhu the nao|"
            r"ten day du|ten goi|ten chinh thuc|trich yeu|ban ve|"
            r"phe duyet (?:\w+ )?(?:gi|cai gi|nhung gi)|ban hanh (?:\w+ )?(?:gi|cai gi)",
        ),
    )
)
# "Văn bản nào mới nhất?": one document, by its issuing date.
_NEWEST = re.compile(r"(?<!\w)(?:moi nhat|gan day nhat|gan nhat|muon nhat|sau cung)(?!\w)")
_OLDEST = re.compile(r"(?<!\w)(?:cu nhat|som nhat|dau tien|lau nhat|xa nhat)(?!\w)")
# Words that only ask about the document: once they and its name are gone, nothing may remain.
_CARD_WORD_LIST = (
    "ai ban hanh", "chinh thuc", "dieu chinh", "gioi thieu", "nghi quyet", "quyet dinh",
    "bao nhieu", "phe duyet", "thong bao", "trich yeu", "ban chat", "ban hanh", "cau truc",
    "dua tren", "hieu luc", "ke hoach", "ket luan", "muc dich", "nhung gi", "noi dung",
    "quy dinh", "thay the", "thi hanh", "thong tu", "van kien", "ap dung", "bao gio", "bat dau",
    "bo sung", "chuc vu", "co quan", "de nghi", "ky hieu", "nhu the", "pham vi", "phu luc",
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
    "z",
)  # fmt: skip
# Longest first, so that "tư cách" is not read as "tư" and a stray "cách".
_CARD_WORDS = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted(_CARD_WORD_LIST, key=len, reverse=True)) + r")(?!\w)"
)
_TYPES = r"(?:van ban|vb|thong tu|quyet dinh|nghi quyet|ket luan|ke hoach|thong bao)"
_LISTING = re.compile(
    rf"(?<!\w)(?:{_TYPES}(?: nao| gi)(?!\w)|(?:bao nhieu|may) {_TYPES}(?!\w)|"
    r"(?:nhung|cac) (?:van ban|vb)(?!\w)|"
    r"danh sach(?: cac)? (?:van ban|vb)|kho (?:co|gom) (?:nhung )?(?:van ban|gi)|"
    # "trong bộ văn bản có cái nào ban hành năm 2012", "bộ tài liệu có mấy quyết định"
    r"(?:bo|kho) (?:van ban|vb|tai lieu)(?: nay)? (?:co|gom) (?:cai|van ban|vb)? ?"
    r"(?:nao|may|bao nhieu|nhung)(?!\w))"
)
_EFFECT = re.compile(r"[^.;\n]*hiệu lực(?: thi hành)? (?:kể )?từ[^.;\n]*[.;]?")
_DATE_LINE = re.compile(r"[^\n]*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}[^\n]*")
_ROMAN_HEAD = re.compile(r"^(?:[IVXLC]+|[A-Z])\.\s")
_ARTICLE_HEAD = re.compile(r"^Điều \d+\.")
_HEAD = re.compile(r"^(?:[IVXLC]+[.\-–]|[A-Z][.\-–]|Điều \d+\.|Phụ lục\b|\d+\.)\s?")
_DASHED_LABEL = re.compile(r"^([A-Z]|[IVXLC]+)\s*[\-–]\s*")


def _as_heading(text: str) -> str:
    """Whitespace collapsed, and "C- TỔ CHỨC THỰC HIỆN" written as the parser names its
    siblings: "C. TỔ CHỨC THỰC HIỆN"."""
    return _DASHED_LABEL.sub(r"\1. ", " ".join(text.split()))


def card_fields(question: str, title: str = "") -> tuple[str, ...] | None:
    """The card fields a question about one document asks, in the order asked ("what", "date",
    "issuer", "signer", "effect", "parts", "amend", "basis"): "ban hành ngày nào, ai ký?" asks
    two. None when it asks about the document's content. Words of the document's ``title`` may
    describe it ("Thông tư 32 về danh mục bán dẫn do ai ký?") when a field other than what it
    is about is asked: "Thông tư 33 quy định tiêu chí gì?" asks about its content."""
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
    described = set(re.findall(r"\w+", fold(title).lower()))
    if leftover and not (set(fields) - {"what"} and all(t in described for t in leftover)):
        return None
    return fields or ("what",)


def superlative(question: str) -> str | None:
    """ "newest" or "oldest" when a listing question asks for one document by its date."""
    folded = " ".join(fold(question).lower().split())
    return "newest" if _NEWEST.search(folded) else "oldest" if _OLDEST.search(folded) else None


def asks_listing(question: str) -> bool:
    """ "Văn bản nào do Bộ KH&CN ban hành?", "kho có bao nhiêu văn bản?"."""
    return bool(_LISTING.search(" ".join(fold(question).lower().split())))


def vn_date(iso: str) -> str:
    """ "2024-12-22" → "22/12/2024" (dates in answers are dd/mm/yyyy)."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", iso or "")
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else iso


@dataclass
class Card:
    meta: DocumentMeta
    header: Hit | None
    signature: Hit | None
    effect: tuple[Hit, str] | None
    parts: list[str]
    # What the document does, in its own first article ("Điều 1. Ban hành kèm theo …").
    subject: tuple[Hit, str] | None = None
    # Each main part's first passage and its opening sentence, for a link per part.
    openings: dict[str, tuple[Hit, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, meta: DocumentMeta, chunks: Sequence[Hit]) -> Card:
        # Some texts open with their title line and no header block ("Kết luận số 69-KL/TW
        # ngày …"): that line is the heading.
        header = next((h for h in chunks if h.kind == "preamble"), None) or next(
            (h for h in chunks[:1] if meta.number and meta.number in h.text), None
        )
        signature = next((h for h in chunks if h.kind == "signature"), None)
        effect = None
        for hit in chunks:
            m = _EFFECT.search(hit.text)
            if m and hit.kind not in ("preamble", "signature"):
                effect = (hit, m.group(0).strip())
                break
        body = [h for h in chunks if h.kind not in ("preamble", "signature")]
        subject = next(
            ((h, _first_sentence(h.text)) for h in body if h.text.startswith("Điều 1.")), None
        )
        parts = _parts(chunks)
        openings: dict[str, tuple[Hit, str]] = {}
        for part in parts:
            hit = next((h for h in body if _opens(h, part)), None)
            if hit is not None and (sentence := _first_sentence(hit.text, skip=part)):
                openings[part] = (hit, sentence)
        return cls(meta, header, signature, effect, parts, subject, openings)

    @property
    def name(self) -> str:
        return self.meta.short_name

    def signer(self) -> str | None:
        if self.signature is None:
            return None
        lines = [ln.strip() for ln in self.signature.text.split("\n") if ln.strip()]
        return " – ".join(lines[-3:]) if lines else None

    def basis(self) -> list[str]:
        """The header's "Căn cứ …" and "Theo đề nghị …" lines, as written."""
        if self.header is None:
            return []
        lines = (" ".join(ln.split()) for ln in self.header.text.split("\n"))
        return [ln for ln in lines if re.match(r"(?:Căn cứ|Theo đề nghị|Xét đề nghị)\b", ln)]

    def amendments(self) -> str | None:
        notes = self.meta.notes or ""
        found = [
            s.strip()
            for s in re.split(r"(?<=[.;])\s+", notes)
            if re.search(r"sửa đổi|thay thế|bổ sung", s)
        ]
        return " ".join(found) or None


def _parts(chunks: Sequence[Hit]) -> list[str]:
    """The document's main headings in order: "I. QUAN ĐIỂM CHỈ ĐẠO", "Điều 1. …", "Phụ lục I.
    …"; the parts of a programme an article approves ("Điều 1. Phê duyệt …": I., II., …) too."""
    out: list[str] = []
    for hit in chunks:
        if hit.kind in ("preamble", "signature"):
            continue
        crumbs = hit.breadcrumb[1:3]
        heads = [c for c in crumbs[:1] if _HEAD.match(c)]
        if crumbs and _ARTICLE_HEAD.match(crumbs[0]):
            heads += [c for c in crumbs[1:] if _ROMAN_HEAD.match(c)]
        if not crumbs:
            first = hit.text.split("\n", 1)[0]
            heads = [first] if _HEAD.match(first) else []
        for head in heads:
            head = _as_heading(head)
            if head not in out:
                out.append(head)
    return out


def _opens(hit: Hit, part: str) -> bool:
    """The passage is under the part heading (or starts with it)."""
    crumbs = [" ".join(c.split()) for c in hit.breadcrumb[1:3]]
    return part in crumbs or _as_heading(hit.text).startswith(part)


def _first_sentence(text: str, skip: str = "") -> str:
    """The first sentence of a passage, verbatim (its heading left out), or "" when short."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    lines = [ln for ln in lines if " ".join(ln.split()) != skip and " | " not in ln]
    if not lines:
        return ""
    first = lines[0] if len(lines[0].split()) >= 6 or len(lines) == 1 else lines[1]
    m = re.match(r"(.+?[.;:])(?:\s|$)", first)
    sentence = m.group(1) if m and len(m.group(1).split()) >= 6 else first
    return sentence if len(sentence.split()) >= 4 else ""


def _shorten(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _header_quote(card: Card) -> str:
    if card.header is None:
        return ""
    m = _DATE_LINE.search(card.header.text)
    lines = [ln.strip() for ln in card.header.text.split("\n") if ln.strip()]
    return m.group(0).strip() if m else " ".join(lines[:3])


def official_name(meta: DocumentMeta) -> str:
    """ "Kết luận số 69-KL/TW": a document named as official texts name it."""
    return f"{meta.type} số {meta.number}" if meta.type and meta.number else meta.short_name


def render_card(card: Card, fields: Sequence[str]) -> Answer:
    """The card, with the lines that answer ``fields`` first, in the order asked."""
    meta = card.meta
    citations: list[Citation] = []

    def cite(hit: Hit | None, quote: str) -> str:
        if hit is None or not quote:
            return ""
        citations.append(make_citation(hit, quote))
        return f" [{len(citations)}]"

    issued = vn_date(meta.issued)
    signer = card.signer()
    basis = card.basis()
    # The source of the line that answers is cited first.
    sources = {
        # The whole heading block: number, place and date, type and title, as written.
        "head": lambda: cite(card.header, card.header.text.strip() if card.header else ""),
        "sign": lambda: (
            cite(card.signature, card.signature.text.strip()) if card.signature and signer else ""
        ),
        "effect": lambda: (
            f"«{card.effect[1]}»" + cite(card.effect[0], card.effect[1])
            if card.effect is not None
            else ""
        ),
        "subject": lambda: (
            f"«{_shorten(card.subject[1], 200)}»" + cite(card.subject[0], card.subject[1])
            if card.subject is not None and "what" in fields
            else ""
        ),
        "basis": lambda: cite(card.header, "\n".join(basis)) if basis and "basis" in fields else "",
    }
    first = {"signer": "sign", "effect": "effect", "basis": "basis"}.get(fields[0], "head")
    marks = {first: sources[first]()}
    marks.update({k: make() for k, make in sources.items() if k not in marks})
    head, sign, effect = marks["head"], marks["sign"], marks["effect"]
    subject = marks["subject"]

    def part_line(part: str) -> str:
        opening = card.openings.get(part) if "parts" in fields else None
        return _shorten(part, 90) + (cite(*opening) if opening else "")

    amend = card.amendments()
    name = card.name
    lead = {
        "what": f"{official_name(meta)} là {meta.title[0].lower() + meta.title[1:]}"
        + (f", do {meta.issuer} ban hành ngày {issued}." if issued else ".")
        + head
        + (f" {subject}" if subject else ""),
        "date": f"{name} được ban hành ngày {issued}.{head}" if issued else "",
        "issuer": f"{name} do {meta.issuer} ban hành.{head}" if meta.issuer else "",
        "signer": f"Người ký {name}: {signer}.{sign}"
        if signer
        else f"Bản {name} trong kho không kèm phần chữ ký. Phần đầu văn bản ghi: "
        f"«{_header_quote(card)}»{head}",
        "effect": f"Hiệu lực của {name}: {effect}"
        if effect
        else f"Bản {name} trong kho không có điều khoản riêng về thời điểm có hiệu lực.",
        "parts": f"{name} gồm: " + "; ".join(part_line(p) for p in card.parts) + "."
        if card.parts
        else "",
        "amend": f"{name}: {amend}"
        if amend
        else f"Kho văn bản không ghi nhận văn bản nào sửa đổi, thay thế {name}.",
        "basis": f"{name} được ban hành:\n"
        + "\n".join(f"- {_shorten(line, 150)}" for line in basis)
        + marks["basis"]
        if basis
        else f"Bản {name} trong kho không ghi căn cứ ban hành.",
    }
    # A field the card has no line of its own for ("title") is answered by what it is, once.
    lines = list(dict.fromkeys(lead.get(f) or lead["what"] for f in fields))
    said = lead["what"] in lines and bool(issued)
    if said:
        # What it is already says who issued it and when.
        lines = [ln for ln in lines if ln not in (lead["date"], lead["issuer"])]
    facts = [
        ("Số, ký hiệu", meta.number),
        ("Loại văn bản", meta.type),
        ("Trích yếu", meta.title if not {"what", "title"} & set(fields) else ""),
        ("Cơ quan ban hành", meta.issuer if "issuer" not in fields and not said else ""),
        ("Ngày ban hành", issued if "date" not in fields and not said else ""),
        ("Người ký", signer if "signer" not in fields else ""),
        ("Hiệu lực", effect if "effect" not in fields else ""),
        ("Sửa đổi, bổ sung", amend if "amend" not in fields else ""),
        (
            "Gồm",
            "; ".join(_shorten(p, 70) for p in card.parts[:8]) if "parts" not in fields else "",
        ),
    ]
    lines += [f"- {label}: {value}" for label, value in facts if value]
    return Answer("\n".join(lines), "answer", False, citations=citations)


def asks_signer(question: str) -> bool:
    """ "… do ai ký?": the signer is one of the fields asked."""
    return bool(dict(_FIELDS)["signer"].search(" ".join(fold(question).lower().split())))


def render_listing(
    cards: Sequence[Card], filtered: bool, pick: str | None = None, signers: bool = False
) -> Answer:
    """The documents of the corpus that fit the question, one line each, newest first; with
    ``pick`` ("newest", "oldest"), the one document that answers, first; with ``signers``, who
    signed each, from its signature block."""
    ordered = sorted(cards, key=lambda c: c.meta.issued or "", reverse=True)
    lines: list[str] = []
    if pick and ordered:
        one = ordered[0] if pick == "newest" else ordered[-1]
        which = "mới nhất" if pick == "newest" else "sớm nhất"
        lines.append(
            f"Văn bản ban hành {which} trong kho là {official_name(one.meta)}, "
            f"ngày {vn_date(one.meta.issued)}."
        )
        ordered = [one]
    else:
        lines.append(
            f"Kho có {len(ordered)} văn bản phù hợp:"
            if filtered
            else f"Kho hiện có {len(ordered)} văn bản:"
        )
    citations: list[Citation] = []
    for card in ordered:
        marker = ""
        if card.header is not None:
            citations.append(make_citation(card.header, card.header.text.strip()))
            marker = f" [{len(citations)}]"
        when = vn_date(card.meta.issued)
        signed = ""
        if signers and (signer := card.signer()) and card.signature is not None:
            citations.append(make_citation(card.signature, card.signature.text.strip()))
            signed = f" Người ký: {signer} [{len(citations)}]."
        lines.append(
            f"- {official_name(card.meta)}"
            + (f" ngày {when} của {card.meta.issuer}" if when else "")
            + f": {_shorten(card.meta.title, 140)}{marker}{signed}"
        )
    return Answer("\n".join(lines), "answer", False, citations=citations)
