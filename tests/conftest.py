"""Shared fixtures: the real assistant over the real corpus.

The index of `corpus/` is built once per session in a temporary data dir. Embeddings are cached
by content hash in a persistent directory (NQ57_EMBED_CACHE_DIR, default `.cache/nq57-test` in
the repository), so only the first run pays for embedding the corpus.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
# Taken out of the environment: only the session index shares this cache. Other tests build
# their own small indexes and some delete their cache on purpose.
EMBED_CACHE = Path(os.environ.pop("NQ57_EMBED_CACHE_DIR", "") or REPO / ".cache" / "nq57-test")


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory):
    """Settings of a data dir holding a fresh index of the real corpus."""
    from ingest.pipeline import ingest
    from nq57.settings import Settings

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("index"),
        corpus_dir=REPO / "corpus",
        embed_cache_dir=EMBED_CACHE.resolve(),
        llm_base_url=None,
        llm_model=None,
        redis_url=None,
        database_url=None,
        _env_file=None,
    )
    report = ingest(settings)
    assert not report.failed, report.failed
    return settings


@pytest.fixture(scope="session")
def runtime(index_settings):
    """bot.assistant.Runtime: assistant, search and documents over the session index."""
    from bot.assistant import build_assistant

    return build_assistant(index_settings)


@pytest.fixture(scope="session")
def assistant(runtime):
    return runtime.assistant
