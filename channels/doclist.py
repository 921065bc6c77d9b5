"""How document lists are shown: NQ 57 first, then the newest; dates as dd/mm/yyyy."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ingest.model import DocumentMeta

LEAD_NUMBER = "57-NQ/TW"  # the resolution the programme is about


def ordered(metas: Iterable[DocumentMeta]) -> list[DocumentMeta]:
    def key(m: DocumentMeta) -> tuple:
        try:
            day = date.fromisoformat(m.issued).toordinal() if m.issued else 0
        except ValueError:
            day = 0
        return (m.number != LEAD_NUMBER, -day, m.id)

    return sorted(metas, key=key)


def vn_date(iso: str) -> str:
    """ "2024-12-22" → "22/12/2024"; anything else is shown as written."""
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""
    except ValueError:
        return iso
