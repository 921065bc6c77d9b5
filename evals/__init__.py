"""Evaluation: gold sets, metrics, reports, ALQAC benchmark and latency benchmark."""

from evals.gold_io import GoldItem, load_gold
from evals.metrics import summarize
from evals.report import write_report
from evals.runner import RunResult, run_gold

__all__ = ["GoldItem", "RunResult", "load_gold", "run_gold", "summarize", "write_report"]
