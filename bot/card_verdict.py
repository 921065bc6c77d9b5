"""Whether a claim about a document itself holds: "Thông tư 32 do Bộ Công Thương ban hành đúng
không?", "Nghị quyết 57 ban hành năm 2023 phải không?" (pure functions).

The card answers such a question ("Đúng" / "Không đúng" first, then its own line) when the claim
is one the card can settle: the issuing body, the person who signed, the date of issue or of
entry into force. A title alone ("do Thủ tướng ký?") is not settled here: a deputy signs on the
Prime Minister's behalf, and the card's signature line shows who did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from bot.cards import Card
from bot.claims import asked_part, asks_if_claim_holds, sentences
from nq57.text import fold
from retrieval.about import claimed_by
from retrieval.terms import without_document_names

CONFIRMED = "Đúng"
CONTRADICTED = "Không đúng"

_FULL_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)|"
    r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})"
)
_YEAR = re.compile(r"(?<![\d/])((?:19|20)\d\d)(?![\d/])")
# A premise states the field it gives a date for: "… được ban hành ngày 01/11/2013."
_STATED = {
    "date": re.compile(r"ban hanh|ra doi|ky ngay|ngay ky"),
    "effect": re.compile(r"hieu luc|ap dung tu"),
}
# Words of a title or an office before a person's name, folded.
_TITLE_WORDS = frozenset((
    "pho", "thu", "tuong", "chinh", "phu", "tong", "bi", "bo", "truong", "chu", "tich", "nhiem",
    "ban", "dong", "chi", "ong", "ba", "kt", "tm", "t/m", "uy", "vien", "thuong", "truc", "quoc",
    "hoi", "dang", "doan",
))  # fmt: skip


def _folded(text: str) -> str:
    return " ".join(fold(text).lower().split())


def _dates(text: str) -> list[date]:
    found = []
    for m in _FULL_DATE.finditer(text):
        d, mo, y = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
        try:
            found.append(date(y, mo, d))
        except ValueError:
            continue
    return found


def _on(claimed: str, actual: date | None) -> str | None:
    """The claim's dates (or, without a full date, its years) against ``actual``."""
    if actual is None:
        return None
    dates = _dates(claimed)
    if dates:
        return CONFIRMED if all(d == actual for d in dates) else CONTRADICTED
    years = {int(y) for y in _YEAR.findall(_FULL_DATE.sub(" ", claimed))}
    if years:
        return CONFIRMED if years == {actual.year} else CONTRADICTED
    return None


def _compact(words: Sequence[str], known: set[str]) -> str:
    """Initials of the words a name shares with ``known``, other tokens kept whole: "bo kh&cn"
    and "bộ khoa học và công nghệ" both give "bkhcn"."""
    return "".join(w[0] if w in known else re.sub(r"\W", "", w) for w in words if w != "va")


def _same_body(claimed: str, issuer: str) -> bool:
    said, actual = claimed.split(), issuer.split()
    if said == actual[: len(said)] or issuer in claimed:
        return True  # "Thủ tướng" for "Thủ tướng Chính phủ"
    return _compact(said, set(actual)) == _compact(actual, set(actual))


def _issued(card: Card) -> date | None:
    try:
        return date.fromisoformat(card.meta.issued) if card.meta.issued else None
    except ValueError:
        return None


def _takes_effect(card: Card) -> date | None:
    if card.effect is None:
        return None
    clause = _folded(card.effect[1])
    dates = _dates(clause)
    if dates:
        return dates[0]
    return _issued(card) if re.search(r"(?:ke )?tu ngay ky", clause) else None


def card_verdict(card: Card, question: str, fields: Sequence[str]) -> str | None:
    """ "Đúng" / "Không đúng" for a yes/no claim on the card's first field asked, or None. A
    claim stated before another question ("Nghị quyết 20 ban hành ngày 01/11/2013. Vậy đến nay
    được mấy năm?") is only ever contradicted: the question after it is not about the claim."""
    asked = asked_part(question)
    if not fields:
        return None
    if asks_if_claim_holds(asked):
        return _verdict(card, asked, fields[0])
    *premise, _request = sentences(asked)
    stated = " ".join(premise)
    cue = _STATED.get(fields[0])
    if cue and cue.search(_folded(stated)) and _verdict(card, stated, fields[0]) == CONTRADICTED:
        return CONTRADICTED
    return None


def _verdict(card: Card, question: str, field: str) -> str | None:
    rest = _folded(without_document_names(question))
    claim = claimed_by(question)
    if field == "issuer" and claim and claim[0] == "issuer" and card.meta.issuer:
        return CONFIRMED if _same_body(claim[1], _folded(card.meta.issuer)) else CONTRADICTED
    if field == "signer" and claim and claim[0] == "signer" and card.signature is not None:
        if card.signed_by(question):
            return CONFIRMED
        # A person named (not only a title) who is not the one who signed.
        person = [w for w in claim[1].split() if w not in _TITLE_WORDS]
        return CONTRADICTED if len(person) >= 2 else None
    if field == "date":
        return _on(rest, _issued(card))
    if field == "effect":
        return _on(rest, _takes_effect(card))
    return None
