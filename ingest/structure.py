"""Structure of Vietnamese legal and Party documents: a tree of ``Unit`` from cleaned text.

Recognised, without knowing the document beforehand:

* legal hierarchy: Phần, Chương, Mục, Điều N, khoản ``1.`` (a number directly inside an
  article), điểm ``a)`` (a letter inside a khoản) → "Điều 3 khoản 2 điểm b";
* Party/programme outlines: ``A-``, ``I-``/``I.``, ``1.``/``1-``, ``1.1.``, ``a)``, then ``-``
  and ``+`` bullets → dotted locators "III.2.b", "B.III.2.1" (an outline inside an article
  restarts the dotted path: the roman parts of a decision's Điều 1 are "V.7.đ");
* annexes ("PHỤ LỤC II", or a "DANH MỤC …" attached after the signature) holding tables whose
  rows are " | "-separated lines (or one cell per line after a bare row number) →
  "Phụ lục II, nhiệm vụ 44", "Phụ lục I, chỉ tiêu 12", "Phụ lục, mục 5";
* non-content blocks, kept with ``indexable=False``: the header/preamble (with "Căn cứ …",
  "Theo đề nghị …"), "Nơi nhận:" and the signature block.

Bullets and plain paragraphs get the parent's locator plus ", ý N" / ", đoạn N". Every unit
keeps its verbatim line in ``text``; a parent whose line is only a title (``is_title_only``:
short, no closing punctuation) gets that title in full as ``heading``, which the chunker carries
in its children's breadcrumbs.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from ingest.model import DocumentMeta, Unit
from nq57 import legal
from nq57.legal import (
    ANNEX_LINE,
    ARTICLE_LINE,
    BARE_ROW_NUMBER,
    CHAPTER_LINE,
    DECIMAL_LINE,
    GROUP_ROW,
    LETTER_SECTION_LINE,
    NUMBER_ITEM_LINE,
    PART_LINE,
    POINT_LINE,
    ROMAN_LINE,
    ROMAN_VALUES,
    SECTION_LINE,
    TABLE_HEADER_ROW,
    TABLE_ROW,
)

# ---------------------------------------------------------------------------------------------
# Line patterns (the text is already cleaned: one paragraph per line, stripped).

_BULLET = re.compile(r"^([-–—•*+])\s+(\S.*)$")


_RECIPIENTS = re.compile(r"^Nơi nhận\s*:?")
_SIGN_START = re.compile(r"^(?:TM|T/M|KT|TL|TUQ|Q|K/T)\.?\s+\S")
_SIGNED = re.compile(r"^[(\[]\s*(?:đã ký|Đã ký|ĐÃ KÝ)[^)\]]*[)\]]$")
_ATTACHED = re.compile(r"^\(?\s*(?:Kèm theo|Ban hành kèm theo)", re.I)
_BASIS = re.compile(r"^(?:Căn cứ|Theo đề nghị|Xét đề nghị|Trên cơ sở)\b")
_HEADER_LINE = re.compile(
    r"^(?:Số[:\s]|Hà Nội,|TP\.|Thành phố .*, ngày|.*ngày \d{1,2} tháng \d{1,2} năm \d{4}$"
    r"|Độc lập|_{3,}|-{3,}|V/v|Về việc)"
)


# Nesting depth of each kind of numbered line; a new line closes every open unit at its level or
# deeper. Annexes sit at the top, next to parts.
_LEVEL = {
    "annex": 0,
    "part": 1,
    "chapter": 2,
    "section": 3,
    "article": 4,
    "letter": 5,
    "roman": 6,
    "number": 7,
    "decimal": 8,
    "point": 9,
    "dash": 10,
    "plus": 11,
}
_OUTLINE_KINDS = {"letter", "roman", "number", "decimal", "point"}
_TITLE_MAX = 160
_HEADING_MAX = 110


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _shorten(text: str, limit: int = _HEADING_MAX) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"


def _is_title(line: str) -> bool:
    """A heading line rather than a sentence: short and without closing punctuation."""
    return len(line) <= _TITLE_MAX and not re.search(r"[.;:!?…]['\"”)]*$", line)


@dataclass
class _Node:
    """A unit under construction, with the bookkeeping the parser needs."""

    unit: Unit
    level: int
    style: str  # which pattern opened it ("roman", "number", "dash", …)


def _outline_label(node: _Node, parent_label: str) -> str:
    """Append a label to a dotted path; "2.1" under "III.2" gives "III.2.1", not "III.2.2.1"."""
    label = node.unit.label
    if not parent_label:
        return label
    parts = parent_label.split(".")
    for k in range(len(parts)):
        if label.startswith(".".join(parts[k:]) + ".") and node.style == "decimal":
            return ".".join([*parts[:k], label])
    return f"{parent_label}.{label}"


class _Parser:
    def __init__(self, lines: list[str], meta: DocumentMeta) -> None:
        self.lines = lines
        self.meta = meta
        self.root = Unit(kind="document", heading=meta.short_name, locator=meta.short_name)
        self.stack: list[_Node] = [_Node(self.root, -1, "document")]
        self.pos = 0
        self.counters: Counter[tuple[int, str]] = Counter()

    # -- tree helpers ------------------------------------------------------------------------
    @property
    def top(self) -> _Node:
        return self.stack[-1]

    def _ordinal(self, parent: Unit, kind: str) -> int:
        key = (id(parent), kind)
        self.counters[key] += 1
        return self.counters[key]

    def _attach(self, unit: Unit, parent: Unit | None = None) -> Unit:
        (parent or self.top.unit).children.append(unit)
        return unit

    def _close_to(self, level: int) -> None:
        while len(self.stack) > 1 and self.top.level >= level:
            self.stack.pop()

    def _context(self) -> tuple[Unit | None, str]:
        """The nearest non-outline ancestor and the dotted outline path below it."""
        path: list[_Node] = []
        for node in reversed(self.stack[1:]):
            if node.style in _OUTLINE_KINDS and node.unit.kind in ("outline", "clause", "point"):
                path.append(node)
                continue
            if node.style in ("dash", "plus"):
                continue
            return node.unit, self._dotted(list(reversed(path)))
        return None, self._dotted(list(reversed(path)))

    @staticmethod
    def _dotted(path: list[_Node]) -> str:
        label = ""
        for node in path:
            if node.unit.kind in ("clause", "point"):
                return ""
            label = _outline_label(node, label)
        return label

    def _paragraph(self, line: str, kind: str = "paragraph", indexable: bool = True) -> Unit:
        parent = self.top.unit
        n = self._ordinal(parent, kind)
        base = parent.locator if parent is not self.root else "Mở đầu"
        word = "ý" if kind == "bullet" else "đoạn"
        return self._attach(
            Unit(
                kind=kind,
                label=str(n),
                heading=_shorten(line, 60),
                text=line,
                locator=f"{base}, {word} {n}",
                indexable=indexable,
            )
        )

    # -- entry point ---------------------------------------------------------------------------
    def parse(self) -> Unit:
        self._preamble()
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if _RECIPIENTS.match(line):
                self._recipients()
            elif _SIGN_START.match(line) or _SIGNED.match(line):
                self._signature()
            elif ANNEX_LINE.match(line) and not TABLE_ROW.match(line):
                self._annex()
            elif TABLE_HEADER_ROW.match(line) or TABLE_ROW.match(line) or GROUP_ROW.match(line):
                self._table()
            else:
                self._line(line)
                self.pos += 1
        _finish(self.root)
        return self.root

    # -- blocks --------------------------------------------------------------------------------
    def _first_structural(self) -> int:
        for i, line in enumerate(self.lines[:80]):
            if _classify(line, in_article=False) is not None or ANNEX_LINE.match(line):
                return i
        return len(self.lines)

    def _preamble(self) -> None:
        first = self._first_structural()
        head = self.lines[:first]
        if any(_BASIS.match(ln) for ln in head):
            end = first
        else:
            end = 0
            after_title = False
            for line in head:
                if _is_caps(line) or _HEADER_LINE.match(line):
                    after_title = _is_caps(line)
                elif after_title and len(line) <= 120 and not line.endswith("."):
                    pass
                else:
                    break
                end += 1
        if end == 0:
            return
        block = self.lines[:end]
        title = next((ln for ln in block if _is_caps(ln) and len(ln) > 3), block[0])
        self._attach(
            Unit(
                kind="preamble",
                heading=_shorten(title, 80),
                text="\n".join(block),
                locator="Phần đầu",
                indexable=False,
            )
        )
        self.pos = end

    def _recipients(self) -> None:
        start = self.pos
        self.pos += 1
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if _BULLET.match(line) or line[:1].islower():
                self.pos += 1
                continue
            break
        self.stack = self.stack[:1]
        self._attach(
            Unit(
                kind="recipients",
                heading="Nơi nhận",
                text="\n".join(self.lines[start : self.pos]),
                locator="Nơi nhận",
                indexable=False,
            )
        )
        # A signature block usually follows the recipients without a TM./KT. line (BỘ TRƯỞNG).
        if self.pos < len(self.lines) and _is_caps(self.lines[self.pos]):
            self._signature()

    def _signature(self) -> None:
        start = self.pos
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if (_is_caps(line) and len(line) <= 60 and not ANNEX_LINE.match(line)) or _SIGNED.match(
                line
            ):
                self.pos += 1
                continue
            if _is_person_name(line):
                self.pos += 1
            break
        self.stack = self.stack[:1]
        block = self.lines[start : self.pos]
        self._attach(
            Unit(
                kind="signature",
                heading=_shorten(" ".join(block), 80),
                text="\n".join(block),
                locator="Chữ ký",
                indexable=False,
            )
        )
        self._attachment_title()

    def _attachment_title(self) -> None:
        """Title block of a text attached after the signature (programme, list, annex)."""
        if self.pos >= len(self.lines):
            return
        line = self.lines[self.pos]
        if not _is_caps(line) or ANNEX_LINE.match(line) or _classify(line, False) is not None:
            return
        start = self.pos
        self.pos += 1
        while self.pos < len(self.lines) and self.pos - start < 6:
            nxt = self.lines[self.pos]
            if (
                _classify(nxt, False) is not None
                or TABLE_HEADER_ROW.match(nxt)
                or TABLE_ROW.match(nxt)
            ):
                break
            self.pos += 1
            if _ATTACHED.match(nxt):
                break
        block = self.lines[start : self.pos]
        if block[0].upper().startswith("DANH MỤC"):
            # A list attached to the document is its (unnumbered) annex.
            annex = self._attach(
                Unit(
                    kind="annex",
                    heading=_shorten("Phụ lục. " + " ".join(b for b in block[:2]), 200),
                    text="\n".join(block[:2]),
                    locator="Phụ lục",
                )
            )
            self.stack = [self.stack[0], _Node(annex, _LEVEL["annex"], "annex")]
            if len(block) > 2:
                self._attach(_note("\n".join(block[2:]), "Phụ lục"), annex)
            return
        self._attach(
            Unit(
                kind="preamble",
                heading=_shorten(" ".join(block), 80),
                text="\n".join(block),
                locator="Văn bản kèm theo",
                indexable=False,
            )
        )

    def _annex(self) -> None:
        start = self.pos
        m = ANNEX_LINE.match(self.lines[start])
        assert m is not None
        label = m.group(1) or ""
        self.pos += 1
        title = [m.group(2)] if m.group(2) else []
        notes: list[str] = []
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if _ATTACHED.match(line):
                notes.append(line)
                self.pos += 1
                break
            if (
                not title
                and (_is_caps(line) or len(line) <= 200)
                and _classify(line, False) is None
            ):
                if TABLE_HEADER_ROW.match(line) or TABLE_ROW.match(line):
                    break
                title.append(line)
                self.pos += 1
                continue
            break
        locator = f"{legal.ANNEX} {label}".strip()
        heading = locator + (". " + " ".join(title) if title else "")
        self.stack = self.stack[:1]
        annex = self._attach(
            Unit(
                kind="annex",
                label=label,
                heading=_shorten(heading, 200),
                text="\n".join(self.lines[start : start + 1 + len(title) - bool(m.group(2))]),
                locator=locator,
            )
        )
        self.stack.append(_Node(annex, _LEVEL["annex"], "annex"))
        for note in notes:
            self._attach(_note(note, locator), annex)

    def _table(self) -> None:
        parent = self.top.unit
        table = _TableBuilder(parent, self).build()
        self._attach(table, parent)

    # -- ordinary lines ----------------------------------------------------------------------
    def _line(self, line: str) -> None:
        in_article = self._in_article_body()
        found = _classify(line, in_article)
        if found is None:
            self._paragraph(line)
            return
        style, label, rest = found
        if style in ("dash", "plus"):
            self._bullet(line, style)
            return
        level = _LEVEL[style]
        self._close_to(level)
        parent = self.top.unit
        kind, locator, heading = self._describe(style, label, rest, line, parent)
        unit = self._attach(
            Unit(kind=kind, label=label, heading=heading, text=line, locator=locator)
        )
        self.stack.append(_Node(unit, level, style))

    def _in_article_body(self) -> bool:
        return any(node.unit.kind == "article" for node in self.stack)

    def _bullet(self, line: str, style: str) -> None:
        # "+" nests under the open "-"; a new "-" closes the previous "-" (and its "+").
        level = _LEVEL[style]
        self._close_to(level)
        unit = self._paragraph(line, kind="bullet")
        self.stack.append(_Node(unit, level, style))

    def _describe(
        self, style: str, label: str, rest: str, line: str, parent: Unit
    ) -> tuple[str, str, str]:
        """Kind, locator and heading of a numbered line given where it stands."""
        if style == "part":
            return "part", f"{legal.PART} {label}", _shorten(line)
        if style == "chapter":
            return "chapter", f"{legal.CHAPTER} {label}", _shorten(line)
        if style == "section":
            base = parent.locator + " " if parent.kind == "chapter" else ""
            return "section", f"{base}Mục {label}", _shorten(line)
        if style == "article":
            return "article", f"{legal.ARTICLE} {label}", _shorten(line)
        if style == "number" and parent.kind == "article":
            return (
                "clause",
                f"{parent.locator} {legal.CLAUSE} {label}",
                _shorten(f"{label}. {rest}"),
            )
        if style == "point" and parent.kind == "clause":
            return "point", f"{parent.locator} {legal.POINT} {label}", _shorten(f"{label}) {rest}")
        # Outline item: dotted path below the nearest non-outline ancestor.
        anchor, dotted = self._context()
        probe = _Node(Unit(kind="outline", label=label), _LEVEL[style], style)
        path = _outline_label(probe, dotted)
        if anchor is not None and anchor.kind in ("annex", "table", "clause", "point"):
            locator = f"{anchor.locator}, {path}"
        else:
            locator = path
        sep = ")" if style == "point" else "."
        return "outline", locator, _shorten(f"{label}{sep} {rest}")


def _note(text: str, locator: str) -> Unit:
    return Unit(
        kind="preamble", heading=_shorten(text, 80), text=text, locator=locator, indexable=False
    )


def _is_person_name(line: str) -> bool:
    words = line.split()
    return (
        2 <= len(words) <= 6
        and all(w[:1].isupper() for w in words)
        and not any(ch.isdigit() or ch in ".,;:()" for ch in line)
    )


def _classify(line: str, in_article: bool) -> tuple[str, str, str] | None:
    """Which numbered/bulleted pattern opens ``line``: (style, label, rest) or None."""
    if " | " in line:
        return None
    for style, pattern in (
        ("part", PART_LINE),
        ("chapter", CHAPTER_LINE),
        ("section", SECTION_LINE),
        ("article", ARTICLE_LINE),
    ):
        m = pattern.match(line)
        if m:
            return style, m.group(1), m.group(2)
    m = ROMAN_LINE.match(line)
    if m and _is_roman(m.group(1)):
        return "roman", m.group(1), m.group(2)
    m = LETTER_SECTION_LINE.match(line)
    if m and m.group(2)[:1].isupper():
        return "letter", m.group(1), m.group(2)
    m = DECIMAL_LINE.match(line)
    if m:
        return "decimal", m.group(1), m.group(2)
    m = NUMBER_ITEM_LINE.match(line)
    if m:
        return "number", m.group(1), m.group(2)
    m = POINT_LINE.match(line)
    if m:
        return "point", m.group(1), m.group(2)
    m = _BULLET.match(line)
    if m and not m.group(2)[:1].islower():
        return ("plus" if m.group(1) == "+" else "dash"), m.group(1), m.group(2)
    return None


def _is_roman(token: str) -> bool:
    if len(token) == 1 and token not in "IVX":
        return False
    values = [ROMAN_VALUES[c] for c in token]
    return all(a >= b or b in (5 * a, 10 * a) for a, b in itertools.pairwise(values))


# ---------------------------------------------------------------------------------------------
# Tables


def _row_word(header: str) -> str:
    cells = [c.strip().lower() for c in re.split(r"\s*\|\s*|\n", header) if c.strip()]
    if any(c.startswith(legal.TARGET) for c in cells):
        return legal.TARGET
    if any(legal.TASK in c for c in cells[1:]):
        return legal.TASK
    return legal.ITEM


class _TableBuilder:
    """Consumes table lines from the parser's position and builds a table unit."""

    def __init__(self, parent: Unit, parser: _Parser) -> None:
        self.parent = parent
        self.p = parser
        self.table = Unit(kind="table", heading="Bảng", locator=parent.locator)
        self.groups: list[Unit] = []
        self.row: Unit | None = None
        self.rows: list[tuple[Unit, Unit | None, int]] = []
        self.segment = 1

    def _ends_table(self, line: str) -> bool:
        if ANNEX_LINE.match(line) and not TABLE_ROW.match(line):
            return True
        if _RECIPIENTS.match(line) or _SIGN_START.match(line):
            return True
        found = _classify(line, False)
        return found is not None and found[0] in (
            "part",
            "chapter",
            "section",
            "article",
            "letter",
            "roman",
        )

    def build(self) -> Unit:
        lines = self.p.lines
        header: list[str] = []
        if TABLE_HEADER_ROW.match(lines[self.p.pos]):
            header.append(lines[self.p.pos])
            self.p.pos += 1
            if " | " not in header[0]:
                # One header cell per line, until the first row.
                while self.p.pos < len(lines):
                    cell = lines[self.p.pos]
                    if (
                        len(cell) > 45
                        or TABLE_ROW.match(cell)
                        or GROUP_ROW.match(cell)
                        or BARE_ROW_NUMBER.match(cell)
                    ):
                        break
                    header.append(cell)
                    self.p.pos += 1
        self.last_number = 0
        self.table.text = "\n".join(header)
        self.table.heading = _shorten("Bảng: " + " | ".join(header), 120) if header else "Bảng"
        self.word = _row_word(self.table.text)
        while self.p.pos < len(lines):
            line = lines[self.p.pos]
            if self._ends_table(line):
                break
            self.p.pos += 1
            group = GROUP_ROW.match(line)
            row = TABLE_ROW.match(line) or self._bare_row(line)
            if group:
                self._group(group.group(1), group.group(2), line)
            elif row:
                self._row(row.group(1), line)
            elif self.row is not None:
                self.row.text += "\n" + line
            else:
                container = self.groups[-1] if self.groups else self.table
                n = sum(1 for c in container.children if c.kind == "paragraph") + 1
                container.children.append(
                    Unit(
                        kind="paragraph",
                        label=str(n),
                        heading=_shorten(line, 60),
                        text=line,
                        locator=f"{container.locator}, đoạn {n}",
                    )
                )
        self._locate_rows()
        return self.table

    def _bare_row(self, line: str) -> re.Match[str] | None:
        """A number alone on a line opens a row whose cells follow one per line."""
        m = BARE_ROW_NUMBER.match(line)
        if m is None:
            return None
        first = int(m.group(1).split(".")[0])
        return m if first == 1 or first <= self.last_number + 5 else None

    def _group(self, label: str, rest: str, line: str) -> None:
        while self.groups and not label.startswith(self.groups[-1].label + "."):
            self.groups.pop()
        parent = self.groups[-1] if self.groups else self.table
        group = Unit(
            kind="row",
            label=label,
            heading=_shorten(f"{label}. {rest}"),
            text=line,
            locator=f"{self.table.locator}, nhóm {label}",
        )
        parent.children.append(group)
        self.groups.append(group)
        self.row = None

    def _row(self, label: str, line: str) -> None:
        parent = self.groups[-1] if self.groups else self.table
        group = self.groups[-1] if self.groups else None
        if label == "1" and any(g is group for _, g, _ in self.rows):
            # Numbering restarts: a new sub-table whose title row was lost.
            self.segment += 1
        self.last_number = int(label.split(".")[0])
        row = Unit(kind="row", label=label, text=line)
        parent.children.append(row)
        self.rows.append((row, group, self.segment))
        self.row = row

    def _locate_rows(self) -> None:
        labels = Counter(r.label for r, _, _ in self.rows)
        unique = all(n == 1 for n in labels.values())
        seen: Counter[str] = Counter()
        for row, group, segment in self.rows:
            base = self.table.locator
            if not unique and group is not None:
                base = f"{base}, nhóm {group.label}"
            elif not unique and segment > 1:
                base = f"{base}, bảng {segment}"
            locator = f"{base}, {self.word} {row.label}"
            seen[locator] += 1
            if seen[locator] > 1:
                locator += f" ({seen[locator]})"
            row.locator = locator
            first, _, more = row.text.partition("\n")
            cells = [c.strip() for c in first.split("|")[1:] if c.strip()]
            title = cells[0] if cells else more.split("\n", 1)[0] or first
            row.heading = _shorten(f"{row.label}. {title}", 80)


# ---------------------------------------------------------------------------------------------
# Post-processing


def is_title_only(unit: Unit) -> bool:
    """A parent whose own line is only a title ("1. Mục tiêu chung", "Điều 2. Giải thích từ
    ngữ"): its heading goes into its children's breadcrumbs."""
    if not unit.children or not unit.text or unit.kind in ("document", "table"):
        return False
    # Annex titles and table group rows ("III. | Tăng cường đầu tư …") only name what follows.
    if unit.kind in ("annex", "row"):
        return True
    return "\n" not in unit.text and _is_title(unit.text)


def _finish(root: Unit) -> None:
    """Give title-only parents their full title as heading; fill missing headings."""
    for unit in root.walk():
        if is_title_only(unit) and unit.kind not in ("annex", "row"):
            unit.heading = _heading_of(unit)
        if not unit.heading:
            unit.heading = _shorten(unit.text or unit.locator, 60)


def _heading_of(unit: Unit) -> str:
    text = unit.text
    m = ROMAN_LINE.match(text) if unit.kind == "outline" else None
    if m and _is_roman(m.group(1)):
        return f"{m.group(1)}. {m.group(2)}"
    m = re.match(r"^(\d+(?:\.\d+)*|[A-ZĐ])\s*[.\-–]\s+(.*)$", text)
    if m and unit.kind in ("outline", "clause"):
        return f"{m.group(1)}. {m.group(2)}"
    return text


# ---------------------------------------------------------------------------------------------
# Public API


def parse_document(text: str, meta: DocumentMeta) -> Unit:
    """Parse a cleaned document into a tree rooted at ``Unit(kind="document")``."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    return _Parser(lines, meta).parse()


def render_tree(root: Unit, max_text: int = 80) -> str:
    """One line per unit, indented by depth: ``[locator] kind: heading or first words``."""
    out: list[str] = []

    def visit(unit: Unit, depth: int) -> None:
        label = unit.heading or unit.text
        label = " ".join(label.split())
        if len(label) > max_text:
            label = label[: max_text - 1].rstrip() + "…"
        hidden = "" if unit.indexable else " [không lập chỉ mục]"
        out.append(f"{'  ' * depth}[{unit.locator}] {unit.kind}: {label}{hidden}")
        for child in unit.children:
            visit(child, depth + 1)

    visit(root, 0)
    return "\n".join(out)
