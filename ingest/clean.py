"""Text cleaning: Unicode normalisation and repair of PDF-extraction artefacts.

The spelling is the source's own (old-style "hoá" stays): officials quote these texts verbatim.
Matching canonicalises tone placement on its side (`nq57.text.normalize`).

The output has one paragraph (or list item, heading, table row) per line. Two regimes:

* An already clean text keeps its lines; only safe repairs apply (normalisation, form feeds,
  trailing spaces, blank lines, a sentence visibly broken before a lower-case word, a numbered
  heading wrapped onto a second line).
* A text that looks PDF-extracted (most lines end mid-sentence; typically a blank line after
  every line) is re-flowed: lines are joined into paragraphs, lone page numbers and repeated
  running headers/footers are dropped, and blank lines are removed.

Both regimes are idempotent: the output of the second never looks PDF-extracted again.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter

from nq57.text import tidy

# A line that opens a new paragraph whatever precedes it: articles, chapters, outline numbers,
# points, bullets, annexes, recipients, signature lines.
_STARTS_BLOCK = re.compile(
    r"""^(?:
        Điều\s+\d
      | (?:Chương|CHƯƠNG|Mục|MỤC|Phần|PHẦN)\s+(?:[IVXLC]+|\d+|thứ|THỨ)\b
      | (?:Phụ\ lục|PHỤ\ LỤC)(?:\s+(?:[IVXLC]+|\d+)\b|\s*$)
      | [IVXLC]+\s*[.\-–)]\s
      | [A-ZĐ]\s*[.\-–]\s
      | \d+(?:\.\d+)*\s*[.\-–)]\s
      | \d+(?:\.\d+)*\.?\s*\|
      | [a-zđ]\)\s
      | [-+•–—*]\s+[^a-zđàáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]
      | \(\d+\)\s
      | (?:Nơi\ nhận|TM\.|T/M|KT\.|TL\.|TUQ\.)
      | Căn\ cứ\s
      | Theo\ đề\ nghị\s
    )""",
    re.VERBOSE,
)
# A bullet marker followed by a lower-case word is the tail of a broken sentence ("công\n- tư").
_OUTLINE_START = re.compile(r"^(?:[IVXLC]+|[A-ZĐ]|\d+(?:\.\d+)*)\s*[.\-–)]\s")
_DASH_CONTINUATION = re.compile(r"^[-–]\s+[a-zđ]")
_TERMINAL = re.compile(r"[.;:!?…]['\"”’)\]»*]*$")
# Capitalised only when they open a sentence (unlike "Bộ", "Nghị quyết", parts of proper names).
_SENTENCE_OPENER = re.compile(r"^(?:Các|Những|Việc|Trong|Đồng thời|Trên cơ sở)\s+[a-zđ]")
_PAGE_NUMBER = re.compile(r"^(?:-\s*)?(?:Trang\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?(?:\s*-)?$", re.I)
_SEPARATOR = re.compile(r"^[_\-=*.]{3,}$")
_CONTROL = re.compile(r"[\f\v\u2028\u2029\x85]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\ufeff]")
# Words that cannot end a sentence or a heading: a line ending with one continues.
_FUNCTION_WORDS = {
    "của",
    "và",
    "về",
    "với",
    "cho",
    "các",
    "những",
    "tại",
    "thuộc",
    "trong",
    "theo",
    "để",
    "là",
    "có",
    "được",
    "từ",
    "đến",
    "số",
    "ngày",
    "tháng",
    "năm",
    "như",
    "gồm",
    "hoặc",
    "nhằm",
    "qua",
    "trên",
    "dưới",
    "giữa",
    "bằng",
    "do",
    "mà",
    "thì",
    "nhưng",
    "hay",
    "vào",
    "ra",
    "lên",
    "bị",
    "đã",
    "sẽ",
    "đang",
    "không",
    "chưa",
    "cũng",
    "rất",
    "nhất",
    "bộ",
    "ban",
    "ủy",
    "gửi",
    "phi",
    "khi",
    "nếu",
    "vì",
    "nên",
    "sau",
    "trước",
    "này",
}


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _normalize_lines(raw: str) -> list[str]:
    text = _INVISIBLE.sub("", _CONTROL.sub("\n", raw.replace("\r\n", "\n").replace("\r", "\n")))
    return [tidy(line).strip() for line in text.split("\n")]


def _starts_block(line: str) -> bool:
    return bool(_STARTS_BLOCK.match(line)) and not _DASH_CONTINUATION.match(line)


def _continues_lower(prev: str, nxt: str) -> bool:
    """``nxt`` visibly continues ``prev``: the sentence is open and the next word is lower-case,
    or a numbered heading was wrapped ("III. NHIỆM VỤ, GIẢI PHÁP TRỌNG" + "TÂM, CỤ THỂ";
    "5. Nhiệm vụ về phát triển KHCN," + "ĐMST, CĐS và ĐA06")."""
    if not prev or not nxt or _TERMINAL.search(prev) or _SEPARATOR.match(prev):
        return False
    wrapped = (_is_caps(prev) and _is_caps(nxt)) or (prev.endswith(",") and len(nxt) < 60)
    if _OUTLINE_START.match(prev) and not _starts_block(nxt) and wrapped:
        return True
    if _is_caps(prev):
        return False
    if _DASH_CONTINUATION.match(nxt):
        return True
    return nxt[0].islower() and not _starts_block(nxt)


def _looks_extracted(lines: list[str]) -> bool:
    """Most non-empty lines end mid-sentence: a PDF layout dump, not paragraphs."""
    content = [ln for ln in lines if ln]
    if len(content) < 20:
        return False
    broken = sum(_continues_lower(a, b) for a, b in itertools.pairwise(content))
    return broken / (len(content) - 1) > 0.25


def _clean_regular(lines: list[str]) -> list[str]:
    # Blank lines only separate paragraphs, which already sit on lines of their own.
    out: list[str] = []
    for line in lines:
        if not line:
            continue
        if out and _continues_lower(out[-1], line):
            out[-1] = _join(out[-1], line)
        else:
            out.append(line)
    return out


def _join(prev: str, nxt: str) -> str:
    # A word hyphenated at the line end ("infor-" + "mation") is glued back together.
    if re.search(r"[^\W\d_]-$", prev) and nxt[:1].islower():
        return prev[:-1] + nxt
    return f"{prev} {nxt}"


def _running_lines(content: list[str]) -> set[str]:
    """Short lines repeated on several pages (running headers/footers), not sentences."""
    counts = Counter(content)
    return {
        ln
        for ln, n in counts.items()
        if n >= 3 and len(ln) <= 80 and not _TERMINAL.search(ln) and not _starts_block(ln)
    }


def _is_break(prev: str, nxt: str, width: float) -> bool:
    """Between two lines of a PDF dump, does a new paragraph start at ``nxt``?"""
    if _continues_lower(prev, nxt) or (
        nxt[:1].islower() and not _starts_block(nxt) and not _is_caps(prev)
    ):
        return False
    if _starts_block(nxt) or _is_caps(prev) or _is_caps(nxt) or _SEPARATOR.match(prev):
        return True
    if _TERMINAL.search(prev):
        return True
    last = prev.split()[-1].lower().strip(",") if prev.split() else ""
    if prev.endswith(",") or last in _FUNCTION_WORDS or nxt[:1] in '(“"':
        return False
    if _SENTENCE_OPENER.match(nxt):
        return True
    # A line well short of the text width ends its paragraph (headings, last lines).
    return len(prev) < 0.75 * width


def _clean_extracted(lines: list[str]) -> list[str]:
    content = [ln for ln in lines if ln and not _PAGE_NUMBER.match(ln)]
    running = _running_lines(content)
    content = [ln for ln in content if ln not in running]
    if not content:
        return []
    width = statistics.median(len(ln) for ln in content)
    out = [content[0]]
    for prev, line in itertools.pairwise(content):
        # The decision looks at the previous physical line, not the paragraph built so far.
        if _is_break(prev, line, width):
            out.append(line)
        else:
            out[-1] = _join(out[-1], line)
    return out


def clean_text(raw: str) -> str:
    """Normalise a document's text and repair extraction artefacts; one paragraph per line."""
    lines = _normalize_lines(raw)
    cleaned = _clean_extracted(lines) if _looks_extracted(lines) else _clean_regular(lines)
    return "\n".join(cleaned) + ("\n" if cleaned else "")
