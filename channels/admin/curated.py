"""Curated answers: an editor's reviewed answer to a frequent question, given before the
assistant is asked when a new question means the same thing.

A question matches when (1) it names the same documents, provision, years and numbers as the
curated one and asks for the same kind of detail (retrieval's analysis and frame of the
question), and (2) the shipped
embedder finds it close enough (cosine ≥ ``curated_min_similarity``). Every citation is a
locator that exists in the indexed corpus, with the hash of the clause's text when written:
when a later corpus changes that clause, the answer is flagged and no longer given.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from bot.answer import Answer, Citation
from channels.admin.clauses import Documents, find_clause, indexed
from channels.admin.grouping import wording_key
from channels.admin.tables import curated_answers
from channels.storage import Storage
from retrieval.frame import frame_of

log = logging.getLogger("nq57.curated")
EXPORT_FORMAT = "nq57-curated/1"
REVIEWED_LABEL = "(Câu trả lời đã được cán bộ phụ trách rà soát.)"
MAX_CITATIONS = 10
_SHORT = 2  # words this short ("là", "gì") say nothing about the topic


class CuratedError(ValueError):
    """A curated answer or an import file that cannot be accepted (Vietnamese message)."""


@dataclass
class Curated:
    id: str
    question: str
    answer: str
    citations: list[dict]
    corpus_version: str | None = None
    flagged: str | None = None
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "citations": self.citations,
            "corpus_version": self.corpus_version,
            "flagged": self.flagged,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


def _row(r: Any) -> Curated:
    return Curated(**{k: v for k, v in r._mapping.items()})


def all_curated(storage: Storage) -> list[Curated]:
    query = sa.select(curated_answers).order_by(curated_answers.c.created_at)
    with storage.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query)]


def checked_citations(refs: list[dict], documents: Documents, store: Any = None) -> list[dict]:
    """Each {doc_id, locator} resolved to a real clause, with its hash; CuratedError if not."""
    if not refs:
        raise CuratedError("Câu trả lời duyệt sẵn cần ít nhất một trích dẫn.")
    if len(refs) > MAX_CITATIONS:
        raise CuratedError(f"Tối đa {MAX_CITATIONS} trích dẫn.")
    out = []
    for ref in refs:
        doc_id = str(ref.get("doc_id", "")).strip()
        locator = str(ref.get("locator", "")).strip()
        clause = find_clause(documents, doc_id, locator)
        if clause is None or not indexed(store, doc_id, clause.locator):
            raise CuratedError(
                f"Không có {locator or '(trống)'} trong văn bản {doc_id or '(trống)'}."
            )
        out.append({"doc_id": doc_id, "locator": clause.locator, "clause_hash": clause.hash})
    return out


def save(
    storage: Storage,
    question: str,
    answer: str,
    refs: list[dict],
    documents: Documents,
    user: str,
    corpus_version: str | None,
    store: Any = None,
    curated_id: str | None = None,
) -> Curated:
    question, answer = question.strip(), answer.strip()
    if len(question) < 5 or len(answer) < 5:
        raise CuratedError("Cần nhập câu hỏi và câu trả lời.")
    citations = checked_citations(refs, documents, store)
    now = datetime.now(UTC)
    values = {
        "question": question,
        "answer": answer,
        "citations": citations,
        "corpus_version": corpus_version,
        "flagged": None,
        "created_by": user,
        "updated_at": now,
    }
    with storage.engine.begin() as conn:
        if curated_id:
            n = conn.execute(
                curated_answers.update().where(curated_answers.c.id == curated_id).values(**values)
            ).rowcount
            if not n:
                raise CuratedError("Không tìm thấy câu trả lời duyệt sẵn cần sửa.")
        else:
            curated_id = str(uuid.uuid4())
            conn.execute(curated_answers.insert().values(id=curated_id, created_at=now, **values))
    return Curated(curated_id, question, answer, citations, corpus_version, None, user, now, now)


def delete(storage: Storage, curated_id: str) -> bool:
    with storage.engine.begin() as conn:
        return bool(
            conn.execute(
                curated_answers.delete().where(curated_answers.c.id == curated_id)
            ).rowcount
        )


def recheck(storage: Storage, documents: Documents, version: str | None) -> list[str]:
    """Flag every curated answer whose cited clause changed or is gone; ids newly flagged."""
    flagged: list[str] = []
    with storage.engine.begin() as conn:
        for r in conn.execute(sa.select(curated_answers)).all():
            item = _row(r)
            if item.flagged:
                continue
            reason = _changed(item.citations, documents, version)
            if reason:
                conn.execute(
                    curated_answers.update()
                    .where(curated_answers.c.id == item.id)
                    .values(flagged=reason, updated_at=datetime.now(UTC))
                )
                flagged.append(item.id)
                log.warning("curated answer %s flagged: %s", item.id, reason)
    return flagged


def _changed(citations: list[dict], documents: Documents, version: str | None) -> str | None:
    for c in citations:
        clause = find_clause(documents, c.get("doc_id", ""), c.get("locator", ""))
        where = f"{c.get('locator')} ({c.get('doc_id')})"
        if clause is None:
            return f"Điều khoản được trích dẫn {where} không còn trong kho (phiên bản {version})."
        if clause.hash != c.get("clause_hash"):
            return f"Nội dung {where} đã thay đổi (phiên bản kho {version}); cần rà soát lại."
    return None


def export_json(storage: Storage, version: str | None) -> str:
    data = {
        "format": EXPORT_FORMAT,
        "corpus_version": version,
        "exported_at": datetime.now(UTC).isoformat(),
        "answers": [c.to_json() for c in all_curated(storage)],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def import_json(
    storage: Storage, raw: bytes | str, documents: Documents, user: str, store: Any = None
) -> tuple[int, int]:
    """Add or replace answers from an export; (imported, flagged). All or nothing."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CuratedError(f"Tệp không phải JSON hợp lệ: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise CuratedError(f"Tệp không đúng định dạng {EXPORT_FORMAT}.")
    items = data.get("answers")
    if not isinstance(items, list):
        raise CuratedError("Tệp thiếu danh sách answers.")
    rows = []
    now = datetime.now(UTC)
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not item.get("question") or not item.get("answer"):
            raise CuratedError(f"Mục {i}: thiếu câu hỏi hoặc câu trả lời.")
        cites = item.get("citations")
        if not isinstance(cites, list) or not cites:
            raise CuratedError(f"Mục {i}: thiếu trích dẫn.")
        current = []
        for c in cites:
            if not isinstance(c, dict):
                raise CuratedError(f"Mục {i}: trích dẫn không hợp lệ.")
            clause = find_clause(documents, str(c.get("doc_id", "")), str(c.get("locator", "")))
            if clause is None or not indexed(store, clause.doc_id, clause.locator):
                raise CuratedError(
                    f"Mục {i}: không có {c.get('locator')} trong văn bản {c.get('doc_id')}."
                )
            current.append(
                {"doc_id": clause.doc_id, "locator": clause.locator,
                 "clause_hash": str(c.get("clause_hash") or clause.hash)}
            )  # fmt: skip
        reason = _changed(current, documents, data.get("corpus_version"))
        rows.append(
            {
                "id": str(item.get("id") or uuid.uuid4())[:36],
                "question": str(item["question"]).strip(),
                "answer": str(item["answer"]).strip(),
                "citations": current,
                "corpus_version": item.get("corpus_version") or data.get("corpus_version"),
                "flagged": reason or item.get("flagged"),
                "created_by": str(item.get("created_by") or user)[:64],
                "created_at": now,
                "updated_at": now,
            }
        )
    with storage.engine.begin() as conn:
        for row in rows:
            conn.execute(curated_answers.delete().where(curated_answers.c.id == row["id"]))
            conn.execute(curated_answers.insert().values(**row))
    return len(rows), sum(1 for r in rows if r["flagged"])


# -- matching ----------------------------------------------------------------------------------


@dataclass
class _Entry:
    item: Curated
    frame: tuple
    words: set[str]
    vector: np.ndarray
    asked: str  # the kind of detail asked (retrieval.frame): number, date, definition …


def _same_kind(a: str, b: str) -> bool:
    """ "bao nhiêu" and "là gì" about one topic are different questions; a question whose kind
    the cues do not recognise ("other", e.g. "mấy hạng mục") is not told apart."""
    return a == b or "other" in (a, b)


@dataclass
class CuratedMatcher:
    """The unflagged curated answers in memory, ready to match questions against."""

    embedder: Any
    analyze: Any  # question -> retrieval.query.AnalyzedQuery
    threshold: float = 0.96
    entries: list[_Entry] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def load(self, items: list[Curated]) -> None:
        entries = []
        for c in items:
            if c.flagged:
                continue
            frame, text = self._frame(c.question)
            vector = self._vector(text)
            entries.append(_Entry(c, frame, _words(c.question), vector, frame_of(text).attribute))
        with self._lock:
            self.entries = entries

    def _vector(self, text: str) -> np.ndarray:
        v = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        return v / (np.linalg.norm(v) or 1.0)

    def _frame(self, text: str) -> tuple[tuple, str]:
        """What must be the same for two questions to share an answer: the documents and the
        provision named, the years and numbers asked about; and the text to embed (with
        diacritics restored, as retrieval reads it)."""
        aq = self.analyze(text)
        docs = tuple(sorted({r.doc_id or (r.number or "") for r in aq.doc_refs}))
        p = aq.provision
        provision = None if p is None or p.empty else (
            p.article, p.clause, p.point, p.outline, p.annex, p.row
        )  # fmt: skip
        restored = aq.restored or text
        frame = (docs, provision, tuple(sorted(aq.years)), tuple(sorted(aq.numbers)))
        return frame, restored

    def match(self, question: str) -> tuple[Curated, float] | None:
        entries = self.entries
        if not entries:
            return None
        words = _words(question)
        # Only questions sharing topic words with a curated one are embedded: others cost
        # nothing beyond this set intersection.
        near = [e for e in entries if _overlap(words, e.words) >= 0.3]
        if not near:
            return None
        frame, text = self._frame(question)
        asked = frame_of(text).attribute
        near = [e for e in near if e.frame == frame and _same_kind(e.asked, asked)]
        if not near:
            return None
        vec = self._vector(text)
        best = max(near, key=lambda e: float(e.vector @ vec))
        score = float(best.vector @ vec)
        return (best.item, score) if score >= self.threshold else None


def _words(text: str) -> set[str]:
    return {w for w in wording_key(text).split() if len(w) > _SHORT}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def curated_answer(item: Curated, documents: Documents, score: float) -> Answer:
    citations = []
    for c in item.citations:
        clause = find_clause(documents, c["doc_id"], c["locator"])
        if clause is None:
            continue
        quote = (
            clause.text if len(clause.text) <= 600 else clause.text[:600].rsplit(" ", 1)[0] + " …"
        )
        citations.append(
            Citation(clause.file, clause.doc_id, clause.doc_number, clause.doc_title,
                     clause.locator, quote, clause.url)
        )  # fmt: skip
    return Answer(
        text=f"{item.answer}\n\n{REVIEWED_LABEL}",
        intent="answer",
        abstained=False,
        citations=citations,
        meta={"curated_id": item.id, "reviewed": True, "curated_score": round(score, 4)},
    )
