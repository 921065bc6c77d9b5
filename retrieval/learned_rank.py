"""A learned order for the fused candidates (learning to rank, pure functions and a JSON model).

Rank fusion knows only ranks, and the hand-weighted lexical rerank only word overlap; neither
knows that a question about one actor's tasks wants that actor's item ("IV.2"), not the whole
section ("IV"). Each candidate is described by what retrieval already computes — dense cosine,
sparse score, fused score and rank, word and word-pair coverage, heading matches, whether it
holds an answer of the asked kind, its length and how deep its locator is — all relative to the
question's other candidates, so the same weights read any corpus. A pairwise logistic model
learned from the question bank (``nq57 rerank train``) weighs them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nq57.text import fold

RANKER_MODEL = Path(__file__).with_name("models") / "ranker.json"

FEATURES = (
    "fused",  # RRF score over the best one
    "fused_rank",  # 1 / (1 + rank) in the fused list
    "dense",  # cosine minus the best cosine (the worst seen when outside the dense list)
    "dense_rank",  # 1 / (1 + rank) in the dense list, 0 outside it
    "sparse",  # sparse score over the best one, 0 outside the sparse list
    "coverage",  # IDF-weighted share of the question's words in the passage and headings
    "pairs",  # share of the question's word pairs in the passage itself
    "heading",  # IDF-weighted share of the question's words in the headings alone
    "lead",  # share of the question's word pairs in the opening words of one of its items
    "answer",  # holds something of the asked kind (a number, a date, an agency)
    "unit",  # holds the unit a number question asks for ("tỷ đồng", "%")
    "length",  # log of the passage length
    "depth",  # how deep the locator is: a point or item (deep) vs a whole section
    "focus",  # from a document the question names or describes
)

_DEPTH_SPLIT = re.compile(r"\.|,| khoản | điểm ")
_LABEL_LINE = re.compile(r"^(?:[a-zđ]|\d+)[.)]\s", re.MULTILINE)
LEAD_WORDS = 12


@lru_cache(maxsize=50_000)
def leads(text: str) -> tuple[str, ...]:
    """The opening words of each labelled item of a passage ("2. Đảng đoàn Quốc hội lãnh đạo
    …"), or of the passage itself: where an item names its actor or subject."""
    starts = [m.start() for m in _LABEL_LINE.finditer(text)] or [0]
    return tuple(" ".join(text[i:].split("\n", 1)[0].split()[:LEAD_WORDS]) for i in starts)


def locator_depth(locator: str) -> int:
    """ "IV" → 1, "IV.2" → 2, "Điều 3 khoản 2 điểm b" → 3, "Phụ lục II, nhiệm vụ 44" → 2."""
    return len([p for p in _DEPTH_SPLIT.split(locator) if p.strip()]) if locator else 0


@lru_cache(maxsize=50_000)
def has_unit(unit: str, text: str) -> bool:
    """``text`` (any case or accents) holds the asked unit; true when none was asked."""
    if not unit:
        return True
    folded = fold(text).lower()
    return (
        unit in folded if unit == "%" else re.search(rf"\b{re.escape(unit)}\b", folded) is not None
    )


@dataclass(frozen=True)
class Candidate:
    """The raw signals of one candidate; ``features`` makes them relative to the others."""

    fused: float
    fused_rank: int
    dense: float | None
    dense_rank: int | None
    sparse: float | None
    coverage: float
    pairs: float
    heading: float
    lead: float
    answer: bool
    unit: bool
    length: int
    depth: int
    focus: bool


def features(candidates: Sequence[Candidate]) -> np.ndarray:
    """One row of ``FEATURES`` per candidate, normalised within the question."""
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    top_fused = max(c.fused for c in candidates) or 1.0
    cosines = [c.dense for c in candidates if c.dense is not None]
    best_cos = max(cosines) if cosines else 0.0
    worst_cos = min(cosines) if cosines else 0.0
    top_sparse = max((c.sparse for c in candidates if c.sparse), default=0.0) or 1.0
    rows = [
        [
            c.fused / top_fused,
            1.0 / (1 + c.fused_rank),
            (c.dense if c.dense is not None else worst_cos) - best_cos,
            1.0 / (1 + c.dense_rank) if c.dense_rank is not None else 0.0,
            (c.sparse or 0.0) / top_sparse,
            c.coverage,
            c.pairs,
            c.heading,
            c.lead,
            float(c.answer),
            float(c.unit),
            math.log1p(c.length) / 7.0,
            min(c.depth, 5) / 5.0,
            float(c.focus),
        ]
        for c in candidates
    ]
    return np.asarray(rows, dtype=float)


@dataclass
class RankerModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    names: list[str] = field(default_factory=lambda: list(FEATURES))
    meta: dict[str, Any] = field(default_factory=dict)

    def scores(self, x: np.ndarray) -> np.ndarray:
        """A score in (0, 1) per row; only the order within one question is meaningful."""
        if not len(x):
            return np.zeros(0)
        z = ((x - self.mean) / self.scale) @ self.coef
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self) -> dict[str, Any]:
        return {
            "features": self.names,
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RankerModel:
        names = list(data["features"])
        if names != list(FEATURES):
            raise ValueError(
                f"ranker model features {names} differ from {list(FEATURES)}: "
                "run `nq57 rerank train`"
            )
        arrays = [np.asarray(data[k], dtype=float) for k in ("mean", "scale", "coef")]
        if any(a.shape != (len(names),) for a in arrays):
            raise ValueError("ranker model: mean, scale and coef need one value per feature")
        return cls(*arrays, names=names, meta=dict(data.get("meta") or {}))

    @classmethod
    def load(cls, path: Path = RANKER_MODEL) -> RankerModel | None:
        if not path.exists():
            return None
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def pairwise(
    groups: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Differences (relevant − other) and their mirror images, for every question that has
    both: a logistic model on them learns a score whose order puts relevant passages first."""
    diffs = []
    for x, y in groups:
        pos, neg = x[y == 1], x[y == 0]
        if not len(pos) or not len(neg):
            continue
        diffs.append((pos[:, None, :] - neg[None, :, :]).reshape(-1, x.shape[1]))
    if not diffs:
        raise ValueError("no question has both a relevant and an irrelevant candidate")
    d = np.concatenate(diffs)
    return np.concatenate([d, -d]), np.concatenate([np.ones(len(d)), np.zeros(len(d))])


def fit(
    groups: Sequence[tuple[np.ndarray, np.ndarray]], c: float = 1.0, meta: dict | None = None
) -> RankerModel:
    """Standardise over every candidate, then fit the pairwise logistic model (no intercept:
    only differences matter)."""
    from sklearn.linear_model import LogisticRegression

    every = np.concatenate([x for x, _ in groups])
    mean = every.mean(axis=0)
    scale = every.std(axis=0)
    scale[scale < 1e-9] = 1.0
    standard = [((x - mean) / scale, y) for x, y in groups]
    d, t = pairwise(standard)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=2000)
    model.fit(d, t)
    return RankerModel(mean, scale, model.coef_[0], meta=dict(meta or {}))


# The hand-weighted lexical rerank, read from the same rows: fused/top + 0.3 × (coverage + pairs)/2.
_LEXICAL = {"fused": 1.0, "coverage": 0.15, "pairs": 0.15}


def lexical_scores(x: np.ndarray) -> np.ndarray:
    """The lexical rerank's score of each row (``Retriever._lexical_rerank``)."""
    if not len(x):
        return np.zeros(0)
    return sum(w * x[:, FEATURES.index(name)] for name, w in _LEXICAL.items())


def first_relevant_rank(scores: np.ndarray, y: np.ndarray) -> int | None:
    """1-based rank of the best relevant candidate when ordered by ``scores`` (stable)."""
    order = np.argsort(-scores, kind="stable")
    hits = np.nonzero(y[order] == 1)[0]
    return int(hits[0]) + 1 if len(hits) else None
