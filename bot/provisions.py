"""Provisions a question names that the document does not have (pure functions).

"Trích nguyên văn Điều 40 Nghị quyết 57": NQ 57 is written in parts and items (I–IV), not in
articles. Rather than quote another unit under the name asked for, the reply says the document
has no such provision, how it is organised, and the nearest units it does have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nq57.legal import ANNEX_ROW_LOCATOR as _ANNEX_ROW
from nq57.legal import ARTICLE_LOCATOR as _ARTICLE
from nq57.legal import OUTLINE_LOCATOR as _OUTLINE
from retrieval.query import ProvisionRef


def describe(ref: ProvisionRef) -> str:
    """ "khoản 9 Điều 2", "mục II.9", "nhiệm vụ 300 Phụ lục II": as a person writes it."""
    parts: list[str] = []
    if ref.row is not None:
        parts.append(f"{ref.row_kind or 'nhiệm vụ'} {ref.row}")
    if ref.annex is not None:
        parts.append(f"Phụ lục {ref.annex}")
    if ref.point is not None:
        parts.append(f"điểm {ref.point}")
    if ref.clause is not None:
        parts.append(f"khoản {ref.clause}")
    if ref.article is not None:
        parts.append(f"Điều {ref.article}")
    if ref.outline is not None:
        parts.append(f"mục {ref.outline}")
    return " ".join(parts)


def _span(kind: str, numbers: Sequence[int]) -> str:
    ordered = sorted(set(numbers))
    if len(ordered) == 1:
        return f"{kind} {ordered[0]}"
    return f"{kind} {ordered[0]} đến {kind} {ordered[-1]}"


def organisation(locators: Sequence[str]) -> str:
    """How the document is organised, from its chunks' locators: "gồm Điều 1 đến Điều 4",
    "trình bày theo các phần I, II, III, IV (không chia thành điều, khoản)"."""
    articles = [int(m.group(1)) for loc in locators if (m := _ARTICLE.match(loc))]
    heads = list(
        dict.fromkeys(
            m.group(1)
            for loc in locators
            if not loc.startswith(("Điều", "Phụ lục", "Phần đầu", "Mở đầu", "Chữ ký", "Văn bản"))
            and (m := _OUTLINE.match(loc))
        )
    )
    annexes = list(
        dict.fromkeys(
            (m.group(1) or "")
            for loc in locators
            if (m := re.match(r"^Phụ lục(?: ([IVX]+))?", loc))
        )
    )
    pieces = []
    if articles:
        pieces.append("gồm " + _span("Điều", articles))
    if heads:
        if articles:
            pieces.append("các mục " + ", ".join(heads))
        else:
            pieces.append(
                "trình bày theo các phần, mục "
                + ", ".join(heads)
                + " (không chia thành điều, khoản)"
            )
    if annexes:
        names = ", ".join(f"Phụ lục {a}".strip() for a in annexes)
        pieces.append(f"kèm {names}")
    return "; ".join(pieces)


def nearest_units(ref: ProvisionRef, locators: Sequence[str]) -> list[str]:
    """Units the document does have, next to the one asked for."""
    if ref.row is not None:
        rows = [
            (m.group(1) or "", m.group(2), int(m.group(3)))
            for loc in locators
            if (m := _ANNEX_ROW.match(loc))
        ]
        rows = [r for r in rows if ref.annex is None or r[0] == ref.annex] or rows
        if rows:
            annex, kind, _ = rows[0]
            where = f"Phụ lục {annex}".strip()
            return [f"{where}: {_span(kind, [n for _, _, n in rows])}"]
    if ref.article is not None:
        same = [
            m for loc in locators if (m := _ARTICLE.match(loc)) and int(m.group(1)) == ref.article
        ]
        clauses = sorted({int(m.group(2)) for m in same if m.group(2)})
        if same and ref.clause is not None and clauses:
            return [f"Điều {ref.article}: {_span('khoản', clauses)}"]
        articles = sorted({int(m.group(1)) for loc in locators if (m := _ARTICLE.match(loc))})
        if articles:
            return [_span("Điều", articles)]
    if ref.outline is not None:
        parent = ref.outline.rsplit(".", 1)[0] if "." in ref.outline else ""
        siblings = list(
            dict.fromkeys(
                loc.split(",")[0]
                for loc in locators
                if parent
                and loc.startswith(parent + ".")
                and loc.split(",")[0].count(".") == ref.outline.count(".")
            )
        )
        if siblings:
            return ["mục " + ", ".join(siblings[:12])]
    return []


def clearly_absent(ref: ProvisionRef, locators: Sequence[str]) -> bool:
    """Whether the document certainly lacks the unit. A clause or point indexed inside its
    article's chunk, or an item inside its parent's, has no locator of its own: only a
    document without the article, the annex row or the outline branch is said to lack it."""
    if ref.row is not None:
        rows = [m for loc in locators if (m := _ANNEX_ROW.match(loc))]
        return bool(rows) and not any(
            int(m.group(3)) == ref.row or _in_range(loc, ref.row)
            for loc in locators
            if (m := _ANNEX_ROW.match(loc))
        )
    if ref.article is not None:
        articles = [m for loc in locators if (m := _ARTICLE.match(loc))]
        same = [m for m in articles if int(m.group(1)) == ref.article]
        if not same:
            return True
        clauses = {int(m.group(2)) for m in same if m.group(2)}
        # Clauses indexed one by one: a number above the last one is absent.
        return ref.clause is not None and bool(clauses) and ref.clause > max(clauses)
    if ref.outline is not None and ref.annex is None:
        head = ref.outline.split(".")[0]
        heads = {m.group(1) for loc in locators if (m := _OUTLINE.match(loc))}
        if heads and head not in heads:
            return True
        if "." not in ref.outline:
            return False
        # Items indexed one by one under the same parent: one numbered past the last of them
        # is absent (an item inside its parent's chunk has no locator of its own).
        parent, depth = ref.outline.rsplit(".", 1)[0], ref.outline.count(".")
        paths = {loc.split(",")[0] for loc in locators}
        siblings = [
            p.rsplit(".", 1)[1]
            for p in paths
            if p.startswith(parent + ".") and p.count(".") == depth
        ]
        last = max((_ordinal(x) for x in siblings), default=0)
        return bool(siblings) and _ordinal(ref.outline.rsplit(".", 1)[1]) > last
    return False


def _ordinal(label: str) -> int:
    """ "9" → 9, "c" → 3 (đ after d), anything else 0."""
    if label.isdigit():
        return int(label)
    letters = "abcdđeghiklmnopqrstuvxy"
    return letters.index(label) + 1 if len(label) == 1 and label in letters else 0


def _in_range(locator: str, n: int) -> bool:
    m = re.search(r"(\d+)–(\d+)$", locator)
    return bool(m) and int(m.group(1)) <= n <= int(m.group(2))


def missing_provision_reply(doc: str, ref: ProvisionRef, locators: Sequence[str]) -> str:
    asked = describe(ref) or "quy định này"
    lines = [f"{doc} không có {asked}."]
    shape = organisation(locators)
    if shape:
        lines.append(f"Văn bản này {shape}.")
    near = nearest_units(ref, locators)
    if near:
        lines.append("Các phần gần nhất có trong văn bản: " + "; ".join(near) + ".")
    lines.append(
        "Bạn có thể hỏi lại với một điều, khoản hay mục có trong văn bản, ví dụ «trích nguyên văn "
        "mục II.1 Nghị quyết 57»."
    )
    return "\n\n".join(lines)
