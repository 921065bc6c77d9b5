"""Figures a user claims ("… đạt 50% phải không?"), checked against the passages found (pure
functions): a claim they contradict is corrected first ("Không đúng"), one they state is
confirmed ("Đúng").

A figure is checked in the clause that says what the claim is about, not anywhere in the
passages: "R&D đạt 3% GDP" is not confirmed by "bố trí ít nhất 3% tổng chi ngân sách" in the
sentence whose clause about R&D says 2%, nor "10 sàn dữ liệu" by a "10" in another row."""

from __future__ import annotations

import itertools
import re

from bot.compose import numbers
from nq57.legal import REFERENCE_NUMBER
from nq57.text import fold
from retrieval.terms import content_terms, without_document_names
from retrieval.types import Hit

_FALSE_PREMISE_CUES = (
    "dung khong",
    "dung ko",
    "dung k",
    "phai khong",
    "phai ko",
    "co phai",
    "dung chu",
    "dung ha",
    "that khong",
    "dung ?",
    "co dung",
)


def _folded(text: str) -> str:
    return " " + " ".join(fold(text).lower().split()) + " "


# A document named with its year ("Nghị quyết 20 năm 2012"): the year names it, no claim.
_DOCUMENT_YEAR = re.compile(
    r"\b(?:nghi quyet|nq|quyet dinh|qd|thong tu|tt|ket luan|kl|ke hoach|kh|thong bao|tb)"
    r"\s*\d+[\w/.-]*\s+(?:nam\s+)?(?:19|20)\d\d\b"
)


# A number glued to letters names something ("5G", "d3 4n" in leet), unless the letters are a
# unit people write after an amount ("500tr", "10k").
_NAMED = re.compile(
    r"[^\W\d_]+\d[\w.,]*|\d+(?!(?:k|tr|trieu|ty|ti|m|km|kg|ha|h|d|vnd|usd)\b)[^\W\d_]\w*"
)


def claimed_numbers(question: str) -> set[str]:
    """Numbers the user asserts, leaving out document numbers, provision numbers and numbers
    that are part of a name."""
    folded = _DOCUMENT_YEAR.sub(" ", fold(question).lower())
    return numbers(_NAMED.sub(" ", REFERENCE_NUMBER.sub(" ", folded)))


def stated_numbers(hits: list[Hit]) -> set[str]:
    """Numbers the best passages state; headings count: "Đến năm 2030" heads the items that
    say "2% GDP"."""
    return numbers(_passages(hits))


def _passages(hits: list[Hit]) -> str:
    return " ".join(" ".join([*h.breadcrumb, _with_units(h.text)]) for h in hits[:3])


# A table row whose unit column is "%" states its values as shares: "Tỷ lệ Make in Vietnam … |
# % | 50" says 50%.
_PERCENT_COLUMN = re.compile(r"\|\s*%\s*\|\s*([≥≤<>]?\s*)(\d+(?:[.,]\d+)?)(?![\d.,%])")


def _with_units(text: str) -> str:
    return _PERCENT_COLUMN.sub(lambda m: f"| % | {m.group(1)}{m.group(2)}%", text)


# Clauses of a passage: a line (a table row), or a part of a sentence between semicolons.
_CLAUSE = re.compile(r"[;\n]|\.\s")
_YEAR = re.compile(r"^(?:19|20)\d\d$")


def _is_year(number: str) -> bool:
    return bool(_YEAR.match(number))


def _claim_clauses(question: str, hits: list[Hit]) -> list[str]:
    """The clauses of the best passages that share the most words with the claim (at least
    two; ties kept) and state a number."""
    words = {w for w in content_terms(without_document_names(question)) if not w.isdigit()}
    scored = [
        (len(words & set(content_terms(clause))), clause)
        for h in hits[:3]
        for clause in _CLAUSE.split(_with_units(h.text))
        if numbers(clause)
    ]
    best = max((n for n, _ in scored), default=0)
    return [clause for n, clause in scored if n == best] if best >= 2 else []


# Where one figure of a clause ends and the next begins: "1,5% GDP vào năm 2015, trên 2% GDP
# vào năm 2020 và khoảng 3% GDP vào năm 2030".
_PAIR = re.compile(r",\s|\s(?:và|còn|and)\s")


def _stated_about_claim(question: str, hits: list[Hit]) -> set[str]:
    """The numbers the clauses about the claim state; for a claim that names a year ("năm 2015
    là 2% GDP"), only those stated beside that year, where the clauses pair figures with years."""
    clauses = _claim_clauses(question, hits)
    years = {n for n in claimed_numbers(question) if _is_year(n)}
    beside = [part for clause in clauses for part in _PAIR.split(clause) if years & numbers(part)]
    paired = [p for p in beside if any(not _is_year(n) for n in numbers(p))]
    return set().union(*(numbers(c) for c in (paired or clauses)))


def unmatched_figures(question: str, hits: list[Hit]) -> set[str]:
    """Claimed figures that the clauses about the claim do not state, where those clauses state
    a figure of the same kind (a percentage for a percentage) in its place."""
    asked = {n for n in claimed_numbers(question) if not _is_year(n)}
    stated = _stated_about_claim(question, hits)
    return {
        n
        for n in asked - stated
        if any(not _is_year(m) and m.endswith("%") == n.endswith("%") for m in stated)
    }


def verdict(question: str, correction: str | None, hits: list[Hit]) -> str | None:
    """ "Không đúng" when a claim of the user's is contradicted, "Đúng" when it is a yes/no
    question whose every claimed figure the clauses about the claim state (and every year the
    best passages); otherwise no verdict."""
    if correction:
        return "Không đúng"
    asked = claimed_numbers(question)
    if not asked or not any(cue in _folded(question) for cue in _FALSE_PREMISE_CUES):
        return None
    years = {n for n in asked if _is_year(n)}
    figures = asked - years
    if figures <= _stated_about_claim(question, hits) and years <= stated_numbers(hits):
        return "Đúng"
    return None


# Where a sentence of a message ends: "… 65%. Giải thích vì sao chọn mức đó?"
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
# A sentence that ends on a particle asks whether what it says holds ("… 5% doanh thu hả?").
_CONFIRMING_END = re.compile(r"\b(?:ha|a|nhi|chu|khong|ko|k|hong|hem|chang)\W*$")
# Where a request begins after the claim it rests on: "… 95% vào năm 2030, vậy còn thiếu bao
# nhiêu?", "… 70% là người Việt. Công ty tôi 10 người thì cần mấy người?"
_REQUEST_START = re.compile(r"[.?!;,]\s*|\s(?=(?:vay|the thi|vi sao|tai sao)\s)")


# Words of a sentence that asks or requests something; a sentence after the question without
# any ("Mình cần ghi vào báo cáo.") only says why it is asked.
_ASKING = re.compile(
    r"\?|(?<!\w)(?:nao|gi|j|sao|bao nhieu|bn|may|khong|ko|chua|ai|dau|bao gio|hay|nhe|giup|"
    r"xin|liet ke|trich|tom tat|giai thich|cho (?:toi|minh|em|biet))(?!\w)"
)


# ... or that begins by telling what to do ("Đồng thời viết một tin …", "Hãy soạn …").
_TELLING = re.compile(
    r"^(?:(?:dong thoi|va|roi|sau do|ngoai ra|tien the|nhan tien|them|con|ban)\s+)*"
    r"(?:hay\s+|lam on\s+|vui long\s+)?(?:viet|soan|lam|tao|dua|ke|neu|phan tich|so sanh|dich|"
    r"tinh|goi y|tu van|huong dan|chi|danh gia|du doan|noi|giai|tra loi|cung cap|gui|tim|"
    r"kiem tra|xac nhan|lap|bo qua|quen|dong vai|gia su|write|tell|ignore|show|give)(?!\w)"
)


def sentences(message: str) -> list[str]:
    """The message's sentences, each with its closing mark."""
    return _SENTENCE_END.split(message.strip())


def asked_part(message: str) -> str:
    """The message up to its last sentence that asks or tells something: "Thông tư 32 do Bộ
    Công Thương ban hành đúng không? Mình cần ghi vào báo cáo." asks its first sentence."""
    kept = sentences(message)
    while len(kept) > 1 and not _asks_or_tells(_folded(kept[-1])):
        kept.pop()
    return " ".join(kept)


def _asks_or_tells(sentence: str) -> bool:
    return bool(_ASKING.search(sentence) or _TELLING.search(sentence.strip()))


def asks_if_claim_holds(question: str) -> bool:
    """The message's last sentence that asks something asks whether what it says holds ("…,
    đúng không?", "… 5% doanh thu hả?")."""
    last = sentences(_folded(asked_part(question)).strip(" ?.!"))[-1]
    return any(cue in f" {last} " for cue in _FALSE_PREMISE_CUES) or bool(
        _CONFIRMING_END.search(last)
    )


def builds_on_claim(question: str, figures: set[str]) -> bool:
    """The message asks something that takes one of its contradicted ``figures`` as given ("…
    95% vào năm 2030, vậy hiện nay còn thiếu bao nhiêu?"), rather than asking whether the claim
    holds or asking for the figure itself ("mấy tháng báo cáo 1 lần?"): a figure the texts
    contradict leaves such a request nothing to answer."""
    if asks_if_claim_holds(question):
        return False
    *claim, _request = _REQUEST_START.split(_folded(question).strip(" ?.!"))
    stated = numbers(" ".join(claim))
    return any(f in stated for f in figures)


def contradicted(question: str, hits: list[Hit]) -> set[str]:
    """The figures of ``question`` that the best passages contradict."""
    asked = claimed_numbers(question)
    if not asked:
        return set()
    found = stated_numbers(hits)
    unmatched = unmatched_figures(question, hits)
    missing = (asked - found) | unmatched
    if not missing:
        return set()
    percent = any(n.endswith("%") for n in missing)
    if percent and not any(n.endswith("%") for n in found):
        return set()
    if not (percent or any(cue in _folded(question) for cue in _FALSE_PREMISE_CUES)):
        # A figure stated as fact ("Thông báo 624 nói đã bổ sung 50.000 tỷ đồng …"): corrected
        # only where the clause about it states another figure in its place, and not where the
        # passages hold it beside the same word: "nguyên tắc “6 rõ”", "Đề án 06 giai đoạn …"
        # are names the user read, not figures they claim.
        return {n for n in unmatched if not _quoted(n, question, hits)}
    return missing


_WORD = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+")


def _pairs(text: str) -> set[tuple[str, str]]:
    words = _WORD.findall(fold(text).lower())
    return set(itertools.pairwise(words))


def _quoted(number: str, question: str, hits: list[Hit]) -> bool:
    """The passages hold ``number`` beside a word it has beside it in the question."""
    asked = {pair for pair in _pairs(question) if number in pair}
    return bool(asked & _pairs(_passages(hits)))


def premise_correction(question: str, hits: list[Hit]) -> str | None:
    """A checkable claim with a number that the best passages contradict gets corrected first."""
    return correction_of(contradicted(question, hits))


def correction_of(figures: set[str]) -> str | None:
    """The line that corrects contradicted ``figures`` (see ``contradicted``), or None."""
    if not figures:
        return None
    shown = ", ".join(sorted(figures))
    return f"Thông tin “{shown}” trong câu hỏi không khớp với văn bản. Nội dung đúng như sau."
