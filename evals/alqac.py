"""ALQAC legal retrieval benchmark: law articles in their own collection, questions against them.

Input is the ALQAC format (2022 and 2023 rounds):
- ``law.json``: a list of ``{id: law id, articles: [{id, text}]}``; ``articles`` may also be a
  string holding a Python literal of that list, and an article without ``id`` is numbered by
  its 1-based position in the law.
- questions: a list of ``{question_id | id, text, relevant_articles: [{law_id, article_id}]}``;
  ``relevant_articles`` may again be a Python-literal string.

Every article becomes one or more chunks with locator ``Điều N`` in a separate Qdrant Edge
collection (``data_dir/alqac/<dataset>``), rebuilt only when the law file or the chunking
changes. The project's own ``Retriever`` is measured next to two baselines computed in the same
run: plain BM25 (lower-cased whitespace tokens, no folding) and the dense leg alone. Each runs on
the questions as written and with every diacritic removed (``nq57.text.fold``), since citizens
often type without marks.

Ranking is by distinct article: several chunks of one article collapse to its best rank.
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.embed import get_embedder
from ingest.model import Chunk, DocumentMeta
from ingest.pipeline import chunk_payload
from ingest.sparse import SparseEncoder, average_length
from ingest.store import EdgeStore, IndexMeta, StoredPoint
from nq57.settings import Settings
from nq57.text import fold, nfc

Progress = Callable[[str, int, int], None]
ArticleKey = tuple[str, str]  # (law_id, article_id)

INDEX_FORMAT = 1  # bump when chunk texts or payloads change shape: forces a rebuild
LAW_FILE = "law.json"
QUESTION_FILES = ("train.json", "question.json", "questions.json", "test.json")
TOP_K = 10
# Chunks fetched per question: enough for 10 distinct articles when long ones split in pieces.
CANDIDATES = 60
RESTORER_NAME = "restorer-{key}.json.gz"

_ARTICLE_LOCATOR = re.compile(r"^Điều\s+(\S+)")
_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")
_EDGE_PUNCT = "\"'“”‘’«»()[]{}.,;:!?…-–—/"


class AlqacFormatError(ValueError):
    """The law or question file is not in the ALQAC format; the message says where."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Article:
    law_id: str
    article_id: str
    text: str

    @property
    def key(self) -> ArticleKey:
        return (self.law_id, self.article_id)

    @property
    def locator(self) -> str:
        return f"Điều {self.article_id}"


@dataclass(frozen=True)
class Law:
    id: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    relevant: frozenset[ArticleKey]
    choices: tuple[str, ...] = ()  # multiple-choice options (ALQAC 2023 "Trắc nghiệm")


def _literal(value: Any, where: str) -> Any:
    """ALQAC files sometimes hold a list as a string of a Python literal."""
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError) as exc:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            raise AlqacFormatError(f"{where}: not a list literal: {exc}") from exc


def _read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise AlqacFormatError(f"{path}: file not found") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AlqacFormatError(f"{path}: cannot read JSON: {exc}") from exc


def _clean_id(value: Any) -> str:
    return nfc(str(value)).strip()


def parse_laws(data: Any, where: str = "law.json") -> list[Law]:
    if not isinstance(data, list):
        raise AlqacFormatError(f"{where}: expected a list of laws, got {type(data).__name__}")
    laws: list[Law] = []
    seen: set[str] = set()
    for i, entry in enumerate(data, 1):
        here = f"{where}: law {i}"
        if not isinstance(entry, dict) or "id" not in entry or "articles" not in entry:
            raise AlqacFormatError(f"{here}: expected an object with 'id' and 'articles'")
        law_id = _clean_id(entry["id"])
        if law_id in seen:
            raise AlqacFormatError(f"{here}: duplicate law id {law_id!r}")
        seen.add(law_id)
        raw = _literal(entry["articles"], f"{here} ({law_id}) articles")
        if not isinstance(raw, list):
            raise AlqacFormatError(f"{here} ({law_id}): 'articles' is not a list")
        articles: list[Article] = []
        ids: set[str] = set()
        for pos, art in enumerate(raw, 1):
            if not isinstance(art, dict) or not isinstance(art.get("text"), str):
                raise AlqacFormatError(f"{here} ({law_id}): article {pos} has no text")
            # Without an id the article number is its position in the law (ALQAC 2022 style).
            art_id = _clean_id(art["id"]) if art.get("id") not in (None, "") else str(pos)
            if art_id in ids:
                raise AlqacFormatError(f"{here} ({law_id}): duplicate article id {art_id!r}")
            ids.add(art_id)
            articles.append(Article(law_id, art_id, nfc(art["text"])))
        laws.append(Law(law_id, tuple(articles)))
    return laws


def load_laws(path: Path) -> list[Law]:
    return parse_laws(_read_json(path), str(path))


def parse_questions(data: Any, where: str = "questions") -> list[Question]:
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        raise AlqacFormatError(f"{where}: expected a list of questions, got {type(data).__name__}")
    out: list[Question] = []
    for i, entry in enumerate(data, 1):
        here = f"{where}: question {i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise AlqacFormatError(f"{here}: expected an object with a 'text'")
        qid = _clean_id(entry.get("question_id") or entry.get("id") or i)
        rel = _literal(entry.get("relevant_articles"), f"{here} ({qid}) relevant_articles")
        if not isinstance(rel, list) or not rel:
            raise AlqacFormatError(
                f"{here} ({qid}): no relevant_articles (a test file without answers cannot be scored)"
            )
        keys: set[ArticleKey] = set()
        for r in rel:
            if not isinstance(r, dict) or "law_id" not in r or "article_id" not in r:
                raise AlqacFormatError(
                    f"{here} ({qid}): relevant article without law_id/article_id"
                )
            keys.add((_clean_id(r["law_id"]), _clean_id(r["article_id"])))
        raw_choices = entry.get("choices")
        choices = (
            tuple(nfc(str(c)).strip() for c in raw_choices.values())
            if isinstance(raw_choices, dict)
            else ()
        )
        out.append(Question(qid, nfc(entry["text"]).strip(), frozenset(keys), choices))
    return out


def load_questions(path: Path) -> list[Question]:
    return parse_questions(_read_json(path), str(path))


def check_references(laws: Sequence[Law], questions: Sequence[Question]) -> list[str]:
    """Relevant articles that the law file does not contain (they can never be found)."""
    have = {a.key for law in laws for a in law.articles}
    return sorted(
        f"{q.id}: {law_id} Điều {art}"
        for q in questions
        for law_id, art in q.relevant
        if (law_id, art) not in have
    )


# --------------------------------------------------------------------------- chunks


def _split_long(paragraph: str, max_chars: int) -> list[str]:
    """A paragraph over ``max_chars`` is cut at sentence ends, then (last resort) at spaces."""
    if len(paragraph) <= max_chars:
        return [paragraph]
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph):
        while len(sentence) > max_chars:
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return _pack(pieces, max_chars, " ")


def _pack(parts: Iterable[str], max_chars: int, sep: str) -> list[str]:
    out: list[str] = []
    cur = ""
    for part in parts:
        if cur and len(cur) + len(sep) + len(part) > max_chars:
            out.append(cur)
            cur = part
        else:
            cur = f"{cur}{sep}{part}" if cur else part
    if cur:
        out.append(cur)
    return out


def split_article(body: str, max_chars: int = 1200, min_chars: int = 200) -> list[str]:
    """Pieces of at most ~``max_chars``, cut between paragraphs (or sentences inside a long one).

    A short tail joins the previous piece rather than standing alone without context.
    """
    paragraphs = [p.strip() for p in body.splitlines() if p.strip()]
    parts = [piece for p in paragraphs for piece in _split_long(p, max_chars)]
    pieces = _pack(parts, max_chars, "\n")
    if len(pieces) > 1 and len(pieces[-1]) < min_chars:
        tail = pieces.pop()
        pieces[-1] = f"{pieces[-1]}\n{tail}"
    return pieces


def article_title(text: str) -> tuple[str, str]:
    """(title, body): ALQAC article texts start with the article's name on its own line."""
    lines = text.strip().split("\n", 1)
    head = lines[0].strip()
    if len(lines) == 2 and len(head) <= 250:
        return head, lines[1].strip()
    return "", text.strip()


def law_meta(law: Law) -> DocumentMeta:
    """A catalog entry for a law: numbered ids (``91/2015/QH13``) double as the official number."""
    low = law.id.lower()
    kind = "Bộ luật" if low.startswith("bộ luật") else "Luật"
    number = law.id if law.id[:1].isdigit() else ""
    return DocumentMeta(id=law.id, file=law.id, number=number, type=kind, title=law.id)


def article_chunks(law: Law, max_chars: int = 1200, min_chars: int = 200) -> list[Chunk]:
    chunks: list[Chunk] = []
    for article in law.articles:
        title, body = article_title(article.text)
        heading = f"{article.locator}. {title}" if title else article.locator
        for piece in split_article(body, max_chars, min_chars) or [title or article.locator]:
            chunks.append(
                Chunk(
                    doc_id=law.id,
                    locator=article.locator,
                    breadcrumb=[law.id, heading],
                    text=piece,
                    chunk_index=len(chunks),
                    kind="article",
                )
            )
    return chunks


# --------------------------------------------------------------------------- ranking, metrics


def article_key(doc_id: str, locator: str) -> ArticleKey | None:
    m = _ARTICLE_LOCATOR.match(nfc(locator).strip())
    return (doc_id, m.group(1).rstrip(".")) if m else None


def distinct_articles(hits: Iterable[tuple[str, str]], k: int = TOP_K) -> list[ArticleKey]:
    """The first ``k`` distinct articles of a chunk ranking given as (doc_id, locator) pairs."""
    out: list[ArticleKey] = []
    seen: set[ArticleKey] = set()
    for doc_id, locator in hits:
        key = article_key(doc_id, locator)
        if key is None or key in seen:
            continue
        seen.add(key)
        out.append(key)
        if len(out) == k:
            break
    return out


@dataclass(frozen=True)
class QuestionScore:
    first_rank: int | None  # 1-based rank of the first relevant article within the top k
    found: int  # relevant articles in the top k
    relevant: int


def score_ranking(
    ranked: Sequence[ArticleKey], relevant: frozenset[ArticleKey], k: int = TOP_K
) -> QuestionScore:
    top = list(ranked[:k])
    first = next((i for i, key in enumerate(top, 1) if key in relevant), None)
    return QuestionScore(first, len(relevant & set(top)), len(relevant))


def summarize(scores: Sequence[QuestionScore]) -> dict[str, float | int]:
    n = len(scores)
    if n == 0:
        return {"n": 0, "acc_at_1": 0.0, "recall_at_10": 0.0, "mrr_at_10": 0.0}
    return {
        "n": n,
        "acc_at_1": round(sum(s.first_rank == 1 for s in scores) / n, 4),
        "recall_at_10": round(sum(s.found / s.relevant for s in scores) / n, 4),
        "mrr_at_10": round(sum(1 / s.first_rank for s in scores if s.first_rank) / n, 4),
    }


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return round(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo), 2)


# --------------------------------------------------------------------------- plain BM25


def plain_tokens(text: str) -> list[str]:
    """Whitespace tokens, lower-cased, edge punctuation removed; diacritics kept as typed."""
    out = []
    for tok in nfc(text).lower().split():
        tok = tok.strip(_EDGE_PUNCT)
        if tok:
            out.append(tok)
    return out


class PlainBM25:
    """Okapi BM25 over whitespace tokens: the textbook baseline, no Vietnamese processing."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for i, text in enumerate(texts):
            toks = plain_tokens(text)
            self.lengths.append(len(toks))
            for term, tf in Counter(toks).items():
                self.postings[term].append((i, tf))
        n = len(self.lengths)
        self.avgdl = (sum(self.lengths) / n) if n else 1.0
        self.idf = {
            t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()
        }

    def search(self, query: str, k: int = CANDIDATES) -> list[int]:
        scores: dict[int, float] = defaultdict(float)
        for term in set(plain_tokens(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for i, tf in self.postings[term]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / (self.avgdl or 1.0))
                scores[i] += idf * tf * (self.k1 + 1) / (tf + norm)
        return [i for i, _ in sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]]


# --------------------------------------------------------------------------- index


@dataclass
class AlqacIndex:
    store: EdgeStore
    embedder: Any
    metas: list[DocumentMeta]
    chunks: list[Chunk]
    restorer: Any
    rebuilt: bool
    build_seconds: float


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def dataset_name(law_dir: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(law_dir).resolve().name).strip("-")
    return name or "alqac"


def build_index(
    laws: Sequence[Law],
    law_sha: str,
    root: Path,
    settings: Settings,
    embedder: Any = None,
    progress: Progress | None = None,
) -> AlqacIndex:
    """Open the collection under ``root``; (re)build it when the law file or chunking changed."""
    from retrieval.restore import DiacriticRestorer

    started = time.perf_counter()
    embedder = embedder or get_embedder(settings.embedder, settings.cache_dir)
    metas = [law_meta(law) for law in laws]
    meta_by_id = {m.id: m for m in metas}
    chunks = [
        c
        for law in laws
        for c in article_chunks(law, settings.chunk_max_chars, settings.chunk_min_chars)
    ]
    want = {
        "law_sha256": law_sha,
        "chunk_max_chars": settings.chunk_max_chars,
        "chunk_min_chars": settings.chunk_min_chars,
        "format": INDEX_FORMAT,
    }
    key = hashlib.sha256(json.dumps(want, sort_keys=True).encode()).hexdigest()[:16]
    # Absolute: EdgeStore compares generation paths with the resolved live one when sweeping.
    root = Path(root).resolve()
    restorer_path = root / RESTORER_NAME.format(key=key)

    store = EdgeStore(root)
    current = store.meta()
    fresh = (
        current is not None
        and current.embedder == embedder.model_id
        and current.dim == embedder.dim
        and current.extra == want
        and restorer_path.exists()
    )
    if fresh:
        restorer = DiacriticRestorer.load(restorer_path)
        return AlqacIndex(
            store, embedder, metas, chunks, restorer, False, time.perf_counter() - started
        )

    encoder = SparseEncoder(avgdl=average_length([c.embed_text for c in chunks]))
    meta = IndexMeta(embedder=embedder.model_id, dim=embedder.dim, avgdl=encoder.avgdl, extra=want)
    # The restorer is learned from the indexed laws themselves, as the corpus one is.
    restorer = DiacriticRestorer.train(a.text for law in laws for a in law.articles)
    store.begin(meta, rebuild=True)
    try:
        unique = list({c.point_id: c for c in chunks}.values())
        batch = max(settings.embed_batch_size, 1)
        for start in range(0, len(unique), batch):
            part = unique[start : start + batch]
            vectors = embedder.embed_documents([c.embed_text for c in part])
            store.upsert(
                [
                    StoredPoint(
                        id=c.point_id,
                        dense=vec,
                        sparse=encoder.encode_document(c.embed_text),
                        payload=chunk_payload(c, meta_by_id[c.doc_id], embedder.model_id),
                    )
                    for c, vec in zip(part, vectors, strict=True)
                ]
            )
            if progress:
                progress("index", min(start + batch, len(unique)), len(unique))
        for old in root.glob(RESTORER_NAME.format(key="*")):
            old.unlink()
        restorer.save(restorer_path)
        store.commit()
    except BaseException:
        store.abort()
        raise
    store.close()
    return AlqacIndex(store, embedder, metas, chunks, restorer, True, time.perf_counter() - started)


# --------------------------------------------------------------------------- run


def _variants(strip_diacritics: bool | None) -> list[str]:
    if strip_diacritics is None:
        return ["accented", "unaccented"]
    return ["unaccented"] if strip_diacritics else ["accented"]


def question_text(question: Question, variant: str, with_choices: bool = False) -> str:
    """The text sent to retrieval; multiple-choice options are appended when asked for."""
    text = question.text
    if with_choices and question.choices:
        text = " ".join([text, *question.choices])
    return fold(text) if variant == "unaccented" else text


def resolve_inputs(law_dir: Path, questions_file: Path | None) -> tuple[Path, Path]:
    """``law_dir`` may be the dataset directory or the law file itself."""
    law_dir = Path(law_dir)
    law_file = law_dir if law_dir.is_file() else law_dir / LAW_FILE
    if not law_file.is_file():
        raise AlqacFormatError(f"{law_file}: law file not found")
    if questions_file is None:
        found = next(
            (law_file.parent / n for n in QUESTION_FILES if (law_file.parent / n).is_file()), None
        )
        if found is None:
            raise AlqacFormatError(f"{law_file.parent}: no question file; pass --questions FILE")
        questions_file = found
    if not Path(questions_file).is_file():
        raise AlqacFormatError(f"{questions_file}: question file not found")
    return law_file, Path(questions_file)


def run_alqac(
    law_dir: Path,
    questions_file: Path | None,
    settings: Settings,
    strip_diacritics: bool | None = None,
    baselines: bool = True,
    limit: int | None = None,
    progress: Progress | None = None,
    retriever_params: dict[str, Any] | None = None,
    with_choices: bool = False,
) -> dict[str, Any]:
    """Index the laws (or reuse the index), run the questions, return the metrics.

    ``strip_diacritics``: None runs both variants, True only the unaccented one, False only the
    accented one. ``retriever_params`` overrides, for experiments, fields of the retriever's
    ``HybridParams`` (``rrf_k``, ``dense_limit``, ``sparse_limit``, ``weights``) or plain
    attributes of the retriever (``lexical_weight``, ``rerank_depth``). ``with_choices`` appends
    the options of multiple-choice questions to the question (off: the stem alone is asked,
    which is how the reference figures were measured).
    """
    from retrieval.search import Retriever

    law_file, questions_file = resolve_inputs(law_dir, questions_file)
    laws = load_laws(law_file)
    questions = load_questions(questions_file)
    if limit is not None:
        questions = questions[: max(limit, 0)]
    missing = check_references(laws, questions)
    name = dataset_name(law_file.parent)
    index = build_index(
        laws, file_hash(law_file), settings.data_dir / "alqac" / name, settings, progress=progress
    )

    try:
        retriever = Retriever(
            settings,
            store=index.store,
            embedder=index.embedder,
            catalog=index.metas,
            restorer=index.restorer,
        )
        for field_name, value in (retriever_params or {}).items():
            if hasattr(retriever.params, field_name):
                setattr(
                    retriever.params, field_name, tuple(value) if field_name == "weights" else value
                )
            elif hasattr(retriever, field_name) and not callable(getattr(retriever, field_name)):
                setattr(retriever, field_name, value)
            else:
                raise ValueError(f"unknown retriever parameter {field_name!r}")
        retriever.params.limit = max(retriever.params.limit, CANDIDATES)
        bm25 = PlainBM25([c.embed_text for c in index.chunks]) if baselines else None

        variants = _variants(strip_diacritics)
        systems = ["system", *(["bm25", "dense"] if baselines else [])]
        scores: dict[str, dict[str, list[QuestionScore]]] = {
            s: {v: [] for v in variants} for s in systems
        }
        latencies: list[float] = []
        total = len(questions) * len(variants)
        done = 0
        for variant in variants:
            for q in questions:
                text = question_text(q, variant, with_choices)
                result = retriever.run(text, CANDIDATES)
                latencies.append(result.ms)
                ranked = distinct_articles((h.doc_id, h.locator) for h in result.hits)
                scores["system"][variant].append(score_ranking(ranked, q.relevant))
                if bm25 is not None:
                    top = [index.chunks[i] for i in bm25.search(text)]
                    ranked = distinct_articles((c.doc_id, c.locator) for c in top)
                    scores["bm25"][variant].append(score_ranking(ranked, q.relevant))
                    dense = retriever.dense_only(text, CANDIDATES)
                    ranked = distinct_articles(
                        (h.payload["doc_id"], h.payload["locator"]) for h in dense
                    )
                    scores["dense"][variant].append(score_ranking(ranked, q.relevant))
                done += 1
                if progress:
                    progress("questions", done, total)
    finally:
        index.store.close()

    report: dict[str, Any] = {"dataset": name, "n": len(questions), "with_choices": with_choices}
    for system in systems:
        report[system] = {v: summarize(scores[system][v]) for v in variants}
    # The CLI contract's flat figures: the system on the questions as asked (or as stripped).
    report.update({k: v for k, v in report["system"][variants[0]].items() if k != "n"})
    report["latency_ms"] = {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)}
    report["index"] = {
        "laws": len(laws),
        "articles": sum(len(law.articles) for law in laws),
        "chunks": len(index.chunks),
        "rebuilt": index.rebuilt,
        "build_seconds": round(index.build_seconds, 2),
        "embedder": index.embedder.model_id,
    }
    report["params"] = {
        "rrf_k": retriever.params.rrf_k,
        "dense_limit": retriever.params.dense_limit,
        "sparse_limit": retriever.params.sparse_limit,
        "weights": list(retriever.params.weights),
        "lexical_weight": getattr(retriever, "lexical_weight", None),
        "chunk_max_chars": settings.chunk_max_chars,
    }
    if missing:
        report["missing_references"] = missing
    return report
