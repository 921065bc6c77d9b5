"""Run a gold set through a backend (in-process callables or a running `nq57 serve`)."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from .gold_io import GoldItem
from .metrics import MAX_RANK, ItemScore, score_item, summarize

SNIPPET_CHARS = 240


@dataclass
class ItemRun:
    retrieved: list[dict]  # each {doc, locator, text, score} in rank order (top 10)
    answer: dict  # Answer.to_dict() shape: text, intent, abstained, citations[...]
    retrieval_ms: float = 0.0
    answer_ms: float = 0.0
    error: str | None = None


class Backend(Protocol):
    def run(self, question: str, history: list[dict]) -> ItemRun: ...


def _as_dict(obj: Any) -> dict:
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    raise TypeError(f"expected a mapping or an object with to_dict(), got {type(obj).__name__}")


def normalize_hits(hits: Sequence[Any]) -> list[dict]:
    """Hits from search (dicts, `Hit` objects or the HTTP shape) → {doc, locator, text, score}."""
    out = []
    for hit in list(hits)[:MAX_RANK]:
        d = _as_dict(hit)
        out.append(
            {
                "doc": str(d.get("doc") or ""),
                "doc_number": str(d.get("doc_number") or ""),
                "locator": str(d.get("locator") or ""),
                "text": str(d.get("text") or ""),
                "score": float(d.get("score") or 0.0),
                "chunk_id": str(d.get("chunk_id") or ""),
            }
        )
    return out


def normalize_answer(answer: Any) -> dict:
    """`Answer` objects, `Answer.to_dict()` or the /api/chat reply → the Answer.to_dict() shape."""
    d = _as_dict(answer)
    text = d.get("text")
    if text is None:
        text = d.get("answer")
    citations = []
    for c in d.get("citations") or []:
        c = _as_dict(c)
        citations.append(
            {
                "doc": str(c.get("doc") or ""),
                "doc_number": str(c.get("doc_number") or ""),
                "locator": str(c.get("locator") or ""),
                "quote": str(c.get("quote") or ""),
                "url": str(c.get("url") or ""),
            }
        )
    return {
        "text": str(text or ""),
        "intent": str(d.get("intent") or ""),
        "abstained": bool(d.get("abstained", False)),
        "citations": citations,
    }


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class CallableBackend:
    """Times two in-process callables: ``search(question, history)`` and ``ask(...)``."""

    name = "in-process"

    def __init__(
        self,
        search: Callable[[str, list[dict]], Sequence[Any]],
        ask: Callable[[str, list[dict]], Any],
    ) -> None:
        self._search = search
        self._ask = ask

    def run(self, question: str, history: list[dict]) -> ItemRun:
        run = ItemRun(retrieved=[], answer={})
        try:
            start = time.perf_counter()
            hits = self._search(question, history)
            run.retrieval_ms = (time.perf_counter() - start) * 1000
            run.retrieved = normalize_hits(hits)
            start = time.perf_counter()
            answer = self._ask(question, history)
            run.answer_ms = (time.perf_counter() - start) * 1000
            run.answer = normalize_answer(answer)
        except Exception as exc:  # one broken item must not stop the run
            run.error = _describe(exc)
        return run


class HttpBackend:
    """Against a running `nq57 serve`: GET /api/search and POST /api/chat per item."""

    name = "http"

    def __init__(self, url: str, timeout: float = 30.0, client: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self._client = client or httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            body = response.text[:200].replace("\n", " ")
            raise RuntimeError(
                f"{response.request.method} {response.request.url.path} → HTTP "
                f"{response.status_code}: {body}"
            )
        return response.json()

    def run(self, question: str, history: list[dict]) -> ItemRun:
        run = ItemRun(retrieved=[], answer={})
        try:
            start = time.perf_counter()
            data = self._json(
                self._client.get(f"{self.url}/api/search", params={"q": question, "k": MAX_RANK})
            )
            run.retrieval_ms = (time.perf_counter() - start) * 1000
            hits = data.get("hits", data.get("results", [])) if isinstance(data, dict) else data
            run.retrieved = normalize_hits(hits)
            payload: dict[str, Any] = {"message": question}
            if history:
                payload["history"] = history
            start = time.perf_counter()
            reply = self._json(self._client.post(f"{self.url}/api/chat", json=payload))
            run.answer_ms = (time.perf_counter() - start) * 1000
            run.answer = normalize_answer(reply)
        except Exception as exc:
            run.error = _describe(exc)
        return run


@dataclass
class ItemResult:
    item: GoldItem
    run: ItemRun
    score: ItemScore

    def to_record(self, k: int = 5) -> dict:
        """One entry of results.json: what was asked, expected, retrieved, answered and why."""
        item, run, score = self.item, self.run, self.score
        covered = [
            {"doc": s.doc, "section": s.section, "rank": r}
            for s, r in zip(item.expected_sources, score.source_ranks, strict=True)
            if r is not None
        ]
        reasons = failure_reasons(item, score, k)
        return {
            "id": item.id,
            "question": item.question,
            "style": item.style,
            "persona": item.persona,
            "answerable": item.answerable,
            "notes": item.notes,
            "history": item.history,
            "expected_sources": [
                {"doc": s.doc, "section": s.section, "quote": s.quote}
                for s in item.expected_sources
            ],
            "answer_facts": item.answer_facts,
            "docs": item.docs,
            "hit_rank": score.first_rank,
            "source_ranks": score.source_ranks,
            f"hit@{k}": score.hit(k) if item.answerable else None,
            "covered_sources": covered,
            "retrieved": [
                {**h, "text": h["text"][:SNIPPET_CHARS], "rank": i}
                for i, h in enumerate(run.retrieved, start=1)
            ],
            "answer": run.answer.get("text", ""),
            "intent": score.intent,
            "expected_intent": score.expected_intent,
            "abstained": score.abstained,
            "citations": run.answer.get("citations", []),
            "citation_ok": score.citation_ok,
            "facts_found": score.facts_found,
            "facts_missing": score.facts_missing,
            "retrieval_ms": round(run.retrieval_ms, 3),
            "answer_ms": round(run.answer_ms, 3),
            "error": run.error,
            "passed": not reasons,
            "reasons": reasons,
        }


def failure_reasons(item: GoldItem, score: ItemScore, k: int = 5) -> list[str]:
    """Why an item failed, in Vietnamese for QA staff; empty when it passed."""
    reasons: list[str] = []
    if score.error:
        reasons.append(f"lỗi khi chạy: {score.error}")
    if item.answerable:
        if not score.hit(k):
            where = f"hạng {score.first_rank}" if score.first_rank else f"ngoài top {MAX_RANK}"
            reasons.append(f"không có nguồn mong đợi trong top {k} ({where})")
        if score.abstained:
            reasons.append("từ chối trả lời một câu hỏi có đáp án")
        elif score.citation_ok is False:
            reasons.append("trích dẫn không khớp nguồn mong đợi nào")
        if score.facts_missing:
            reasons.append("thiếu ý: " + "; ".join(score.facts_missing))
    else:
        if not score.abstained:
            reasons.append("trả lời câu hỏi lẽ ra phải từ chối")
        if score.intent_ok is False:
            reasons.append(f"ý định '{score.intent}', mong đợi '{score.expected_intent}'")
    return reasons


def machine_info() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


@dataclass
class RunResult:
    items: list[ItemResult]
    summary: dict
    k: int = 5
    backend: str = ""
    started_at: str = ""
    seconds: float = 0.0
    machine: dict = field(default_factory=machine_info)
    judged: dict | None = None  # optional model-judged metrics (evals.judge)

    def records(self) -> list[dict]:
        return [r.to_record(self.k) for r in self.items]

    def to_json(self) -> dict:
        """The content of results.json."""
        out = {
            "k": self.k,
            "backend": self.backend,
            "started_at": self.started_at,
            "seconds": round(self.seconds, 3),
            "machine": self.machine,
            "summary": self.summary,
            "items": self.records(),
        }
        if self.judged is not None:
            out["judged"] = self.judged
        return out


def run_gold(
    items: Sequence[GoldItem],
    backend: Backend,
    k: int = 5,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run every item; a failure on one item is recorded as its error and the run goes on."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    results: list[ItemResult] = []
    for done, item in enumerate(items, start=1):
        try:
            run = backend.run(item.question, list(item.history))
        except Exception as exc:
            run = ItemRun(retrieved=[], answer={}, error=_describe(exc))
        score = score_item(
            item, run.retrieved, run.answer, run.retrieval_ms, run.answer_ms, run.error
        )
        results.append(ItemResult(item=item, run=run, score=score))
        if progress is not None:
            progress(done, len(items))
    return RunResult(
        items=results,
        summary=summarize(results, k=k),
        k=k,
        backend=getattr(backend, "name", type(backend).__name__),
        started_at=started,
        seconds=time.perf_counter() - clock,
    )
