"""Compare two results.json files item by item, and check a summary against thresholds."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Threshold name → (summary key, direction). hit/recall/mrr names also accept any k (min_hit3).
THRESHOLDS: dict[str, tuple[str, str]] = {
    "min_hit5": ("hit@5", "min"),
    "min_recall5": ("recall@5", "min"),
    "min_mrr10": ("mrr@10", "min"),
    "min_citation": ("citation_accuracy", "min"),
    "min_facts": ("fact_coverage", "min"),
    "min_abstention_precision": ("abstention_precision", "min"),
    "min_abstention_recall": ("abstention_recall", "min"),
    "max_false_abstention": ("false_abstention", "max"),
    "max_p95_ms": ("answer_p95_ms", "max"),
    "min_intent": ("intent_accuracy", "min"),
    "max_retrieval_p95_ms": ("retrieval_p95_ms", "max"),
}
_AT_K = re.compile(r"^min_(hit|recall|mrr)(\d+)$")

# Metrics whose rise is a regression.
_LOWER_IS_BETTER = {"false_abstention", "errors"}
_DELTA_SKIP = {"k", "confusion"}


def threshold_key(name: str) -> tuple[str, str]:
    if name in THRESHOLDS:
        return THRESHOLDS[name]
    m = _AT_K.match(name)
    if m:
        return f"{m.group(1)}@{m.group(2)}", "min"
    raise KeyError(f"unknown threshold '{name}'; known: {sorted(THRESHOLDS)}")


def _overall(summary: Mapping[str, Any]) -> Mapping[str, Any]:
    """Accept a results.json, a summary (with "overall") or a bare metrics dict."""
    if "summary" in summary:
        summary = summary["summary"]
    return summary.get("overall", summary)


def check_thresholds(summary: Mapping[str, Any], thresholds: Mapping[str, float]) -> list[str]:
    """Failed thresholds as readable lines; empty when every threshold holds.

    A figure that cannot be measured (no items to measure it on) fails its threshold: a gate
    that silently passes on missing data would hide a broken run.
    """
    overall = _overall(summary)
    failed = []
    for name, limit in thresholds.items():
        key, direction = threshold_key(name)
        value = overall.get(key)
        if value is None:
            failed.append(f"{name}: {key} not measurable on this run (limit {limit})")
        elif direction == "min" and value < limit:
            failed.append(f"{name}: {key} = {value:.4g} < {limit}")
        elif direction == "max" and value > limit:
            failed.append(f"{name}: {key} = {value:.4g} > {limit}")
    return failed


@dataclass
class Change:
    id: str
    kind: str  # hit_lost, abstained, fact_lost, intent_changed, citation_lost, error, ...
    detail: str
    question: str = ""


@dataclass
class Delta:
    metric: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old

    @property
    def worse(self) -> bool:
        d = self.delta
        if d is None or abs(d) < 1e-12:
            return False
        return d > 0 if self.metric in _LOWER_IS_BETTER or self.metric.endswith("_ms") else d < 0


@dataclass
class Comparison:
    k: int
    regressions: list[Change] = field(default_factory=list)
    improvements: list[Change] = field(default_factory=list)
    deltas: list[Delta] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressions)


def _hit(rec: Mapping[str, Any], k: int) -> bool:
    rank = rec.get("hit_rank")
    return rank is not None and rank <= k


def _item_changes(old: Mapping, new: Mapping, k: int) -> tuple[list[Change], list[Change]]:
    worse: list[Change] = []
    better: list[Change] = []
    iid, q = str(new.get("id")), str(new.get("question", ""))

    def add(bucket: list[Change], kind: str, detail: str) -> None:
        bucket.append(Change(id=iid, kind=kind, detail=detail, question=q))

    if new.get("error") and not old.get("error"):
        add(worse, "error", str(new["error"]))
    if new.get("answerable", True):
        was, now = _hit(old, k), _hit(new, k)
        if was and not now:
            add(worse, "hit_lost", f"hit@{k}: hạng {old.get('hit_rank')} → {new.get('hit_rank')}")
        elif now and not was:
            add(
                better, "hit_gained", f"hit@{k}: hạng {old.get('hit_rank')} → {new.get('hit_rank')}"
            )
        if not old.get("abstained") and new.get("abstained"):
            add(worse, "abstained", "đã trả lời → từ chối")
        elif old.get("abstained") and not new.get("abstained"):
            add(better, "answered", "từ chối → đã trả lời")
        if old.get("citation_ok") is True and new.get("citation_ok") is False:
            add(worse, "citation_lost", "trích dẫn không còn khớp nguồn")
        lost = [f for f in old.get("facts_found", []) if f not in new.get("facts_found", [])]
        gained = [f for f in new.get("facts_found", []) if f not in old.get("facts_found", [])]
        if lost:
            add(worse, "fact_lost", "mất ý: " + "; ".join(lost))
        if gained:
            add(better, "fact_gained", "thêm ý: " + "; ".join(gained))
    else:
        if old.get("abstained") and not new.get("abstained"):
            add(worse, "answered_unanswerable", "từ chối → trả lời câu không có đáp án")
        elif not old.get("abstained") and new.get("abstained"):
            add(better, "abstained_correctly", "trả lời → từ chối đúng")
    if old.get("intent") != new.get("intent"):
        expected = new.get("expected_intent") or ("answer" if new.get("answerable", True) else None)
        detail = f"ý định {old.get('intent')!r} → {new.get('intent')!r}"
        if expected and new.get("intent") == expected:
            add(better, "intent_changed", detail)
        else:
            add(worse, "intent_changed", detail)
    return worse, better


def _flat_metrics(summary: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in _overall(summary).items():
        if key not in _DELTA_SKIP and (value is None or isinstance(value, int | float)):
            out[key] = value
    return out


def compare(old_results_json: Mapping[str, Any], new_results_json: Mapping[str, Any]) -> Comparison:
    k = int(new_results_json.get("k", old_results_json.get("k", 5)))
    old_items = {str(r["id"]): r for r in old_results_json.get("items", [])}
    new_items = {str(r["id"]): r for r in new_results_json.get("items", [])}
    comp = Comparison(
        k=k,
        added=[i for i in new_items if i not in old_items],
        removed=[i for i in old_items if i not in new_items],
    )
    for iid, new in new_items.items():
        if iid in old_items:
            worse, better = _item_changes(old_items[iid], new, k)
            comp.regressions += worse
            comp.improvements += better
    old_m = _flat_metrics(old_results_json.get("summary", {}))
    new_m = _flat_metrics(new_results_json.get("summary", {}))
    for key in [*old_m, *(m for m in new_m if m not in old_m)]:
        comp.deltas.append(Delta(metric=key, old=old_m.get(key), new=new_m.get(key)))
    return comp


def _num(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.1f}" if abs(v) >= 10 else f"{v:.3f}"


def render_comparison(comp: Comparison) -> str:
    lines = ["Chỉ số (cũ → mới, chênh lệch):"]
    for d in comp.deltas:
        delta = d.delta
        sign = "" if delta is None else f"{delta:+.3f}" if abs(delta) < 10 else f"{delta:+.1f}"
        flag = "  ▼ kém đi" if d.worse else ""
        lines.append(f"  {d.metric:<22} {_num(d.old):>9} → {_num(d.new):>9}  {sign}{flag}")
    lines.append("")
    lines.append(f"{len(comp.regressions)} hồi quy, {len(comp.improvements)} cải thiện")
    for c in comp.regressions:
        lines.append(f"  ✗ {c.id} [{c.kind}] {c.detail} — {c.question}")
    for c in comp.improvements:
        lines.append(f"  ✓ {c.id} [{c.kind}] {c.detail}")
    if comp.added:
        lines.append("Câu mới: " + ", ".join(comp.added))
    if comp.removed:
        lines.append("Câu bị bỏ: " + ", ".join(comp.removed))
    return "\n".join(lines)
