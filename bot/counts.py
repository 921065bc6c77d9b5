"""How many rows a named annex holds: "Phụ lục I Nghị quyết 03 có bao nhiêu chỉ tiêu?".

The answer is the number of the table's last row, read from the row locators ingest gave the
annex's chunks; it is cited with that row. An annex whose rows are numbered again in each group
("nhóm II, nhiệm vụ 1") has no one last number, and is not counted here. Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answer import Answer
from bot.compose import doc_label, make_citation
from nq57.legal import ANNEX_LOCATOR, same_annex
from nq57.text import fold
from retrieval.types import Hit

_ASKS_COUNT = re.compile(
    r"\b(?:bao nhieu|may|bn|tong so|tong cong)\s+(?:chi tieu|nhiem vu|muc|dong|hang)\b"
)
# "Phụ lục I, chỉ tiêu 6–11.3": the kind of row, the first and the last top-level number.
_ROW_LOCATOR = re.compile(
    r"^Phụ lục (?P<annex>[IVX]*),? ?(?P<kind>chỉ tiêu|nhiệm vụ|mục) (?P<first>\d+)(?:\.\d+)*"
    r"(?:–(?P<last>\d+)(?:\.\d+)*)?$"
)
# Rows numbered again inside each group: no one last number.
_GROUPED = re.compile(r"nhóm [^,]+, (?:chỉ tiêu|nhiệm vụ|mục) \d")
# A table row as printed: "41 | Làm chủ …", "140. | Tích cực …" (not a sub-row "11.4 | …").
_ROW_LINE = re.compile(r"^(\d+)\.?\s*\|", re.MULTILINE)


def asks_count(question: str) -> bool:
    """ "có bao nhiêu chỉ tiêu", "tổng số nhiệm vụ", "mấy mục": how many rows."""
    return bool(_ASKS_COUNT.search(" ".join(fold(question).lower().split())))


@dataclass(frozen=True)
class RowCount:
    annex: str
    kind: str
    count: int
    last: Hit
    line: str


def count_rows(annex: str, chunks: Sequence[Hit]) -> RowCount | None:
    """The rows of annex ``annex`` ("I", "II") among a document's chunks, when they are
    numbered once from 1, every number present (in a row's locator or as a printed table row):
    their kind, how many, and the last row's chunk and line."""
    labelled = [(h, m.group(1) or "") for h in chunks if (m := ANNEX_LOCATOR.match(h.locator))]
    own = [h for h, label in labelled if same_annex(annex, label)]
    if not own or any(_GROUPED.search(h.locator) for h in own):
        return None
    # As the document numbers it: "Phụ lục 2" asked is its "Phụ lục II".
    annex = next(label for h, label in labelled if h is own[0])
    numbers: dict[int, Hit] = {}
    kinds: set[str] = set()
    for hit in own:
        for n in _ROW_LINE.findall(hit.text):
            numbers.setdefault(int(n), hit)
        if m := _ROW_LOCATOR.match(hit.locator):
            kinds.add(m.group("kind"))
            first, last = int(m.group("first")), int(m.group("last") or m.group("first"))
            for n in range(first, last + 1):
                numbers.setdefault(n, hit)
    if len(kinds) != 1 or not numbers or set(numbers) != set(range(1, max(numbers) + 1)):
        return None
    top = max(numbers)
    hit = numbers[top]
    line = next(
        (ln.strip() for ln in hit.text.split("\n") if re.match(rf"^{top}\.?\s*\|", ln.strip())),
        hit.text.strip().split("\n")[-1],
    )
    return RowCount(annex, kinds.pop(), top, hit, line)


def render_count(found: RowCount) -> Answer:
    """The count first, then the last row as the proof."""
    name = f"Phụ lục {found.annex}".rstrip()
    text = (
        f"{name} của {doc_label(found.last)} có {found.count} {found.kind}, đánh số từ 1 đến "
        f"{found.count}. {found.kind.capitalize()} cuối cùng:\n«{found.line}» [1]"
    )
    return Answer(text, "answer", False, citations=[make_citation(found.last, found.line)])
