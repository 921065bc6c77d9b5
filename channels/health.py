"""Readiness: what works and what does not, without hosts, driver messages or secrets.

Liveness (/healthz) says the process answers. Readiness (/readyz) is 503 only while the service
cannot answer questions (the index is not loaded); a conversation store, Redis or a messenger
channel that is down makes it "degraded": answers go on, and the components say what is lost.
Details (with hosts) go to the log, which only operators read.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.storage import StorageError

log = logging.getLogger("nq57.health")


def readiness(state: Any) -> tuple[int, dict[str, Any]]:
    components: dict[str, Any] = {}
    reasons: list[str] = []

    if state.assistant is None:
        components["index"] = "failed" if state.load_error else "loading"
        reasons.append("index not loaded")
    else:
        components["index"] = "ok"

    storage = state.storage
    if storage is None:
        components["storage"] = {"state": "off"}
    else:
        try:
            storage.ping()
            if not storage.migrated:
                storage.migrate()
            components["storage"] = {"state": "ok"}
        except StorageError as exc:
            log.warning("readiness: conversation store unavailable: %s", exc)
            components["storage"] = {"state": "down"}
            reasons.append("conversation store unavailable: answers are not logged")
        status = getattr(storage, "status", None)
        if callable(status):
            components["storage"] |= {
                k: v for k, v in status().items() if k in ("circuit", "queued", "dropped")
            }

    budgets = getattr(state, "budgets", None)
    if budgets is not None:
        components["rate_limit"] = budgets.status()
        if budgets.degraded:
            reasons.append("Redis unavailable: rate limits are per process")

    channels = state.extra.get("channels", {})
    if channels:
        components["channels"] = {}
        for name, channel in channels.items():
            info = channel.status() if hasattr(channel, "status") else {"state": "ok"}
            components["channels"][name] = info
            if info.get("state") != "ok":
                reasons.append(f"channel {name} not running")
            if "unavailable" in str(info.get("dedup", "")):
                reasons.append(f"channel {name}: replays checked in this process only")

    if state.assistant is None:
        return 503, {"status": "unavailable", "components": components, "reasons": reasons}
    status = "degraded" if reasons else "ready"
    return 200, {"status": status, "components": components, "reasons": reasons}
