"""The structured answer every channel renders."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Intent = Literal["answer", "smalltalk", "out_of_scope", "refused"]


@dataclass
class Citation:
    doc: str  # file name in corpus/docs
    doc_id: str
    doc_number: str
    doc_title: str
    locator: str
    quote: str
    url: str
    # True on a clause shown beside a decline: related to the topic, not an answer to it.
    related: bool = False


@dataclass
class Turn:
    role: Literal["user", "assistant"]
    content: str


@dataclass
class Answer:
    text: str  # plain text with [n] markers
    intent: Intent
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    meta: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)
