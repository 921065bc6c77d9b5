"""`nq57 rerank train`: fit the learned order of fused candidates from the question bank.

Data: the answerable questions of ``corpus/questions/*.jsonl`` (less any the held-out gold set asks
word for word) and the answerable questions of the
development gold set (``evals/gold/dev.jsonl``; follow-ups left out: they need their
conversation). The held-out gold set is read only for that exclusion; the blind set never. For each question the
retriever's fused candidates are described by ``retrieval.learned_rank.FEATURES``; a candidate
is relevant when it is from the expected document and holds the expected quote (or 80% of its
word trigrams), as the gold metrics count a hit.

The regularisation is chosen on out-of-fold ranking (folds by document, so a fold never scores
questions about a document it was trained on); the report gives hit@1 among the candidates for
the lexical rerank and for the learned order, in and out of fold, by source and style.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evals.metrics import covers
from evals.train_gate import GOLD_DEV, bank_digest
from retrieval.learned_rank import (
    RANKER_MODEL,
    RankerModel,
    first_relevant_rank,
    fit,
    lexical_scores,
)
from retrieval.questions import group_key

HELDOUT = GOLD_DEV.with_name("heldout.jsonl")
CHOICES_C = (0.01, 0.1, 1.0)
FOLDS = 5


@dataclass(frozen=True)
class RankItem:
    id: str
    question: str
    sources: tuple[tuple[str, str], ...]  # (doc, quote)
    style: str
    origin: str  # bank | dev
    # The bank file and passage: left out of the question index while the item is read.
    group: str = ""


@dataclass
class Group:
    item: RankItem
    x: np.ndarray
    y: np.ndarray

    @property
    def doc(self) -> str:
        return self.item.sources[0][0]


def heldout_questions(path: Path = HELDOUT) -> set[str]:
    """The held-out gold questions, read only to keep them out of training."""
    if not path.exists():
        return set()
    return {
        json.loads(line)["question"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }


def load_bank_items(paths: Iterable[Path], exclude: set[str] | None = None) -> list[RankItem]:
    """Answerable bank questions, except those the held-out gold set asks word for word."""
    exclude = heldout_questions() if exclude is None else exclude
    items = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON: {exc}") from exc
            if d.get("kind") != "answerable" or not d.get("quote") or d["question"] in exclude:
                continue
            items.append(
                RankItem(
                    d["id"],
                    d["question"],
                    ((d["doc"], d["quote"]),),
                    d.get("style", ""),
                    "bank",
                    group_key(path.name, d["doc"], d["quote"]),
                )
            )
    return items


def load_dev_items(path: Path = GOLD_DEV) -> list[RankItem]:
    from evals.gold_io import load_gold

    return [
        RankItem(
            g.id,
            g.question,
            tuple((s.doc, s.quote) for s in g.expected_sources),
            g.style,
            "dev",
        )
        for g in load_gold(path)
        if g.answerable and g.expected_sources and not g.history
    ]


def collect(
    retriever: Any,
    items: Sequence[RankItem],
    progress: Callable[[int, int], None] | None = None,
) -> list[Group]:
    """Feature rows and relevance labels of each question's fused candidates."""
    groups = []
    for i, item in enumerate(items):
        with retriever.questions.without({item.group} if item.group else ()):
            result = retriever.run(item.question, 10, with_features=True)
        if result.features:
            pids = list(result.features)
            x = np.asarray([result.features[p] for p in pids], dtype=float)
            y = np.asarray(
                [
                    int(
                        any(
                            covers(
                                retriever.payload(p).get("doc", ""),
                                retriever.payload(p).get("text", ""),
                                {"doc": doc, "quote": quote},
                            )
                            for doc, quote in item.sources
                        )
                    )
                    for p in pids
                ]
            )
            groups.append(Group(item, x, y))
        if progress:
            progress(i + 1, len(items))
    return groups


def _hit1(ranks: Sequence[int | None]) -> float:
    return round(sum(r == 1 for r in ranks) / len(ranks), 4) if ranks else 0.0


def _folds(groups: Sequence[Group], n: int = FOLDS) -> list[np.ndarray]:
    docs = sorted({g.doc for g in groups})
    fold_of = {d: i % n for i, d in enumerate(docs)}
    ids = np.asarray([fold_of[g.doc] for g in groups])
    return [ids == k for k in range(n) if (ids == k).any()]


def out_of_fold(groups: Sequence[Group], c: float) -> list[int | None]:
    ranks: list[int | None] = [None] * len(groups)
    for test in _folds(groups):
        train = [g for g, t in zip(groups, test, strict=True) if not t]
        model = fit([(g.x, g.y) for g in train], c)
        for i in np.nonzero(test)[0]:
            ranks[i] = first_relevant_rank(model.scores(groups[i].x), groups[i].y)
    return ranks


def _by(groups: Sequence[Group], ranks: Sequence[int | None], key: str) -> dict[str, float]:
    buckets: dict[str, list[int | None]] = defaultdict(list)
    for g, r in zip(groups, ranks, strict=True):
        buckets[getattr(g.item, key) or "-"].append(r)
    return {k: _hit1(v) for k, v in sorted(buckets.items())}


def train(
    retriever: Any,
    items: Sequence[RankItem],
    digest: str,
    out: Path = RANKER_MODEL,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Collect, choose the regularisation out of fold, fit on everything, write the JSON model;
    returns the report (also stored in the model's ``meta``)."""
    groups = [g for g in collect(retriever, items, progress) if g.y.any()]
    learnable = [g for g in groups if not g.y.all()]
    if not learnable:
        raise ValueError("no question has a relevant passage among irrelevant candidates")
    oof = {c: out_of_fold(learnable, c) for c in CHOICES_C}
    best_c = max(CHOICES_C, key=lambda c: (_hit1(oof[c]), -c))
    model = fit([(g.x, g.y) for g in learnable], best_c)
    lexical = [first_relevant_rank(lexical_scores(g.x), g.y) for g in learnable]
    learned = [first_relevant_rank(model.scores(g.x), g.y) for g in learnable]
    model.meta = {
        "bank_digest": digest,
        "questions": len(items),
        "with_relevant_candidate": len(groups),
        "trained_on": len(learnable),
        "c": best_c,
        "hit@1_among_candidates": {
            "lexical": _hit1(lexical),
            "learned_in_sample": _hit1(learned),
            "learned_out_of_fold": {str(c): _hit1(r) for c, r in oof.items()},
        },
        "out_of_fold_by_style": {
            "lexical": _by(learnable, lexical, "style"),
            "learned": _by(learnable, oof[best_c], "style"),
        },
        "out_of_fold_by_origin": {
            "lexical": _by(learnable, lexical, "origin"),
            "learned": _by(learnable, oof[best_c], "origin"),
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n")
    return model.meta


def training_digest(bank: Sequence[Path]) -> str:
    """The digest the shipped model records: the bank files it learns from (those that tie
    questions to passages), the development gold set, and the held-out set that decides which
    bank questions are left out."""
    return bank_digest([*[p for p in bank if load_bank_items([p])], GOLD_DEV, HELDOUT])


__all__ = ["RankItem", "RankerModel", "collect", "train", "training_digest"]
