"""Cited clauses: does a locator exist in a document, what does it say, has it changed?"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ingest.model import DocumentMeta, Unit
from nq57.text import anchor, nfc

Documents = dict[str, tuple[DocumentMeta, Unit]]


@dataclass(frozen=True)
class Clause:
    doc_id: str
    doc_number: str
    doc_title: str
    file: str
    locator: str
    text: str

    @property
    def hash(self) -> str:
        return clause_hash(self.text)

    @property
    def url(self) -> str:
        return f"/documents/{self.doc_id}#{anchor(self.locator)}"


def clause_hash(text: str) -> str:
    return hashlib.sha256(" ".join(nfc(text).split()).encode()).hexdigest()[:32]


def find_clause(documents: Documents, doc_id: str, locator: str) -> Clause | None:
    """The unit at ``locator`` (compared as the viewer's anchors are) with all its text."""
    found = documents.get(doc_id)
    if found is None:
        return None
    meta, root = found
    wanted = anchor(locator)
    if not wanted:
        return None
    for unit in root.walk():
        if unit.locator and anchor(unit.locator) == wanted:
            return Clause(meta.id, meta.number, meta.title, meta.file, unit.locator, unit.full_text)
    return None


def indexed(store: Any, doc_id: str, locator: str) -> bool:
    """The index holds a passage of that unit, of one inside it, or of the chunk it is
    grouped in (small points are indexed within their parent's chunk)."""
    if store is None:
        return True
    want = anchor(locator)
    for hit in store.scroll({"doc_id": doc_id}, limit=100_000):
        have = anchor(str(hit.payload.get("locator", "")))
        if have and (have == want or want.startswith(have + "-") or have.startswith(want + "-")):
            return True
    return False
