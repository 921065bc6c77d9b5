"""Hybrid Vietnamese retrieval: analyse → (reference path) → dense + sparse → RRF → expand.

Read top to bottom in ``Retriever.search``. The store does the heavy fusion (Qdrant's RRF over a
dense and a sparse prefetch); this module decides what to ask it:
- the dense leg always sees accented Vietnamese (diacritics restored from the corpus when the
  user typed without them), because multilingual-e5 cannot read unaccented text;
- the sparse leg matches folded terms, so "khoa hoc" finds "khoa học";
- a named document ("NQ 57", "Thông tư 33") adds a filtered query whose ranks are fused with
  the open one, so the named document rises without hiding the others; so does a document
  clearly described ("văn bản kết luận đầu năm 2024 của Bộ Chính trị");
- a named provision ("Điều 3 khoản 2", "mục II.1", "nhiệm vụ 44") is looked up directly.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ingest.catalog import discover
from ingest.chunk import RECORD_KINDS
from ingest.embed import get_embedder
from ingest.model import DocumentMeta
from ingest.sparse import SparseEncoder
from ingest.store import HybridParams, ScoredHit, VectorStore, check_embedder, open_store
from nq57.settings import Settings
from nq57.text import fold
from retrieval.about import Records, asks_listing, card_fields, records_of
from retrieval.describe import DocumentProfiles, strip_description
from retrieval.frame import Frame, asked_unit, frame_of, holds_answer
from retrieval.learned_rank import (
    Candidate,
    RankerModel,
    features,
    has_unit,
    leads,
    lexical_scores,
    locator_depth,
)
from retrieval.query import (
    RECORD_ASKED,
    AnalyzedQuery,
    DocRef,
    ProvisionRef,
    analyze_query,
    locator_matches,
    within_named_part,
)
from retrieval.questions import QUESTIONS_FILE, QuestionIndex
from retrieval.restore import DiacriticRestorer
from retrieval.synonyms import expand_synonyms
from retrieval.terms import (
    TermStats,
    content_bigrams,
    content_terms,
    phrase_coverage,
    without_document_names,
)
from retrieval.types import Hit

RESTORER_FILE = "restorer.json.gz"
# Chunks of a named provision that lead the results, the best for the question first.
DIRECT_LIMIT = 8


@dataclass
class SearchResult:
    query: AnalyzedQuery
    hits: list[Hit]
    ms: float
    dense_top: float = 0.0  # cosine of the nearest chunk: how close the corpus comes at all
    direct: bool = False  # the question named a provision that was found
    described: list[str] = field(default_factory=list)  # documents described, not named
    # The question as matched against passages: legal wording appended, the words describing a
    # document left out. Answering picks sentences with the same words.
    wording: str = ""
    # Of ``ms``, the time spent embedding the question (0 when it was cached): the part set by
    # the embedding model and the CPU, not by this pipeline.
    embed_ms: float = 0.0
    # Asked for (``with_features``): the learned ranker's feature rows of the fused candidates
    # it orders, by chunk id, in fused order.
    features: dict[str, list[float]] = field(default_factory=dict)
    # The nearest bank questions' passages (``retrieval/questions.py``): chunk id → the cosine
    # of the closest question asked of it.
    asked: dict[str, float] = field(default_factory=dict)
    # How close the nearest bank question that the texts do not answer comes (a near miss).
    missed: float = 0.0

    def asked_of(self, n: int = 1) -> float:
        """How close the question comes to one asked of its first ``n`` passages (0: none)."""
        return max((self.asked.get(h.chunk_id, 0.0) for h in self.hits[:n]), default=0.0)


class Retriever:
    def __init__(
        self,
        settings: Settings,
        store: VectorStore | None = None,
        embedder: Any = None,
        catalog: Sequence[DocumentMeta] | None = None,
        restorer: DiacriticRestorer | None = None,
        reranker: Any = None,
    ) -> None:
        self.settings = settings
        self.store = store or open_store(settings)
        self.embedder = embedder or get_embedder(settings.embedder)
        meta = check_embedder(self.store.meta(), self.embedder.model_id, str(settings.index_dir))
        self.encoder = SparseEncoder(avgdl=meta.avgdl)
        self.catalog = list(catalog) if catalog is not None else discover(settings.corpus_dir)[0]
        self.profiles = DocumentProfiles(self.catalog)
        self.restorer = restorer or _load_restorer(settings.index_dir / RESTORER_FILE)
        self.questions = _load_questions(settings, self.embedder)
        self.reranker = reranker
        # The learned order of fused candidates (retrieval/models/ranker.json); without it, the
        # hand-weighted lexical rerank.
        self.ranker = RankerModel.load() if settings.learned_rank else None
        # Weight of the lexical rerank of fused candidates (IDF-weighted word coverage plus
        # word-pair coverage, on folded text): tuned on the development gold set.
        self.lexical_weight = settings.lexical_weight
        self.rerank_depth = 30
        # How many fused candidates the learned ranker orders (the ranker learns from
        # ``rerank_depth``): tuned on ALQAC 2023 train.
        self.learned_depth = settings.learned_rank_depth
        self.params = HybridParams(
            limit=max(settings.dense_limit, settings.sparse_limit),
            dense_limit=settings.dense_limit,
            sparse_limit=settings.sparse_limit,
            rrf_k=settings.rrf_k,
            weights=(settings.dense_weight, 1.0),
            with_payload=False,  # every payload is in self._payloads
        )
        # The whole corpus is a few thousand chunks: keeping payloads in memory makes the
        # reference path and context expansion free of store round-trips.
        self._payloads: dict[str, dict[str, Any]] = {
            h.id: h.payload for h in self.store.scroll(limit=10_000_000)
        }
        self._by_doc: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        for pid, payload in self._payloads.items():
            self._by_doc[payload["doc_id"]].append((pid, payload))
        for items in self._by_doc.values():
            items.sort(key=lambda item: item[1].get("chunk_index", 0))
        self.stats = TermStats.build(context_of(p) for p in self._payloads.values())
        self._query_cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------------ public
    def analyze(self, question: str) -> AnalyzedQuery:
        aq = self._analyze(question)
        named = [r.doc_id for r in aq.doc_refs if r.doc_id]
        if aq.provision is None or len(named) != 1:
            return aq
        units = [
            (p["locator"], p.get("breadcrumb") or []) for _, p in self._by_doc.get(named[0], [])
        ]
        return replace(aq, provision=within_named_part(aq.provision, aq.folded, units))

    def _analyze(self, question: str) -> AnalyzedQuery:
        aq = analyze_query(question, self.catalog, self.restorer)
        named = [r for r in aq.doc_refs if r.doc_id]
        inner = self._inside_title(aq.expanded, named)
        if inner is not None:
            return replace(aq, doc_refs=[r for r in aq.doc_refs if r is not inner])
        if len(named) != 1 or named[0].number is None:
            return aq
        meant = self.profiles.qualified(aq.expanded, named[0].doc_id or "", named[0].number)
        doc = self.meta(meant) if meant else None
        if doc is None:
            return aq
        ref = DocRef(doc_id=doc.id, number=doc.number, type=doc.type)
        return replace(aq, doc_refs=[ref if r is named[0] else r for r in aq.doc_refs])

    def _inside_title(self, question: str, named: Sequence[DocRef]) -> DocRef | None:
        """Of two documents named, the one named only inside the other's title: "Quyết định
        1169 về truyền thông Nghị quyết 57 căn cứ vào luật nào?" asks about QĐ 1169 alone, as
        every word between the two names is of that title. Not "Quyết định 1169 cụ thể hóa yêu
        cầu nào của Nghị quyết 57?", nor when the two are joined ("… 1169 và Nghị quyết 57")."""
        if len(named) != 2:
            return None
        folded = fold(question).lower()
        for outer, inner in (named, named[::-1]):
            meta = self.meta(outer.doc_id or "")
            if (
                meta is None
                or not inner.number
                or fold(inner.number).lower() not in fold(meta.title).lower()
            ):
                continue
            spans = [_mention(folded, r.number or "") for r in (outer, inner)]
            if spans[0] is None or spans[1] is None or spans[0] > spans[1]:
                continue
            between = folded[spans[0] : spans[1]]
            title = set(re.findall(r"\w+", fold(meta.title).lower()))
            words = re.findall(r"[^\W\d]+", between)
            if not _JOINED.search(between) and all(w in title or w == "ve" for w in words):
                return inner
        return None

    def meta(self, doc_id: str) -> DocumentMeta | None:
        """The catalog entry of ``doc_id``."""
        return next((m for m in self.catalog if m.id == doc_id), None)

    def search(self, question: str, k: int = 10, doc_ids: Sequence[str] | None = None) -> list[Hit]:
        return self.run(question, k, doc_ids).hits

    def run(
        self,
        question: str,
        k: int = 10,
        doc_ids: Sequence[str] | None = None,
        analyzed: AnalyzedQuery | None = None,
        with_features: bool = False,
    ) -> SearchResult:
        started = time.perf_counter()
        aq = analyzed or self.analyze(question)
        named = [r.doc_id for r in aq.doc_refs if r.doc_id] or list(doc_ids or [])
        # A named document ("nghị quyết 57") can sit beside a described one ("theo kế hoạch của
        # Đảng đoàn Quốc hội"): each gets its own filtered query.
        described = [
            d for d in self.profiles.match(without_document_names(aq.expanded)) if d not in named
        ]
        focus = named or described
        direct = self._reference_path(aq, named)

        dense, embed_ms = self._embed_query(aq.restored)
        legal = expand_synonyms(aq.restored)
        sparse = self.encoder.encode_query(
            expand_synonyms(aq.expanded), unaccented=aq.unaccented, restored=legal
        )
        # The words that describe a document match its introduction, not the answer.
        lexical_query = expand_synonyms(strip_description(aq.restored)) if described else legal
        ranked = [self.store.hybrid(dense, sparse, self.params)]
        learned = self.ranker is not None or with_features
        nearest = self.store.dense_search(
            dense, self.params.dense_limit if learned else 1, with_payload=False
        )
        for docs in (named, described):
            if docs:
                ranked.append(self.store.hybrid(dense, sparse, self.params, {"doc_id": docs}))
        fused = _fuse(ranked, self.params.rrf_k)
        if not aq.asks_record:
            fused = [(pid, s) for pid, s in fused if not self._is_record(pid)]

        # Several chunks of the named provision ("mục III.6 … về kinh tế số các ngành"): the
        # one about what was asked comes first.
        # A whole annex or part holds many: the topic picks among all of them, not of its first.
        direct = self._lexical_rerank(lexical_query, not aq.unaccented, direct, depth=len(direct))
        direct = direct[:DIRECT_LIMIT]
        if aq.asks_record:
            # "Ai ký?", "căn cứ ban hành?": the signature and preamble of the document in
            # question answer it, whatever their similarity.
            first = RECORD_ASKED.get(aq.asks_record, "preamble")
            direct = self._records(focus, first) + direct
        # "Thông tư 33 có hiệu lực khi nào?", "văn bản nào do Bộ Chính trị ban hành?": the
        # card's own records are the evidence. They lead without making the question one about
        # a named provision.
        card = [(h.chunk_id, 0.0) for h in self._card_evidence(aq, question, named, focus)]
        ordered: list[tuple[str, float]] = [(pid, 1.0 + s) for pid, s in card + direct]
        seen = {pid for pid, _ in ordered}
        rest = [(pid, s) for pid, s in fused if pid not in seen]
        rows: dict[str, list[float]] = {}
        if learned:
            depth = self.rerank_depth if with_features else self.learned_depth
            rows = self._features(aq, lexical_query, rest[:depth], nearest, sparse, focus)
        if self.ranker is not None:
            rest = self._learned_rerank(rest, rows)
        else:
            rest = self._lexical_rerank(lexical_query, not aq.unaccented, rest)
        asked, missed = self._asked(dense, aq)
        floor = self.settings.question_min_similarity
        ordered += self._with_asked(rest, [(pid, cos) for pid, cos in asked if cos >= floor])
        want = max(k, getattr(self.reranker, "depth", 0))
        hits = [_narrow_to_item(hit, aq) for hit in self._dedupe(ordered, want)]
        if self.ranker is not None and aq.provision is None and not aq.asks_record:
            # A provision the user named is cited as named.
            pairs = content_bigrams(without_document_names(lexical_query))
            hits = [_narrow_to_subject(hit, pairs) for hit in hits]
        if self.reranker is not None and hits:
            hits = self.reranker.rerank(aq.restored, hits)
        hits = hits[:k]
        for rank, hit in enumerate(hits, 1):
            hit.rank = rank
        return SearchResult(
            aq,
            hits,
            (time.perf_counter() - started) * 1000,
            dense_top=nearest[0].score if nearest else 0.0,
            direct=bool(direct),
            described=described,
            wording=lexical_query,
            embed_ms=embed_ms,
            features=rows if with_features else {},
            asked=dict(asked),
            missed=missed,
        )

    def unit(self, doc_id: str, locator_prefix: str) -> list[Hit]:
        """All chunks of a document whose locator starts with ``locator_prefix``, in order."""
        return [
            self._hit(pid, 0.0)
            for pid, payload in self._by_doc.get(doc_id, [])
            if payload["locator"] == locator_prefix
            or payload["locator"].startswith(
                (locator_prefix + " ", locator_prefix + ".", locator_prefix + ",")
            )
        ]

    def query_vector(self, text: str) -> list[float]:
        """The dense vector of ``text`` as a query, from the same cache the search uses."""
        return self._embed_query(text)[0]

    def closeness(self, vector: Sequence[float]) -> float:
        """Cosine of the chunk nearest to ``vector``: how close the corpus comes at all."""
        nearest = self.store.dense_search(list(map(float, vector)), 1, with_payload=False)
        return nearest[0].score if nearest else 0.0

    def chunks(self, doc_id: str) -> list[Hit]:
        """Every chunk of a document, in document order (records included)."""
        return [self._hit(pid, 0.0) for pid, _ in self._by_doc.get(doc_id, [])]

    def payload(self, chunk_id: str) -> dict[str, Any]:
        """The stored payload of one chunk ({} when unknown)."""
        return self._payloads.get(chunk_id, {})

    def locators(self, doc_id: str) -> list[str]:
        """Every locator of a document's chunks, in document order."""
        return [payload["locator"] for _, payload in self._by_doc.get(doc_id, [])]

    def texts(self, doc_id: str) -> list[str]:
        """The text of each of a document's chunks, aligned with ``locators``."""
        return [payload.get("text", "") for _, payload in self._by_doc.get(doc_id, [])]

    def dense_only(self, question: str, k: int = 10) -> list[ScoredHit]:
        return self.store.dense_search(self.embedder.embed_query(question), k)

    # ------------------------------------------------------------------ parts
    def _asked(
        self, dense: Sequence[float], aq: AnalyzedQuery
    ) -> tuple[list[tuple[str, float]], float]:
        """Passages of the nearest bank questions (``retrieval/questions.py``), best first, and
        how close the nearest near miss comes."""
        if not len(self.questions):
            return [], 0.0
        found, missed = self.questions.nearest(dense, self.settings.question_limit)
        if self.settings.question_weight <= 0:
            return [], missed
        return [
            (pid, cos)
            for pid, cos in found
            if pid in self._payloads and (aq.asks_record or not self._is_record(pid))
        ], missed

    def _with_asked(
        self, ordered: list[tuple[str, float]], asked: list[tuple[str, float]]
    ) -> list[tuple[str, float]]:
        """The passages of the nearest bank questions fused by rank with the order so far: the
        words of the passage and those of the question need not meet."""
        weight = self.settings.question_weight
        if not asked or not ordered:
            return ordered
        fused = _fuse(
            [[ScoredHit(pid, 0.0, {}) for pid, _ in ranking] for ranking in (ordered, asked)],
            self.params.rrf_k,
            (1.0, weight),
        )
        # On the scale of the order so far: the gate reads scores.
        top, best = ordered[0][1], fused[0][1]
        return [(pid, top * s / best) for pid, s in fused]

    def _embed_query(self, text: str) -> tuple[list[float], float]:
        """The query's vector and the milliseconds spent computing it. Query embeddings are the
        costliest step; recent questions are kept (thread-safe LRU)."""
        with self._cache_lock:
            cached = self._query_cache.get(text)
            if cached is not None:
                self._query_cache.move_to_end(text)
                return cached, 0.0
        started = time.perf_counter()
        vector = self.embedder.embed_query(text)
        elapsed = (time.perf_counter() - started) * 1000
        with self._cache_lock:
            self._query_cache[text] = vector
            while len(self._query_cache) > self.settings.query_cache_size:
                self._query_cache.popitem(last=False)
        return vector, elapsed

    def _reference_path(self, aq: AnalyzedQuery, named: list[str]) -> list[tuple[str, float]]:
        if aq.provision is None:
            return []
        docs = named or list(self._by_doc)
        if (
            not named
            and aq.provision.article is None
            and aq.provision.annex is None
            and aq.provision.outline is None
        ):
            return []
        out: list[tuple[str, float]] = []
        for doc_id in docs:
            for pid, payload in self._by_doc.get(doc_id, []):
                if any(
                    locator_matches(loc, aq.provision) for loc in expand_range(payload["locator"])
                ):
                    out.append((pid, 0.0))
        if not out:
            # Small sibling items share a chunk under their parent's locator ("II.1" holding
            # "h) …" and "i) …"): find the chunk whose lines open with the asked label.
            for doc_id in docs:
                for pid, payload in self._by_doc.get(doc_id, []):
                    if grouped_item(payload["locator"], payload["text"], aq.provision):
                        out.append((pid, 0.0))
        if not out and named and aq.provision.article is not None:
            # A clause or point kept inside its article's chunk ("khoản 2 Điều 4"): the
            # article holds it.
            for doc_id in named:
                for pid, payload in self._by_doc.get(doc_id, []):
                    if locator_matches(payload["locator"], aq.provision, allow_ancestor=True):
                        out.append((pid, 0.0))
        # Without a named document, a bare "Điều 3" matches in many texts: too vague to pin.
        if not named and len({self._payloads[p]["doc_id"] for p, _ in out}) > 1:
            return []
        return out

    def _card_evidence(
        self, aq: AnalyzedQuery, question: str, named: list[str], focus: list[str]
    ) -> list[Hit]:
        """The header, signature or effect clause that a question about one document asks
        for, or the headers of the documents a listing question picks."""
        if aq.provision is not None and not aq.provision.empty:
            return []
        if not named and asks_listing(question):
            picked = self.profiles.filter(question)
            if len(picked) == len(self.catalog):
                return []
            headers = (self._records_of(d).header for d in picked)
            return [h for h in headers if h is not None]
        if len(focus) != 1:
            return []
        meta = self.meta(focus[0])
        fields = card_fields(
            strip_description(aq.expanded), meta.title if meta else "", described=not named
        )
        # "Mục đích của Kế hoạch 3260 là gì?" may be a section: only named fields lead.
        if not fields or fields == ("what",) or fields[0] in ("parts", "annexes"):
            return []
        return self._records_of(focus[0]).evidence(fields)

    def _records_of(self, doc_id: str) -> Records:
        meta = self.meta(doc_id)
        return records_of(meta.number if meta else "", self.chunks(doc_id))

    def _is_record(self, pid: str) -> bool:
        return self._payloads.get(pid, {}).get("kind") in RECORD_KINDS

    def _records(self, doc_ids: Sequence[str], first: str) -> list[tuple[str, float]]:
        """Preamble, recipients and signature chunks of the documents in question, the asked kind
        first."""
        if not doc_ids or len(doc_ids) > 2:
            return []
        found = [
            (payload.get("kind") != first, i, pid)
            for i, doc_id in enumerate(doc_ids)
            for pid, payload in self._by_doc.get(doc_id, [])
            if payload.get("kind") in RECORD_KINDS
        ]
        return [(pid, 0.0) for *_, pid in sorted(found)]

    def _lexical_rerank(
        self,
        question: str,
        accented: bool,
        fused: list[tuple[str, float]],
        depth: int | None = None,
    ) -> list[tuple[str, float]]:
        """Re-order the best fused candidates by how much of the question they contain.

        Rank fusion knows only ranks; a chunk holding every word of the question in order can
        sit at rank 7 behind near-misses. Coverage is computed on folded syllables, so it is
        blind to diacritics like the sparse leg.
        """
        if not fused or self.lexical_weight <= 0:
            return fused
        depth = self.rerank_depth if depth is None else depth
        head, tail = fused[:depth], fused[depth:]
        asked = without_document_names(question)
        terms = content_terms(asked, accented=accented)
        pairs = content_bigrams(asked)
        top = head[0][1] or 1.0
        rescored = []
        for pid, score in head:
            ctx = context_of(self._payloads.get(pid, {}))
            text = self._payloads.get(pid, {}).get("text", "")
            # Word pairs are counted in the passage itself: headings repeat on every sibling.
            lexical = 0.5 * self.stats.coverage(terms, ctx) + 0.5 * phrase_coverage(pairs, text)
            rescored.append((pid, score / top + self.lexical_weight * lexical))
        rescored.sort(key=lambda item: -item[1])
        floor = min(s for _, s in rescored)
        return rescored + [(pid, min(s / top, floor)) for pid, s in tail]

    def _features(
        self,
        aq: AnalyzedQuery,
        question: str,
        head: list[tuple[str, float]],
        dense_hits: list[ScoredHit],
        sparse: Any,
        focus: Sequence[str],
    ) -> dict[str, list[float]]:
        """The learned ranker's feature rows of the fused candidates ``head``."""
        if not head:
            return {}
        dense = {h.id: (rank, h.score) for rank, h in enumerate(dense_hits)}
        sparse_hits = self.store.sparse_search(sparse, self.params.sparse_limit, with_payload=False)
        sparse_score = {h.id: h.score for h in sparse_hits}
        asked = without_document_names(question)
        terms = content_terms(asked, accented=not aq.unaccented)
        pairs = content_bigrams(asked)
        frame = frame_of(aq.restored)
        unit = asked_unit(aq.restored)
        focused = set(focus)
        candidates = []
        for rank, (pid, score) in enumerate(head):
            payload = self._payloads.get(pid, {})
            text = payload.get("text", "")
            crumbs = " ".join((payload.get("breadcrumb") or [])[1:])
            in_dense = dense.get(pid)
            candidates.append(
                Candidate(
                    fused=score,
                    fused_rank=rank,
                    dense=in_dense[1] if in_dense else None,
                    dense_rank=in_dense[0] if in_dense else None,
                    sparse=sparse_score.get(pid),
                    coverage=self.stats.coverage(terms, context_of(payload)),
                    pairs=phrase_coverage(pairs, text),
                    heading=self.stats.coverage(terms, crumbs) if crumbs else 0.0,
                    lead=max(phrase_coverage(pairs, lead) for lead in leads(text)),
                    answer=_holds_answer(frame.attribute, text),
                    unit=has_unit(unit, text),
                    length=len(text),
                    depth=locator_depth(payload.get("locator", "")),
                    focus=payload.get("doc_id") in focused,
                )
            )
        x = features(candidates)
        return {pid: [float(v) for v in row] for (pid, _), row in zip(head, x, strict=True)}

    def _learned_rerank(
        self, fused: list[tuple[str, float]], rows: dict[str, list[float]]
    ) -> list[tuple[str, float]]:
        """The first ``rerank_depth`` candidates in the learned model's order, the rest after
        them in fused order."""
        assert self.ranker is not None
        head, tail = fused[: len(rows)], fused[len(rows) :]
        if not head:
            return fused
        x = np.asarray([rows[pid] for pid, _ in head])
        order = np.argsort(-self.ranker.scores(x), kind="stable")
        # The learned order with the lexical rerank's scores, largest first: what reads hit
        # scores (the composer's rank penalty, the gate) keeps the scale it was fitted on.
        scale = sorted((float(v) for v in lexical_scores(x)), reverse=True)
        rescored = [(head[i][0], scale[n]) for n, i in enumerate(order)]
        floor = min(s for _, s in rescored)
        top = head[0][1] or 1.0
        return rescored + [(pid, min(s / top, floor)) for pid, s in tail]

    def _hit(self, pid: str, score: float) -> Hit:
        p = self._payloads.get(pid, {})
        crumbs = list(p.get("breadcrumb") or [])
        return Hit(
            chunk_id=pid,
            score=round(float(score), 6),
            doc_id=p.get("doc_id", ""),
            doc=p.get("doc", ""),
            doc_number=p.get("doc_number", ""),
            doc_title=p.get("doc_title", ""),
            locator=p.get("locator", ""),
            text=p.get("text", ""),
            breadcrumb=crumbs,
            chunk_index=int(p.get("chunk_index", 0)),
            kind=p.get("kind", "paragraph"),
            parent_text=crumbs[-1] if len(crumbs) > 1 else "",
        )

    def _dedupe(self, ordered: list[tuple[str, float]], want: int) -> list[Hit]:
        """The first ``want`` hits, dropping a chunk whose text a better-ranked one contains
        (grouped units overlap)."""
        kept: list[Hit] = []
        for pid, score in ordered:
            if pid not in self._payloads:
                continue  # written to the store after this retriever loaded it: restart to see
            hit = self._hit(pid, score)
            body = hit.text.strip()
            if any(body and body in k.text for k in kept):
                continue
            kept.append(hit)
            if len(kept) >= want:
                break
        return kept


_LABEL_LINE = re.compile(r"^([a-zđ]|\d+)[.)]\s", re.MULTILINE)


# Words that join two documents asked about together.
_JOINED = re.compile(r"(?<!\w)(?:va|voi|hoac|hay|cung|so voi|lan)(?!\w)|[,;&+]")


def _mention(folded: str, number: str) -> int | None:
    """Where the question names a document by its number ("57" of "57-NQ/TW"), if it does."""
    lead = re.match(r"\d+", number)
    m = re.search(rf"(?<!\d){lead.group(0)}(?!\d)", folded) if lead else None
    return m.start() if m else None


def item_lines(text: str, outline: str) -> str:
    """The lines of item ``outline``'s last label ("II.1.i" → the "i) …" item) in a chunk that
    groups several sibling items, up to the next sibling; "" when the chunk has no such item."""
    label = outline.rsplit(".", 1)[-1].lower()
    starts = [(m.start(), m.group(1)) for m in _LABEL_LINE.finditer(text)]
    for i, (pos, found) in enumerate(starts):
        if found == label:
            end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
            return text[pos:end].strip()
    return ""


def grouped_item(locator: str, text: str, provision: ProvisionRef | None) -> str:
    """The asked outline item's lines when a chunk under an ancestor locator groups it with
    its siblings ("II.1" holding h) and i) when II.1.i was asked); "" otherwise."""
    outline = provision.outline if provision else None
    if not outline or "." not in outline or locator == outline:
        return ""
    if not locator_matches(locator, provision, allow_ancestor=True):
        return ""
    return item_lines(text, outline)


def _narrow_to_item(hit: Hit, aq: AnalyzedQuery) -> Hit:
    """The asked item alone, under its own locator, in the documents the question names."""
    named = {r.doc_id for r in aq.doc_refs if r.doc_id}
    if named and hit.doc_id not in named:
        return hit
    text = grouped_item(hit.locator, hit.text, aq.provision)
    if not text or aq.provision is None or aq.provision.outline is None:
        return hit
    return replace(hit, text=text, locator=aq.provision.outline)


@lru_cache(maxsize=50_000)
def _holds_answer(attribute: str, text: str) -> bool:
    # Chunk texts come back for question after question: fold each once per asked kind.
    return holds_answer(Frame(attribute), text)


_OUTLINE_LOCATOR = re.compile(r"^(?:[A-Z]\.)?[IVXLC]+(?:\.[\dA-Za-zđ]+)*$")
# An item is the subject of the question when its opening words hold this share of the
# question's word pairs, and no sibling's opening comes within half of it.
SUBJECT_SHARE = 0.3


def _narrow_to_subject(hit: Hit, pairs: list[tuple[str, str]]) -> Hit:
    """A chunk grouping sibling items ("IV" holding "1. …" and "2. Đảng đoàn Quốc hội …") is
    narrowed to the one item whose opening names what the question asks about, under that
    item's own locator ("IV.2")."""
    if not pairs or hit.kind == "row" or not _OUTLINE_LOCATOR.match(hit.locator):
        return hit
    starts = [(m.start(), m.group(1)) for m in _LABEL_LINE.finditer(hit.text)]
    if len(starts) < 2 or starts[0][0] != 0:
        return hit
    shares = [phrase_coverage(pairs, lead) for lead in leads(hit.text)]
    ranked = sorted(range(len(shares)), key=lambda i: -shares[i])
    best, second = shares[ranked[0]], shares[ranked[1]]
    if best < SUBJECT_SHARE or second > best / 2:
        return hit
    i = ranked[0]
    end = starts[i + 1][0] if i + 1 < len(starts) else len(hit.text)
    label = starts[i][1]
    return replace(hit, text=hit.text[starts[i][0] : end].strip(), locator=f"{hit.locator}.{label}")


_RANGE = re.compile(r"^(.*?)(\d+)–(\d+)$")


def expand_range(locator: str) -> list[str]:
    """ "Phụ lục II, nhiệm vụ 41–43" → the three row locators it stands for."""
    m = _RANGE.match(locator)
    if not m:
        return [locator]
    head, lo, hi = m.group(1), int(m.group(2)), int(m.group(3))
    if hi < lo or hi - lo > 200:
        return [locator]
    return [f"{head}{n}" for n in range(lo, hi + 1)]


def _fuse(
    rankings: list[list[ScoredHit]], k: int, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    scores: dict[str, float] = defaultdict(float)
    for i, ranking in enumerate(rankings):
        weight = weights[i] if weights else 1.0
        for rank, hit in enumerate(ranking):
            scores[hit.id] += weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda item: -item[1])


def context_of(payload: dict[str, Any]) -> str:
    """What a chunk says, with its headings (the document name excluded: it is everywhere)."""
    crumbs = payload.get("breadcrumb") or []
    return " ".join([*crumbs[1:], payload.get("text", "")])


def _load_questions(settings: Settings, embedder: Any) -> QuestionIndex:
    """The question bank's index built at ingest; none (or another model's): an empty one."""
    try:
        index = QuestionIndex.load(settings.index_dir / QUESTIONS_FILE)
    except (OSError, ValueError, KeyError):
        index = None
    dim = getattr(embedder, "dim", None)
    if index is None or (dim is not None and len(index) and index.vectors.shape[1] != dim):
        return QuestionIndex.empty()
    return index


def _load_restorer(path: Path) -> DiacriticRestorer | None:
    return DiacriticRestorer.load(path) if path.exists() else None
