"""Grounded answering: intents, evidence gate, extractive composer, follow-ups, optional LLM."""

from bot.answer import Answer, Citation, Turn
from bot.assistant import Assistant, Runtime, build_assistant

__all__ = ["Answer", "Assistant", "Citation", "Runtime", "Turn", "build_assistant"]
