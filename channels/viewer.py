"""Document viewer: a whole legal text as HTML with one anchor per locator.

A citation URL ``/documents/{doc_id}#{anchor(locator)}`` lands on the cited clause, which is
highlighted by CSS ``:target`` and a small script that falls back to the nearest enclosing unit
when a locator has no element of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from channels.doclist import ordered, vn_date
from ingest.model import DocumentMeta, Unit
from nq57.text import anchor, fold, nfc

DocumentsProvider = Callable[[], dict[str, tuple[DocumentMeta, Unit]]]

STATIC_DIR = Path(__file__).with_name("static")
# Units that stand as a heading even without heading text ("Chương II", "Điều 5", "Phụ lục I").
HEADED_KINDS = {"part", "chapter", "section", "article", "annex"}
MUTED_KINDS = {"preamble", "signature", "recipients"}
KIND_PREFIX = {
    "part": "Phần",
    "chapter": "Chương",
    "section": "Mục",
    "article": "Điều",
    "annex": "Phụ lục",
}
MARKER_KINDS = {"clause": "{}.", "point": "{})", "outline": "{}.", "bullet": "•"}
# A label written at the start of a line: "Điều 3.", "II.", "III-", "2.", "1.1.", "b)", "-".
_LEAD = re.compile(r"^(Điều\s+\d+[a-zđ]?\.|[IVXLC]+[.\-–]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-–+•])\s+")
_CELL_SEP = " | "
_SENTENCE_END = re.compile(r"[.;:!?…]['\"”)]*$")


@dataclass
class UnitView:
    """What the template needs for one unit; computed once, rendered without logic."""

    kind: str
    anchor: str | None
    locator: str
    title: str
    marker: str
    paragraphs: list[str]
    muted: bool
    level: int
    cells: list[str] = field(default_factory=list)
    children: list[UnitView] = field(default_factory=list)


@dataclass
class TocEntry:
    anchor: str
    title: str
    level: int


def _key(text: str) -> str:
    """Compare titles whatever their punctuation and case: "III- NHIỆM VỤ" ~ "III. Nhiệm vụ"."""
    return anchor(text)


def _display_label(unit: Unit) -> str:
    label = unit.label.strip()
    prefix = KIND_PREFIX.get(unit.kind)
    if not label or not prefix:
        return label
    return label if fold(label).lower().startswith(fold(prefix).lower()) else f"{prefix} {label}"


def unit_title(unit: Unit) -> str:
    """Heading line of a structural unit: "Chương II. QUY ĐỊNH CHUNG", "Điều 3. Giải thích"."""
    label = _display_label(unit)
    heading = " ".join(unit.heading.split())
    if not heading:
        return label if unit.kind in HEADED_KINDS else ""
    if not label or fold(nfc(heading)).lower().startswith(fold(nfc(label)).lower()):
        return heading
    sep = " " if label.endswith((".", ":", ")", "-")) else ". "
    return f"{label}{sep}{heading}"


def presentation(unit: Unit) -> tuple[str, list[str]]:
    """The heading to show (if any) and the text lines, without saying anything twice.

    Parsers often fill ``heading`` with a preview of the text ("1. Phát triển khoa học …") or
    with the text's own title line; only a real title is shown as a heading.
    """
    lines = [" ".join(line.split()) for line in unit.text.splitlines() if line.strip()]
    if unit.kind in ("document", "table", "row"):
        return "", lines
    heading = " ".join(unit.heading.split())
    if not heading:
        return unit_title(unit), lines
    text_key = _key(" ".join(lines))
    if (
        unit.children
        and len(lines) == 1
        and len(lines[0]) <= 300
        and not _SENTENCE_END.search(lines[0])
    ):
        # One unpunctuated line over sub-units is that group's title, however long.
        return (unit_title(unit) if text_key == _key(heading) else lines[0]), []
    if heading.endswith("…") and text_key.startswith(_key(heading.removesuffix("…"))):
        return "", lines
    if text_key == _key(heading):
        return (unit_title(unit), []) if unit.children else ("", lines)
    if lines and _key(lines[0]) == _key(heading):
        return "", lines
    return unit_title(unit), lines


def _marker(unit: Unit, title: str, paragraphs: list[str]) -> str:
    """Set the label apart ("2.", "b)", "-"), taking it from the text when the text has it."""
    if not paragraphs:
        return ""
    lead = _LEAD.match(paragraphs[0])
    if lead and unit.kind not in ("preamble", "signature", "recipients", "row", "table"):
        paragraphs[0] = paragraphs[0][lead.end() :]
        return lead.group(1)
    template = MARKER_KINDS.get(unit.kind)
    label = unit.label.strip()
    if not template or not label or title:
        return ""
    return template.format(label)


def build_view(unit: Unit, seen: set[str] | None = None, depth: int = 0) -> UnitView:
    """Turn a Unit tree into render-ready views; each anchor is used once (the first unit)."""
    seen = set() if seen is None else seen
    slug: str | None = None
    if unit.locator:
        candidate = anchor(unit.locator)
        if candidate not in seen:
            seen.add(candidate)
            slug = candidate
    title, paragraphs = presentation(unit)
    cells: list[str] = []
    if unit.kind in ("row", "table") and len(paragraphs) == 1 and _CELL_SEP in paragraphs[0]:
        cells = [c.strip() for c in paragraphs[0].split(_CELL_SEP)]
        paragraphs = []
    view = UnitView(
        kind=unit.kind,
        anchor=slug,
        locator=unit.locator,
        title=title,
        marker=_marker(unit, title, paragraphs),
        paragraphs=paragraphs,
        muted=(not unit.indexable) or unit.kind in MUTED_KINDS,
        level=min(depth + 1, 5),
        cells=cells,
    )
    view.children = [
        build_view(child, seen, depth + (1 if title else 0)) for child in unit.children
    ]
    return view


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def table_of_contents(view: UnitView, max_level: int = 2) -> list[TocEntry]:
    out: list[TocEntry] = []

    def visit(v: UnitView) -> None:
        if v.title and v.anchor and v.level <= max_level and not v.muted:
            out.append(TocEntry(anchor=v.anchor, title=_shorten(v.title, 80), level=v.level))
        for child in v.children:
            visit(child)

    visit(view)
    return out


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(STATIC_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["vndate"] = vn_date
    return env


def render_document(meta: DocumentMeta, root: Unit) -> str:
    view = build_view(root)
    return (
        _env()
        .get_template("document.html")
        .render(meta=meta, root=view, toc=table_of_contents(view), page="document")
    )


def render_not_found(doc_id: str, documents: dict[str, tuple[DocumentMeta, Unit]]) -> str:
    metas = ordered(m for m, _ in documents.values())
    return _env().get_template("document.html").render(page="missing", doc_id=doc_id, metas=metas)


def render_index(documents: dict[str, tuple[DocumentMeta, Unit]]) -> str:
    metas = ordered(m for m, _ in documents.values())
    return _env().get_template("document.html").render(page="index", metas=metas)


def find_document(
    documents: dict[str, tuple[DocumentMeta, Unit]], doc_id: str
) -> tuple[DocumentMeta, Unit] | None:
    """Look a document up by id, or by its file name (``nq-57-2024.txt``)."""
    if doc_id in documents:
        return documents[doc_id]
    for meta, root in documents.values():
        if doc_id in (meta.file, Path(meta.file).stem):
            return meta, root
    return None


def get_documents(request: Request) -> dict[str, tuple[DocumentMeta, Unit]]:
    state = getattr(request.app.state, "nq57", None)
    provider: DocumentsProvider | None = getattr(state, "documents", None)
    return provider() if provider is not None else {}


DocumentsDep = Annotated[dict[str, tuple[DocumentMeta, Unit]], Depends(get_documents)]


router = APIRouter(tags=["văn bản"])


@router.get("/documents", response_class=HTMLResponse, summary="Danh sách văn bản")
def list_documents(documents: DocumentsDep) -> HTMLResponse:
    return HTMLResponse(render_index(documents))


@router.get("/documents/{doc_id}", response_class=HTMLResponse, summary="Xem toàn văn")
def show_document(doc_id: str, documents: DocumentsDep) -> HTMLResponse:
    found = find_document(documents, doc_id)
    if found is None:
        return HTMLResponse(render_not_found(doc_id, documents), status_code=404)
    return HTMLResponse(render_document(*found))
