"""Sentences a user attributes to the texts, checked against them (pure functions).

"Thông báo 624 có câu «Thủ tướng yêu cầu kỷ luật ngay các bộ trưởng…». Giải thích câu này":
explaining, continuing or confirming a sentence the texts do not hold would put it in the
State's voice. A quoted sentence counts as the texts' own when one passage holds most of its
word triples, so a quote from memory (a word changed, an ellipsis) still counts, and one made
of real words in another order does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from nq57.text import fold, words

_QUOTED = re.compile(r"[«“\"]([^«»“”\"]+)[»”\"]")
# Single quotes too, around whole words and only after words that attribute a sentence to the
# texts ("có câu 'Không có gì quý hơn dữ liệu'"): people also put them round their own words
# for emphasis ("doanh nghiệp 'tự kê khai chi phí không cần chứng từ' được không").
_SINGLE_QUOTED = re.compile(r"(?<![\w'‘’])['‘]([^'‘’\n]+?)['’](?![\w'‘’])")
_ATTRIBUTION = re.compile(
    r"\b(?:cau|viet|ghi|noi|doan|trich|dan|van|rang|says?|quote|sentence)(?:\W+\w+){0,2}\W*$",
    re.IGNORECASE,
)
_ELLIPSIS = re.compile(r"\.{3}|…")
# Fewer words are a term ("«tổng công trình sư»"), not a sentence claimed to be in the texts.
MIN_WORDS = 6
# The share of the quote's word triples that one passage must hold.
FOUND_SHARE = 0.5

QUOTE_NOT_FOUND = (
    "Tôi không tìm thấy câu được dẫn trong {where}. Tôi chỉ trả lời bằng nguyên văn các văn bản, "
    "nên không giải thích, xác nhận hay trích tiếp một câu mà văn bản không có. Bạn có thể hỏi "
    "về nội dung cụ thể của văn bản, hoặc đối chiếu toàn văn trên Cơ sở dữ liệu quốc gia về văn "
    "bản pháp luật (vbpl.vn)."
)


def _triples(text: str) -> set[tuple[str, ...]]:
    # An ellipsis marks a cut: no triple spans it.
    out: set[tuple[str, ...]] = set()
    for piece in _ELLIPSIS.split(text):
        w = words(fold(piece))
        out.update(tuple(w[i : i + 3]) for i in range(len(w) - 2))
    return out


def quoted_sentences(text: str) -> list[str]:
    """The quoted spans of a message long enough to be sentences."""
    spans = [m.group(1) for m in _QUOTED.finditer(text)]
    spans += [
        m.group(1)
        for m in _SINGLE_QUOTED.finditer(text)
        if _ATTRIBUTION.search(fold(text[: m.start()]).lower())
    ]
    return [s for s in spans if len(words(s)) >= MIN_WORDS]


def quoted_terms(text: str) -> list[str]:
    """The quoted spans of a message too short to be sentences: terms ("die", "sandbox")."""
    return [m.group(1) for m in _QUOTED.finditer(text) if 0 < len(words(m.group(1))) < MIN_WORDS]


def uses_term(term: str, passages: Iterable[str]) -> bool:
    """One of the passages uses the term, as whole words and whatever the diacritics."""
    rx = re.compile(rf"(?<!\w){re.escape(' '.join(words(fold(term))))}(?!\w)")
    return any(rx.search(" ".join(words(fold(p)))) for p in passages)


def holds(quote: str, passages: Iterable[str]) -> bool:
    """Whether one of the passages holds the quoted sentence."""
    wanted = _triples(quote)
    if not wanted:
        return True
    return any(len(wanted & _triples(p)) >= FOUND_SHARE * len(wanted) for p in passages)
