"""Extractive, grounded answers: pick the sentences that answer, quote them verbatim, cite.

No language model: every word of substance in an answer is copied from a passage and carries
its [n] marker and locator, so an official can check it against the text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.answer import Answer, Citation
from nq57.legal import OUTLINE_START, TABLE_ROW
from nq57.text import anchor, fold
from retrieval.frame import Frame, carries_unit, frame_of, holds_answer, names_agency
from retrieval.terms import (
    TermStats,
    content_bigrams,
    content_terms,
    phrase_coverage,
    without_document_names,
)
from retrieval.types import Hit

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*\s*%?")
MAX_QUOTE_CHARS = 600


@dataclass
class Segment:
    hit_index: int
    text: str
    order: int
    score: float = 0.0


def locator_phrase(locator: str) -> str:
    """How a locator reads in a sentence: "mục II.2", "Điều 3 khoản 2", "Phụ lục II, nhiệm vụ 44"."""
    if not locator:
        return ""
    return f"mục {locator}" if OUTLINE_START.match(locator) else locator


def doc_label(hit: Hit) -> str:
    """ "Nghị quyết 57-NQ/TW" from the breadcrumb head, else the number."""
    if hit.breadcrumb:
        return hit.breadcrumb[0]
    return hit.doc_number


_SENTENCE = re.compile(
    r"(?<=[.!?])\s+(?=[A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ\-+(])"
)
_CLAUSE = re.compile(r"(?<=;)\s+")
SHORT_UNIT = 450
# "2." opening a numbered item is its label, not a sentence of its own.
_LONE_LABEL = re.compile(r"^(?:\d+(?:\.\d+)*|[IVXLC]+|[a-zđ])\.$")


def _sentences(line: str) -> list[str]:
    """The sentences of a line, each a verbatim slice of it."""
    bounds = [0] + [m.end() for m in _SENTENCE.finditer(line)] + [len(line)]
    spans: list[tuple[int, int]] = []
    for start, end in itertools.pairwise(bounds):
        if spans and _LONE_LABEL.match(line[slice(*spans[-1])].strip()):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return [piece for a, b in spans if (piece := line[a:b].strip())]


def segments(text: str) -> list[str]:
    """Quotable pieces, each a verbatim substring: a short unit whole; else lines, then
    sentences of long lines, then clauses (at ';') of very long sentences."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(text) <= SHORT_UNIT and not any(" | " in line for line in lines):
        return [text.strip()] if text.strip() else []
    out: list[str] = []
    for line in lines:
        if len(line) <= SHORT_UNIT:
            out.append(line)
            continue
        for sentence in _sentences(line):
            if len(sentence) <= SHORT_UNIT:
                out.append(sentence)
            else:
                out.extend(c.strip() for c in _CLAUSE.split(sentence) if c.strip())
    return out


def numbers(text: str) -> set[str]:
    return {re.sub(r"\s+", "", n).rstrip(".,") for n in _NUMBER.findall(text)}


_RANGE = re.compile(r"^(.*?)(\d+(?:\.\d+)*)–(\d+(?:\.\d+)*)$")


def quote_locator(hit: Hit, quote: str) -> str:
    """A quote from a chunk of table rows "nhiệm vụ 41–45" is cited by its own row number."""
    m = _RANGE.match(hit.locator)
    row = TABLE_ROW.match(quote.strip())
    if m and row:
        return f"{m.group(1)}{row.group(1)}"
    return hit.locator


def table_header(hit: Hit) -> list[str] | None:
    """The repeated header line of a table chunk, split into column names."""
    if hit.kind != "row":
        return None
    first = hit.text.split("\n", 1)[0]
    if " | " not in first or TABLE_ROW.match(first):
        return None
    return [c.strip() for c in first.split("|")]


def row_fields(header: list[str], row: str) -> list[tuple[str, str]]:
    cells = [c.strip() for c in row.split("|")]
    if len(cells) != len(header):
        return []
    return [(h, c) for h, c in zip(header[1:], cells[1:], strict=True) if h and c]


def make_citation(hit: Hit, quote: str) -> Citation:
    locator = quote_locator(hit, quote)
    return Citation(
        doc=hit.doc,
        doc_id=hit.doc_id,
        doc_number=hit.doc_number,
        doc_title=hit.doc_title,
        locator=locator,
        quote=quote,
        url=f"/documents/{hit.doc_id}#{anchor(locator)}",
    )


TITLE_WEIGHT = 0.3
_ITEM_LABEL = re.compile(r"^(?:[a-zđ]\)|\d+(?:\.\d+)*\.)\s")


@lru_cache(maxsize=256)
def title_terms(title: str, accented: bool) -> frozenset[str]:
    return frozenset(content_terms(title, accented=accented))


class ExtractiveComposer:
    def __init__(
        self, stats: TermStats, max_quotes: int = 3, max_hits: int = 4, rank_penalty: float = 0.06
    ) -> None:
        self.stats = stats
        self.rank_penalty = rank_penalty
        self.max_quotes = max_quotes
        self.max_hits = max_hits

    def score_segments(
        self,
        question: str,
        hits: list[Hit],
        accented: bool = False,
        focus: str | None = None,
        about_document: bool = False,
        asked: Frame | None = None,
    ) -> list[Segment]:
        """Score every sentence of the best hits against the question.

        ``focus`` is what the user typed when ``question`` was rebuilt from the conversation:
        "Còn giá trị sản phẩm công nghệ cao thì sao?" must pick that sentence, not the one the
        previous answer quoted. ``about_document``: the question asks about the document itself
        (when, by whom), so the words of its title count in full. ``asked``: the frame of what
        the user typed (read from it when not given).
        """
        topic_terms: list[str] = []
        if focus:
            # The earlier question only keeps the topic; the new words choose the sentence.
            topic_terms = content_terms(without_document_names(question), accented=accented)
            question = focus
        q_terms = content_terms(without_document_names(question), accented=accented)
        q_pairs = content_bigrams(without_document_names(question))
        q_numbers = numbers(question)
        # "Bộ nào lo …?", "hạn khi nào?": of sentences equally on topic, the one naming an agency
        # or a date answers; a number question has its own bonus below.
        asked = asked or frame_of(question)
        names_kind = asked.attribute in ("agency", "date")
        scored: list[Segment] = []
        top_score = max(hits[0].score, 1e-9) if hits else 1.0
        for hi, hit in enumerate(hits[: self.max_hits]):
            # Retrieval rank counts as much as the search was sure: a close call leaves the choice
            # to the sentences themselves.
            rank_cost = min(
                self.rank_penalty * hi, 2.0 * max(top_score - hit.score, 0.0) / top_score
            )
            context = " ".join(hit.breadcrumb[1:])
            # Words of the document's own title ("Thông tư … về ưu đãi thuế thiết bị điện tử")
            # say which document, not which sentence: they count for less.
            about = frozenset() if about_document else title_terms(hit.doc_title, accented)
            header = table_header(hit)
            # A passage opening with a labelled item's title ("h) Tổ đảng ở Thường trực Ủy ban
            # Quốc phòng và An ninh"): the lines under it inherit its words, as under a
            # breadcrumb. An article's title ("Điều 2. Giải thích từ ngữ") heads a unit that is
            # quoted whole.
            own_title = ""
            for order, seg in enumerate(segments(hit.text)):
                if header is not None and order == 0:
                    continue  # the repeated column header answers nothing
                words = len(seg.split())
                cov = self.stats.coverage(q_terms, seg, about, TITLE_WEIGHT)
                ctx = self.stats.coverage(
                    q_terms, f"{context} {own_title} {seg}", about, TITLE_WEIGHT
                )
                # An item under a heading that matches the question inherits the heading's words.
                # Words of the question in the same order ("danh mục công nghệ chiến lược").
                score = 0.4 * cov + 0.6 * ctx + 0.3 * phrase_coverage(q_pairs, seg)
                if topic_terms:
                    score += 0.3 * self.stats.coverage(topic_terms, context + " " + seg)
                # Each number of the question found again ("2025", "2027") is strong evidence.
                score += min(0.1 * len(numbers(seg) & q_numbers), 0.3)
                if (numbers(seg) and _asks_quantity(question)) or (
                    names_kind and _names_asked(asked, seg)
                ):
                    score += 0.1
                score -= rank_cost
                if hit.locator.startswith("Mở đầu"):
                    score -= 0.1  # an introduction restates; the provisions themselves decide
                title = order == 0 and _is_title_line(seg, hit.text)
                if title and ctx >= 0.6:
                    score += 0.3  # a unit whose own title answers beats a passing mention
                elif words < 5:
                    score -= 0.25  # a bare label answers nothing
                if title and _ITEM_LABEL.match(seg):
                    own_title = seg
                scored.append(Segment(hi, seg, order, score))
        scored.sort(key=lambda s: -s.score)
        return scored

    def select(
        self,
        question: str,
        hits: list[Hit],
        docs: list[str] | None = None,
        accented: bool = False,
        focus: str | None = None,
        about_document: bool = False,
    ) -> list[Segment]:
        asked = frame_of(focus or question)
        scored = self.score_segments(question, hits, accented, focus, about_document, asked)
        if not scored:
            return []
        best = scored[0]
        chosen = [best]
        for seg in scored[1:]:
            if len(chosen) >= self.max_quotes:
                break
            if seg.score < max(best.score * 0.75, 0.2):
                break
            if any(seg.text in c.text or c.text in seg.text for c in chosen):
                continue
            chosen.append(seg)
        # "Bộ nào lo quảng bá hình ảnh Việt Nam ra thế giới?": when the sentences chosen name no
        # agency (or date) asked for, the passage's sentence that does ("a) Bộ Văn hóa, Thể thao
        # và Du lịch chủ trì …") comes with them.
        if asked.attribute in ("agency", "date") and not any(
            _names_asked(asked, c.text) for c in chosen
        ):
            naming = next(
                (
                    seg
                    for seg in scored
                    if seg.hit_index == best.hit_index
                    and seg.score > 0
                    and _names_asked(asked, seg.text)
                ),
                None,
            )
            if naming is not None:
                chosen = [*chosen[: self.max_quotes - 1], naming]
        # A question naming several documents ("so sánh NQ 20 và NQ 57") needs each of them.
        for doc_id in docs or []:
            if any(hits[c.hit_index].doc_id == doc_id for c in chosen):
                continue
            best = next((seg for seg in scored if hits[seg.hit_index].doc_id == doc_id), None)
            if best is not None and best.score > 0:
                chosen.append(best)
        chosen = [self._with_list(self._with_body(c, hits), hits) for c in chosen]
        # Best passage first; several pieces of one passage in its own order, except table
        # rows: each is a record of its own, the best one first.
        first_seen: dict[int, int] = {}
        for i, seg in enumerate(chosen):
            first_seen.setdefault(seg.hit_index, i)
        rank = {id(seg): i for i, seg in enumerate(chosen)}

        def place(seg: Segment) -> tuple[int, int]:
            within = rank[id(seg)] if hits[seg.hit_index].kind == "row" else seg.order
            return first_seen[seg.hit_index], within

        chosen.sort(key=place)
        return chosen

    @staticmethod
    def _with_body(seg: Segment, hits: list[Hit]) -> Segment:
        """A heading that matches the question ("2. Tầm nhìn đến năm 2045") is answered by the
        whole unit it heads, when the chunk holds that unit."""
        text = hits[seg.hit_index].text
        lines = text.split("\n")
        if seg.order != 0 or len(lines) < 2 or seg.text != lines[0].strip():
            return seg
        if len(seg.text.split()) > 14 or seg.text.rstrip().endswith((".", ";")) or len(text) > 1500:
            return seg
        return Segment(seg.hit_index, text.strip(), seg.order, seg.score)

    @staticmethod
    def _with_list(seg: Segment, hits: list[Hit]) -> Segment:
        """A lead-in ending with ':' is useless alone: bring the items that follow it."""
        if not seg.text.rstrip().endswith(":"):
            return seg
        parts = segments(hits[seg.hit_index].text)
        following = parts[seg.order + 1 :]
        text = seg.text
        for item in following:
            if len(text) + len(item) + 1 > MAX_QUOTE_CHARS:
                break
            text += "\n" + item
        return Segment(seg.hit_index, text, seg.order, seg.score)

    def compose(
        self,
        question: str,
        hits: list[Hit],
        correction: str | None = None,
        docs: list[str] | None = None,
        accented: bool = False,
        focus: str | None = None,
        about_document: bool = False,
        frame: Frame | None = None,
        verdict: str | None = None,
    ) -> Answer:
        """The quotes that answer, best first. ``frame``: a question asking a number, a date or
        an agency gets that piece of the first quote as its first line; ``verdict`` ("Đúng",
        "Không đúng") opens a yes/no answer."""
        chosen = self.select(question, hits, docs, accented, focus, about_document)
        used: dict[int, int] = {}
        citations: list[Citation] = []
        blocks: list[tuple[int, str]] = []
        for seg in chosen:
            hit = hits[seg.hit_index]
            if seg.hit_index not in used:
                used[seg.hit_index] = len(citations) + 1
                citations.append(make_citation(hit, seg.text))
            else:
                cit = citations[used[seg.hit_index] - 1]
                cit.quote = f"{cit.quote}\n{seg.text}"
            blocks.append((seg.hit_index, seg.text))
        lines: list[str] = []
        if correction:
            lines.append(f"{verdict}. {correction}" if verdict else correction)
        elif verdict:
            lines.append(f"{verdict}.")
        direct = None
        if frame is not None and blocks:
            first_hit = hits[blocks[0][0]]
            header = table_header(first_hit)
            fields = row_fields(header, blocks[0][1]) if header else []
            direct = row_answer(frame, fields) if fields else direct_line(frame, blocks[0][1])
        if direct and not correction:
            lines.append(f"➤ {direct}")
        docs = {hits[i].doc_id for i in used}
        if len(docs) == 1:
            first = hits[next(iter(used))]
            where = ", ".join(
                dict.fromkeys(locator_phrase(quote_locator(hits[i], t)) for i, t in blocks)
            )
            heading = _heading(hits[blocks[0][0]], blocks[0][1])
            lines.append(f"Theo {doc_label(first)} ({where}{' – ' + heading if heading else ''}):")
        else:
            lines.append("Theo các văn bản hiện có:")
        for hit_index, text in blocks:
            n = used[hit_index]
            hit = hits[hit_index]
            prefix = (
                ""
                if len(docs) == 1
                else f"{doc_label(hit)}, {locator_phrase(quote_locator(hit, text))}: "
            )
            header = table_header(hit)
            fields = row_fields(header, text) if header else []
            cells = [c.strip() for c in text.split("|")] if TABLE_ROW.match(text) else []
            if fields:
                # A table row spelled out column by column ("Cơ quan chủ trì: Bộ …"), not as
                # raw cells; the citation keeps the row as written.
                lines.append(f"{prefix}[{n}]")
                lines.extend(f"- {name}: {value}" for name, value in fields)
            elif len(cells) >= 3:
                # A row whose table header is not at hand: its name, then what it says.
                lines.append(f"{prefix}{cells[1]}: {' – '.join(c for c in cells[2:] if c)} [{n}]")
            else:
                lines.append(f"{prefix}«{shown(text)}» [{n}]")
        return Answer(
            text="\n".join(lines),
            intent="answer",
            abstained=False,
            citations=citations,
        )

    def verbatim(
        self, hits: list[Hit], lead: str | None = None, correction: str | None = None
    ) -> Answer:
        """A whole unit word for word: officials checking a provision, or a list of goals."""
        head = hits[0]
        locator = parent_locator(head.locator) if len(hits) > 1 and lead else head.locator
        text = "\n".join(h.text for h in hits)
        lines = [correction] if correction else []
        lines.append(lead or f"Nguyên văn {locator_phrase(head.locator)} {doc_label(head)}:")
        lines.append(f"«{text}» [1]")
        citation = make_citation(head, text)
        citation.locator = locator
        citation.url = f"/documents/{head.doc_id}#{anchor(locator)}"
        return Answer(text="\n".join(lines), intent="answer", abstained=False, citations=[citation])


QUOTE_SHOWN_CHARS = 560


def shown(quote: str, limit: int = QUOTE_SHOWN_CHARS) -> str:
    """A long quote as shown in the answer: its opening, cut on a word, marked "…"; the
    citation keeps the whole of it (and its link opens the clause)."""
    if len(quote) <= limit:
        return quote
    return quote[:limit].rsplit(" ", 1)[0] + " …"


_PIECE = re.compile(r"(?<=[;:])\s+|\s+-\s+|,\s+(?=trong đó|với|đạt|phấn đấu|bảo đảm)")


def direct_line(frame: Frame, quote: str, limit: int = 220) -> str | None:
    """The piece of the quote that holds what a number, date or agency question asks, verbatim
    ("Kinh phí chi cho nghiên cứu phát triển (R&D) đạt 2% GDP"), or None."""
    if not frame.specific:
        return None
    first = segments(quote)[0] if segments(quote) else quote
    pieces = [p.strip(" -–;,.") for p in _PIECE.split(first) if p and p.strip(" -–;,.")]
    unit = frame.unit
    for piece in pieces:
        if holds_answer(frame, piece) and (
            not unit or unit in fold(piece).lower() or carries_unit(unit, piece)
        ):
            return piece if len(piece) <= limit else None
    return None


_COLUMN_KIND = {
    "agency": re.compile(r"chu tri|co quan|don vi|chiu trach nhiem|phoi hop"),
    "date": re.compile(r"thoi han|thoi gian|tien do|hoan thanh|nam"),
    "number": re.compile(r"ket qua|muc tieu|gia tri|ty le|ti le|so luong|muc"),
}


def row_answer(frame: Frame, fields: list[tuple[str, str]]) -> str | None:
    """The column of a table row that a question asks ("Cơ quan chủ trì: Bộ …")."""
    rx = _COLUMN_KIND.get(frame.attribute)
    if rx is None:
        return None
    for name, value in fields:
        if rx.search(fold(name).lower()) and holds_answer(frame, value):
            return f"{name}: {value}"
    return None


def parent_locator(locator: str) -> str:
    """ "II.1, ý 4" → "II.1"; "III.2.b" → "III.2"; "Điều 3 khoản 2 điểm b" → "Điều 3 khoản 2"."""
    if ", " in locator:
        return locator.rsplit(", ", 1)[0]
    m = re.match(r"^(.*) (?:khoản|điểm) \S+$", locator)
    if m:
        return m.group(1)
    if "." in locator:
        return locator.rsplit(".", 1)[0]
    return locator


def _heading(hit: Hit, quoted: str = "", limit: int = 140) -> str:
    """The heading a quoted item sits under ("Tổ đảng ở Thường trực Ủy ban Xã hội"), shortened:
    the passage's own title line when it opens with one ("g) Tổ đảng ở Thường trực Ủy ban Tài
    chính, Ngân sách") and the quote is below it, since that names who the lines are about."""
    first = hit.text.split("\n", 1)[0].strip()
    own = (
        _is_title_line(first, hit.text)
        and _ITEM_LABEL.match(first) is not None
        and not first.endswith(":")
        and first not in quoted
    )
    heading = first if own else hit.parent_text.strip()
    if not heading or (not own and heading in hit.text):
        return ""
    heading = re.sub(r"^(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]\s*", "", heading)
    return heading if len(heading) <= limit else heading[: limit - 1].rsplit(" ", 1)[0] + "…"


def _is_title_line(line: str, passage: str) -> bool:
    """``line``, the first of a passage of several, is a unit's own title ("g) Tổ đảng ở Thường
    trực Ủy ban Tài chính, Ngân sách"): short, and no sentence."""
    return "\n" in passage and len(line.split()) <= 14 and not line.rstrip().endswith((".", ";"))


def _names_asked(frame: Frame, text: str) -> bool:
    """``text`` names the agency or date asked for."""
    return names_agency(text) if frame.attribute == "agency" else holds_answer(frame, text)


def _asks_quantity(question: str) -> bool:
    q = fold(question).lower()
    return any(w in q for w in ("bao nhieu", "may ", "muc tieu", "ty le", "phan tram", "%", "bn "))
