"""What every channel calls instead of the assistant itself.

It gives a curated answer when one matches, else asks the current assistant; it stamps each
answer with the corpus version it came from; and a re-index swaps in a new assistant in one
assignment while requests already running finish on the old one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.answer import Answer, Turn

log = logging.getLogger("nq57.live")


@dataclass
class Generation:
    """One assistant over one index, with the requests it is serving."""

    assistant: Any
    version: str | None
    runtime: Any = None  # bot.assistant.Runtime when known: search and documents of this index
    running: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self) -> None:
        with self.lock:
            self.running += 1

    def leave(self) -> None:
        with self.lock:
            self.running -= 1

    def drain(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.running == 0:
                    return True
            time.sleep(0.05)
        return False


class LiveAssistant:
    """AssistantProtocol over the current generation, with curated answers in front."""

    def __init__(self, assistant: Any, version: str | None = None, runtime: Any = None) -> None:
        self.generation = Generation(assistant, version, runtime)
        self.matcher: Any = None  # channels.admin.curated.CuratedMatcher, once loaded
        self.documents: Any = None  # provider of the documents curated answers cite

    # What the console reads (embedder, version) follows the generation.
    @property
    def inner(self) -> Any:
        return self.generation.assistant

    @property
    def retriever(self) -> Any:
        return getattr(self.generation.assistant, "retriever", None)

    @property
    def version(self) -> str | None:
        return self.generation.version

    def swap(self, assistant: Any, version: str | None, runtime: Any = None) -> Generation:
        """Make a new generation current; returns the old one (to drain and close)."""
        old = self.generation
        self.generation = Generation(assistant, version, runtime)
        log.info("corpus version %s now answering (was %s)", version, old.version)
        return old

    def _curated(self, message: str, history: list[Turn] | None) -> Answer | None:
        matcher = self.matcher
        if matcher is None or history or self.documents is None:
            return None  # a follow-up depends on the turns before: the assistant reads them
        try:
            found = matcher.match(message)
        except Exception:
            log.exception("curated answer matching failed; asking the assistant")
            return None
        if found is None:
            return None
        from channels.admin.curated import curated_answer

        item, score = found
        answer = curated_answer(item, self.documents(), score)
        if not answer.citations:
            return None  # its clauses are gone: never give a reviewed answer without sources
        log.info("curated answer %s given (similarity %.3f)", item.id, score)
        return answer

    def ask(self, message: str, history: list[Turn] | None = None) -> Answer:
        gen = self.generation
        gen.enter()
        try:
            started = time.perf_counter()
            answer = self._curated(message, history)
            if answer is None:
                answer = gen.assistant.ask(message, history)
            else:
                answer.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        finally:
            gen.leave()
        answer.meta = {**answer.meta, "corpus_version": gen.version}
        return answer

    def stream(self, message: str, history: list[Turn] | None = None) -> Iterator[dict]:
        gen = self.generation
        gen.enter()
        try:
            curated = self._curated(message, history)
            if curated is not None:
                curated.meta = {**curated.meta, "corpus_version": gen.version}
                yield {"type": "delta", "text": curated.text}
                yield {"type": "answer", "answer": curated}
                return
            for event in gen.assistant.stream(message, history):
                if event.get("type") == "answer":
                    answer = event["answer"]
                    answer.meta = {**answer.meta, "corpus_version": gen.version}
                yield event
        finally:
            gen.leave()


def wrap(assistant: Any, version: str | None = None, runtime: Any = None) -> LiveAssistant | None:
    if assistant is None or isinstance(assistant, LiveAssistant):
        return assistant
    return LiveAssistant(assistant, version, runtime)
