"""CSV of conversations for analysis elsewhere, with personal data masked before it leaves.

Users are not named at all (not even by their hashed id): each row carries a short
pseudonym of its conversation only, so rows of one conversation can still be read together.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.safety import redact
from channels.admin.exchanges import OUTCOME_LABELS, Exchange
from channels.admin.period import VN

COLUMNS = [
    "ngay", "gio", "kenh", "cuoc_tro_chuyen", "cau_hoi", "cau_tra_loi", "y_dinh", "ket_qua",
    "trich_dan", "do_tre_ms", "danh_gia", "gop_y", "phien_ban_kho", "duyet_san",
]  # fmt: skip


@dataclass
class ExportFilters:
    channel: str | None = None
    intent: str | None = None
    rating: str | None = None  # "up", "down" or "none"

    def keep(self, ex: Exchange) -> bool:
        if self.channel and ex.channel != self.channel:
            return False
        if self.intent and ex.intent != self.intent:
            return False
        if self.rating == "none":
            return ex.rating is None
        return not (self.rating and ex.rating != self.rating)


def pseudonym(conversation_id: str) -> str:
    return hashlib.sha256(f"nq57-export:{conversation_id}".encode()).hexdigest()[:10]


def row(ex: Exchange) -> list[str]:
    local = ex.asked_at.astimezone(VN)
    cites = "; ".join(f"{c.get('doc_number', '')} {c.get('locator', '')}".strip() for c in ex.cited)
    return [
        local.strftime("%d/%m/%Y"),
        local.strftime("%H:%M"),
        ex.channel,
        pseudonym(ex.conversation_id),
        redact(ex.question),
        redact(ex.answer),
        ex.intent or "",
        OUTCOME_LABELS[ex.outcome],
        cites,
        "" if ex.latency_ms is None else f"{ex.latency_ms:.0f}",
        ex.rating or "",
        redact(ex.comment or ""),
        ex.corpus_version or "",
        "có" if ex.curated_id else "",
    ]


def csv_lines(exchanges: Iterable[Exchange], filters: ExportFilters) -> Iterator[str]:
    """CSV text in pieces (UTF-8 with BOM so spreadsheet programs read Vietnamese right)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")
    writer.writerow(COLUMNS)
    for ex in exchanges:
        if filters.keep(ex):
            writer.writerow(row(ex))
        if buf.tell() > 64_000:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
