"""The data that flows through ingestion: documents, their structure, and chunks."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

# Namespace for deterministic point ids (uuid5 of document id + locator + content hash).
POINT_NAMESPACE = uuid.UUID("6f1c2a8e-57a0-4c57-9e57-0000000000a7")


@dataclass(frozen=True)
class DocumentMeta:
    """One catalog entry."""

    id: str
    file: str
    number: str
    type: str
    title: str
    issued: str = ""
    issuer: str = ""
    notes: str = ""
    url: str = ""

    @property
    def short_name(self) -> str:
        """How people name the document: "Nghị quyết 57-NQ/TW"."""
        return f"{self.type} {self.number}".strip()


@dataclass
class Unit:
    """A node of a document's structure tree.

    ``kind`` is one of: document, part (Phần), chapter (Chương), section (Mục), article (Điều),
    clause (khoản), point (điểm), outline (I., 1., 1.1., a) in Party texts), bullet, annex
    (Phụ lục), table, row, paragraph, preamble, signature, recipients.
    ``label`` is the unit's own number ("III", "2", "b", "Điều 3"); ``locator`` is the full path
    ("III.2.b", "Điều 3 khoản 2 điểm b", "Phụ lục II, nhiệm vụ 44").
    """

    kind: str
    label: str = ""
    heading: str = ""
    text: str = ""
    locator: str = ""
    children: list[Unit] = field(default_factory=list)
    indexable: bool = True

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def full_text(self) -> str:
        """The unit's own text followed by all descendants' text, in reading order."""
        parts = [self.text] if self.text else []
        parts.extend(c.full_text for c in self.children if c.indexable)
        return "\n".join(p for p in parts if p)


@dataclass
class Chunk:
    doc_id: str
    locator: str
    breadcrumb: list[str]
    text: str
    chunk_index: int = 0
    kind: str = "paragraph"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.embed_text.encode("utf-8")).hexdigest()[:32]

    @property
    def embed_text(self) -> str:
        """Breadcrumb and locator prefix the text so that a bare list item keeps its context."""
        head = " › ".join(self.breadcrumb)
        return f"{head}\n{self.text}" if head else self.text

    @property
    def point_id(self) -> str:
        key = f"{self.doc_id}|{self.locator}|{self.content_hash}"
        return str(uuid.uuid5(POINT_NAMESPACE, key))
