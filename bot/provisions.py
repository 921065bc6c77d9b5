"""Provisions a question names that the document does not have (pure functions).

"Trích nguyên văn Điều 40 Nghị quyết 57": NQ 57 is written in parts and items (I–IV), not in
articles. Rather than quote another unit under the name asked for, the reply says the document
has no such provision, how it is organised, and the nearest units it does have.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nq57.legal import ANNEX_LOCATOR as _ANNEX_OF
from nq57.legal import ANNEX_ROW_LOCATOR as _ANNEX_ROW
from nq57.legal import ARTICLE_LINE, NUMBER_ITEM_LINE, POINT_LINE, TABLE_ROW, same_annex
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


def annex_rows(
    ref: ProvisionRef, locators: Sequence[str], texts: Sequence[str] = ()
) -> tuple[str, str, list[int]]:
    """The annex asked about, the kind of its rows and every row number it holds: from the
    locators ("Phụ lục I, chỉ tiêu 26–33") and, given the chunks' texts, from the rows
    themselves (a chunk "Phụ lục I, nhóm II" holds rows 36–41 without naming them)."""
    found: dict[tuple[str, str], set[int]] = {}
    for i, loc in enumerate(locators):
        m = _ANNEX_ROW.match(loc)
        annex_m = _ANNEX_OF.match(loc)
        if annex_m is None:
            continue
        annex = annex_m.group(1) or ""
        kind = m.group(2) if m else ""
        numbers = found.setdefault((annex, kind), set())
        if m:
            numbers.add(int(m.group(3)))
            if r := re.search(r"(\d+)–(\d+)$", loc):
                numbers.update(range(int(r.group(1)), int(r.group(2)) + 1))
        if i < len(texts):
            # Rows as the table holds them ("36 | Quy mô kinh tế số | …"); "11.12" is a sub-row.
            rows = (TABLE_ROW.match(line.strip()) for line in texts[i].split("\n"))
            numbers.update(int(r.group(1)) for r in rows if r and r.group(1).isdigit())
    # Chunks of an annex without a row in their locator count with the annex's named rows.
    for (annex, kind), numbers in list(found.items()):
        if not kind:
            named = [k for a, k in found if a == annex and k]
            if named:
                found[(annex, named[0])] |= numbers
                del found[(annex, kind)]
    keys = [
        key
        for key in found
        if key[1]
        and (ref.annex is None or same_annex(ref.annex, key[0]))
        and (ref.row_kind is None or key[1] == ref.row_kind)
    ]
    if not keys:
        return "", "", []
    return keys[0][0], keys[0][1], sorted(found[keys[0]])


def annexes(locators: Sequence[str]) -> list[str]:
    """The annexes a document has ("I", "II"; "" for a single unnumbered one)."""
    return list(dict.fromkeys(m.group(1) or "" for loc in locators if (m := _ANNEX_OF.match(loc))))


def nearest_units(
    ref: ProvisionRef, locators: Sequence[str], texts: Sequence[str] = ()
) -> list[str]:
    """Units the document does have, next to the one asked for."""
    if ref.row is not None:
        annex, kind, numbers = annex_rows(ref, locators, texts)
        if numbers:
            where = f"Phụ lục {annex}".strip()
            return [f"{where}: {_span(kind, numbers)}"]
    if ref.annex is not None and ref.outline is None:
        present = annexes(locators)
        if present:
            return [", ".join(f"Phụ lục {a}".strip() for a in present)]
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


def clearly_absent(ref: ProvisionRef, locators: Sequence[str], texts: Sequence[str] = ()) -> bool:
    """Whether the document certainly lacks the unit. A clause or point indexed inside its
    article's chunk, or an item inside its parent's, has no locator of its own: only a
    document without the article, the annex, the annex row or the outline branch is said to
    lack it. ``texts`` (the chunks' texts, aligned with ``locators``) give the rows a table
    chunk holds beyond those its locator names."""
    present = annexes(locators) if ref.annex is not None else []
    # A single unnumbered annex is "Phụ lục I" too; "Phụ lục 2" is "Phụ lục II".
    if present and not any(same_annex(ref.annex, a) for a in present):
        return True
    if ref.row is not None and ref.annex is None and ref.outline is not None:
        # "nhóm nhiệm vụ số 8 trong mục III": the eighth item of III.
        return clearly_absent(ProvisionRef(outline=f"{ref.outline}.{ref.row}"), locators, texts)
    if ref.row is not None:
        _, _, numbers = annex_rows(ref, locators, texts)
        return bool(numbers) and ref.row not in numbers
    if ref.outline is not None and ref.outline.isdigit() and ref.annex is None:
        # "mục 20 danh mục A" in a document whose only numbered items are annex rows ("mục").
        heads = {m.group(1) for loc in locators if (m := _OUTLINE.match(loc))}
        if not heads:
            _, _, numbers = annex_rows(
                ProvisionRef(row=int(ref.outline), row_kind="mục"), locators, texts
            )
            return bool(numbers) and int(ref.outline) not in numbers
    if ref.article is not None:
        articles = [m for loc in locators if (m := _ARTICLE.match(loc))]
        same = [m for m in articles if int(m.group(1)) == ref.article]
        if not same:
            return True
        clauses = {int(m.group(2)) for m in same if m.group(2)}
        # Clauses indexed one by one: a number above the last one is absent.
        if ref.clause is not None and clauses and ref.clause > max(clauses):
            return True
        if ref.clause is None or not texts:
            return False
        # Clauses and points kept inside the article's chunk: read from its own lines.
        body = "\n".join(
            t for loc, t in zip(locators, texts, strict=False) if _same_article(loc, ref.article)
        )
        numbered = article_clauses(body)
        if ref.clause not in numbered:
            return True
        return ref.point is not None and ref.point not in numbered[ref.clause]
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


def _same_article(locator: str, article: int) -> bool:
    m = _ARTICLE.match(locator)
    return m is not None and int(m.group(1)) == article


def article_clauses(body: str) -> dict[int, set[str]]:
    """The clauses an article's text numbers ("1. …"), each with its points ("a) …")."""
    out: dict[int, set[str]] = {}
    current: int | None = None
    for line in (ln.strip() for ln in body.split("\n")):
        if ARTICLE_LINE.match(line):
            current = None
        elif m := NUMBER_ITEM_LINE.match(line):
            current = int(m.group(1))
            out.setdefault(current, set())
        elif (m := POINT_LINE.match(line)) and current is not None:
            out[current].add(m.group(1))
    return out


def _ordinal(label: str) -> int:
    """ "9" → 9, "c" → 3 (đ after d), anything else 0."""
    if label.isdigit():
        return int(label)
    letters = "abcdđeghiklmnopqrstuvxy"
    return letters.index(label) + 1 if len(label) == 1 and label in letters else 0


def missing_provision_reply(
    doc: str, ref: ProvisionRef, locators: Sequence[str], texts: Sequence[str] = ()
) -> str:
    asked = describe(ref) or "quy định này"
    lines = [f"{doc} không có {asked}."]
    shape = organisation(locators)
    if shape:
        lines.append(f"Văn bản này {shape}.")
    near = nearest_units(ref, locators, texts)
    if near:
        lines.append("Các phần gần nhất có trong văn bản: " + "; ".join(near) + ".")
    lines.append(
        "Bạn có thể hỏi lại với một điều, khoản hay mục có trong văn bản, ví dụ «trích nguyên văn "
        "mục II.1 Nghị quyết 57»."
    )
    return "\n\n".join(lines)
