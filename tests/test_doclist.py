"""Document lists: NQ 57 first, then the newest; dates written dd/mm/yyyy."""

from __future__ import annotations

from pathlib import Path

from channels.doclist import ordered, vn_date
from channels.viewer import render_index
from ingest.catalog import discover
from ingest.model import DocumentMeta, Unit

REPO = Path(__file__).resolve().parents[1]


def test_nq57_first_then_newest():
    metas, _ = discover(REPO / "corpus")
    shown = ordered(reversed(metas))
    assert shown[0].number == "57-NQ/TW"
    dates = [m.issued for m in shown[1:] if m.issued]
    assert dates == sorted(dates, reverse=True)


def test_dates_in_vietnamese_order():
    assert vn_date("2024-12-22") == "22/12/2024"
    assert vn_date("") == "" and vn_date("cuối năm 2024") == "cuối năm 2024"


def test_viewer_index_shows_the_order_and_the_dates():
    docs = {
        m.id: (m, Unit(kind="document"))
        for m in (
            DocumentMeta("a-2025", "a-2025.txt", "1/QĐ", "Quyết định", "A", issued="2025-06-16"),
            DocumentMeta("nq-57", "nq-57.txt", "57-NQ/TW", "Nghị quyết", "NQ", issued="2024-12-22"),
        )
    }
    html = render_index(docs)
    assert html.index("/documents/nq-57") < html.index("/documents/a-2025")
    assert "22/12/2024" in html and "16/06/2025" in html and "2024-12-22" not in html
