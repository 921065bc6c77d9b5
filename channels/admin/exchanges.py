"""Questions and their answers of a period, read once from the conversation log.

Each stored answer follows its question in the same conversation; a question with no answer
after it is one the service failed on (the web channel keeps it for that reason).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from channels.admin.period import Period, local_day
from channels.storage import Storage, conversations, feedback, messages

# What became of a question, as the programme reports it.
ANSWERED, NOT_FOUND, DECLINED, SMALLTALK, FAILED = (
    "answered", "not_found", "declined", "smalltalk", "failed",
)  # fmt: skip
OUTCOME_LABELS = {
    ANSWERED: "Đã trả lời",
    NOT_FOUND: "Không có trong kho văn bản",
    DECLINED: "Từ chối theo chính sách",
    SMALLTALK: "Chào hỏi, trò chuyện",
    FAILED: "Lỗi hệ thống",
}
# Declines by policy category (bot/policy.yaml), else by intent for answers stored without one.
DECLINE_LABELS = {
    "political": "Chính trị nhạy cảm",
    "allegation": "Cáo buộc, tố cáo",
    "illegal": "Hành vi trái pháp luật",
    "hate": "Thù ghét, xúc phạm",
    "personal_data": "Dữ liệu cá nhân",
    "personal_case": "Vụ việc cá nhân",
    "out_of_domain": "Ngoài lĩnh vực",
    "other_law": "Văn bản pháp luật khác",
    "injection": "Chèn lệnh",
    "fabrication": "Đề nghị bịa nội dung",
    "refused": "Yêu cầu không phù hợp",
    "out_of_scope": "Ngoài phạm vi",
}
_ROMAN = re.compile(r"^([IVXLC]+)\b")
_ARTICLE = re.compile(r"^(Điều\s+\d+[a-zđ]?)")
_ANNEX = re.compile(r"^(Phụ lục\s+[IVXLC\d]+)", re.IGNORECASE)
_CHAPTER = re.compile(r"^((?:Phần|Chương|Mục)\s+[IVXLC\d]+)")


@dataclass(slots=True)
class Exchange:
    conversation_id: str
    channel: str
    user_key: str | None
    asked_at: datetime
    question: str
    message_id: str | None = None
    outcome: str = FAILED
    intent: str | None = None
    answer: str = ""
    latency_ms: float | None = None
    rating: str | None = None
    comment: str | None = None
    curated_id: str | None = None
    corpus_version: str | None = None
    reason: str | None = None
    citations: list[dict] = field(default_factory=list)
    # Derived once from the citations (a month holds hundreds of thousands of these).
    cited: list[dict] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    @property
    def day(self) -> date:
        return local_day(self.asked_at)

    def set_citations(self, citations: list[dict]) -> None:
        self.citations = citations
        # Related provisions shown beside "not found" do not claim to answer.
        self.cited = [c for c in citations if not c.get("related")]
        self.documents = list(
            dict.fromkeys(c.get("doc_number") or c.get("doc_id", "") for c in self.cited)
        )
        self.topics = list(dict.fromkeys(topic_of(c) for c in self.cited))


def top_section(locator: str) -> str:
    """The top-level unit of a locator: "II.1.b" → "Mục II", "Điều 3 khoản 2" → "Điều 3"."""
    loc = locator.strip()
    for pattern, fmt in ((_ANNEX, "{}"), (_CHAPTER, "{}"), (_ARTICLE, "{}"), (_ROMAN, "Mục {}")):
        m = pattern.match(loc)
        if m:
            return fmt.format(m.group(1))
    return loc.split(",")[0].split(" ")[0] or "(toàn văn)"


def topic_of(citation: dict) -> str:
    number = citation.get("doc_number") or citation.get("doc_id", "")
    return f"{number} · {top_section(citation.get('locator', ''))}"


def decline_category(intent: str | None, reason: str | None) -> str:
    """ "policy:political" or "rule:injection" → the category; otherwise the intent."""
    kind, _, name = (reason or "").partition(":")
    if kind in ("policy", "rule") and name:
        return name
    return intent or "refused"


def outcome_of(intent: str | None, abstained: bool | None) -> str:
    if intent in DECLINE_LABELS:
        return DECLINED
    if intent == "smalltalk":
        return SMALLTALK
    if intent == "answer":
        return NOT_FOUND if abstained else ANSWERED
    return FAILED


def load_exchanges(storage: Storage, period: Period, channel: str | None = None) -> list[Exchange]:
    """For figures: the answers' text is left out (it is what takes the memory)."""
    return list(iter_exchanges(storage, period, channel, with_answers=False))


def iter_exchanges(
    storage: Storage, period: Period, channel: str | None = None, with_answers: bool = True
) -> Iterator[Exchange]:
    lo, hi = period.utc_range
    m, c, f = messages.c, conversations.c, feedback.c
    # Answers are long and figures never read them: leave them in the database.
    content = (
        m.content if with_answers else sa.case((m.role == "user", m.content), else_=sa.null())
    ).label("content")
    query = (
        sa.select(
            m.id, m.conversation_id, m.role, content, m.intent, m.abstained, m.citations,
            m.latency_ms, m.created_at, m.curated_id, m.corpus_version, m.reason, c.channel,
            c.user_key,
            f.rating, f.comment,
        )
        .join(conversations, conversations.c.id == m.conversation_id)
        .outerjoin(feedback, feedback.c.message_id == m.id)
        .where(m.created_at >= lo, m.created_at < hi)
        .order_by(m.conversation_id, m.created_at)
    )  # fmt: skip
    if channel:
        query = query.where(c.channel == channel)
    pending: Exchange | None = None
    with storage.engine.connect() as conn:
        for row in conn.execute(query).yield_per(5000):
            if row.role == "user":
                if pending is not None:
                    yield pending
                pending = Exchange(
                    conversation_id=row.conversation_id,
                    channel=row.channel,
                    user_key=row.user_key,
                    asked_at=row.created_at,
                    question=row.content,
                )
                continue
            if pending is None or pending.conversation_id != row.conversation_id:
                if pending is not None:
                    yield pending
                pending = None
                continue  # an answer whose question is before the period
            pending.message_id = row.id
            pending.outcome = outcome_of(row.intent, row.abstained)
            pending.intent = row.intent
            pending.answer = row.content if with_answers else ""
            pending.latency_ms = row.latency_ms
            pending.rating = row.rating
            pending.comment = row.comment
            pending.curated_id = row.curated_id
            pending.corpus_version = row.corpus_version
            pending.reason = row.reason
            pending.set_citations(list(row.citations or []))
            yield pending
            pending = None
    if pending is not None:
        yield pending
