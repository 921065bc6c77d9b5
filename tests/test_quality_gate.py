"""CI quality gate: a fast slice of the gold sets through the real assistant, with thresholds.

`make eval` runs everything; this keeps a regression from landing unnoticed. The thresholds are
below the full-run figures reported in the README so that the slice's sampling noise does not
fail a good change, and far above what a broken retriever or gate would score.
"""

from __future__ import annotations

from pathlib import Path

from evals.compare import check_thresholds
from evals.gold_io import load_gold
from evals.inprocess import runtime_backend
from evals.runner import run_gold

GOLD = Path(__file__).resolve().parents[1] / "evals" / "gold"


def test_gold_slice_meets_thresholds(runtime):
    items = [it for i, it in enumerate(load_gold(GOLD / "heldout.jsonl")) if i % 2 == 0]
    items += [it for i, it in enumerate(load_gold(GOLD / "dev.jsonl")) if i % 4 == 0]
    run = run_gold(items, runtime_backend(runtime), k=5)
    failed = check_thresholds(
        run.summary,
        {
            "min_hit5": 0.85,
            "min_citation": 0.65,
            "min_facts": 0.6,
            "min_abstention_precision": 0.85,
            "min_abstention_recall": 0.9,
            "max_false_abstention": 0.1,
        },
    )
    assert not failed, failed
    assert not [r for r in run.items if r.run.error], "items raised errors"
