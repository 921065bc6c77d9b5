"""Outlines for broad questions: the matched section's own items, numbered, each with its link.

"Nghị quyết 57 đặt mục tiêu gì đến năm 2030?" is answered by the items under II.1 ("1. Đến năm
2030"), "nhiệm vụ, giải pháp" by the groups of III: not by one sentence somewhere, nor by a wall
of quotes. Each item is its own heading, or the first sentence of its text, verbatim, shortened
on a word boundary, cited at its own locator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.answer import Answer, Citation
from bot.compose import doc_label, locator_phrase, make_citation, segments
from ingest.chunk import RECORD_KINDS
from retrieval.describe import without_issuers
from retrieval.terms import TermStats, content_terms, without_document_names
from retrieval.types import Hit

_OUTLINE_PATH = re.compile(r"^(?:[IVXLC]+|[A-Z]|\d+)(?:\.[\wđ]+)*$")
_ARTICLE_PATH = re.compile(r"^(Điều \d+)(?: (khoản \d+))?(?: (điểm \S+))?$")
_ARTICLE_CRUMB = re.compile(r"^Điều \d+\.")
MIN_COVERAGE = 0.6
WHOLE_COVERAGE = 0.9  # a heading that holds all of the question's own words
DEEP = 3  # outline levels ("II.2.2"): a unit this deep heads one body's or one topic's items
MAX_ITEMS = 10
ITEM_CHARS = 180
SHORT_TITLE_WORDS = 6  # a heading this short says what follows, not what it holds
LEAD_WORDS = 24  # of a lead-in shown above its list, its end: where it says what the list is
# Question words of a broad request: they ask for a list, they say nothing about which one.
_REQUEST = frozenset(
    [
        "nhung",
        "gi",
        "nao",
        "co",
        "cac",
        "gom",
        "bao",
        "chinh",
        "la",
        "ve",
        "de",
        "dat",
        "ra",
        "neu",
        "noi",
        "muc",
        "quy",
        "dinh",
        # "những nhóm …", "những ý chính": the parts asked for, not which ones
        "nhom",
        "y",
        "phan",
        # "tóm tắt giúp tôi …", "nói ngắn gọn": how to answer, not what about
        "tom",
        "tat",
        "giup",
        "toi",
        "minh",
        "ngan",
        "gon",
        # "Chương trình kèm theo Nghị quyết 03": which document, said again
        "kem",
        "theo",
        "dua",
    ]
)


@dataclass(frozen=True)
class Heading:
    doc_id: str
    locator: str  # "II.1", "Điều 3"
    text: str  # "1. Đến năm 2030"
    parents: tuple[str, ...]
    coverage: float = 0.0  # how much of the question it holds, once matched


def headings_of(hit: Hit) -> list[Heading]:
    """The headings above a chunk, each with the locator of the unit it heads."""
    path = hit.locator.split(", ")[0]
    crumbs = list(hit.breadcrumb[1:])
    if _OUTLINE_PATH.match(path):
        crumbs = [c for c in crumbs if not _ARTICLE_CRUMB.match(c)]
        parts = path.split(".")
        prefixes = [".".join(parts[: i + 1]) for i in range(len(parts))]
    elif m := _ARTICLE_PATH.match(path):
        pieces = [p for p in m.groups() if p]
        prefixes = [" ".join(pieces[: i + 1]) for i in range(len(pieces))]
    else:
        return []
    first = hit.text.split("\n", 1)[0].strip()
    label = prefixes[-1].split(".")[-1].split(" ")[-1]
    if not crumbs and len(prefixes) == 1 and re.match(rf"{re.escape(label)}[.)]\s", first):
        # A main part held whole in one chunk starts with its own heading ("I. MỤC TIÊU").
        crumbs.append(first)
    out = []
    for depth, (prefix, text) in enumerate(zip(prefixes, crumbs, strict=False)):
        out.append(Heading(hit.doc_id, prefix, text, tuple(crumbs[:depth])))
    return out


def best_heading(
    stats: TermStats, question: str, hits: Sequence[Hit], document: Sequence[Hit] = ()
) -> Heading | None:
    """The deepest heading among the top hits that holds the question's own words; with
    ``document`` (the chunks of the one document the question names), its headings too, so that
    "Nghị quyết 57 đề ra những nhóm nhiệm vụ, giải pháp nào?" finds III wherever search looked."""
    # The best-covered heading; of equal ones the named document's ("nghi quyet 57 dat muc tieu
    # gi den nam 2030": NQ 57's II.1, not a decision's "Mục tiêu" under a title that names NQ 57
    # and 2030), then the broadest (a broad question wants the groups).
    best: tuple[float, bool, int, Heading] | None = None
    asked = _asked_terms(question)
    named = document[0].doc_id if document else None
    for hit in [*hits[:5], *_unit_heads(document)]:
        title = set(content_terms(hit.doc_title)) | set(
            content_terms(hit.breadcrumb[0] if hit.breadcrumb else "")
        )
        terms = [t for t in asked if t not in title]
        if len(terms) < 1:
            continue
        for depth, heading in enumerate(headings_of(hit)):
            cov = stats.coverage(terms, " ".join([*heading.parents, heading.text]))
            rank = (cov, hit.doc_id == named, -depth)
            if cov >= MIN_COVERAGE and (best is None or rank > best[:3]):
                best = (*rank, heading)
    return replace(best[3], coverage=best[0]) if best else None


def _unit_heads(chunks: Sequence[Hit]) -> list[Hit]:
    """The first chunk of each unit two levels deep ("III", "III.4"): its headings are all the
    document's headings down to that depth."""
    seen: set[str] = set()
    out = []
    for hit in chunks:
        key = ".".join(hit.locator.split(", ")[0].split(".")[:2])
        if key not in seen:
            seen.add(key)
            out.append(hit)
    return out


def _short(text: str, limit: int = ITEM_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def outline_items(heading: Heading, unit: Sequence[Hit]) -> list[tuple[Hit, str]]:
    """(chunk, item text) for each item directly under the heading, in document order."""
    items = _unit_items(heading, unit)
    if len(items) < 2 and len(unit) == 1 and heading.coverage >= WHOLE_COVERAGE:
        # One chunk holds the whole unit: its labelled lines are the items, when the heading
        # is all the question asks about ("Nghị quyết 03 có những mục tiêu gì?"), not a
        # detail inside it ("… phải kiến nghị sửa đổi những luật nào?").
        lines = [ln.strip() for ln in unit[0].text.split("\n")[1:]]
        labelled = [ln for ln in lines if _LABEL.match(ln) or ln[:1] in "-–+"]
        if len(labelled) >= 2:
            return [(unit[0], _short((segments(ln) or [ln])[0])) for ln in labelled]
    return items


def _unit_items(heading: Heading, unit: Sequence[Hit]) -> list[tuple[Hit, str]]:
    items: list[tuple[Hit, str]] = []
    seen: set[str] = set()
    for hit in unit:
        path = hit.locator.split(", ")[0]
        rest = path[len(heading.locator) :].lstrip(". ")
        if rest:
            # A deeper unit: its own heading stands for it, once.
            key = heading.locator + ("." if "." in path else " ") + re.split(r"[. ]", rest)[0]
            if key in seen:
                continue
            seen.add(key)
            child = next((h for h in headings_of(hit) if h.locator == key), None)
            text = _with_body(child.text if child else None, segments(hit.text) or [hit.text])
        else:
            first = segments(hit.text)
            if not first or (first[0].rstrip().endswith(":") and len(first) == 1):
                continue
            text = first[0] if not first[0].rstrip().endswith(":") or len(first) < 2 else first[1]
        items.append((hit, _short(text)))
    return items


def _with_body(heading: str | None, pieces: Sequence[str]) -> str:
    """An item's text: its heading, and when the heading is only a short title ("a) Năm 2025",
    "1. Mục tiêu chung") the first piece of its body after it, which holds the substance."""
    if heading is None:
        title, body = (pieces[0] if pieces else ""), list(pieces[1:])
    else:
        title, body = heading, [p for p in pieces if p.strip() != heading.strip()]
    if len(title.split()) > SHORT_TITLE_WORDS or not body:
        return title
    return f"{title.rstrip(' :')}: {body[0].lstrip('-–+ ')}"


def _bullet(text: str) -> str:
    """An item keeps its own label ("1.", "a)"); a dash item or an unlabelled one gets "•"."""
    if _LABEL.match(text):
        return text
    return "• " + re.sub(r"^[-–+]\s*", "", text)


_LABEL = re.compile(r"^(?:\d+(?:\.\d+)*\.|[a-zđ]\)|\(\d+\))\s")


def _add_items(
    items: Sequence[tuple[Hit, str]], lines: list[str], citations: list[Citation]
) -> None:
    """One bullet per item (the first MAX_ITEMS), each cited at its own chunk."""
    for hit, text in items[:MAX_ITEMS]:
        citations.append(make_citation(hit, text.rstrip(" …")))
        lines.append(f"{_bullet(text)} [{len(citations)}]")


def render_outline(
    heading: Heading, items: Sequence[tuple[Hit, str]], lead: str | None = None
) -> Answer:
    head = items[0][0]
    lines = [
        lead
        or f"Theo {doc_label(head)}, {locator_phrase(heading.locator)} ({_short(heading.text, 90)}) gồm:"
    ]
    citations: list[Citation] = []
    _add_items(items, lines, citations)
    if len(items) > MAX_ITEMS:
        lines.append(
            f"… và {len(items) - MAX_ITEMS} nội dung khác trong {locator_phrase(heading.locator)}."
        )
    return Answer("\n".join(lines), "answer", False, citations=citations)


def _asked_terms(question: str) -> list[str]:
    """The question's own words: not its request words, nor which document it names (by name,
    type or issuer), which says nothing about which heading."""
    asked = content_terms(without_issuers(without_document_names(question)))
    return [t for t in asked if t not in _REQUEST]


def lead_in_items(lead: Hit, chunks: Sequence[Hit]) -> list[tuple[Hit, str]]:
    """The units that follow a passage ending in a lead-in ("… một số nhiệm vụ trọng tâm
    sau:"), each by its own heading, up to the end of the document's main parts."""
    after = [c for c in chunks if c.chunk_index > lead.chunk_index and c.kind not in RECORD_KINDS]
    items: list[tuple[Hit, str]] = []
    seen: set[str] = set()
    for hit in after:
        top = next(iter(headings_of(hit)), None)
        if top is None:
            break  # the list ended: an annex, a closing paragraph
        if top.locator in seen:
            continue
        seen.add(top.locator)
        items.append((hit, _short(_with_body(top.text, segments(hit.text) or [hit.text]))))
    return items


def outline(
    stats: TermStats,
    question: str,
    hits: Sequence[Hit],
    unit_of: Callable[[str, str], list[Hit]],
    document: Sequence[Hit] = (),
) -> Answer | None:
    """The outline answer, or None when no heading matches or it heads fewer than two items.
    In a text whose list has no heading of its own (Kết luận 69: "… thực hiện tốt một số
    nhiệm vụ trọng tâm sau:" then 1. … 7.), the passage that leads in to it stands for one."""
    heading = best_heading(stats, question, hits, document)
    if heading is not None:
        if (
            len(heading.locator.split(".")) >= DEEP
            and stats.coverage(_asked_terms(question), heading.text) < WHOLE_COVERAGE
        ):
            # A unit this deep is one body's or one topic's ("II.2.2.h Tổ đảng ở Thường trực Ủy
            # ban Quốc phòng và An ninh"): listed only when it is all the question asks about,
            # not for a detail inside it ("… phải rà soát những luật nào?").
            return None
        items = outline_items(heading, unit_of(heading.doc_id, heading.locator))
        return render_outline(heading, items) if len(items) >= 2 else None
    lead = next((h for h in hits[:3] if h.text.rstrip().endswith(":")), None)
    if lead is None or not document or lead.doc_id != document[0].doc_id:
        return None
    asked = _asked_terms(question)
    said = (segments(lead.text) or [lead.text])[-1]
    if not asked or stats.coverage(asked, said) < MIN_COVERAGE:
        return None
    items = lead_in_items(lead, document)
    if len(items) < 2:
        return None
    citations = [make_citation(lead, said)]
    # The lead-in's end says what the list is ("… một số nhiệm vụ trọng tâm sau:").
    words = said.split()
    shown = said if len(words) <= LEAD_WORDS else "… " + " ".join(words[-LEAD_WORDS:])
    lines = [f"Theo {doc_label(lead)} ({locator_phrase(lead.locator)}): «{shown}» [1]"]
    _add_items(items, lines, citations)
    return Answer("\n".join(lines), "answer", False, citations=citations)
