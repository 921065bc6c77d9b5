"""From an uploaded file to a catalog entry in the corpus: inspect, correct, publish.

An upload is kept under data_dir/uploads/<token>/ until it is published; publishing copies it
into corpus/docs under its catalog id and writes its entry in catalog.yaml (replacing the
entry of the same id), and checks that the corpus still reads as a whole before keeping it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ingest.catalog import CatalogError, catalog_path, discover, guess_meta
from ingest.chunk import chunk_document
from ingest.clean import clean_text
from ingest.loaders import SUPPORTED_SUFFIXES, LoaderError, load_file
from ingest.model import DocumentMeta
from ingest.structure import parse_document, render_tree
from nq57.settings import Settings
from nq57.text import anchor

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,80}$")
_ENTRY_START = re.compile(r"^- ", re.MULTILINE)
MAX_UPLOAD = 20 * 1024 * 1024
STRUCTURED = {"part", "chapter", "section", "article", "clause", "point", "outline", "annex", "row"}


class PublishError(ValueError):
    """An upload or a catalog entry that cannot be accepted (Vietnamese message)."""


@dataclass
class Upload:
    token: str
    filename: str  # the safe name it is stored under
    original: str  # the name it was uploaded as
    meta: dict
    tree: str = ""
    chunks: int = 0
    units: int = 0
    warnings: list[str] = field(default_factory=list)
    replaces: str | None = None  # the catalog id it would replace

    @property
    def path_in(self) -> str:
        return f"{self.token}/{self.filename}"


def _uploads(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def safe_name(original: str) -> str:
    name = Path(original or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise PublishError(f"Chỉ nhận tệp {supported}.")
    stem = anchor(Path(name).stem)[:80] or "van-ban"
    return stem + suffix


def save_upload(settings: Settings, original: str, data: bytes) -> Upload:
    if not data:
        raise PublishError("Tệp rỗng.")
    if len(data) > MAX_UPLOAD:
        raise PublishError(f"Tệp quá lớn (tối đa {MAX_UPLOAD // (1024 * 1024)} MB).")
    filename = safe_name(original)
    token = secrets.token_urlsafe(18)
    folder = _uploads(settings) / token
    folder.mkdir(parents=True)
    (folder / filename).write_bytes(data)
    try:
        upload = inspect_file(settings, folder / filename, token, original)
    except PublishError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    (folder / "upload.json").write_text(json.dumps(asdict(upload), ensure_ascii=False), "utf-8")
    return upload


def inspect_file(settings: Settings, path: Path, token: str, original: str) -> Upload:
    """What `nq57 inspect` shows, and what an editor should check before publishing."""
    try:
        text = clean_text(load_file(path))
    except LoaderError as exc:
        raise PublishError(f"Không đọc được tệp: {exc}") from None
    if len(text.strip()) < 50:
        raise PublishError("Tệp gần như không có chữ (tệp PDF chỉ có ảnh quét?).")
    meta = guess_meta(text, path.name)
    root = parse_document(text, meta)
    chunks = chunk_document(root, meta, settings.chunk_max_chars, settings.chunk_min_chars)
    units = [u for u in root.walk() if u.kind in STRUCTURED]
    warnings = []
    if not meta.number:
        warnings.append("Không đọc được số hiệu văn bản: hãy nhập ở mục danh mục.")
    if not meta.issued:
        warnings.append("Không đọc được ngày ban hành: hãy nhập ở mục danh mục.")
    if not meta.issuer:
        warnings.append("Không đọc được cơ quan ban hành.")
    if not units:
        warnings.append(
            "Không nhận ra cấu trúc (Phần, Chương, Điều, khoản, mục I., 1., a)): trích dẫn "
            "sẽ chỉ theo đoạn văn."
        )
    existing = {m.id: m for m in discover(settings.corpus_dir)[0]}
    stem = Path(path.name).stem
    replaces = stem if stem in existing else None
    if replaces:
        warnings.append(f"Đã có văn bản mã {stem}: xuất bản sẽ thay thế nội dung của nó.")
        meta = existing[stem]
    return Upload(
        token=token,
        filename=path.name,
        original=original,
        meta=asdict(meta) | {"id": stem},
        tree=render_tree(root),
        chunks=len(chunks),
        units=len(units),
        warnings=warnings,
        replaces=replaces,
    )


def load_upload(settings: Settings, token: str) -> Upload:
    if not _TOKEN.match(token or ""):
        raise PublishError("Mã tệp tải lên không hợp lệ.")
    manifest = _uploads(settings) / token / "upload.json"
    if not manifest.exists():
        raise PublishError("Không tìm thấy tệp tải lên (đã xuất bản hoặc đã bị xóa).")
    return Upload(**json.loads(manifest.read_text("utf-8")))


def check_entry(entry: DocumentMeta) -> None:
    if not _ID.match(entry.id):
        raise PublishError("Mã văn bản chỉ gồm chữ thường không dấu, số và dấu gạch ngang.")
    for value, label in ((entry.number, "số hiệu"), (entry.type, "loại"), (entry.title, "tên")):
        if not value.strip():
            raise PublishError(f"Cần nhập {label} văn bản.")
    if entry.issued:
        try:
            date.fromisoformat(entry.issued)
        except ValueError:
            raise PublishError("Ngày ban hành cần dạng YYYY-MM-DD.") from None


def entry_yaml(entry: DocumentMeta) -> str:
    data = {k: v for k, v in asdict(entry).items() if v not in ("", None)}
    return yaml.safe_dump([data], allow_unicode=True, sort_keys=False, width=100)


def with_entry(catalog_text: str, entry: DocumentMeta) -> str:
    """The catalog text with ``entry`` in place of the entry of the same id, or appended.
    Comments and the other entries stay as they were written."""
    block = entry_yaml(entry)
    starts = [m.start() for m in _ENTRY_START.finditer(catalog_text)]
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(catalog_text)
        parsed = yaml.safe_load(catalog_text[start:end]) or [{}]
        if isinstance(parsed, list) and parsed and parsed[0].get("id") == entry.id:
            tail = "\n" if end < len(catalog_text) else ""
            return catalog_text[:start] + block + tail + catalog_text[end:]
    sep = "" if not catalog_text or catalog_text.endswith("\n\n") else (
        "\n" if catalog_text.endswith("\n") else "\n\n"
    )  # fmt: skip
    return catalog_text + sep + block


def publish(settings: Settings, upload: Upload, entry: DocumentMeta) -> DocumentMeta:
    """Copy the file into the corpus and write its catalog entry; all or nothing."""
    check_entry(entry)
    suffix = Path(upload.filename).suffix
    entry = DocumentMeta(**{**asdict(entry), "file": f"{entry.id}{suffix}"})
    docs = settings.docs_dir
    source = _uploads(settings) / upload.token / upload.filename
    cat = catalog_path(settings.corpus_dir) or settings.corpus_dir / "catalog.yaml"
    if cat.suffix == ".json":
        raise PublishError("Danh mục dạng JSON: hãy sửa tay, bảng điều khiển chỉ ghi catalog.yaml.")
    before = cat.read_text("utf-8") if cat.exists() else ""
    target = docs / entry.file
    # Files of the same id with another extension would give two documents one id.
    others = [p for p in docs.glob(f"{entry.id}.*") if p.suffix.lower() in SUPPORTED_SUFFIXES]
    backup = settings.data_dir / "uploads" / upload.token / "backup"
    backup.mkdir(exist_ok=True)
    for p in others:
        shutil.copy2(p, backup / p.name)
    try:
        tmp = docs / f".{entry.file}.tmp"
        shutil.copyfile(source, tmp)
        for p in others:
            if p != target:
                p.unlink()
        os.replace(tmp, target)
        cat_tmp = cat.with_name(cat.name + ".tmp")
        cat_tmp.write_text(with_entry(before, entry), "utf-8")
        os.replace(cat_tmp, cat)
        metas, _ = discover(settings.corpus_dir)
        if entry.id not in {m.id for m in metas}:
            raise PublishError("Danh mục sau khi ghi không có văn bản này.")
    except (CatalogError, PublishError, OSError) as exc:
        _restore(cat, before, target, others, backup)
        if isinstance(exc, PublishError):
            raise
        raise PublishError(f"Không xuất bản được: {exc}") from None
    shutil.rmtree(_uploads(settings) / upload.token, ignore_errors=True)
    return entry


def _restore(cat: Path, before: str, target: Path, others: list[Path], backup: Path) -> None:
    cat.write_text(before, "utf-8")
    if target.exists() and target.name not in {p.name for p in others}:
        target.unlink()
    for p in others:
        shutil.copy2(backup / p.name, p)
