"""A corpus of its own for tests that publish documents (the session index stays untouched)."""

from __future__ import annotations

import shutil
from pathlib import Path

from nq57.settings import Settings

REPO = Path(__file__).resolve().parents[1]

NEW_DOC = """BỘ KHOA HỌC VÀ CÔNG NGHỆ
Số: 999/QĐ-BKHCN
Hà Nội, ngày 15 tháng 11 năm 2026

QUYẾT ĐỊNH
Về Giải thưởng Hoa Sen Đổi Mới

Điều 1. Phạm vi điều chỉnh
Quyết định này quy định Giải thưởng Hoa Sen Đổi Mới dành cho sáng kiến chuyển đổi số của cộng đồng.

Điều 2. Hạng mục giải thưởng
1. Giải thưởng Hoa Sen Đổi Mới có {n} hạng mục: dịch vụ công số, giáo dục số và y tế số.
2. Mỗi hạng mục trao một giải nhất trị giá {prize} triệu đồng.

Điều 3. Hiệu lực thi hành
Quyết định này có hiệu lực kể từ ngày ký.
"""
QUESTION = "Giải thưởng Hoa Sen Đổi Mới có bao nhiêu hạng mục?"


def new_doc(n: str = "ba", prize: str = "100") -> bytes:
    return NEW_DOC.format(n=n, prize=prize).encode("utf-8")


def live_settings(tmp: Path, embed_cache: Path, **extra) -> Settings:
    corpus = tmp / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    return Settings(
        data_dir=tmp / "data",
        corpus_dir=corpus,
        embed_cache_dir=embed_cache,
        llm_base_url=None,
        llm_model=None,
        redis_url=None,
        database_url=None,
        admin_token="the-stats-token",
        _env_file=None,
        **extra,
    )
