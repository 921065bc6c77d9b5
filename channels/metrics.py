"""Prometheus metrics, one registry per app so several apps (tests, workers) never collide."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter(
            "nq57_http_requests", "HTTP requests by route and status.",
            ["method", "route", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "nq57_http_request_duration_seconds", "Time to the end of the response body.",
            ["route"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.answers = Counter(
            "nq57_answers", "Answers given, by intent.", ["intent", "channel"], registry=r
        )
        self.abstentions = Counter(
            "nq57_abstentions", "Answers that gave no answer from the corpus.", ["channel"],
            registry=r,
        )  # fmt: skip
        self.feedback = Counter(
            "nq57_feedback", "User feedback on answers, by rating.", ["rating"], registry=r
        )
        self.errors = Counter(
            "nq57_errors", "Unexpected failures, by where they happened.", ["where"], registry=r
        )

    def track_storage(self, storage: object) -> None:
        """Gauges of the conversation store's write queue (channels.resilient.GuardedStorage)."""
        for name, doc, attr in (
            ("nq57_storage_queued", "Writes waiting for the database.", "queued"),
            ("nq57_storage_dropped", "Writes skipped because the queue was full.", "dropped"),
            ("nq57_storage_rejected", "Writes the database refused.", "rejected"),
        ):
            gauge = Gauge(name, doc, registry=self.registry)
            gauge.set_function(lambda attr=attr: float(getattr(storage, attr, 0)))

    def observe_answer(self, intent: str, abstained: bool, channel: str = "web") -> None:
        self.answers.labels(intent=intent, channel=channel).inc()
        if abstained:
            self.abstentions.labels(channel=channel).inc()

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Counts every HTTP request by its route template (not its raw path, to bound labels)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            self.metrics.requests.labels(
                method=scope.get("method", ""), route=label, status=str(status)
            ).inc()
            self.metrics.latency.labels(route=label).observe(time.perf_counter() - start)
