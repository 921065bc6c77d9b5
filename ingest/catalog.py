"""The corpus catalog: what each file in ``corpus/docs`` is (number, type, title, date, issuer).

Operators may drop a new file into ``corpus/docs`` without touching the catalog: its metadata is
then guessed from the document's own header block, and a warning says what was guessed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from ingest.loaders import SUPPORTED_SUFFIXES, LoaderError, load_file
from ingest.model import DocumentMeta
from nq57.legal import (
    DOCUMENT_TYPES,
    INLINE_TYPE_HEADING,
    NUMBER_LINE,
    TITLE_STOP,
    TYPE_HEADING,
)
from nq57.text import nfc

CATALOG_NAMES = ("catalog.yaml", "catalog.yml", "catalog.json")
REQUIRED_KEYS = ("file", "number", "type", "title")
_KEYS = {f.name for f in fields(DocumentMeta)}
_ALIASES = {"note": "notes", "date": "issued"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CatalogError(Exception):
    """The catalog cannot be used; the message names the file and the entry."""


# --------------------------------------------------------------------------- catalog file


def catalog_path(corpus_dir: Path) -> Path | None:
    for name in CATALOG_NAMES:
        path = Path(corpus_dir) / name
        if path.is_file():
            return path
    return None


def load_catalog(corpus_dir: Path) -> list[DocumentMeta]:
    """Read and validate ``corpus_dir/catalog.yaml`` (or .yml/.json); [] when there is none.

    The file is a list of entries or ``{"documents": [...]}``. Entries need ``file``, ``number``,
    ``type`` and ``title``; ``id`` defaults to, and must equal, the file's stem.
    """
    path = catalog_path(corpus_dir)
    if path is None:
        return []
    try:
        raw_text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read catalog: {exc}") from exc
    try:
        data = json.loads(raw_text) if path.suffix == ".json" else yaml.safe_load(raw_text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path}: malformed catalog: {exc}") from exc
    if isinstance(data, dict) and "documents" in data:
        data = data["documents"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise CatalogError(f"{path}: expected a list of documents, got {type(data).__name__}")
    metas: list[DocumentMeta] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data, start=1):
        meta = _entry_to_meta(entry, f"{path}: entry {index}")
        if meta.id in seen:
            raise CatalogError(
                f"{path}: entry {index} ({meta.id}): duplicate id, already used by entry {seen[meta.id]}"
            )
        seen[meta.id] = index
        metas.append(meta)
    return metas


def _entry_to_meta(entry: Any, where: str) -> DocumentMeta:
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: expected a mapping of keys, got {type(entry).__name__}")
    label = entry.get("id") or entry.get("file") or "?"
    where = f"{where} ({label})"
    values: dict[str, str] = {}
    for key, value in entry.items():
        name = _ALIASES.get(str(key), str(key))
        if name not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise CatalogError(f"{where}: unknown key {key!r} (known keys: {known})")
        values[name] = _scalar(value, name, where)
    missing = [key for key in REQUIRED_KEYS if not values.get(key)]
    if missing:
        raise CatalogError(f"{where}: missing required key(s): {', '.join(missing)}")
    file = values["file"]
    if Path(file).name != file or file in (".", ".."):
        raise CatalogError(
            f"{where}: 'file' must be a file name inside docs/, not a path: {file!r}"
        )
    if Path(file).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise CatalogError(f"{where}: unsupported file type {Path(file).suffix!r} in {file!r}")
    stem = Path(file).stem
    values.setdefault("id", stem)
    if values["id"] != stem:
        raise CatalogError(f"{where}: id {values['id']!r} must equal the file stem {stem!r}")
    if values.get("issued"):
        values["issued"] = _check_date(values["issued"], where)
    return DocumentMeta(**values)


def _scalar(value: Any, key: str, where: str) -> str:
    # YAML reads an unquoted 2024-12-22 as a date; accept it, as people write dates that way.
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        raise CatalogError(f"{where}: {key!r} must be text, got a {type(value).__name__}")
    return nfc(str(value).strip())


def _check_date(value: str, where: str) -> str:
    if not _ISO_DATE.match(value):
        raise CatalogError(f"{where}: issued date {value!r} is not YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CatalogError(f"{where}: issued date {value!r} is not a real date") from exc
    return value


# --------------------------------------------------------------------------- discovery


def _is_candidate(path: Path) -> bool:
    # Hidden files and Word's "~$name.docx" lock files are not documents.
    return path.is_file() and not path.name.startswith((".", "~$"))


def discover(corpus_dir: Path) -> tuple[list[DocumentMeta], list[str]]:
    """Metadata for every supported file in ``corpus_dir/docs``, and warnings for the operator.

    Catalog entries come first, in catalog order; files without an entry follow (by name) with
    metadata guessed from their header. Catalog entries whose file is missing are left out.
    """
    corpus_dir = Path(corpus_dir)
    docs_dir = corpus_dir / "docs"
    if not docs_dir.is_dir():
        raise CatalogError(f"{docs_dir}: corpus documents folder not found")
    catalog = load_catalog(corpus_dir)
    warnings: list[str] = []
    if catalog_path(corpus_dir) is None:
        warnings.append(
            f"{corpus_dir}: no catalog.yaml; metadata of every document is guessed from its text"
        )
    files: dict[str, Path] = {}
    for path in sorted(docs_dir.iterdir()):
        if not _is_candidate(path):
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
            warnings.append(f"{path}: skipped, unsupported file type (supported: {supported})")
            continue
        if path.stem in files:
            raise CatalogError(
                f"{docs_dir}: {files[path.stem].name} and {path.name} have the same id "
                f"{path.stem!r}; keep one of them or rename"
            )
        files[path.stem] = path
    metas: list[DocumentMeta] = []
    covered: set[str] = set()
    for meta in catalog:
        if meta.file not in {p.name for p in files.values()}:
            warnings.append(
                f"catalog entry {meta.id!r}: file {meta.file} not found in {docs_dir}; skipped"
            )
            continue
        metas.append(meta)
        covered.add(meta.file)
    for path in files.values():
        if path.name in covered:
            continue
        meta, notes = _guess_for_file(path)
        metas.append(meta)
        warnings.append(f"{path}: no catalog entry; {notes}")
    return metas, warnings


def _guess_for_file(path: Path) -> tuple[DocumentMeta, str]:
    try:
        text = load_file(path)
    except LoaderError as exc:
        meta = DocumentMeta(id=path.stem, file=path.name, number="", type="", title=path.stem)
        return meta, f"cannot read it to guess metadata ({exc})"
    meta = guess_meta(text, path.name)
    shown = ", ".join(
        f"{key} {getattr(meta, key)!r}" for key in ("number", "type", "title", "issued", "issuer")
    )
    missing = [k for k in ("number", "type", "issued") if not getattr(meta, k)]
    gaps = f"; could not find: {', '.join(missing)}" if missing else ""
    return meta, f"guessed from its header: {shown}{gaps}. Add an entry to catalog.yaml to confirm"


# --------------------------------------------------------------------------- header guessing

_TYPE_BY_UPPER = {t.upper(): t for t in DOCUMENT_TYPES}
_DATE_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_DATE_SLASH = re.compile(r"ngày\s+(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", re.IGNORECASE)
_PLACE_DATE = re.compile(r"^[^\d,|]{2,40},\s*ngày\s", re.IGNORECASE)
_NATIONAL = re.compile(
    r"^(CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM|ĐẢNG CỘNG SẢN VIỆT NAM"
    r"|ĐỘC LẬP - TỰ DO - HẠNH PHÚC)$"
)
_SEPARATOR = re.compile(r"^[\W_]+$")
# Issuer lines repeated above the preamble ("CHÍNH PHỦ", "BỘ TRƯỞNG BỘ ...") end the title.
_ISSUER_LINE = re.compile(
    r"^(CHÍNH PHỦ|THỦ TƯỚNG CHÍNH PHỦ|QUỐC HỘI|ỦY BAN THƯỜNG VỤ QUỐC HỘI|BỘ TRƯỞNG .*|"
    r"BỘ CHÍNH TRỊ|BAN BÍ THƯ|CHỦ TỊCH .*|HỘI ĐỒNG .*|ỦY BAN NHÂN DÂN .*)$"
)
# Proper names that keep their capitals when an all-caps title is lowered.
_PROPER = (
    "Bộ Chính trị",
    "Ban Bí thư",
    "Ban Chấp hành Trung ương",
    "Trung ương",
    "Đảng",
    "Chính phủ",
    "Thủ tướng",
    "Quốc hội",
    "Nhà nước",
    "Việt Nam",
    "Bộ Khoa học và Công nghệ",
    "Đề án 06",
)
_HEADER_LINES = 60


def _lines(text: str) -> list[str]:
    out = []
    for line in nfc(text).split("\n"):
        line = re.sub(r"\s+", " ", line).strip()
        if line:
            out.append(line)
        if len(out) >= _HEADER_LINES:
            break
    return out


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _uncap(text: str) -> str:
    """An all-caps heading in sentence case, with known proper names restored."""
    if not _is_caps(text):
        return text
    lowered = text.lower()
    for name in _PROPER:
        lowered = re.sub(rf"(?<!\w){re.escape(name.lower())}(?!\w)", name, lowered)
    # Roman numerals of a Party congress term stay in capitals: "khoá XI".
    return re.sub(r"\b(khoá|khóa) ([ivxl]+)\b", lambda m: f"{m[1]} {m[2].upper()}", lowered)


def _date(line: str) -> str:
    for pattern in (_DATE_WORDS, _DATE_SLASH):
        match = pattern.search(line)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                return ""
    return ""


def _number(line: str) -> str:
    for match in NUMBER_LINE.finditer(line):
        value = match.group(1)
        if re.search(r"[^\W\d_]", value) and re.search(r"[/\-]", value):
            return value
    return ""


def _issuer(header: list[str]) -> str:
    """The last issuing-body block above the number, e.g. BỘ KHOA HỌC VÀ / CÔNG NGHỆ."""
    blocks: list[str] = []
    joining = False
    for line in header:
        for cell in (c.strip() for c in line.split("|")):
            if not cell or not _is_caps(cell) or _NATIONAL.match(cell):
                joining = False
                continue
            if _number(cell) or _date(cell):
                joining = False
                continue
            if joining and blocks:
                blocks[-1] = f"{blocks[-1]} {cell}"
            else:
                blocks.append(cell)
            # A name broken after "VÀ" or a comma continues on the next line.
            joining = cell.endswith((" VÀ", ",", "-"))
    if not blocks:
        return ""
    issuer = _uncap(blocks[-1])
    return issuer[:1].upper() + issuer[1:]


def guess_meta(text: str, file: str) -> DocumentMeta:
    """Metadata read from a document's header block; fields that cannot be found stay empty.

    Handles the official layout (issuer, ``Số: 33/2025/TT-BKHCN``, ``Hà Nội, ngày … tháng …
    năm …``, the type heading ``THÔNG TƯ`` and title lines under it) and the one-line form
    ``Kết luận số 69-KL/TW ngày 11/01/2024 của Bộ Chính trị về …``.
    """
    stem = Path(file).stem
    lines = _lines(text)
    heading_at = next((i for i, line in enumerate(lines) if TYPE_HEADING.match(line)), None)
    if heading_at is None and lines and INLINE_TYPE_HEADING.match(lines[0]):
        return _guess_inline(lines[0], file)
    header = lines[:heading_at] if heading_at is not None else lines[:15]
    number = next((n for n in map(_number, header) if n), "")
    issued = next((_date(line) for line in header if _PLACE_DATE.match(line) and _date(line)), "")
    if not issued:
        issued = next((d for d in map(_date, header) if d), "")
    doc_type, title = "", stem
    issuer = _issuer(header)
    if heading_at is not None:
        match = TYPE_HEADING.match(lines[heading_at])
        doc_type = _TYPE_BY_UPPER[match.group(1)]
        parts = [match.group(2)] if match.group(2) else []
        for line in lines[heading_at + 1 : heading_at + 7]:
            if (
                TITLE_STOP.match(line)
                or _SEPARATOR.match(line)
                or _ISSUER_LINE.match(line)
                or len(line) > 250
                or sum(map(len, parts)) > 400
            ):
                break
            parts.append(line)
            if line.endswith(("”", '"')):
                break
        rest = " ".join(_uncap(p) for p in parts).strip()
        by = re.match(r"^của (.+?)(?= về |$)", rest)
        if by:
            issuer = by.group(1)
        title = f"{doc_type} {rest[:1].lower()}{rest[1:]}" if rest else doc_type
    return DocumentMeta(
        id=stem,
        file=file,
        number=number,
        type=doc_type,
        title=title,
        issued=issued,
        issuer=issuer,
        notes="Thông tin tự động đoán từ phần đầu văn bản; cần kiểm tra lại.",
    )


def _guess_inline(line: str, file: str) -> DocumentMeta:
    doc_type = _TYPE_BY_UPPER[INLINE_TYPE_HEADING.match(line).group(1).upper()]
    number = _number(line)
    issued = _date(line)
    issuer_match = re.search(r"\bcủa (.+?)(?= về |,|$)", line)
    # The title is the sentence without the number and date: "Kết luận của Bộ Chính trị về …".
    rest = line[INLINE_TYPE_HEADING.match(line).end() :]
    rest = re.sub(r"^\S+\s*", "", rest)
    rest = re.sub(
        r"^,?\s*ngày\s+(\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2} tháng \d{1,2} năm \d{4})\s*", "", rest
    )
    return DocumentMeta(
        id=Path(file).stem,
        file=file,
        number=number,
        type=doc_type,
        title=f"{doc_type} {rest}".strip(),
        issued=issued,
        issuer=issuer_match.group(1) if issuer_match else "",
        notes="Thông tin tự động đoán từ phần đầu văn bản; cần kiểm tra lại.",
    )
