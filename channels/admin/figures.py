"""The programme's figures for a period: reach, outcomes, satisfaction, latency, topics, gaps.

Pure: takes the period's exchanges (channels.admin.exchanges) and returns plain data that the
dashboard, the reports, the CSV and /api/admin/stats all show, so they always agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from channels.admin.exchanges import (
    ANSWERED,
    DECLINED,
    FAILED,
    NOT_FOUND,
    OUTCOME_LABELS,
    Exchange,
    decline_category,
)
from channels.admin.grouping import Group, group_items
from channels.admin.period import Period

GAP_NOT_IN_CORPUS, GAP_DECLINED, GAP_BAD = "not_in_corpus", "declined", "answered_badly"
GAP_LABELS = {
    GAP_NOT_IN_CORPUS: "Chưa có trong kho văn bản",
    GAP_DECLINED: "Bị từ chối",
    GAP_BAD: "Trả lời chưa tốt (👎)",
}


@dataclass
class Filters:
    channel: str | None = None
    document: str | None = None  # a document number as cited ("57-NQ/TW")
    topic: str | None = None  # "57-NQ/TW · Mục II"

    def keep(self, ex: Exchange) -> bool:
        if self.channel and ex.channel != self.channel:
            return False
        if self.document and self.document not in ex.documents:
            return False
        return not (self.topic and self.topic not in ex.topics)

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def p95(values: list[float]) -> float | None:
    return round(float(np.percentile(values, 95)), 1) if values else None


def gap_kind(ex: Exchange) -> str | None:
    if ex.outcome == NOT_FOUND:
        return GAP_NOT_IN_CORPUS
    if ex.outcome == DECLINED:
        return GAP_DECLINED
    if ex.rating == "down":
        return GAP_BAD
    return None


def compute(
    exchanges: list[Exchange],
    period: Period,
    filters: Filters | None = None,
    embedder: Any = None,
    threshold: float = 0.95,
    top: int = 20,
) -> dict[str, Any]:
    filters = filters or Filters()
    chosen = [ex for ex in exchanges if filters.keep(ex)]
    per_day = Counter(ex.day for ex in chosen)
    outcomes = Counter(ex.outcome for ex in chosen)
    declined = Counter(
        decline_category(ex.intent, ex.reason) for ex in chosen if ex.outcome == DECLINED
    )
    ratings = Counter(ex.rating for ex in chosen if ex.rating)
    rated = ratings["up"] + ratings["down"]
    latencies = [ex.latency_ms for ex in chosen if ex.latency_ms is not None]
    users = {ex.user_key or f"conv:{ex.conversation_id}" for ex in chosen}
    answers = [ex for ex in chosen if ex.outcome != FAILED]
    by_channel: dict[str, dict[str, int]] = {}
    for ex in chosen:
        row = by_channel.setdefault(ex.channel, {"questions": 0, "conversations": 0, "users": 0})
        row["questions"] += 1
    for name in by_channel:
        mine = [ex for ex in chosen if ex.channel == name]
        by_channel[name]["conversations"] = len({ex.conversation_id for ex in mine})
        by_channel[name]["users"] = len(
            {ex.user_key or f"conv:{ex.conversation_id}" for ex in mine}
        )
    documents = Counter(d for ex in chosen if ex.outcome == ANSWERED for d in ex.documents)
    topics = Counter(t for ex in chosen if ex.outcome == ANSWERED for t in ex.topics)
    groups = group_items(
        ((ex.question, ex) for ex in chosen if ex.outcome != FAILED),
        embedder,
        threshold,
    )
    gaps = gap_groups(chosen, embedder, threshold)
    comments = [
        {
            "day": ex.day.isoformat(),
            "rating": ex.rating,
            "question": ex.question,
            "comment": ex.comment,
            "channel": ex.channel,
        }
        for ex in sorted(chosen, key=lambda e: e.asked_at, reverse=True)
        if ex.rating and ex.comment
    ][:100]
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "filters": filters.as_dict(),
        "reach": {
            "users": len(users),
            "conversations": len({ex.conversation_id for ex in chosen}),
            "questions": len(chosen),
            "by_channel": dict(sorted(by_channel.items())),
        },
        "per_day": [{"day": d.isoformat(), "questions": per_day.get(d, 0)} for d in period.days()],
        "outcomes": {k: outcomes.get(k, 0) for k in OUTCOME_LABELS},
        "declined": dict(declined.most_common()),
        "satisfaction": {
            "up": ratings["up"],
            "down": ratings["down"],
            "rated": rated,
            "up_share": round(ratings["up"] / rated, 4) if rated else None,
            "comments": comments,
        },
        "latency": {"p95_ms": p95(latencies), "answers": len(latencies)},
        "availability": {
            "questions": len(chosen),
            "answered_without_error": len(answers),
            "share": round(len(answers) / len(chosen), 4) if chosen else None,
        },
        "documents": [{"document": k, "answers": v} for k, v in documents.most_common()],
        "topics": [{"topic": k, "answers": v} for k, v in topics.most_common(top)],
        "top_questions": [group_row(g) for g in groups[:top]],
        "gaps": [gap_row(kind, g) for kind, g in gaps],
        "curated_used": sum(1 for ex in chosen if ex.curated_id),
    }


def gap_groups(
    exchanges: list[Exchange], embedder: Any = None, threshold: float = 0.95
) -> list[tuple[str, Group]]:
    """Unanswered, declined and 👎 questions, grouped within each kind, largest first."""
    out: list[tuple[str, Group]] = []
    for kind in GAP_LABELS:
        items = ((ex.question, ex) for ex in exchanges if gap_kind(ex) == kind)
        out.extend((kind, g) for g in group_items(items, embedder, threshold))
    out.sort(key=lambda kg: (-kg[1].count, kg[1].example))
    return out


def group_row(g: Group) -> dict[str, Any]:
    return {
        "key": g.key,
        "example": g.example,
        "count": g.count,
        "variants": [{"text": t, "count": n} for t, n in g.variants[:10]],
    }


def gap_row(kind: str, g: Group) -> dict[str, Any]:
    comments = [m.comment for m in g.members if m.comment][:5]
    row = group_row(g) | {"kind": kind, "label": GAP_LABELS[kind], "comments": comments}
    row["key"] = f"{kind}-{g.key}"  # the same wording can be a gap of two kinds
    return row
