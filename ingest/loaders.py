"""Turn one corpus file (txt, md, pdf, docx, html) into plain text, one paragraph per line.

Loaders only decode: they do not fix spacing, hyphenation or page furniture. That is the
cleaner's job, so that every format reaches it in the same raw shape.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path

from nq57.legal import STRUCTURE_START

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".pdf", ".docx", ".html", ".htm"})

# A table row is written as its cells joined by this, the convention of the corpus' annex tables.
CELL_SEP = " | "


class LoaderError(Exception):
    """A corpus file cannot be turned into text; the message names the file and the reason."""


def load_file(path: Path) -> str:
    """Return the text of ``path``: one paragraph per line, not cleaned beyond decoding."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise LoaderError(f"{path}: unsupported file type {suffix or '(none)'!r}; use {supported}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoaderError(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise LoaderError(f"{path}: file is empty")
    if suffix == ".pdf":
        text = _pdf_text(path)
    elif suffix == ".docx":
        text = _docx_text(path)
    elif suffix in (".html", ".htm"):
        text = _html_text(data, path)
    else:
        text = _decode_text(data, path)
        if suffix == ".md":
            text = markdown_to_text(text)
    if not text.strip():
        raise LoaderError(f"{path}: no text found in file")
    return text


# --------------------------------------------------------------------------- plain text

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters that never occur in a text document (tab, LF, CR and FF excepted).
_BINARY = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _decode_text(data: bytes, path: Path) -> str:
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise LoaderError(
            f"{path}: not valid {encoding.removesuffix('-sig').upper()} text "
            f"(bad byte at offset {exc.start}); save the file as UTF-8"
        ) from exc
    if _BINARY.search(text[:65536]):
        raise LoaderError(f"{path}: looks like a binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


# --------------------------------------------------------------------------- markdown

_MD_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_MD_ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)(.*?)(?:\s+#+\s*)?$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_MD_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_MD_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_MD_ORDERED = re.compile(r"^\s*\d{1,3}[.)]\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_MD_LINKDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MD_CODE = re.compile(r"`+([^`]+)`+")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_MD_EM_UNDER = re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")
_MD_STRIKE = re.compile(r"~~(.+?)~~")
_MD_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_SENTENCE_END = re.compile(r"[.;:!?…”\"]$")


def _md_inline(text: str) -> str:
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_AUTOLINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\1", text)
    text = _MD_TAG.sub("", text)
    for _ in range(2):  # nested emphasis: ***x*** or **_x_**
        text = _MD_STRONG.sub(r"\2", text)
        text = _MD_EM_STAR.sub(r"\1", text)
        text = _MD_EM_UNDER.sub(r"\1", text)
    text = _MD_STRIKE.sub(r"\1", text)
    return _MD_ESCAPE.sub(r"\1", text)


def _is_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def markdown_to_text(markdown: str) -> str:
    """Markdown to plain lines: markup that is not content goes, list items and tables stay.

    Hard-wrapped prose lines are joined back into their paragraph, but a line that opens a
    legal unit (Điều, khoản ``1.``, điểm ``a)``, a bullet) always starts a new one.
    """
    out: list[str] = []
    joinable = False  # may the next plain line continue out[-1]?
    in_fence = in_table = False
    for raw in markdown.split("\n"):
        if _MD_FENCE.match(raw):
            in_fence = not in_fence
            joinable = False
            continue
        if in_fence:
            out.append(raw.rstrip())
            continue
        hard_break = raw.endswith("  ") or raw.endswith("\\")
        line = _MD_QUOTE.sub("", raw).rstrip().removesuffix("\\").rstrip()
        stripped = line.strip()
        if not stripped or _MD_LINKDEF.match(line) or _MD_RULE.match(line):
            joinable = in_table = False
            if not stripped and out and out[-1]:
                out.append("")
            continue
        if _MD_SETEXT.match(line) and out and out[-1]:
            joinable = False  # the underline of a setext heading: the heading is already out
            continue
        if "|" in stripped and _MD_TABLE_SEP.match(line):
            # The header row above was read as text before the separator said it is a table.
            if out and out[-1] and not in_table:
                out[-1] = CELL_SEP.join(c.strip() for c in out[-1].strip().strip("|").split("|"))
            in_table, joinable = True, False
            continue
        if "|" in stripped and (in_table or stripped.startswith("|")):
            cells = [_md_inline(c.strip()) for c in stripped.strip("|").split("|")]
            out.append(CELL_SEP.join(cells))
            in_table, joinable = True, False
            continue
        in_table = False
        heading = _MD_ATX.match(line)
        if heading:
            out.append(_md_inline(heading.group(1).strip()))
            joinable = False
            continue
        bullet = _MD_BULLET.match(line)
        if bullet:
            out.append("- " + _md_inline(bullet.group(2).strip()))
            joinable = not hard_break
            continue
        text = _md_inline(stripped)
        continues = (
            joinable
            and out
            and out[-1]
            and not STRUCTURE_START.match(text)
            and not _MD_ORDERED.match(text)
            and not _SENTENCE_END.search(out[-1])
            and not _is_caps(out[-1])
            and not _is_caps(text)
        )
        if continues:
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
        joinable = not hard_break
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- PDF

# Fewer letters than this per page on average means the pages are images (a scan).
_MIN_LETTERS_PER_PAGE = 16


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            # Many official PDFs are encrypted only to restrict printing, with an empty password.
            try:
                ok = reader.decrypt("")
            except (DependencyError, NotImplementedError) as exc:
                raise LoaderError(
                    f"{path}: PDF is encrypted and cannot be decrypted ({exc})"
                ) from exc
            if not ok:
                raise LoaderError(f"{path}: PDF is encrypted with a password; remove it first")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoaderError:
        raise
    except FileNotDecryptedError as exc:
        raise LoaderError(f"{path}: PDF is encrypted with a password; remove it first") from exc
    except (PdfReadError, OSError) as exc:
        raise LoaderError(
            f"{path}: PDF is corrupt or unreadable ({type(exc).__name__}: {exc})"
        ) from exc
    except Exception as exc:  # a damaged PDF fails in many ways deep inside the parser
        raise LoaderError(
            f"{path}: PDF is corrupt or unreadable ({type(exc).__name__}: {exc})"
        ) from exc
    if not pages:
        raise LoaderError(f"{path}: PDF has no pages")
    letters = sum(ch.isalpha() for page in pages for ch in page)
    if letters < _MIN_LETTERS_PER_PAGE * len(pages):
        raise LoaderError(
            f"{path}: PDF has no text layer (scanned images, {len(pages)} page(s)); "
            "OCR is needed before it can be added to the corpus"
        )
    return "\n".join(page.replace("\r\n", "\n").replace("\r", "\n") for page in pages)


# --------------------------------------------------------------------------- DOCX

_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def _roman(n: int) -> str:
    out = []
    for value, numeral in _ROMAN:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word's letter numbering: a..z, then aa, bb, ...
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    return str(n)


class _Numbering:
    """Renders Word's automatic list numbers, which are not part of the paragraph text."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in an.findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(qn("w:val"), "") if text is not None else "",
                    int(start.get(qn("w:val"), "1")) if start is not None else 1,
                )
            abstract[an.get(qn("w:abstractNumId"), "")] = levels
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self.levels[num.get(qn("w:numId"), "")] = abstract.get(ref.get(qn("w:val"), ""), {})

    def _numpr(self, paragraph):
        """The paragraph's own numbering, else the one its style (or a base style) carries."""
        qn = self._qn
        ppr = paragraph._p.pPr
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if numpr is not None or not self.levels:
            return numpr
        style = paragraph.style
        for _ in range(10):  # base-style chains are short; the bound guards against cycles
            if style is None:
                return None
            sppr = style.element.pPr
            numpr = sppr.find(qn("w:numPr")) if sppr is not None else None
            if numpr is not None:
                return numpr
            style = style.base_style
        return None

    def label(self, paragraph) -> str:
        qn = self._qn
        numpr = self._numpr(paragraph)
        if numpr is None:
            return ""
        num_el, lvl_el = numpr.find(qn("w:numId")), numpr.find(qn("w:ilvl"))
        num_id = num_el.get(qn("w:val"), "") if num_el is not None else ""
        ilvl = int(lvl_el.get(qn("w:val"), "0")) if lvl_el is not None else 0
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        fmt, text, _ = levels[ilvl]
        if fmt == "bullet":
            return "- "
        if fmt == "none":
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]

        def render(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            spec = levels.get(level, ("decimal", "", 1))
            return _format_number(counters.get(level, spec[2]), spec[0])

        rendered = re.sub(r"%([1-9])", render, text).strip()
        return f"{rendered} " if rendered else ""


def _cell_text(cell) -> str:
    return " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())


def _table_rows(table) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; write it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(_cell_text(cell))
        if any(cells):
            yield CELL_SEP.join(cells)


def _docx_text(path: Path) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
        numbering = _Numbering(document)
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_rows(block))
                continue
            text = block.text.strip()
            if text:
                lines.append(numbering.label(block) + text)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoaderError(f"{path}: not a valid DOCX file ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # lxml and zip errors vary by corruption; all mean the same here
        raise LoaderError(
            f"{path}: DOCX is corrupt or unreadable ({type(exc).__name__}: {exc})"
        ) from exc
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- HTML

_DROP_TAGS = (
    "script, style, noscript, template, svg, iframe, object, embed, canvas, button, "
    "select, input, textarea, nav, aside, link, meta, head, dialog"
)
_DROP_ROLES = [
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "menu",
    "menubar",
    "dialog",
]
_BOILERPLATE = re.compile(
    r"(^|[-_])(nav|navbar|navigation|menu|menubar|footer|sidebar|breadcrumbs?|banner|share|"
    r"sharing|social|comments?|related|advert|ads|quangcao|cookie|popup|modal|login|search|"
    r"topbar|toolbar|pagination|tags)([-_]|$)",
    re.IGNORECASE,
)
# Containers that legal-text sites (and CMSs generally) use for the document body, best first.
_MAIN_SELECTORS = (
    "#toanvancontent, .toanvancontent, #divContentDoc, .content1, #fulltext, .fulltext, "
    "#vanban, .vanban, .noidung, #noidung",
    "article",
    "main, [role=main]",
    "#content, .content, #main-content, .main-content, #content-main, .entry-content, "
    ".post-content, .article-body, .article-content, .detail-content, .news-content",
)
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "ul",
        "caption",
    ]
)
_SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "canvas",
        "head",
        "button",
        "select",
        "textarea",
        "input",
    ]
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f\u00a0]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_LIST_MARK = re.compile(r"^([-+•–*]|\d+(\.\d+)*[.)]|[a-zđ]\)|[IVXLC]+\.)\s")


def _decode_html(data: bytes, path: Path) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = _META_CHARSET.search(data[:4096])
    encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise LoaderError(
            f"{path}: HTML is not valid {encoding} (bad byte at offset {exc.start})"
        ) from exc


def _text_len(node) -> int:
    return len(_HTML_SPACE.sub(" ", node.text(deep=True, separator=" ")).strip())


def _link_len(node) -> int:
    return sum(_text_len(a) for a in node.css("a"))


def _is_boilerplate(node) -> bool:
    attrs = node.attributes
    if (attrs.get("role") or "").lower() in _DROP_ROLES:
        return True
    names = [attrs.get("id") or "", *(attrs.get("class") or "").split()]
    return any(_BOILERPLATE.search(name) for name in names if name)


def _remove(nodes: list) -> None:
    """Remove nodes, outermost only: a node inside one already removed is gone with it."""
    ids = {node.mem_id for node in nodes}
    for node in [n for n in nodes if not any(a.mem_id in ids for a in _ancestors(n))]:
        node.decompose()


def _strip_boilerplate(root) -> None:
    _remove(root.css(_DROP_TAGS))
    total = max(_text_len(root), 1)
    doomed = [
        # Page header/footer bars; a <header> inside the document body may hold its title.
        node
        for node in root.css("header, footer")
        if not any(a.tag in ("article", "main") for a in _ancestors(node))
    ]
    doomed += [
        # A wrapper holding most of the page is layout, not a menu, whatever its class says.
        node
        for node in root.css("[id], [class], [role]")
        if _is_boilerplate(node) and _text_len(node) < total / 2
    ]
    _remove(doomed)


def _ancestors(node) -> Iterator:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _main_node(root):
    body = root.css_first("body") or root
    total = max(_text_len(body), 1)
    for selector in _MAIN_SELECTORS:
        found = [n for n in body.css(selector) if _text_len(n) >= 40]
        if found:
            best = max(found, key=_text_len)
            if _text_len(best) >= 0.25 * total:
                return best
    # No known container: the block whose direct paragraphs carry the most non-link text.
    plain = max(total - _link_len(body), 1)
    best, best_score = body, 0.0
    for node in body.css("div, section, td"):
        own = 0
        for child in node.iter(include_text=True):
            if child.tag == "-text":
                own += len(_HTML_SPACE.sub(" ", child.text(deep=False)).strip())
            elif child.tag in (
                "p",
                "h1",
                "h2",
                "h3",
                "h4",
                "h5",
                "h6",
                "table",
                "ul",
                "ol",
                "blockquote",
                "pre",
            ):
                own += _text_len(child) - 2 * _link_len(child)
        if own > best_score:
            best, best_score = node, own
    return best if best_score >= 0.3 * plain else body


class _HtmlWriter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []

    def text(self, text: str) -> None:
        self.current.append(text)

    def flush(self) -> None:
        line = _HTML_SPACE.sub(" ", "".join(self.current)).strip()
        if line:
            self.lines.append(line)
        self.current = []

    def raw_line(self, line: str) -> None:
        self.flush()
        if line.strip():
            self.lines.append(line.rstrip())


def _inline_text(node) -> str:
    """All text under ``node`` on one line (a table cell, a nested block flattened)."""
    parts: list[str] = []
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            parts.append(child.text(deep=False))
        elif child.tag in _SKIP_TAGS:
            continue
        elif child.tag == "br":
            parts.append(" ")
        else:
            parts.append(" " if child.tag in _BLOCK_TAGS or child.tag in ("td", "th", "tr") else "")
            parts.append(_inline_text(child))
            parts.append(" " if child.tag in _BLOCK_TAGS else "")
    return _HTML_SPACE.sub(" ", "".join(parts)).strip()


def _write_table(table, out: _HtmlWriter) -> None:
    out.flush()
    caption = table.css_first("caption")
    if caption is not None:
        out.raw_line(_inline_text(caption))
    for row in table.css("tr"):
        # Only this table's own rows: a nested table is flattened into its cell.
        owner = next((a for a in _ancestors(row) if a.tag == "table"), None)
        if owner is None or owner.mem_id != table.mem_id:
            continue
        cells = [_inline_text(c) for c in row.iter() if c.tag in ("td", "th")]
        if any(cells):
            out.raw_line(CELL_SEP.join(cells))


def _list_label(item, index: int, list_node) -> str:
    if list_node is None or list_node.tag != "ol":
        return "- "
    kind = (list_node.attributes.get("type") or "1").strip()
    start = list_node.attributes.get("start") or "1"
    n = index + (int(start) if start.lstrip("-").isdigit() else 1)
    formats = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
    return f"{_format_number(n, formats.get(kind, 'decimal'))}. "


def _write(node, out: _HtmlWriter) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.text(child.text(deep=False))
        elif tag in _SKIP_TAGS or tag.startswith("-"):
            continue
        elif tag == "br":
            out.flush()
        elif tag == "table":
            _write_table(child, out)
        elif tag == "pre":
            out.flush()
            for line in child.text(deep=True).split("\n"):
                out.raw_line(line)
        elif tag in ("ul", "ol"):
            out.flush()
            items = [c for c in child.iter() if c.tag == "li"]
            for index, item in enumerate(items):
                sub = _HtmlWriter()
                _write(item, sub)
                sub.flush()
                if not sub.lines:
                    continue
                first = sub.lines[0]
                label = "" if _LIST_MARK.match(first) else _list_label(item, index, child)
                out.lines.append(label + first)
                out.lines.extend(sub.lines[1:])
        elif tag in _BLOCK_TAGS or tag in ("tr", "td", "th"):
            out.flush()
            _write(child, out)
            out.flush()
        else:
            _write(child, out)


def _html_text(data: bytes, path: Path) -> str:
    from selectolax.lexbor import LexborHTMLParser

    html = _decode_html(data, path)
    try:
        tree = LexborHTMLParser(html)
        root = tree.root
        if root is None:
            raise LoaderError(f"{path}: HTML has no document")
        _strip_boilerplate(root)
        out = _HtmlWriter()
        _write(_main_node(root), out)
        out.flush()
    except RecursionError as exc:
        raise LoaderError(f"{path}: HTML is nested too deeply to read") from exc
    return "\n".join(out.lines) + "\n"
