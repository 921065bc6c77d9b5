"""The in-process eval backend: the assistant and search of a loaded Runtime."""

from __future__ import annotations

from typing import Any

from bot.answer import Turn
from bot.followup import resolve
from evals.runner import CallableBackend


def runtime_backend(runtime: Any, k: int = 10) -> CallableBackend:
    def turns(history: list[dict]) -> list[Turn]:
        return [Turn(t["role"], t["content"]) for t in history]

    def search(question: str, history: list[dict]) -> list[dict]:
        # Retrieval is scored on what the assistant searches for: the follow-up resolved.
        return [h.to_dict() for h in runtime.retriever.search(resolve(question, turns(history)), k)]

    def ask(question: str, history: list[dict]) -> dict:
        return runtime.assistant.ask(question, turns(history)).to_dict()

    return CallableBackend(search, ask)
