"""Pure metric functions over gold items and what the assistant returned.

Definitions follow ARCHITECTURE.md ("Metric definitions"). Matching text goes through
``nq57.text.match_key`` (NFC, lower case, whitespace collapsed) on both sides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any

from nq57.text import fold, match_key, words

from .gold_io import PERSONAS, STYLES, ExpectedSource, GoldItem, expected_intent

TRIGRAM_SHARE = 0.8
MAX_RANK = 10
# A citation quote shorter than this many words proves nothing when found inside a long quote.
MIN_REVERSE_WORDS = 3


def _doc_key(doc: str) -> str:
    """Compare documents by file stem so "nq-57-2024" and "nq-57-2024.txt" agree."""
    name = PurePosixPath(str(doc).strip()).name
    return (name.rsplit(".", 1)[0] if "." in name else name).lower()


def same_doc(a: str, b: str) -> bool:
    return bool(a) and bool(b) and _doc_key(a) == _doc_key(b)


def ngrams(text: str, n: int = 3) -> list[tuple[str, ...]]:
    """Word n-grams of the match form; a text shorter than n words is one n-gram of itself."""
    tokens = words(match_key(text))
    if not tokens:
        return []
    if len(tokens) < n:
        return [tuple(tokens)]
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def trigram_share(quote: str, text: str) -> float:
    """Share of the quote's word trigrams that occur in ``text`` (0.0 for an empty quote)."""
    grams = ngrams(quote)
    if not grams:
        return 0.0
    # A short quote (< 3 words) is one n-gram of its own length; look it up with that length.
    present = set(ngrams(text, len(grams[0])))
    return sum(g in present for g in grams) / len(grams)


def text_covers(text: str, quote: str) -> bool:
    """``text`` contains the quote, or at least 80% of the quote's word trigrams."""
    key_quote = match_key(quote)
    if not key_quote:
        return False
    if key_quote in match_key(text):
        return True
    return trigram_share(quote, text) >= TRIGRAM_SHARE


def _source_fields(source: ExpectedSource | Mapping[str, Any]) -> tuple[str, str]:
    if isinstance(source, Mapping):
        return str(source.get("doc", "")), str(source.get("quote", ""))
    return source.doc, source.quote


def covers(chunk_doc: str, chunk_text: str, source: ExpectedSource | Mapping[str, Any]) -> bool:
    """A retrieved chunk covers an expected source: same document and the quote is in it."""
    doc, quote = _source_fields(source)
    return same_doc(chunk_doc, doc) and text_covers(chunk_text, quote)


def citation_covers(citation: Mapping[str, Any], source: ExpectedSource | Mapping) -> bool:
    """Same document, and the citation quote and the expected quote overlap either way."""
    doc, quote = _source_fields(source)
    cited = str(citation.get("quote") or "")
    if not same_doc(str(citation.get("doc", "")), doc) or not cited.strip():
        return False
    if text_covers(cited, quote):
        return True
    # The citation may quote only part of the expected passage.
    return len(words(cited)) >= MIN_REVERSE_WORDS and text_covers(quote, cited)


_WORDED_DATE = re.compile(r"\b(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def numeric_dates(text: str) -> str:
    """Dates written out ("22 tháng 12 năm 2024") or unpadded ("9/1/2025") as dd/mm/yyyy:
    answers give dates as dd/mm/yyyy, a fact may quote the document's own wording."""

    def padded(m: re.Match[str]) -> str:
        return f"{int(m[1]):02d}/{int(m[2]):02d}/{m[3]}"

    return _NUMERIC_DATE.sub(padded, _WORDED_DATE.sub(padded, text))


def fact_found(fact: str, answer_text: str) -> bool:
    """The fact appears in the answer, exactly or once both sides lose their diacritics; a date
    in either form."""
    key_fact, key_text = match_key(numeric_dates(fact)), match_key(numeric_dates(answer_text))
    if not key_fact:
        return False
    return key_fact in key_text or fold(key_fact) in fold(key_text)


def source_ranks(retrieved: Sequence[Mapping[str, Any]], sources: Sequence) -> list[int | None]:
    """For each expected source, the 1-based rank of the first retrieved chunk covering it."""
    ranks: list[int | None] = []
    top = list(retrieved)[:MAX_RANK]
    for source in sources:
        rank = None
        for i, chunk in enumerate(top, start=1):
            if covers(str(chunk.get("doc", "")), str(chunk.get("text", "")), source):
                rank = i
                break
        ranks.append(rank)
    return ranks


@dataclass
class ItemScore:
    """Everything the metrics need about one gold item, computed once."""

    answerable: bool
    source_ranks: list[int | None] = field(default_factory=list)
    first_rank: int | None = None
    abstained: bool = False
    intent: str = ""
    expected_intent: str | None = None
    citation_ok: bool | None = None  # None: not an answered, answerable item
    covering_citations: list[int] = field(default_factory=list)  # 1-based citation numbers
    facts_found: list[str] = field(default_factory=list)
    facts_missing: list[str] = field(default_factory=list)
    retrieval_ms: float = 0.0
    answer_ms: float = 0.0
    error: str | None = None
    answer_chars: int = 0  # length of the answer text, for answered items

    def hit(self, k: int) -> bool:
        return self.first_rank is not None and self.first_rank <= k

    def covered(self, k: int) -> int:
        return sum(1 for r in self.source_ranks if r is not None and r <= k)

    @property
    def intent_ok(self) -> bool | None:
        return None if self.expected_intent is None else self.intent == self.expected_intent

    def to_dict(self) -> dict:
        return asdict(self)


def score_item(
    item: GoldItem,
    retrieved: Sequence[Mapping[str, Any]],
    answer: Mapping[str, Any],
    retrieval_ms: float = 0.0,
    answer_ms: float = 0.0,
    error: str | None = None,
) -> ItemScore:
    ranks = source_ranks(retrieved, item.expected_sources)
    found = [r for r in ranks if r is not None]
    # No answer at all (an error) is scored as a failed answer, never as a correct abstention.
    abstained = bool(answer.get("abstained", False)) if answer else False
    text = str(answer.get("text") or answer.get("answer") or "") if answer else ""
    citations = list(answer.get("citations") or []) if answer else []
    covering = [
        i
        for i, c in enumerate(citations, start=1)
        if any(citation_covers(c, s) for s in item.expected_sources)
    ]
    citation_ok = None
    if item.answerable and not abstained:
        citation_ok = bool(covering)
    facts = item.answer_facts
    return ItemScore(
        answerable=item.answerable,
        source_ranks=ranks,
        first_rank=min(found) if found else None,
        abstained=abstained,
        intent=str(answer.get("intent") or "") if answer else "",
        expected_intent=None if item.answerable else expected_intent(item.notes),
        citation_ok=citation_ok,
        covering_citations=covering,
        facts_found=[f for f in facts if fact_found(f, text)],
        facts_missing=[f for f in facts if not fact_found(f, text)],
        answer_chars=len(text) if not abstained else 0,
        retrieval_ms=retrieval_ms,
        answer_ms=answer_ms,
        error=error,
    )


# Aggregates. Each returns None when the figure has no denominator (e.g. no answered items).


def _share(num: float, den: float) -> float | None:
    return num / den if den else None


def hit_at(scores: Iterable[ItemScore], k: int) -> float | None:
    answerable = [s for s in scores if s.answerable]
    return _share(sum(s.hit(k) for s in answerable), len(answerable))


def recall_at(scores: Iterable[ItemScore], k: int) -> float | None:
    answerable = [s for s in scores if s.answerable]
    return _share(
        sum(s.covered(k) for s in answerable), sum(len(s.source_ranks) for s in answerable)
    )


def mrr_at(scores: Iterable[ItemScore], k: int = MAX_RANK) -> float | None:
    answerable = [s for s in scores if s.answerable]
    total = sum(1.0 / s.first_rank for s in answerable if s.hit(k) and s.first_rank)
    return _share(total, len(answerable))


def citation_accuracy(scores: Iterable[ItemScore]) -> float | None:
    judged = [s.citation_ok for s in scores if s.citation_ok is not None]
    return _share(sum(judged), len(judged))


def fact_coverage(scores: Iterable[ItemScore]) -> float | None:
    scores = list(scores)
    found = sum(len(s.facts_found) for s in scores)
    return _share(found, found + sum(len(s.facts_missing) for s in scores))


def abstention(scores: Iterable[ItemScore]) -> dict[str, Any]:
    """Confusion counts of ``abstained`` (predicted) against ``answerable: false`` (truth)."""
    scores = list(scores)
    tp = sum(1 for s in scores if s.abstained and not s.answerable)
    fp = sum(1 for s in scores if s.abstained and s.answerable)
    fn = sum(1 for s in scores if not s.abstained and not s.answerable)
    tn = sum(1 for s in scores if not s.abstained and s.answerable)
    return {
        "abstention_precision": _share(tp, tp + fp),
        "abstention_recall": _share(tp, tp + fn),
        "false_abstention": _share(fp, fp + tn),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
    }


def intent_accuracy(scores: Iterable[ItemScore]) -> float | None:
    judged = [s.intent_ok for s in scores if s.intent_ok is not None]
    return _share(sum(judged), len(judged))


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), the same rule as numpy's default."""
    data = sorted(v for v in values if v is not None and not math.isnan(v))
    if not data:
        return None
    pos = (len(data) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


def hit_ks(k: int) -> list[int]:
    return sorted({1, 3, k, MAX_RANK})


def metrics(scores: Sequence[ItemScore], k: int = 5) -> dict[str, Any]:
    """Every figure for one group of items."""
    scores = list(scores)
    answerable = [s for s in scores if s.answerable]
    timed = [s for s in scores if s.error is None]
    out: dict[str, Any] = {
        "n": len(scores),
        "n_answerable": len(answerable),
        "n_unanswerable": len(scores) - len(answerable),
        "n_sources": sum(len(s.source_ranks) for s in answerable),
        "errors": sum(1 for s in scores if s.error),
    }
    for kk in hit_ks(k):
        out[f"hit@{kk}"] = hit_at(scores, kk)
    for kk in sorted({k, MAX_RANK}):
        out[f"recall@{kk}"] = recall_at(scores, kk)
    out["mrr@10"] = mrr_at(scores, MAX_RANK)
    out["citation_accuracy"] = citation_accuracy(scores)
    out["n_answered"] = sum(1 for s in scores if s.citation_ok is not None)
    out["fact_coverage"] = fact_coverage(scores)
    out["n_facts"] = sum(len(s.facts_found) + len(s.facts_missing) for s in scores)
    lengths = [s.answer_chars for s in scores if s.answer_chars]
    out["median_answer_chars"] = percentile(lengths, 50)
    out.update(abstention(scores))
    out["intent_accuracy"] = intent_accuracy(scores)
    out["n_intent"] = sum(1 for s in scores if s.intent_ok is not None)
    for name in ("retrieval", "answer"):
        values = [getattr(s, f"{name}_ms") for s in timed]
        out[f"{name}_p50_ms"] = percentile(values, 50)
        out[f"{name}_p95_ms"] = percentile(values, 95)
    return out


NO_DOC = "(none)"
_ORDER = {"style": STYLES, "persona": PERSONAS}


def group_keys(item: GoldItem, by: str) -> list[str]:
    """An item may belong to several documents (one per expected source)."""
    if by == "doc":
        return item.docs or [NO_DOC]
    return [str(getattr(item, by))]


def summarize(
    results: Sequence[tuple[GoldItem, ItemScore]] | Sequence[Any],
    by: Sequence[str] = ("style", "persona", "doc", "frame", "category"),
    k: int = 5,
) -> dict[str, Any]:
    """Overall figures and the same figures per group: ``{"overall", "by_style", ...}``.

    ``results`` holds ``(item, score)`` pairs or objects with ``.item`` and ``.score``.
    """
    pairs = [(r.item, r.score) if hasattr(r, "score") else (r[0], r[1]) for r in results]
    summary: dict[str, Any] = {"k": k, "overall": metrics([s for _, s in pairs], k)}
    for dim in by:
        groups: dict[str, list[ItemScore]] = {}
        for item, score in pairs:
            for key in group_keys(item, dim):
                groups.setdefault(key, []).append(score)
        groups.pop("", None)  # frame and category are optional labels
        if not groups:
            continue
        order = _ORDER.get(dim, ())
        keys = sorted(groups, key=lambda g: (order.index(g) if g in order else len(order), g))
        summary[f"by_{dim}"] = {key: metrics(groups[key], k) for key in keys}
    return summary
