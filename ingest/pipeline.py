"""Ingestion, top to bottom: discover → load → clean → parse → chunk → embed → index.

Each stage is a pure function or a small object from its own module; this file only composes
them and keeps the book-keeping that makes re-ingestion incremental (content hashes) and
rebuilds crash-safe (the store builds beside the live index and swaps at the end).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ingest.catalog import discover
from ingest.chunk import chunk_document
from ingest.clean import clean_text
from ingest.diskspace import DiskFullError, ensure_free, needed_bytes
from ingest.embed import CachedEmbeddings, get_embedder
from ingest.loaders import LoaderError, load_file
from ingest.model import Chunk, DocumentMeta, Unit
from ingest.prebuilt import save_prebuilt
from ingest.sparse import SparseEncoder, average_length
from ingest.store import IndexMeta, StoredPoint, VectorStore, open_store
from nq57.datadir import DataDirError, check_writable
from nq57.settings import Settings

Progress = Callable[[str, int, int], None]
RESTORER_FILE = "restorer.json.gz"


class IngestError(RuntimeError):
    """Nothing could be ingested (empty corpus, every file failed); the index is untouched."""


@dataclass
class ParsedDocument:
    meta: DocumentMeta
    text: str
    root: Unit
    chunks: list[Chunk]


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    seconds: float = 0.0
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    embedded: int = 0
    prebuilt: int = 0  # vectors taken from those shipped with the corpus
    questions: int = 0  # bank questions tied to indexed passages (retrieval/questions.py)
    embed_tokens: int = 0
    embed_seconds: float = 0.0
    per_document: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def tokens_per_second(self) -> float:
        return self.embed_tokens / self.embed_seconds if self.embed_seconds else 0.0


def parse_file(path: Path, meta: DocumentMeta, settings: Settings) -> ParsedDocument:
    text = clean_text(load_file(path))
    root = parse_document(text, meta)
    chunks = chunk_document(root, meta, settings.chunk_max_chars, settings.chunk_min_chars)
    return ParsedDocument(meta, text, root, chunks)


def parse_document(text: str, meta: DocumentMeta) -> Unit:
    from ingest.structure import parse_document as _parse

    return _parse(text, meta)


def load_corpus(
    settings: Settings, progress: Progress | None = None
) -> tuple[list[ParsedDocument], list[dict[str, str]], list[str]]:
    """Parse every document of the corpus; a broken file is reported, the others go on."""
    metas, warnings = discover(settings.corpus_dir)
    parsed: list[ParsedDocument] = []
    failed: list[dict[str, str]] = []
    for i, meta in enumerate(metas):
        path = settings.docs_dir / meta.file
        try:
            parsed.append(parse_file(path, meta, settings))
        except LoaderError as exc:
            failed.append({"file": meta.file, "error": str(exc)})
        except Exception as exc:  # a parser bug on one file must not stop the others
            failed.append({"file": meta.file, "error": f"{type(exc).__name__}: {exc}"})
        if progress:
            progress("parse", i + 1, len(metas))
    return parsed, failed, warnings


def chunk_payload(chunk: Chunk, meta: DocumentMeta, embedder_id: str) -> dict[str, Any]:
    return {
        "doc_id": meta.id,
        "doc": meta.file,
        "doc_number": meta.number,
        "doc_title": meta.title,
        "doc_type": meta.type,
        "doc_short": meta.short_name,
        "issued": meta.issued,
        "locator": chunk.locator,
        "breadcrumb": chunk.breadcrumb,
        "text": chunk.text,
        "kind": chunk.kind,
        "chunk_index": chunk.chunk_index,
        "content_hash": chunk.content_hash,
        "embedder": embedder_id,
    }


def ingest(
    settings: Settings,
    rebuild: bool = False,
    progress: Progress | None = None,
    store: VectorStore | None = None,
    embedder: Any = None,
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    if settings.store == "edge":
        try:
            check_writable(settings.data_dir)
        except DataDirError as exc:
            raise IngestError(str(exc)) from None
    parsed, report.failed, report.warnings = load_corpus(settings, progress)
    if not parsed:
        reason = "every document failed to load" if report.failed else "the corpus has no documents"
        raise IngestError(f"{reason} ({settings.docs_dir}); the existing index is unchanged")

    embedder = embedder or get_embedder(
        settings.embedder, settings.cache_dir, settings.prebuilt_dir
    )
    store = store or open_store(settings)
    all_chunks = [(doc.meta, c) for doc in parsed for c in doc.chunks]
    encoder = SparseEncoder(avgdl=average_length([c.embed_text for _, c in all_chunks]))
    meta = IndexMeta(embedder=embedder.model_id, dim=embedder.dim, avgdl=encoder.avgdl)
    report.documents = len(parsed)
    report.chunks = len(all_chunks)
    report.per_document = {doc.meta.file: len(doc.chunks) for doc in parsed}

    if settings.store == "edge":
        _check_space(settings, store, len(all_chunks), rebuild)
    store.begin(meta, rebuild=rebuild)
    try:
        existing = store.hashes()
        wanted = {c.point_id: (m, c) for m, c in all_chunks}
        new_ids = [pid for pid in wanted if pid not in existing]
        failed_docs = {_stem(f["file"]) for f in report.failed}
        stale = [
            pid
            for pid, payload in existing.items()
            if pid not in wanted and payload.get("doc_id") not in failed_docs
        ]
        stale_keys = {
            (
                existing[pid].get("doc_id"),
                existing[pid].get("locator"),
                existing[pid].get("chunk_index"),
            )
            for pid in stale
        }
        for pid in new_ids:
            m, c = wanted[pid]
            if (m.id, c.locator, c.chunk_index) in stale_keys:
                report.updated += 1
            else:
                report.added += 1
        report.removed = max(len(stale) - report.updated, 0)

        batch = max(settings.embed_batch_size, 1)
        for start in range(0, len(new_ids), batch):
            ids = new_ids[start : start + batch]
            texts = [wanted[pid][1].embed_text for pid in ids]
            t0 = time.perf_counter()
            misses_before = getattr(embedder, "misses", 0)
            prebuilt_before = getattr(embedder, "prebuilt_hits", 0)
            vectors = embedder.embed_documents(texts)
            report.prebuilt += getattr(embedder, "prebuilt_hits", 0) - prebuilt_before
            if getattr(embedder, "misses", 0) > misses_before or not hasattr(embedder, "misses"):
                report.embed_seconds += time.perf_counter() - t0
                report.embed_tokens += sum(embedder.count_tokens(t) for t in texts)
                report.embedded += len(texts)
            points = [
                StoredPoint(
                    id=pid,
                    dense=vec,
                    sparse=encoder.encode_document(wanted[pid][1].embed_text),
                    payload=chunk_payload(wanted[pid][1], wanted[pid][0], embedder.model_id),
                )
                for pid, vec in zip(ids, vectors, strict=True)
            ]
            store.upsert(points)
            if progress:
                progress("embed", min(start + batch, len(new_ids)), len(new_ids))
        store.delete(stale)
        store.set_meta(meta)
        _save_restorer(settings, parsed)
        store.commit()
    except BaseException:
        store.abort()
        raise
    finally:
        store.close()
    report.questions = _save_questions(settings, parsed, embedder)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def export_vectors(settings: Settings, directory: Path | None = None) -> tuple[Path, int]:
    """Write the vectors of every passage of the corpus to ``directory`` (default
    ``corpus_dir/vectors``), for shipping with it. Vectors already cached or shipped are reused
    (they are keyed by content, so only new or changed passages go through the model); those of
    passages no longer in the corpus are dropped."""
    parsed, failed, _ = load_corpus(settings)
    if failed or not parsed:
        names = ", ".join(f["file"] for f in failed) or "no documents"
        raise IngestError(f"cannot export the corpus vectors: {names} ({settings.docs_dir})")
    target = directory or settings.corpus_dir / "vectors"
    target.mkdir(parents=True, exist_ok=True)  # fail before minutes of embedding, not after
    embedder = get_embedder(settings.embedder, settings.cache_dir, settings.prebuilt_dir)
    texts = sorted({c.embed_text for doc in parsed for c in doc.chunks})
    vectors = embedder.embed_documents(texts)
    keyed = {CachedEmbeddings.key(t): v for t, v in zip(texts, vectors, strict=True)}
    # The question bank's vectors too, so a fresh machine embeds none of it.

    restorer = _train_restorer(settings, parsed)
    asked = sorted(set(_question_queries(settings, parsed, restorer)))
    for text, vector in zip(asked, _embed_queries(embedder)(asked), strict=True):
        keyed[CachedEmbeddings.query_key(text)] = vector
    path = save_prebuilt(target, embedder.model_id, getattr(embedder, "version", ""), keyed)
    return path, len(keyed)


def _check_space(settings: Settings, store: VectorStore, n_chunks: int, rebuild: bool) -> None:
    """IngestError before anything is written when the disk cannot take the index."""
    live = getattr(store, "_live_dir", lambda: None)()
    if live is None or rebuild:
        new_chunks = n_chunks
    else:
        known = store.hashes()
        new_chunks = n_chunks - len(known)
    needed = needed_bytes(
        max(new_chunks, 0), live, rebuild or live is None, settings.ingest_min_free_mb
    )
    try:
        ensure_free(settings.index_dir, needed)
    except DiskFullError as exc:
        store.close()
        raise IngestError(str(exc)) from None


def _stem(file: str) -> str:
    return Path(file).stem


def _embed_queries(embedder: Any) -> Callable[[list[str]], list[list[float]]]:
    batch = getattr(embedder, "embed_queries", None)
    return batch or (lambda texts: [embedder.embed_query(t) for t in texts])


def _as_query(parsed: list[ParsedDocument], restorer: Any) -> Callable[[str], str]:
    """The form a bank question is embedded in: the one a user's question is searched with."""
    from retrieval.query import analyze_query

    catalog = [doc.meta for doc in parsed]
    return lambda question: analyze_query(question, catalog, restorer).restored


def _question_queries(settings: Settings, parsed: list[ParsedDocument], restorer: Any) -> list[str]:
    from retrieval.questions import read_questions

    files = {doc.meta.file for doc in parsed}
    as_query = _as_query(parsed, restorer)
    return [
        as_query(q.question)
        for q in read_questions(settings.questions_dir, near_misses=True)
        if q.doc in files
    ]


def _save_questions(settings: Settings, parsed: list[ParsedDocument], embedder: Any) -> int:
    """The question bank tied to the indexed chunks and embedded (``retrieval/questions.py``);
    unchanged bank and corpus: the file stays as it is. Returns how many answerable questions
    it ties to passages."""
    from retrieval.questions import (
        QUESTIONS_FILE,
        QuestionIndex,
        build_question_index,
        read_questions,
    )
    from retrieval.restore import DiacriticRestorer

    path = settings.index_dir / QUESTIONS_FILE
    stored = QuestionIndex.stored(path)
    restorer_path = settings.index_dir / RESTORER_FILE
    restorer = DiacriticRestorer.load(restorer_path) if restorer_path.exists() else None
    payloads = {
        c.point_id: {"doc": doc.meta.file, "text": c.text} for doc in parsed for c in doc.chunks
    }
    index = build_question_index(
        read_questions(settings.questions_dir, near_misses=True),
        payloads,
        _as_query(parsed, restorer),
        _embed_queries(embedder),
        getattr(embedder, "model_id", ""),
        stored[0],  # unreadable or absent: "", built again
        restorer.sources if restorer is not None else "",
    )
    if index is None:  # unchanged
        return stored[1]
    index.save(path)
    return int(index.answerable.sum())


def _restorer_sources(
    settings: Settings, parsed: list[ParsedDocument]
) -> tuple[list[str], list[str]]:
    from retrieval.questions import asked_texts

    return [doc.text for doc in parsed], asked_texts(settings.questions_dir)


def _train_restorer(settings: Settings, parsed: list[ParsedDocument]) -> Any:
    from retrieval.restore import DiacriticRestorer

    return DiacriticRestorer.train(*_restorer_sources(settings, parsed))


def _save_restorer(settings: Settings, parsed: list[ParsedDocument]) -> None:
    """The diacritic restorer is learned from the indexed texts and the question bank, so it is
    rebuilt when either changes."""
    from retrieval.restore import DiacriticRestorer, sources_digest

    path = settings.index_dir / RESTORER_FILE
    texts, questions = _restorer_sources(settings, parsed)
    if path.exists():
        try:
            if DiacriticRestorer.load(path).sources == sources_digest(texts, questions):
                return
        except ValueError:
            pass  # unreadable or an older format: trained again
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    DiacriticRestorer.train(texts, questions).save(tmp)
    tmp.replace(path)
