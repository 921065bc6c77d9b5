"""What retrieval hands to answering."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Hit:
    chunk_id: str
    score: float
    doc_id: str
    doc: str  # file name in corpus/docs, e.g. "nq-57-2024.txt"
    doc_number: str
    doc_title: str
    locator: str
    text: str
    breadcrumb: list[str] = field(default_factory=list)
    chunk_index: int = 0
    kind: str = "paragraph"
    rank: int = 0
    parent_text: str = ""  # heading of the parent unit, for context

    def to_dict(self) -> dict:
        return asdict(self)

    def search_row(self, rank: int | None = None) -> dict:
        """The fields `nq57 search --json` and `GET /api/search` show (contract in
        ARCHITECTURE.md); ``rank`` fills in for a hit that was not ranked."""
        return {
            "rank": self.rank or rank or 0,
            "score": self.score,
            "doc": self.doc,
            "doc_number": self.doc_number,
            "locator": self.locator,
            "text": self.text,
            "chunk_id": self.chunk_id,
        }
