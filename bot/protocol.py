"""The one interface channels and evals use to talk to the assistant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from bot.answer import Answer, Turn


class AssistantProtocol(Protocol):
    def ask(self, message: str, history: list[Turn] | None = None) -> Answer:
        """Answer one message given earlier turns (oldest first)."""
        ...

    def stream(self, message: str, history: list[Turn] | None = None) -> Iterator[dict]:
        """Yield events: {"type": "delta", "text": ...} … then {"type": "answer", "answer": Answer}."""
        ...
