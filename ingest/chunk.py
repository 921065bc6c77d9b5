"""Chunking of a document tree into retrieval units.

A chunk is one of:

* a whole unit (with its descendants) when it fits in ``max_chars``;
* a group of consecutive sibling units: small siblings (under ``min_chars``) are merged with
  their neighbours up to ``max_chars``. The group's locator is the parent's locator, except for
  table rows, where it is the range "Phụ lục II, nhiệm vụ 40–48";
* a piece of a long unit split at sentence boundaries (then at ";", ",", spaces); every piece
  keeps the unit's locator and ``chunk_index`` tells the pieces apart.

Chunks never cross a top-level unit (section, article, annex): each is chunked on its own.
A parent's own line that is a full sentence is merged into the first chunk of its children;
when a title-only parent is split, its title lives in its children's breadcrumbs instead (it
stays in the text whenever the whole parent fits in one chunk). Table rows
are grouped under their header line, repeated at the top of every chunk of the table.

``Chunk.text`` is verbatim cleaned text: consecutive lines of the document (for tables, the
header line followed by consecutive rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.model import Chunk, DocumentMeta, Unit
from ingest.structure import is_title_only

# Boundaries tried in order when a text is too long: lines, sentences, clauses, commas, words.
_BOUNDARIES = [
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"”’)])\s+"),
    re.compile(r"(?<=[;:])\s+"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+"),
]
_NO_CRUMB = {"document", "table"}
# How a document was made (its basis, "Căn cứ …", and who signed it): not content, so not part
# of any unit's text, but indexed on their own for "ai ký?", "căn cứ ban hành?" (the retriever
# shows them only for such questions).
RECORD_KINDS = frozenset({"preamble", "signature", "recipients"})


@dataclass
class _Item:
    """One piece of material to place: a child unit, or the parent's own line."""

    unit: Unit
    own: bool = False

    @property
    def text(self) -> str:
        return self.unit.text if self.own else self.unit.full_text


@dataclass
class _Chunker:
    meta: DocumentMeta
    max_chars: int
    min_chars: int
    drafts: list[Chunk] = field(default_factory=list)

    # -- output --------------------------------------------------------------------------------
    def _crumbs(self, path: list[Unit], extra: Unit | None = None) -> list[str]:
        heads = [u.heading for u in path if u.kind not in _NO_CRUMB and u.heading]
        if extra is not None and extra.kind not in _NO_CRUMB and extra.heading:
            heads.append(extra.heading)
        return [self.meta.short_name, *heads]

    def _emit(self, locator: str, crumbs: list[str], prefix: str, text: str, kind: str) -> None:
        text = text.strip()
        if not text:
            return
        body = f"{prefix}\n{text}" if prefix else text
        self.drafts.append(
            Chunk(doc_id=self.meta.id, locator=locator, breadcrumb=crumbs, text=body, kind=kind)
        )

    def _emit_split(
        self, unit: Unit, text: str, path: list[Unit], prefix: str, with_heading: bool
    ) -> None:
        budget = self._budget(prefix)
        pieces = split_text(text, budget)
        for i, piece in enumerate(pieces):
            # Later pieces lose the unit's first line, so its heading joins the breadcrumb.
            extra = unit if (with_heading and i > 0) else None
            self._emit(unit.locator, self._crumbs(path, extra), prefix, piece, unit.kind)

    def _budget(self, prefix: str) -> int:
        return max(self.max_chars - (len(prefix) + 1 if prefix else 0), 80)

    # -- walk ----------------------------------------------------------------------------------
    def unit(self, unit: Unit, path: list[Unit], prefix: str = "") -> None:
        if not unit.indexable:
            if unit.kind in RECORD_KINDS and unit.text.strip():
                for piece in split_text(unit.text, self.max_chars):
                    self._emit(unit.locator, self._crumbs(path), "", piece, unit.kind)
            return
        full = unit.full_text
        if not full.strip():
            return
        budget = self._budget(prefix)
        if len(full) <= budget:
            self._emit(unit.locator, self._crumbs(path), prefix, full, unit.kind)
            return
        children = [c for c in unit.children if c.indexable and c.full_text.strip()]
        if not children:
            self._emit_split(unit, unit.text, path, prefix, with_heading=True)
            return
        inner = [*path, unit]
        items: list[_Item] = []
        if unit.kind == "table":
            prefix = f"{prefix}\n{unit.text}".strip() if unit.text else prefix
        elif unit.text and not is_title_only(unit):
            items.append(_Item(unit, own=True))
        items.extend(_Item(c) for c in children)
        self._pack(unit, items, inner, prefix)

    def _pack(self, parent: Unit, items: list[_Item], path: list[Unit], prefix: str) -> None:
        budget = self._budget(prefix)
        buffer: list[_Item] = []
        size = 0
        for item in items:
            length = len(item.text)
            if length > budget:
                self._flush(parent, buffer, path, prefix)
                buffer, size = [], 0
                if item.own:
                    self._emit_split(parent, parent.text, path, prefix, with_heading=False)
                else:
                    self.unit(item.unit, path, prefix)
                continue
            fits = size + 1 + length <= budget
            # A parent's own sentence introduces what follows: keep it with its first child.
            leading = len(buffer) == 1 and buffer[0].own
            small = size < self.min_chars or length < self.min_chars
            if buffer and fits and (small or leading):
                buffer.append(item)
                size += 1 + length
                continue
            self._flush(parent, buffer, path, prefix)
            buffer, size = [item], length
        self._flush(parent, buffer, path, prefix)

    def _flush(self, parent: Unit, buffer: list[_Item], path: list[Unit], prefix: str) -> None:
        if not buffer:
            return
        text = "\n".join(item.text for item in buffer)
        if len(buffer) == 1 and not buffer[0].own:
            child = buffer[0].unit
            self._emit(child.locator, self._crumbs(path), prefix, text, child.kind)
            return
        units = [item.unit for item in buffer if not item.own]
        if units and all(u.kind == "row" and u.label for u in units):
            # A table group's own line travels with its first rows, but the chunk is named by
            # the rows it holds, so "nhiệm vụ 44" finds it.
            locator = (
                units[0].locator if len(units) == 1 else f"{units[0].locator}–{units[-1].label}"
            )
            kind = "row"
        else:
            locator = parent.locator
            kind = units[0].kind if units else parent.kind
        self._emit(locator, self._crumbs(path), prefix, text, kind)


def split_text(text: str, budget: int) -> list[str]:
    """Cut ``text`` into verbatim pieces of at most ``budget`` characters at the most natural
    boundaries available; a single word longer than ``budget`` stays whole."""
    spans = _split(text, 0, len(text), budget, 0)
    return [text[a:b].strip() for a, b in spans if text[a:b].strip()]


def _split(text: str, start: int, end: int, budget: int, level: int) -> list[tuple[int, int]]:
    if end - start <= budget or level >= len(_BOUNDARIES):
        return [(start, end)]
    segments: list[tuple[int, int]] = []
    pos = start
    for m in _BOUNDARIES[level].finditer(text, start, end):
        if m.start() > pos:
            segments.append((pos, m.start()))
        pos = m.end()
    if pos < end:
        segments.append((pos, end))
    if len(segments) <= 1:
        return _split(text, start, end, budget, level + 1)
    out: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for seg in segments:
        if seg[1] - seg[0] > budget:
            if current is not None:
                out.append(current)
                current = None
            out.extend(_split(text, seg[0], seg[1], budget, level + 1))
        elif current is None:
            current = seg
        elif seg[1] - current[0] <= budget:
            current = (current[0], seg[1])
        else:
            out.append(current)
            current = seg
    if current is not None:
        out.append(current)
    return out


def chunk_document(
    root: Unit, meta: DocumentMeta, max_chars: int = 1200, min_chars: int = 200
) -> list[Chunk]:
    """Chunks of one parsed document, in reading order, with a running ``chunk_index``."""
    if max_chars <= 0 or min_chars < 0:
        raise ValueError(f"invalid chunk sizes: max_chars={max_chars}, min_chars={min_chars}")
    chunker = _Chunker(meta, max_chars, min_chars)
    for top in root.children:
        chunker.unit(top, [])
    for index, chunk in enumerate(chunker.drafts):
        chunk.chunk_index = index
    return chunker.drafts
