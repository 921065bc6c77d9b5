"""Charts drawn on the server as inline SVG (matplotlib): no script, no network, printable."""

from __future__ import annotations

import io
import threading
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from channels.admin.exchanges import OUTCOME_LABELS

# pyplot's state is global: one chart at a time.
_LOCK = threading.Lock()
COLORS = {
    "answered": "#2e7d32",
    "not_found": "#f9a825",
    "declined": "#c62828",
    "smalltalk": "#78909c",
    "failed": "#424242",
}


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def per_day_chart(per_day: list[dict]) -> str:
    with _LOCK, plt.rc_context({"svg.fonttype": "none", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(8, 2.6))
        days = [d["day"][8:10] + "/" + d["day"][5:7] for d in per_day]
        ax.bar(range(len(days)), [d["questions"] for d in per_day], color="#1565c0")
        step = max(1, len(days) // 15)
        ax.set_xticks(range(0, len(days), step), days[::step], rotation=45, ha="right")
        ax.set_ylabel("Số câu hỏi")
        ax.spines[["top", "right"]].set_visible(False)
        return _svg(fig)


def outcome_chart(outcomes: dict[str, int]) -> str:
    with _LOCK, plt.rc_context({"svg.fonttype": "none", "font.size": 9}):
        fig, ax = plt.subplots(figsize=(6, 2.4))
        keys = [k for k in OUTCOME_LABELS if outcomes.get(k)] or list(OUTCOME_LABELS)
        ax.barh(
            [OUTCOME_LABELS[k] for k in keys],
            [outcomes.get(k, 0) for k in keys],
            color=[COLORS[k] for k in keys],
        )
        ax.invert_yaxis()
        ax.set_xlabel("Số câu hỏi")
        ax.spines[["top", "right"]].set_visible(False)
        return _svg(fig)
