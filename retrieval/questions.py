"""Questions people ask of each passage, as a second way in to the passage.

A citizen who writes "máy móc biết suy nghĩ" means "trí tuệ nhân tạo"; the passage's own words
and a small embedder do not meet there, but a question someone else wrote about that passage in
everyday words often does. ``corpus/questions/*.jsonl`` holds such questions (the answerable
ones point at their passage by a verbatim quote). At ingest each is tied to the chunks holding
its quote and embedded as a query; at search time the passages of the nearest questions are one
more ranked list in the fusion. An operator's new document works without any: the list is then
empty for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nq57.text import has_diacritics, match_key

QUESTIONS_FILE = "questions.npz"


@dataclass(frozen=True)
class AskedQuestion:
    """One question of the bank and the passage it points at (or, for a near miss, the passage
    on its topic that does not give the detail asked)."""

    question: str
    doc: str  # file name in corpus/docs
    quote: str
    group: str  # file and passage: a writer's questions on one passage are one group
    answerable: bool = True


def read_questions(directory: Path, near_misses: bool = False) -> list[AskedQuestion]:
    """The answerable questions of every ``*.jsonl`` in ``directory`` (sorted by file), and
    with ``near_misses`` the questions on a passage's topic that it does not answer."""
    out: list[AskedQuestion] = []
    for file, item in _bank_items(directory):
        kind = item.get("kind", "answerable")
        if kind not in ("answerable", "near_miss" if near_misses else "answerable"):
            continue
        if not item.get("quote"):
            continue
        out.append(
            AskedQuestion(
                item["question"],
                item["doc"],
                item["quote"],
                group_key(file, item["doc"], item["quote"]),
                kind == "answerable",
            )
        )
    return out


def _bank_items(directory: Path) -> Iterator[tuple[str, dict]]:
    """(file name, item) for every line of every ``*.jsonl`` in ``directory``, sorted by file."""
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield path.name, json.loads(line)


def asked_texts(directory: Path) -> list[str]:
    """Every accented question of the bank, of every kind, in file order: how people word what
    they ask (the diacritic restorer learns from them)."""
    asked = (item.get("question", "") for _, item in _bank_items(directory))
    return [question for question in asked if has_diacritics(question)]


def group_key(file: str, doc: str, quote: str) -> str:
    return hashlib.sha1(f"{file}\x00{doc}\x00{match_key(quote)}".encode()).hexdigest()[:16]


def chunks_quoting(
    questions: Sequence[AskedQuestion], payloads: Mapping[str, Mapping[str, Any]]
) -> list[list[str]]:
    """For each question, the chunks whose text holds its quote (whitespace and case aside)."""
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for pid, payload in payloads.items():
        by_doc.setdefault(payload["doc"], []).append((pid, match_key(payload.get("text", ""))))
    for chunks in by_doc.values():
        chunks.sort()
    out = []
    for q in questions:
        key = match_key(q.quote)
        out.append([pid for pid, text in by_doc.get(q.doc, []) if key in text])
    return out


@dataclass
class QuestionIndex:
    """Unit vectors of the bank's questions, each with the chunks it points at."""

    vectors: np.ndarray  # (n, dim) float32, unit length
    chunks: list[tuple[str, ...]]  # empty for a near miss
    groups: list[str]
    digest: str = ""
    answerable: np.ndarray | None = None  # (n,) bool; None: all answerable
    _excluded: frozenset[str] = field(default=frozenset(), repr=False)

    def __post_init__(self) -> None:
        if self.answerable is None:
            self.answerable = np.ones(len(self.chunks), dtype=bool)

    def __len__(self) -> int:
        return len(self.chunks)

    def _similarities(self, vector: Sequence[float]) -> np.ndarray:
        q = np.asarray(vector, dtype=np.float32)
        sims = self.vectors @ (q / (np.linalg.norm(q) or 1.0))
        if self._excluded:
            sims = np.where([g in self._excluded for g in self.groups], -1.0, sims)
        return sims

    def match(self, vector: Sequence[float], limit: int = 20) -> list[tuple[str, float]]:
        """Chunks of the ``limit`` nearest answerable questions, best first, each at its best
        cosine."""
        return self.nearest(vector, limit)[0]

    def nearest(
        self, vector: Sequence[float], limit: int = 20
    ) -> tuple[list[tuple[str, float]], float]:
        """``match``, and how close the nearest question the texts do not answer (a near miss)
        comes (0: none), from one pass over the bank."""
        if not len(self.chunks):
            return [], 0.0
        every = self._similarities(vector)
        missed = every[~self.answerable]
        near_miss = max(float(missed.max()), 0.0) if len(missed) else 0.0
        sims = np.where(self.answerable, every, -1.0)
        out: dict[str, float] = {}
        # Only the ``limit`` best need ordering: partition first, then sort those.
        top = np.argpartition(-sims, limit)[:limit] if len(sims) > limit else np.arange(len(sims))
        for i in top[np.argsort(-sims[top], kind="stable")]:
            if sims[i] < 0:
                break
            for pid in self.chunks[i]:
                out.setdefault(pid, float(sims[i]))
        return list(out.items()), near_miss

    @contextmanager
    def without(self, groups: Collection[str]):
        """Leave some groups out, e.g. a question's own when the bank trains on itself."""
        saved = self._excluded
        self._excluded = frozenset(groups)
        try:
            yield self
        finally:
            self._excluded = saved

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("wb") as fh:
            np.savez_compressed(
                fh,
                vectors=self.vectors.astype(np.float32),
                chunks=np.asarray(["\t".join(c) for c in self.chunks], dtype=str),
                groups=np.asarray(self.groups, dtype=str),
                answerable=np.asarray(self.answerable, dtype=bool),
                digest=np.asarray(self.digest),
            )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> QuestionIndex | None:
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as data:
            chunks = [tuple(c.split("\t")) if c else () for c in data["chunks"].tolist()]
            return cls(
                np.asarray(data["vectors"], dtype=np.float32),
                chunks,
                [str(g) for g in data["groups"].tolist()],
                str(data["digest"]),
                np.asarray(data["answerable"], dtype=bool),
            )

    @staticmethod
    def stored(path: Path) -> tuple[str, int]:
        """The digest of the index saved at ``path`` and how many answerable questions it
        holds, without reading its vectors (("", 0) when there is none to read)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                return str(data["digest"]), int(np.asarray(data["answerable"]).sum())
        except (OSError, ValueError, KeyError):
            return "", 0

    @classmethod
    def empty(cls, dim: int = 0) -> QuestionIndex:
        return cls(np.zeros((0, dim), dtype=np.float32), [], [])


def digest_of(
    questions: Iterable[AskedQuestion], chunks: Iterable[Sequence[str]], model: str
) -> str:
    h = hashlib.sha256(model.encode())
    for q, c in zip(questions, chunks, strict=True):
        h.update(f"{q.question}\x00{q.group}\x00{','.join(c)}\n".encode())
    return h.hexdigest()[:16]


def build_question_index(
    questions: Sequence[AskedQuestion],
    payloads: Mapping[str, Mapping[str, Any]],
    as_query: Callable[[str], str],
    embed_queries: Callable[[list[str]], list[list[float]]],
    model: str,
    current_digest: str = "",
    restorer: str = "",
) -> QuestionIndex | None:
    """Tie each answerable question to its chunks and embed the ones that have any, and every
    near miss (its passage does not answer it, so it needs none). ``as_query`` gives the form a
    user's question is embedded in (abbreviations expanded, diacritics restored), so that both
    sides meet on the same terms. None when bank and corpus are those of ``current_digest``."""
    chunks = chunks_quoting(questions, payloads)
    kept = [
        (q, c if q.answerable else [])
        for q, c in zip(questions, chunks, strict=True)
        if c or not q.answerable
    ]
    # The restorer shapes the form each question is embedded in: a new one, new vectors.
    digest = digest_of([q for q, _ in kept], [c for _, c in kept], f"{model}\x00{restorer}")
    if current_digest == digest:
        return None
    if not kept:
        return QuestionIndex.empty()
    vectors = np.asarray(embed_queries([as_query(q.question) for q, _ in kept]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return QuestionIndex(
        vectors,
        [tuple(c) for _, c in kept],
        [q.group for q, _ in kept],
        digest,
        np.asarray([q.answerable for q, _ in kept], dtype=bool),
    )
