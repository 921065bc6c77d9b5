"""Vector stores: the embedded Qdrant Edge shard (default) and a Qdrant server or cluster.

Both hold one collection with a named dense vector ``dense`` (cosine) and a named sparse vector
``sparse`` (IDF modifier), run the same hybrid query (dense + sparse prefetch fused by RRF), and
rebuild beside the live index before swapping atomically: a directory swap through a symlink on
the edge, an alias switch on the server. A crash mid-rebuild leaves the old index answering.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ingest.sparse import SparseVec

DENSE = "dense"
SPARSE = "sparse"
PAYLOAD_INDEXES = ("doc_id", "locator", "content_hash")

Filter = dict[str, str | list[str]]


class StoreError(RuntimeError):
    """The index is missing, unreachable or built with another embedder."""


@dataclass
class StoredPoint:
    id: str
    dense: list[float]
    sparse: SparseVec
    payload: dict[str, Any]


@dataclass
class ScoredHit:
    id: str
    score: float
    payload: dict[str, Any]


@dataclass
class IndexMeta:
    embedder: str
    dim: int
    avgdl: float = 120.0
    created: float = field(default_factory=time.time)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class HybridParams:
    limit: int = 10
    dense_limit: int = 40
    sparse_limit: int = 40
    rrf_k: int = 60
    weights: tuple[float, float] = (1.0, 1.0)  # (dense, sparse)
    # A caller that keeps every payload in memory (the retriever) asks for ids and scores only.
    with_payload: bool = True


class VectorStore(Protocol):
    def meta(self) -> IndexMeta | None: ...
    def begin(self, meta: IndexMeta, rebuild: bool) -> None: ...
    def commit(self) -> None: ...
    def abort(self) -> None: ...
    def hashes(self) -> dict[str, dict[str, Any]]: ...
    def upsert(self, points: Sequence[StoredPoint]) -> None: ...
    def delete(self, ids: Sequence[str]) -> None: ...
    def set_meta(self, meta: IndexMeta) -> None: ...
    def hybrid(
        self, dense: list[float], sparse: SparseVec, params: HybridParams, flt: Filter | None = None
    ) -> list[ScoredHit]: ...
    def dense_search(
        self, dense: list[float], limit: int, flt: Filter | None = None, with_payload: bool = True
    ) -> list[ScoredHit]: ...
    def sparse_search(
        self,
        sparse: SparseVec,
        limit: int,
        flt: Filter | None = None,
        with_payload: bool = True,
    ) -> list[ScoredHit]: ...
    def scroll(self, flt: Filter | None = None, limit: int = 10_000) -> list[ScoredHit]: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


def check_embedder(meta: IndexMeta | None, embedder_id: str, where: str) -> IndexMeta:
    if meta is None:
        raise StoreError(f"no index at {where}: run `nq57 ingest` first")
    if meta.embedder != embedder_id:
        raise StoreError(
            f"the index at {where} was built with embedder {meta.embedder!r} but "
            f"{embedder_id!r} is configured; querying it would return nonsense. Set NQ57_EMBEDDER "
            f"back or run `nq57 ingest --rebuild`"
        )
    return meta


# --------------------------------------------------------------------------- Qdrant Edge


class EdgeStore:
    """An on-disk Qdrant Edge shard under ``root`` with generation directories.

    ``root/current`` is a symlink to ``root/gen-<n>``; a rebuild writes ``gen-<n+1>`` and then
    replaces the symlink with ``os.replace`` (atomic on POSIX).
    """

    def __init__(self, root: Path, keep_previous: bool = False) -> None:
        import qdrant_edge as qe

        self._qe = qe
        # Resolved: the sweep compares generation paths with the symlink's resolved target.
        self.root = Path(root).resolve()
        self._shard: Any = None
        self._pending: Path | None = None  # generation being built by a rebuild
        # A running service still answers from the old generation when a rebuild commits:
        # it removes that one itself once its requests are done (see ``previous``).
        self.keep_previous = keep_previous
        self.previous: Path | None = None

    # -- layout
    @property
    def current(self) -> Path:
        return self.root / "current"

    def _live_dir(self) -> Path | None:
        return self.current.resolve() if self.current.exists() else None

    def meta(self) -> IndexMeta | None:
        live = self._pending or self._live_dir()
        if live is None or not (live / "meta.json").exists():
            return None
        return IndexMeta(**json.loads((live / "meta.json").read_text("utf-8")))

    def set_meta(self, meta: IndexMeta) -> None:
        target = self._pending or self._live_dir()
        if target is None:
            raise StoreError("no index generation to write metadata to")
        tmp = target / "meta.json.tmp"
        tmp.write_text(json.dumps(meta.__dict__, ensure_ascii=False), "utf-8")
        os.replace(tmp, target / "meta.json")

    def _config(self, dim: int) -> Any:
        qe = self._qe
        return qe.EdgeConfig(
            vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine)},
            sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        )

    def _open(self) -> Any:
        if self._shard is None:
            live = self._live_dir()
            if live is None:
                raise StoreError(f"no index at {self.root}: run `nq57 ingest` first")
            self._shard = _guard_lock(
                lambda: self._qe.EdgeShard.load(str(live / "shard")), self.root
            )
        return self._shard

    def begin(self, meta: IndexMeta, rebuild: bool) -> None:
        live = self._live_dir()
        if live is not None and not rebuild:
            current = self.meta()
            if current and (current.embedder != meta.embedder or current.dim != meta.dim):
                raise StoreError(
                    f"index built with {current.embedder!r}; configured {meta.embedder!r}: "
                    "run `nq57 ingest --rebuild`"
                )
            self._open()
            return
        self.root.mkdir(parents=True, exist_ok=True)
        gen = self.root / f"gen-{time.time_ns()}"
        gen.mkdir()
        self._pending = gen
        self.close()
        self._shard = _guard_lock(
            lambda: self._qe.EdgeShard.create(str(gen / "shard"), self._config(meta.dim)), self.root
        )
        self._create_indexes()
        self.set_meta(meta)

    def _create_indexes(self) -> None:
        qe = self._qe
        for name in PAYLOAD_INDEXES:
            self._shard.update(
                qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword)
            )

    def commit(self) -> None:
        if self._shard is not None:
            self._shard.flush()
        if self._pending is None:
            return
        # Load the new generation once before it goes live. A first load touches pages of the
        # shard's memory-mapped files that writing left as holes; on a file system that must
        # then allocate them (tmpfs) a load on a full disk dies with SIGBUS. Done here, after
        # ingest's free-space check, a later start on a full disk finds them allocated.
        self.close()
        pending = self._pending
        self._shard = _guard_lock(
            lambda: self._qe.EdgeShard.load(str(pending / "shard")), self.root
        )
        link_tmp = self.root / f".current-{os.getpid()}"
        if link_tmp.is_symlink() or link_tmp.exists():
            link_tmp.unlink()
        os.symlink(self._pending.name, link_tmp)
        old = self._live_dir()
        os.replace(link_tmp, self.current)
        self._pending = None
        if self.keep_previous:
            self.previous = old
            return
        if old is not None and old.exists():
            shutil.rmtree(old, ignore_errors=True)
        self._sweep()

    def _sweep(self) -> None:
        """Remove generations left behind by crashed rebuilds."""
        live = self._live_dir()
        for gen in self.root.glob("gen-*"):
            if gen != live and gen != self._pending:
                shutil.rmtree(gen, ignore_errors=True)

    def abort(self) -> None:
        pending = self._pending
        self._pending = None
        self.close()
        if pending is not None:
            shutil.rmtree(pending, ignore_errors=True)

    # -- data
    def upsert(self, points: Sequence[StoredPoint]) -> None:
        qe = self._qe
        shard = self._shard or self._open()
        batch = [
            qe.Point(
                p.id,
                {DENSE: p.dense, SPARSE: qe.SparseVector(p.sparse.indices, p.sparse.values)},
                p.payload,
            )
            for p in points
        ]
        if batch:
            shard.update(qe.UpdateOperation.upsert_points(batch))

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            (self._shard or self._open()).update(self._qe.UpdateOperation.delete_points(list(ids)))

    def _filter(self, flt: Filter | None) -> Any:
        if not flt:
            return None
        qe = self._qe
        must = []
        for key, value in flt.items():
            match = qe.MatchAny(list(value)) if isinstance(value, list) else qe.MatchValue(value)
            must.append(qe.FieldCondition(key=key, match=match))
        return qe.Filter(must=must)

    def hybrid(
        self, dense: list[float], sparse: SparseVec, params: HybridParams, flt: Filter | None = None
    ) -> list[ScoredHit]:
        qe = self._qe
        f = self._filter(flt)
        prefetches = [
            qe.Prefetch(
                limit=params.dense_limit, query=qe.Query.Nearest(dense, using=DENSE), filter=f
            )
        ]
        weights = [params.weights[0]]
        if len(sparse):
            prefetches.append(
                qe.Prefetch(
                    limit=params.sparse_limit,
                    query=qe.Query.Nearest(
                        qe.SparseVector(sparse.indices, sparse.values), using=SPARSE
                    ),
                    filter=f,
                )
            )
            weights.append(params.weights[1])
        request = qe.QueryRequest(
            limit=params.limit,
            prefetches=prefetches,
            query=qe.Fusion.Rrf(k=params.rrf_k, weights=weights),
            with_payload=params.with_payload,
        )
        return self._hits(self._open().query(request))

    def dense_search(
        self, dense: list[float], limit: int, flt: Filter | None = None, with_payload: bool = True
    ) -> list[ScoredHit]:
        qe = self._qe
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(dense, using=DENSE),
            filter=self._filter(flt),
            with_payload=with_payload,
        )
        return self._hits(self._open().query(request))

    def sparse_search(
        self,
        sparse: SparseVec,
        limit: int,
        flt: Filter | None = None,
        with_payload: bool = True,
    ) -> list[ScoredHit]:
        if not len(sparse):
            return []
        qe = self._qe
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(qe.SparseVector(sparse.indices, sparse.values), using=SPARSE),
            filter=self._filter(flt),
            with_payload=with_payload,
        )
        return self._hits(self._open().query(request))

    def scroll(self, flt: Filter | None = None, limit: int = 10_000) -> list[ScoredHit]:
        qe = self._qe
        shard = self._shard or self._open()
        out: list[ScoredHit] = []
        offset = None
        while len(out) < limit:
            records, offset = shard.scroll(
                qe.ScrollRequest(
                    offset=offset,
                    limit=min(512, limit - len(out)),
                    filter=self._filter(flt),
                    with_payload=True,
                )
            )
            out.extend(ScoredHit(str(r.id), 0.0, dict(r.payload or {})) for r in records)
            if offset is None or not records:
                break
        return out

    def hashes(self) -> dict[str, dict[str, Any]]:
        return {h.id: h.payload for h in self.scroll(limit=10_000_000)}

    def count(self) -> int:
        return int(self._open().count(self._qe.CountRequest()))

    @staticmethod
    def _hits(points: Iterable[Any]) -> list[ScoredHit]:
        return [ScoredHit(str(p.id), float(p.score), dict(p.payload or {})) for p in points]

    def close(self) -> None:
        if self._shard is not None:
            try:
                self._shard.flush()
                self._shard.close()
            finally:
                self._shard = None


def _guard_lock(open_shard: Any, root: Path) -> Any:
    """The embedded shard is single-process: say so instead of a raw WAL error."""
    try:
        return open_shard()
    except Exception as exc:
        if "WouldBlock" in str(exc) or "lock" in str(exc).lower():
            raise StoreError(
                f"the index at {root} is open in another process (a running `nq57 serve` or "
                "`nq57 ingest`?). Stop it first, or share one index between processes with a "
                "Qdrant server (NQ57_STORE=server)"
            ) from exc
        raise


# --------------------------------------------------------------------------- Qdrant server


class ServerStore:
    """A collection on a Qdrant server or cluster, reached through an alias.

    ``QdrantClient(":memory:")`` implements the same API, which is how it is tested here.
    """

    def __init__(self, client: Any, alias: str) -> None:
        from qdrant_client import models

        self._m = models
        self.client = client
        self.alias = alias
        self._target: str | None = None
        self._pending: str | None = None

    @classmethod
    def connect(cls, url: str, api_key: str | None, alias: str) -> ServerStore:
        from qdrant_client import QdrantClient

        client = (
            QdrantClient(location=url)
            if url == ":memory:"
            else QdrantClient(url=url, api_key=api_key)
        )
        return cls(client, alias)

    def _resolve(self) -> str | None:
        if self._pending:
            return self._pending
        try:
            for a in self.client.get_aliases().aliases:
                if a.alias_name == self.alias:
                    return a.collection_name
        except Exception as exc:
            raise StoreError(f"Qdrant server unreachable: {exc}") from exc
        return None

    @property
    def _name(self) -> str:
        name = self._target or self._resolve()
        if name is None:
            raise StoreError(f"no collection behind alias {self.alias!r}: run `nq57 ingest` first")
        return name

    def meta(self) -> IndexMeta | None:
        name = self._pending or self._resolve()
        if name is None:
            return None
        info = self.client.get_collection(name)
        raw = getattr(info.config, "metadata", None) or {}
        return IndexMeta(**raw) if raw.get("embedder") else None

    def set_meta(self, meta: IndexMeta) -> None:
        self.client.update_collection(self._name, metadata=dict(meta.__dict__))

    def begin(self, meta: IndexMeta, rebuild: bool) -> None:
        m = self._m
        live = self._resolve()
        if live is not None and not rebuild:
            current = self.meta()
            if current and (current.embedder != meta.embedder or current.dim != meta.dim):
                raise StoreError(
                    f"collection built with {current.embedder!r}; configured {meta.embedder!r}: "
                    "run `nq57 ingest --rebuild`"
                )
            self._target = live
            return
        name = f"{self.alias}_{time.time_ns()}"
        self.client.create_collection(
            name,
            vectors_config={DENSE: m.VectorParams(size=meta.dim, distance=m.Distance.COSINE)},
            sparse_vectors_config={SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
            metadata=dict(meta.__dict__),
        )
        if not _is_local(self.client):  # the in-process client has no payload indexes
            for field_name in PAYLOAD_INDEXES:
                self.client.create_payload_index(name, field_name, m.PayloadSchemaType.KEYWORD)
        self._pending = name
        self._target = name

    def commit(self) -> None:
        if self._pending is None:
            return
        m = self._m
        old = None
        ops: list[Any] = []
        for a in self.client.get_aliases().aliases:
            if a.alias_name == self.alias:
                old = a.collection_name
                ops.append(
                    m.DeleteAliasOperation(delete_alias=m.DeleteAlias(alias_name=self.alias))
                )
        ops.append(
            m.CreateAliasOperation(
                create_alias=m.CreateAlias(collection_name=self._pending, alias_name=self.alias)
            )
        )
        # One call: the switch is atomic for readers.
        self.client.update_collection_aliases(change_aliases_operations=ops)
        self._pending = None
        if old and old != self._target:
            self.client.delete_collection(old)

    def abort(self) -> None:
        if self._pending is not None:
            self.client.delete_collection(self._pending)
        self._pending = None
        self._target = None

    def upsert(self, points: Sequence[StoredPoint]) -> None:
        m = self._m
        if not points:
            return
        self.client.upsert(
            self._name,
            points=[
                m.PointStruct(
                    id=p.id,
                    vector={
                        DENSE: p.dense,
                        SPARSE: m.SparseVector(indices=p.sparse.indices, values=p.sparse.values),
                    },
                    payload=p.payload,
                )
                for p in points
            ],
        )

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self.client.delete(self._name, points_selector=self._m.PointIdsList(points=list(ids)))

    def _filter(self, flt: Filter | None) -> Any:
        if not flt:
            return None
        m = self._m
        must = []
        for key, value in flt.items():
            match = (
                m.MatchAny(any=list(value))
                if isinstance(value, list)
                else m.MatchValue(value=value)
            )
            must.append(m.FieldCondition(key=key, match=match))
        return m.Filter(must=must)

    def _query(self, with_payload: bool = True, **kwargs: Any) -> list[ScoredHit]:
        try:
            result = self.client.query_points(self._name, with_payload=with_payload, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"Qdrant query failed: {exc}") from exc
        return [ScoredHit(str(p.id), float(p.score), dict(p.payload or {})) for p in result.points]

    def hybrid(
        self, dense: list[float], sparse: SparseVec, params: HybridParams, flt: Filter | None = None
    ) -> list[ScoredHit]:
        m = self._m
        f = self._filter(flt)
        prefetch = [m.Prefetch(query=dense, using=DENSE, limit=params.dense_limit, filter=f)]
        weights = [params.weights[0]]
        if len(sparse):
            prefetch.append(
                m.Prefetch(
                    query=m.SparseVector(indices=sparse.indices, values=sparse.values),
                    using=SPARSE,
                    limit=params.sparse_limit,
                    filter=f,
                )
            )
            weights.append(params.weights[1])
        return self._query(
            prefetch=prefetch,
            query=m.RrfQuery(rrf=m.Rrf(k=params.rrf_k, weights=weights)),
            limit=params.limit,
            with_payload=params.with_payload,
        )

    def dense_search(
        self, dense: list[float], limit: int, flt: Filter | None = None, with_payload: bool = True
    ) -> list[ScoredHit]:
        return self._query(
            query=dense,
            using=DENSE,
            limit=limit,
            query_filter=self._filter(flt),
            with_payload=with_payload,
        )

    def sparse_search(
        self,
        sparse: SparseVec,
        limit: int,
        flt: Filter | None = None,
        with_payload: bool = True,
    ) -> list[ScoredHit]:
        if not len(sparse):
            return []
        m = self._m
        return self._query(
            query=m.SparseVector(indices=sparse.indices, values=sparse.values),
            using=SPARSE,
            limit=limit,
            query_filter=self._filter(flt),
            with_payload=with_payload,
        )

    def scroll(self, flt: Filter | None = None, limit: int = 10_000) -> list[ScoredHit]:
        out: list[ScoredHit] = []
        offset = None
        while len(out) < limit:
            records, offset = self.client.scroll(
                self._name,
                scroll_filter=self._filter(flt),
                limit=min(512, limit - len(out)),
                offset=offset,
                with_payload=True,
            )
            out.extend(ScoredHit(str(r.id), 0.0, dict(r.payload or {})) for r in records)
            if offset is None or not records:
                break
        return out

    def hashes(self) -> dict[str, dict[str, Any]]:
        return {h.id: h.payload for h in self.scroll(limit=10_000_000)}

    def count(self) -> int:
        return int(self.client.count(self._name).count)

    def close(self) -> None:
        self._target = None


def _is_local(client: Any) -> bool:
    return type(getattr(client, "_client", None)).__name__ == "QdrantLocal"


def open_store(settings: Any, collection: str | None = None) -> VectorStore:
    """The configured store: ``edge`` under data_dir/index, or ``server`` at NQ57_QDRANT_URL."""
    name = collection or settings.collection
    if settings.store == "server":
        if not settings.qdrant_url:
            raise StoreError("NQ57_STORE=server needs NQ57_QDRANT_URL")
        return ServerStore.connect(settings.qdrant_url, settings.qdrant_api_key, name)
    if settings.store != "edge":
        raise StoreError(f"unknown store {settings.store!r}; use 'edge' or 'server'")
    return EdgeStore(settings.index_dir / name)
