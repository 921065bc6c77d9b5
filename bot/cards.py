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
from ingest.chunk import RECORD_KINDS
from ingest.model import DocumentMeta
from nq57.legal import ANNEX
from nq57.text import fold
from retrieval.about import records_of
from retrieval.types import Hit

_DATE_LINE = re.compile(r"[^\n]*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}[^\n]*")
_ROMAN_HEAD = re.compile(r"^(?:[IVXLC]+|[A-Z])\.\s")
_ARTICLE_HEAD = re.compile(r"^Điều \d+\.")
_HEAD = re.compile(r"^(?:[IVXLC]+[.\-–]|[A-Z][.\-–]|Điều \d+\.|Phụ lục\b|\d+\.)\s?")
_DASHED_LABEL = re.compile(r"^([A-Z]|[IVXLC]+)\s*[\-–]\s*")


def _as_heading(text: str) -> str:
    """Whitespace collapsed, and "C- TỔ CHỨC THỰC HIỆN" written as the parser names its
    siblings: "C. TỔ CHỨC THỰC HIỆN"."""
    return _DASHED_LABEL.sub(r"\1. ", " ".join(text.split()))


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
    # The text's last line before the signature block: the signature closes it.
    closing: tuple[Hit, str] | None = None

    @classmethod
    def read(cls, meta: DocumentMeta, chunks: Sequence[Hit]) -> Card:
        found = records_of(meta.number, chunks)
        header, signature, effect = found.header, found.signature, found.effect
        body = [h for h in chunks if h.kind not in RECORD_KINDS]
        subject = next(
            ((h, _first_sentence(h.text)) for h in body if h.text.startswith("Điều 1.")), None
        )
        parts = _parts(chunks)
        openings: dict[str, tuple[Hit, str]] = {}
        for part in parts:
            hit = next((h for h in body if _opens(h, part)), None)
            if hit is None:
                continue
            if sentence := _first_sentence(hit.text, skip=part):
                openings[part] = (hit, sentence)
            elif part.startswith(ANNEX):
                # An annex opens on its table: the header row is the link.
                openings[part] = (hit, hit.text.split("\n", 1)[0].strip())
        return cls(
            meta, header, signature, effect, parts, subject, openings, _last_line(found.closing)
        )

    @property
    def name(self) -> str:
        return self.meta.short_name

    def signer(self) -> str | None:
        if self.signature is None:
            return None
        lines = [ln.strip() for ln in self.signature.text.split("\n") if ln.strip()]
        return " – ".join(lines[-3:]) if lines else None

    def signed_by(self, question: str) -> bool:
        """Whether the question names the person who signed: the block's last line, a full
        name of two words or more."""
        if self.signature is None:
            return False
        lines = [ln.strip() for ln in self.signature.text.split("\n") if ln.strip()]
        person = fold(lines[-1]).lower() if lines else ""
        return len(person.split()) >= 2 and f" {person} " in f" {fold(question).lower()} "

    def basis(self) -> list[str]:
        """The header's "Căn cứ …" and "Theo đề nghị …" lines, as written."""
        if self.header is None:
            return []
        lines = (" ".join(ln.split()) for ln in self.header.text.split("\n"))
        return [ln for ln in lines if re.match(r"(?:Căn cứ|Theo đề nghị|Xét đề nghị)\b", ln)]

    def proposers(self) -> list[str]:
        """The header's "Theo đề nghị của …" lines: who proposed the text, by which submission."""
        return [ln for ln in self.basis() if not ln.startswith("Căn cứ")]

    def missing(self) -> set[str]:
        """The fields the document has and this copy does not give: a signature block, a
        clause on when it takes effect. ("No annexes" or "no legal bases" is an answer.)"""
        absent = {"signer": self.signer() is None, "effect": self.effect is None}
        return {name for name, gone in absent.items() if gone}

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
        if hit.kind in RECORD_KINDS:
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


def _last_line(hit: Hit | None) -> tuple[Hit, str] | None:
    lines = [ln.strip() for ln in hit.text.split("\n") if ln.strip()] if hit else []
    return (hit, lines[-1]) if hit and lines else None


def _tail(text: str, limit: int = 100) -> str:
    """The end of a line, where a closing line says what it closes."""
    text = " ".join(text.split())
    return text if len(text) <= limit else "… " + text[-limit:].split(" ", 1)[-1]


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


def render_card(
    card: Card,
    fields: Sequence[str],
    amended_in: Sequence[tuple[DocumentMeta, Hit, str]] = (),
) -> Answer:
    """The card, with the lines that answer ``fields`` first, in the order asked;
    ``amended_in``: the lines of other documents that name what amended it."""
    meta = card.meta
    citations: list[Citation] = []

    def cite(hit: Hit | None, quote: str) -> str:
        if hit is None or not quote:
            return ""
        citations.append(make_citation(hit, quote))
        return f" [{len(citations)}]"

    issued = vn_date(meta.issued)
    name = card.name
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
    closing = (
        f" Chữ ký đặt sau dòng cuối của văn bản: «{_tail(card.closing[1])}»" + cite(*card.closing)
        if card.closing and signer and "signer" in fields
        else ""
    )
    proposers = card.proposers()
    proposed = (
        f"{name} được ban hành:\n"
        + "\n".join(f"- {_shorten(line, 180)}" for line in proposers)
        + cite(card.header, "\n".join(proposers))
        if proposers and "proposer" in fields
        else ""
    )

    def part_line(part: str) -> str:
        opening = card.openings.get(part) if {"parts", "annexes"} & set(fields) else None
        # The citation quotes the heading with the part's first sentence: the heading is
        # what the line names.
        return _shorten(part, 90) + (cite(opening[0], f"{part}\n{opening[1]}") if opening else "")

    amend = card.amendments()
    amend_lines = "".join(
        f"\n- {official_name(other)} ghi: «{_shorten(line, 220)}»" + cite(hit, line)
        for other, hit, line in amended_in
    )
    annexes = [p for p in card.parts if p.startswith(ANNEX)]
    lead = {
        "what": f"{official_name(meta)} là {meta.title[0].lower() + meta.title[1:]}"
        + (f", do {meta.issuer} ban hành ngày {issued}." if issued else ".")
        + head
        + (f" {subject}" if subject else ""),
        "date": f"{name} được ban hành ngày {issued}.{head}" if issued else "",
        "issuer": f"{name} do {meta.issuer} ban hành.{head}" if meta.issuer else "",
        "signer": f"Người ký {name}: {signer}.{sign}" + closing
        if signer
        else f"Bản {name} trong kho không kèm phần chữ ký. Phần đầu văn bản ghi: "
        f"«{_header_quote(card)}»{head}",
        "effect": f"Hiệu lực của {name}: {effect}"
        if effect
        else f"Bản {name} trong kho không có điều khoản riêng về thời điểm có hiệu lực.",
        "parts": f"{name} gồm: " + "; ".join(part_line(p) for p in card.parts) + "."
        if card.parts
        else "",
        "annexes": f"{name} có {len(annexes)} phụ lục: "
        + "; ".join(part_line(p) for p in annexes)
        + "."
        if annexes
        else f"Bản {name} trong kho không có phụ lục.",
        "amend": f"{name}: {amend}{amend_lines}"
        if amend
        else f"Kho văn bản không ghi nhận văn bản nào sửa đổi, thay thế {name}.",
        "proposer": proposed
        or f"Bản {name} trong kho không ghi cơ quan đề nghị ban hành (dòng «Theo đề nghị …»).",
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
            "; ".join(_shorten(p, 70) for p in card.parts[:8])
            if not {"parts", "annexes"} & set(fields)
            else "",
        ),
    ]
    lines += [f"- {label}: {value}" for label, value in facts if value]
    return Answer("\n".join(lines), "answer", False, citations=citations)


_ORDINAL = re.compile(r"\[(\d+)\]")
# A comparison answers with each document's own lines: the card's first, never its facts list.
_COMPARED = ("what", "date", "issuer", "signer", "effect", "amend", "basis", "proposer", "title")


def render_comparison(cards: Sequence[Card], fields: Sequence[str], order: bool) -> Answer:
    """Several named documents asked the same fields ("Nghị quyết 03 và Kế hoạch 3260, văn bản
    nào ra trước?"): each document's answering line, cited, and with ``order``, which came
    first by issuing date."""
    asked = [f for f in fields if f in _COMPARED] or ["date"]
    lines: list[str] = []
    citations: list[Citation] = []
    for card in cards:
        one = render_card(card, asked)
        lead = "\n".join(ln for ln in one.text.split("\n") if not ln.startswith("- "))
        # Each card numbers its citations from 1: keep the ones its lines cite, numbered on.
        kept: dict[int, int] = {}
        for m in _ORDINAL.finditer(lead):
            n = int(m.group(1))
            if n not in kept and n <= len(one.citations):
                citations.append(one.citations[n - 1])
                kept[n] = len(citations)
        lines.append(_ORDINAL.sub(lambda m, k=kept: f"[{k.get(int(m.group(1)), '?')}]", lead))
    dated = sorted((c for c in cards if c.meta.issued), key=lambda c: c.meta.issued)
    if order and len(dated) >= 2:
        first, last = dated[0], dated[-1]
        if first.meta.issued == last.meta.issued:
            lines.insert(0, f"Các văn bản này ban hành cùng ngày {vn_date(first.meta.issued)}.")
        else:
            lines.insert(
                0,
                f"{first.name} ban hành trước ({vn_date(first.meta.issued)}), "
                f"{last.name} ban hành sau ({vn_date(last.meta.issued)}).",
            )
    return Answer("\n".join(lines), "answer", False, citations=citations)


def render_citing(
    name: str,
    found: Sequence[tuple[DocumentMeta, Hit, str]],
    held: bool,
    filtered: bool = False,
) -> Answer:
    """The documents of the corpus that cite the document ``name``, each with the passage that
    names it (its legal bases first); ``held``: whether the corpus holds that document itself;
    ``filtered``: whether the question kept only some of them (by type, issuer or date)."""
    citations: list[Citation] = []
    which = " phù hợp" if filtered else ""
    lines = [
        f"Kho có {len(found)} văn bản{which} nhắc đến {name}:"
        if found
        else f"Không văn bản nào{which} trong kho nhắc đến {name}."
    ]
    for meta, hit, quote in found:
        citations.append(make_citation(hit, quote))
        when = f" ngày {vn_date(meta.issued)}" if meta.issued else ""
        lines.append(f"- {official_name(meta)}{when}: «{_shorten(quote, 220)}» [{len(citations)}]")
    if not held:
        lines.append(
            f"Bản thân {name} chưa có trong kho; toàn văn có trên Cơ sở dữ liệu quốc gia về văn "
            "bản pháp luật (vbpl.vn)."
        )
    return Answer("\n".join(lines), "answer", not found, citations=citations)


def render_listing(
    cards: Sequence[Card],
    filtered: bool,
    pick: str | None = None,
    signers: bool = False,
    effect: bool = False,
) -> Answer:
    """The documents of the corpus that fit the question, one line each, newest first; with
    ``pick`` ("newest", "oldest"), the one document that answers, first; with ``signers``, who
    signed each, from its signature block; with ``effect``, from when each takes effect, from
    its own clause."""
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
        # Asked from when texts take effect, each line cites its clause instead of its header.
        if card.header is not None and not (effect and card.effect is not None):
            citations.append(make_citation(card.header, card.header.text.strip()))
            marker = f" [{len(citations)}]"
        when = vn_date(card.meta.issued)
        signed = ""
        if signers and (signer := card.signer()) and card.signature is not None:
            citations.append(make_citation(card.signature, card.signature.text.strip()))
            signed = f" Người ký: {signer} [{len(citations)}]."
        if effect and card.effect is not None:
            hit, sentence = card.effect
            citations.append(make_citation(hit, sentence))
            signed += f" «{_shorten(sentence, 160)}» [{len(citations)}]"
        lines.append(
            f"- {official_name(card.meta)}"
            + (f" ngày {when} của {card.meta.issuer}" if when else "")
            + f": {_shorten(card.meta.title, 140)}{marker}{signed}"
        )
    return Answer("\n".join(lines), "answer", False, citations=citations)
