"""Render an `Answer` for each channel and split long replies (pure functions).

- Telegram: HTML parse mode (only b, i, a, blockquote, code are used; text is escaped).
- Web/CLI: Markdown.
- Zalo (Bot Platform and OA): plain text, no markup, URLs spelled out.

`split_message` cuts on paragraph boundaries first, then line breaks, sentence ends, spaces,
and only then anywhere. In HTML mode a cut never falls inside a tag or an entity, and tags still
open at a cut are closed at the end of the part and reopened at the start of the next one, so
every part parses on its own.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.answer import Answer, Citation

TELEGRAM_LIMIT = 4096
ZALO_BOT_LIMIT = 2000
ZALO_OA_LIMIT = 2000

QUOTE_MAX_CHARS = 300
SOURCES_HEADING = "Nguồn"
RELATED_LABEL = "liên quan, không phải câu trả lời"
SUGGESTIONS_HEADING = "Bạn có thể hỏi thêm"


# ---------------------------------------------------------------------------------------------
# Citations


def citation_url(citation: Citation, public_base_url: str) -> str | None:
    """Absolute URL of a citation, or None when it cannot be made absolute (a relative link
    is useless inside a chat app)."""
    url = (citation.url or "").strip()
    if url.startswith(("http://", "https://")):
        return url
    base = (public_base_url or "").strip().rstrip("/")
    if not base or not url:
        return None
    return f"{base}/{url.lstrip('/')}"


def citation_label(citation: Citation) -> str:
    """E.g. "Nghị quyết 57-NQ/TW, II.2" — number and locator a citizen can find again."""
    title = (citation.doc_title or "").strip()
    number = (citation.doc_number or "").strip()
    if title and number and number not in title:
        name = f"{title} ({number})"
    else:
        name = title or number or citation.doc or citation.doc_id
    locator = (citation.locator or "").strip()
    label = f"{name}, {locator}" if locator else name
    # A clause shown beside a decline is related to the topic; it does not answer.
    return f"{label} ({RELATED_LABEL})" if getattr(citation, "related", False) else label


def _shorten(text: str, limit: int = QUOTE_MAX_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def _quote_needed(answer: Answer, citation: Citation) -> bool:
    """Each clause once: skip a quote the answer already shows (in full or its opening) and a
    table row the answer spells out as label: value."""
    quote = " ".join((citation.quote or "").split())
    if not quote or " | " in quote:
        return False
    return quote[:60] not in " ".join(answer.text.split())


# ---------------------------------------------------------------------------------------------
# Renderers


def render_html(answer: Answer, public_base_url: str = "") -> str:
    """Telegram HTML: escaped answer, then sources with links and quotes in <blockquote>."""
    parts = [html.escape(answer.text.strip(), quote=False)]
    if answer.citations:
        lines = [f"<b>{SOURCES_HEADING}:</b>"]
        for n, citation in enumerate(answer.citations, 1):
            label = html.escape(citation_label(citation), quote=False)
            url = citation_url(citation, public_base_url)
            if url:
                line = f'[{n}] <a href="{html.escape(url, quote=True)}">{label}</a>'
            else:
                line = f"[{n}] {label}"
            if _quote_needed(answer, citation):
                quote = html.escape(_shorten(citation.quote), quote=False)
                line += f"\n<blockquote>{quote}</blockquote>"
            lines.append(line)
        parts.append("\n".join(lines))
    if answer.suggestions:
        items = "\n".join(f"• {html.escape(s, quote=False)}" for s in answer.suggestions)
        parts.append(f"<i>{SUGGESTIONS_HEADING}:</i>\n{items}")
    return "\n\n".join(parts)


def _md_escape_label(text: str) -> str:
    return re.sub(r"([\[\]\\])", r"\\\1", text)


def render_markdown(answer: Answer, public_base_url: str = "") -> str:
    """Markdown for the web and CLI: sources as links, quotes as block quotes."""
    parts = [answer.text.strip()]
    if answer.citations:
        lines = [f"**{SOURCES_HEADING}:**", ""]
        for n, citation in enumerate(answer.citations, 1):
            label = _md_escape_label(citation_label(citation))
            url = citation_url(citation, public_base_url) or (citation.url or None)
            lines.append(f"{n}. [{label}]({url})" if url else f"{n}. {label}")
            if _quote_needed(answer, citation):
                lines.append(f"   > {_shorten(citation.quote)}")
        parts.append("\n".join(lines))
    if answer.suggestions:
        items = "\n".join(f"- {s}" for s in answer.suggestions)
        parts.append(f"*{SUGGESTIONS_HEADING}:*\n{items}")
    return "\n\n".join(parts)


def render_plain(answer: Answer, public_base_url: str = "") -> str:
    """Plain text for Zalo: no markup; quotes in «»; URLs written out in full."""
    parts = [answer.text.strip()]
    if answer.citations:
        lines = [f"{SOURCES_HEADING}:"]
        for n, citation in enumerate(answer.citations, 1):
            line = f"[{n}] {citation_label(citation)}"
            url = citation_url(citation, public_base_url)
            if url:
                line += f"\n{url}"
            if _quote_needed(answer, citation):
                line += f"\n«{_shorten(citation.quote)}»"
            lines.append(line)
        parts.append("\n".join(lines))
    if answer.suggestions:
        items = "\n".join(f"- {s}" for s in answer.suggestions)
        parts.append(f"{SUGGESTIONS_HEADING}:\n{items}")
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Splitting

_HTML_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|.", re.DOTALL)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)[^>]*?(/?)\s*>")
_SENTENCE_END = ".!?…;:"
_CLOSERS = "»\"')]”’"

# Priorities of a cut between two atoms; the best-ranked cut that fits wins.
_AVOID, _ANY, _SPACE, _SENTENCE, _LINE, _PARAGRAPH = range(6)


@dataclass
class _Atom:
    text: str
    tag: str | None = None  # tag name for tags
    closing: bool = False


def _atoms(text: str, as_html: bool) -> list[_Atom]:
    if not as_html:
        return [_Atom(ch) for ch in text]
    out: list[_Atom] = []
    for m in _HTML_ATOM.finditer(text):
        piece = m.group(0)
        tag = _TAG.fullmatch(piece) if piece.startswith("<") else None
        if tag and not tag.group(3):
            out.append(_Atom(piece, tag=tag.group(2).lower(), closing=bool(tag.group(1))))
        else:
            out.append(_Atom(piece))
    return out


def _cut_rank(atoms: list[_Atom], i: int) -> int:
    """Rank of cutting just before atoms[i]."""
    before, after = atoms[i - 1], atoms[i]
    if (before.tag is not None and not before.closing) or (after.tag is not None and after.closing):
        return _AVOID  # would leave an empty element behind
    prev = before.text
    if prev == "\n":
        if i >= 2 and atoms[i - 2].text == "\n":
            return _PARAGRAPH
        return _LINE
    if prev.isspace():
        j = i - 2
        while j >= 0 and atoms[j].text in _CLOSERS:
            j -= 1
        if j >= 0 and atoms[j].text in _SENTENCE_END:
            return _SENTENCE
        return _SPACE
    return _ANY


def _render_part(atoms: list[_Atom], reopen: list[_Atom]) -> tuple[str, list[_Atom]]:
    """Text of a part with tags reopened before it and closed after it; returns the tags
    still open at its end."""
    stack = list(reopen)
    body = "".join(a.text for a in atoms)
    for a in atoms:
        if a.tag is None:
            continue
        if a.closing:
            for k in range(len(stack) - 1, -1, -1):
                if stack[k].tag == a.tag:
                    del stack[k]
                    break
        else:
            stack.append(a)
    prefix = "".join(a.text for a in reopen)
    suffix = "".join(f"</{a.tag}>" for a in reversed(stack))
    return prefix + body.strip() + suffix, stack


def split_message(text: str, limit: int, *, html: bool = False) -> list[str]:
    """Split `text` into parts of at most `limit` characters (see module docstring)."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    atoms = _atoms(text, html)
    parts: list[str] = []
    open_tags: list[_Atom] = []
    start = 0
    n = len(atoms)
    while start < n:
        # Skip whitespace at the start of a part.
        while start < n and atoms[start].tag is None and atoms[start].text.isspace():
            start += 1
        if start >= n:
            break
        # Furthest end that fits, counting the tags to reopen and to close.
        stack = list(open_tags)
        length = sum(len(a.text) for a in stack)
        closing = sum(len(a.tag or "") + 3 for a in stack)
        end = start
        best_end, best_rank = start, _AVOID - 1
        while end < n:
            a = atoms[end]
            new_stack_closing = closing
            if a.tag is not None:
                if a.closing:
                    new_stack_closing -= len(a.tag) + 3
                else:
                    new_stack_closing += len(a.tag) + 3
            if length + len(a.text) + max(new_stack_closing, 0) > limit:
                break
            length += len(a.text)
            closing = max(new_stack_closing, 0)
            if a.tag is not None:
                if a.closing:
                    for k in range(len(stack) - 1, -1, -1):
                        if stack[k].tag == a.tag:
                            del stack[k]
                            break
                else:
                    stack.append(a)
            end += 1
            if end < n:
                rank = _cut_rank(atoms, end)
                if rank >= best_rank:
                    best_end, best_rank = end, rank
        if end >= n:
            best_end = n
        elif best_end == start:
            # Not even one atom fits after the reopened tags: drop them rather than loop.
            if open_tags:
                open_tags = []
                continue
            best_end = start + 1
        part, open_tags = _render_part(atoms[start:best_end], open_tags)
        if part.strip():
            parts.append(part)
        start = best_end
    return parts
