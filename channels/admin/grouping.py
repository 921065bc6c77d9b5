"""Questions asked many ways counted once: grouped by the shipped embedder's similarity.

Only the most frequent distinct wordings are embedded (``limit``): the long tail of questions
asked once cannot change which groups are on top, and embedding it would cost minutes.
Without an embedder (a stub assistant) questions group by their folded wording alone.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from nq57.text import fold

_PUNCT = re.compile(r"[^\w\s]+")
_NUMBER = re.compile(r"\d+")


@lru_cache(maxsize=65536)
def wording_key(text: str) -> str:
    """Folded, lower case, without punctuation: "NQ 57 là gì?" ~ "nq 57 la gi"."""
    return " ".join(_PUNCT.sub(" ", fold(text).lower()).split())


def numbers_in(key: str) -> tuple[str, ...]:
    return tuple(sorted(set(_NUMBER.findall(key))))


def group_key(text: str) -> str:
    return hashlib.sha256(wording_key(text).encode()).hexdigest()[:16]


@dataclass
class Group:
    key: str  # stable id of the group (its most frequent wording)
    example: str
    count: int
    variants: list[tuple[str, int]] = field(default_factory=list)
    members: list[Any] = field(default_factory=list)  # the caller's items in this group


def group_items(
    items: Iterable[tuple[str, Any]],
    embedder: Any = None,
    threshold: float = 0.95,
    limit: int = 400,
) -> list[Group]:
    """Group (question, item) pairs; groups by total count, most asked first."""
    by_key: dict[str, list[tuple[str, Any]]] = {}
    for text, item in items:
        by_key.setdefault(wording_key(text), []).append((text, item))
    ranked = sorted(by_key.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    examples = [Counter(t for t, _ in members).most_common(1)[0][0] for _, members in ranked]
    vectors = _vectors(examples, embedder)
    groups: list[Group] = []
    # Leaders per set of numbers: "mục tiêu đến 2030" and "tầm nhìn 2045", or Quyết định 1169
    # and Thông tư 33, are different questions however close their embeddings.
    leaders: dict[tuple[str, ...], tuple[list[Group], list[np.ndarray]]] = {}
    for (key, members), example, vec in zip(ranked, examples, vectors, strict=True):
        target = None
        same_numbers = leaders.setdefault(numbers_in(key), ([], []))
        if vec is not None and same_numbers[1]:
            sims = np.stack(same_numbers[1]) @ vec
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                target = same_numbers[0][best]
        if target is None:
            target = Group(key=group_key(example), example=example, count=0)
            groups.append(target)
            if vec is not None:
                same_numbers[0].append(target)
                same_numbers[1].append(vec)
        target.count += len(members)
        target.variants.append((example, len(members)))
        target.members.extend(item for _, item in members)
    groups.sort(key=lambda g: (-g.count, g.example))
    return groups


def _vectors(texts: list[str], embedder: Any) -> list[np.ndarray | None]:
    if embedder is None or not texts:
        return [None] * len(texts)
    matrix = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms == 0, 1, norms)
    return list(matrix)
