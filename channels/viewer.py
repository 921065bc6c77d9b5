"""Document viewer: a whole legal text as HTML with one anchor per locator.

A citation URL ``/documents/{doc_id}#{anchor(locator)}`` lands on the cited clause, which is
highlighted by CSS ``:target`` and a small script that falls back to the nearest enclosing unit
when a locator has no element of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ingest.model import DocumentMeta, Unit
from nq57.text import anchor, fold, nfc

DocumentsProvider = Callable[[], dict[str, tuple[DocumentMeta, Unit]]]

STATIC_DIR = Path(__file__).with_name("static")
HEADED_KINDS = {"part", "chapter", "section", "article", "annex", "outline", "table"}
MUTED_KINDS = {"preamble", "signature", "recipients"}
KIND_PREFIX = {
    "part": "Phần",
    "chapter": "Chương",
    "section": "Mục",
    "article": "Điều",
    "annex": "Phụ lục",
}
MARKER_KINDS = {"clause": "{}.", "point": "{})", "outline": "{}.", "bullet": "{}"}


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
    children: list[UnitView] = field(default_factory=list)


@dataclass
class TocEntry:
    anchor: str
    title: str
    level: int


def _same(a: str, b: str) -> bool:
    return fold(nfc(a)).lower().strip(" .:") == fold(nfc(b)).lower().strip(" .:")


def _display_label(unit: Unit) -> str:
    label = unit.label.strip()
    prefix = KIND_PREFIX.get(unit.kind)
    if not label or not prefix:
        return label
    return label if fold(label).lower().startswith(fold(prefix).lower()) else f"{prefix} {label}"


def unit_title(unit: Unit) -> str:
    """Heading line of a structural unit: "Chương II. QUY ĐỊNH CHUNG", "Điều 3. Giải thích"."""
    label = _display_label(unit)
    heading = unit.heading.strip()
    if not heading:
        return label if unit.kind in HEADED_KINDS else ""
    if not label or fold(heading).lower().startswith(fold(label).lower()):
        return heading
    sep = " " if label.endswith((".", ":", ")", "-")) else ". "
    return f"{label}{sep}{heading}"


def _marker(unit: Unit, first_line: str) -> str:
    """ "2." or "b)" before a clause whose text does not already start with its label."""
    template = MARKER_KINDS.get(unit.kind)
    label = unit.label.strip()
    if not template or not label or unit.heading:
        return ""
    mark = template.format(label)
    head = first_line.lstrip()
    if head.startswith((label + ".", label + ")", label + " ", mark)) or _same(head, label):
        return ""
    return mark


def build_view(unit: Unit, seen: set[str] | None = None, depth: int = 0) -> UnitView:
    """Turn a Unit tree into render-ready views; each anchor is used once (the first unit)."""
    seen = set() if seen is None else seen
    slug: str | None = None
    if unit.locator:
        candidate = anchor(unit.locator)
        if candidate not in seen:
            seen.add(candidate)
            slug = candidate
    paragraphs = [line.strip() for line in unit.text.splitlines() if line.strip()]
    title = unit_title(unit) if unit.kind != "document" else ""
    view = UnitView(
        kind=unit.kind,
        anchor=slug,
        locator=unit.locator,
        title=title,
        marker=_marker(unit, paragraphs[0] if paragraphs else ""),
        paragraphs=paragraphs,
        muted=(not unit.indexable) or unit.kind in MUTED_KINDS,
        level=min(depth + 1, 5),
    )
    view.children = [
        build_view(child, seen, depth + (1 if title else 0)) for child in unit.children
    ]
    return view


def table_of_contents(view: UnitView, max_level: int = 2) -> list[TocEntry]:
    out: list[TocEntry] = []

    def visit(v: UnitView) -> None:
        if v.title and v.anchor and v.level <= max_level and not v.muted:
            out.append(TocEntry(anchor=v.anchor, title=v.title, level=v.level))
        for child in v.children:
            visit(child)

    visit(view)
    return out


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(STATIC_DIR),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_document(meta: DocumentMeta, root: Unit) -> str:
    view = build_view(root)
    return (
        _env()
        .get_template("document.html")
        .render(meta=meta, root=view, toc=table_of_contents(view), page="document")
    )


def render_not_found(doc_id: str, documents: dict[str, tuple[DocumentMeta, Unit]]) -> str:
    metas = sorted((m for m, _ in documents.values()), key=lambda m: m.id)
    return _env().get_template("document.html").render(page="missing", doc_id=doc_id, metas=metas)


def render_index(documents: dict[str, tuple[DocumentMeta, Unit]]) -> str:
    metas = sorted((m for m, _ in documents.values()), key=lambda m: m.id)
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
