"""Figures a user claims ("… đạt 50% phải không?"), checked against the passages found (pure
functions): a claim they contradict is corrected first ("Không đúng"), one they state is
confirmed ("Đúng")."""

from __future__ import annotations

from bot.compose import numbers
from nq57.legal import REFERENCE_NUMBER
from nq57.text import fold
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
)


def _folded(text: str) -> str:
    return " " + " ".join(fold(text).lower().split()) + " "


def claimed_numbers(question: str) -> set[str]:
    """Numbers the user asserts, leaving out document numbers and provision numbers."""
    return numbers(REFERENCE_NUMBER.sub(" ", fold(question).lower()))


def stated_numbers(hits: list[Hit]) -> set[str]:
    """Numbers the best passages state; headings count: "Đến năm 2030" heads the items that
    say "2% GDP"."""
    return numbers(_passages(hits))


def _passages(hits: list[Hit]) -> str:
    return " ".join(" ".join([*h.breadcrumb, h.text]) for h in hits[:3])


def verdict(question: str, correction: str | None, hits: list[Hit]) -> str | None:
    """ "Không đúng" when a claim of the user's is contradicted, "Đúng" when it is a yes/no
    question whose every claimed number the best passages state; otherwise no verdict."""
    if correction:
        return "Không đúng"
    asked = claimed_numbers(question)
    if not asked or not any(cue in _folded(question) for cue in _FALSE_PREMISE_CUES):
        return None
    return "Đúng" if asked <= stated_numbers(hits) else None


def premise_correction(question: str, hits: list[Hit]) -> str | None:
    """A checkable claim with a number that the best passages contradict gets corrected first."""
    asked = claimed_numbers(question)
    if not asked:
        return None
    found = stated_numbers(hits)
    missing = asked - found
    if not missing:
        return None
    percent = any(n.endswith("%") for n in missing)
    if percent and not any(n.endswith("%") for n in found):
        return None
    if not (percent or any(cue in _folded(question) for cue in _FALSE_PREMISE_CUES)):
        return None
    shown = ", ".join(sorted(missing))
    return f"Thông tin “{shown}” trong câu hỏi không khớp với văn bản. Nội dung đúng như sau."
