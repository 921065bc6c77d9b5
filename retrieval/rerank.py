"""Optional second-stage reranking with a sentence-transformers CrossEncoder.

None is configured by default: no offline multilingual cross-encoder ships with the project.
An operator who has one sets ``NQ57_RERANKER`` to its local directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from retrieval.types import Hit


class CrossEncoderReranker:
    def __init__(self, name_or_path: str, depth: int = 20) -> None:
        from sentence_transformers import CrossEncoder

        from ingest.embed import _resolve_st_path

        self.model = CrossEncoder(
            str(_resolve_st_path(name_or_path)), device="cpu", local_files_only=True
        )
        self.depth = depth

    def rerank(self, question: str, hits: Sequence[Hit]) -> list[Hit]:
        """Score (question, passage) pairs for the first ``depth`` hits; the rest keep their order."""
        head, tail = list(hits[: self.depth]), list(hits[self.depth :])
        if not head:
            return list(hits)
        scores = self.model.predict(
            [(question, " ".join([*h.breadcrumb[1:], h.text])) for h in head]
        )
        ranked = sorted(zip(head, scores, strict=True), key=lambda pair: -float(pair[1]))
        return [replace(h, score=round(float(s), 6)) for h, s in ranked] + tail


def build_reranker(spec: str | None) -> CrossEncoderReranker | None:
    return CrossEncoderReranker(spec) if spec else None
