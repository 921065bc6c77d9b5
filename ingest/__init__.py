"""Ingestion: load → clean → parse legal structure → chunk → embed → index into Qdrant."""

from ingest.model import Chunk, DocumentMeta, Unit
from ingest.pipeline import IngestError, IngestReport, export_vectors, ingest, load_corpus

__all__ = [
    "Chunk",
    "DocumentMeta",
    "IngestError",
    "IngestReport",
    "Unit",
    "export_vectors",
    "ingest",
    "load_corpus",
]
