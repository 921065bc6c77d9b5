"""Conversation log and feedback: SQLite by default, PostgreSQL at scale.

Only the conversation needed to answer follow-ups and to improve the service is kept: a user is
known by a salted hash of their channel id, never by the id itself; phone numbers, CCCD numbers
and e-mail addresses are redacted from every text before it is written (the counts are kept);
`purge` deletes what is older than the retention period.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url

from bot.answer import Answer, Turn
from channels.redact import redact
from channels.sanitize import scrub

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
RATINGS = ("up", "down")
ROLES = ("user", "assistant")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# Serialises concurrent migrate() calls of one PostgreSQL database across processes.
_PG_MIGRATION_LOCK = 575_757
# A messenger user's messages belong to one conversation until they are idle this long.
DEFAULT_SESSION_WINDOW = 24 * 3600.0

metadata = sa.MetaData()
conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("user_key", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("conversation_id", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("intent", sa.String(32)),
    sa.Column("abstained", sa.Boolean),
    sa.Column("citations", sa.JSON),
    sa.Column("latency_ms", sa.Float),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reply_to", sa.String(36)),
    sa.Column("redacted", sa.JSON),
    sa.Column("corpus_version", sa.String(32)),  # the index the answer was found in
    sa.Column("curated_id", sa.String(36)),  # set when a reviewed answer was given
    sa.Column("reason", sa.String(64)),  # the assistant's reason ("policy:political", …)
)
webhook_events = sa.Table(
    "webhook_events",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("message_id", sa.String(36), primary_key=True),
    sa.Column("rating", sa.String(8), nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


class StorageError(RuntimeError):
    """The database cannot be reached or refused an operation."""


class UnknownMessage(KeyError):
    """Feedback for a message id that was never stored."""


def new_id() -> str:
    """A UUID whose first 48 bits are the time in milliseconds (the UUIDv7 layout).

    Rows keyed by time-ordered ids are appended at the end of the primary-key B-tree instead
    of at random places: inserts stay cheap as the log grows to millions of messages.
    """
    ms = time.time_ns() // 1_000_000
    value = (ms & ((1 << 48) - 1)) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return str(uuid.UUID(int=value))


def hash_user_key(channel: str, user_key: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}\x1f{channel}\x1f{user_key}".encode()).hexdigest()


def is_valid_conversation_id(value: str) -> bool:
    return bool(_CONVERSATION_ID.match(value))


class _Clock:
    """UTC timestamps that strictly increase within the process, so turns keep their order."""

    def __init__(self) -> None:
        self._last = datetime.min.replace(tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return self.run(1)[0]

    def run(self, n: int) -> list[datetime]:
        """``n`` consecutive timestamps no other caller can come between (a question and
        its answer stay next to each other whatever other threads write)."""
        with self._lock:
            now = datetime.now(UTC)
            if now <= self._last:
                now = self._last + timedelta(microseconds=1)
            stamps = [now + timedelta(microseconds=i) for i in range(n)]
            self._last = stamps[-1]
            return stamps


_clock = _Clock()


def _citation_dicts(citations: Iterable[Any]) -> list[dict]:
    return [asdict(c) if is_dataclass(c) else dict(c) for c in citations]


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Storage:
    """Thread-safe store (one SQLAlchemy engine); call from a threadpool in async code.

    ``schema`` (PostgreSQL only) puts every table in that schema, created on migrate(); tests
    use it to run in parallel on one database.
    """

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        salt: str = "",
        connect_timeout: float = 3.0,
        statement_timeout_ms: int = 5000,
    ) -> None:
        self.url = url
        self.salt = salt
        self.schema = schema
        self._migrated = False
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        connect_args: dict[str, Any] = {}
        if self.dialect == "sqlite":
            if schema:
                raise ValueError("schema is only supported on PostgreSQL")
            if parsed.database and parsed.database != ":memory:":
                _private_file(Path(parsed.database).expanduser())
            connect_args["timeout"] = 15
        elif self.dialect == "postgresql":
            # libpq counts whole seconds; a hanging server costs each new connection this long
            # (the circuit breaker in channels.resilient stops paying it on every request).
            connect_args["connect_timeout"] = max(1, round(connect_timeout))
            options = [f"-cstatement_timeout={int(statement_timeout_ms)}"]
            if schema:
                if not _SCHEMA_NAME.match(schema):
                    raise ValueError(f"invalid schema name {schema!r}")
                options.append(f"-csearch_path={schema}")
            connect_args["options"] = " ".join(options)
        # A SQLite file cannot drop a connection: pinging it costs a query per request.
        self.engine: Engine = sa.create_engine(
            url, connect_args=connect_args, pool_pre_ping=self.dialect != "sqlite", future=True
        )
        if self.dialect == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    def __repr__(self) -> str:
        return f"Storage({make_url(self.url).render_as_string(hide_password=True)!r})"

    # -- lifecycle ---------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest version (idempotent, safe to run at every start)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK}
                    )
                    if self.schema:
                        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa.exc.SQLAlchemyError as exc:
            raise StorageError(f"migration failed: {_reason(exc)}") from exc
        self._migrated = True

    @property
    def migrated(self) -> bool:
        return self._migrated

    def ping(self) -> None:
        """Raise StorageError when the database cannot answer a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError as exc:
            raise StorageError(f"database unreachable: {_reason(exc)}") from exc

    def drop_schema(self) -> None:
        """Remove this store's PostgreSQL schema and everything in it (tests, teardown)."""
        if self.dialect != "postgresql" or not self.schema:
            raise ValueError("drop_schema needs a PostgreSQL store with a schema")
        self.engine.dispose()
        with self.engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        self.engine.dispose()

    def close(self) -> None:
        self.engine.dispose()

    # -- conversations -----------------------------------------------------------------------

    def new_conversation(
        self, channel: str, user_key: str | None = None, conversation_id: str | None = None
    ) -> str:
        if conversation_id is not None and not is_valid_conversation_id(conversation_id):
            raise ValueError("invalid conversation id")
        cid = conversation_id or new_id()
        with self._begin() as conn:
            self._insert_conversation(conn, cid, channel, user_key)
        return cid

    def _insert_conversation(
        self,
        conn: sa.Connection,
        cid: str,
        channel: str,
        user_key: str | None,
        if_new: bool = False,
    ) -> None:
        """Insert a conversation row; ``if_new``: do nothing when ``cid`` exists (one
        statement, no read first: INSERT … ON CONFLICT DO NOTHING on both databases)."""
        hashed = hash_user_key(channel, user_key, self.salt) if user_key else None
        values = {"id": cid, "channel": channel, "user_key": hashed, "created_at": _clock.now()}
        if not if_new:
            conn.execute(conversations.insert().values(**values))
            return
        insert = sqlite_insert if self.dialect == "sqlite" else pg_insert
        conn.execute(
            insert(conversations)
            .values(**values)
            .on_conflict_do_nothing(index_elements=[conversations.c.id])
        )

    def ensure_conversation(
        self, cid: str, channel: str, user_key: str | None, conn: sa.Connection | None = None
    ) -> None:
        """Insert conversation ``cid`` unless it exists (one statement)."""
        if conn is None:
            with self._begin() as own:
                self._insert_conversation(own, cid, channel, user_key, if_new=True)
            return
        self._insert_conversation(conn, cid, channel, user_key, if_new=True)

    def _ensure_conversation(self, conn: sa.Connection, cid: str, start: str | None) -> None:
        """Start conversation ``cid`` on channel ``start`` in this transaction unless it exists.

        The web channel writes a new conversation together with its first exchange: one
        transaction per question instead of two.
        """
        if start is None:
            return
        if not is_valid_conversation_id(cid):
            raise ValueError("invalid conversation id")
        self._insert_conversation(conn, cid, start, None, if_new=True)

    def has_conversation(self, conversation_id: str) -> bool:
        with self._connect() as conn:
            row = conn.execute(
                sa.select(conversations.c.id).where(conversations.c.id == conversation_id)
            ).first()
        return row is not None

    def latest_conversation(self, channel: str, user_key: str) -> str | None:
        hashed = hash_user_key(channel, user_key, self.salt)
        query = (
            sa.select(conversations.c.id)
            .where(conversations.c.channel == channel, conversations.c.user_key == hashed)
            .order_by(conversations.c.created_at.desc())
            .limit(1)
        )
        with self._connect() as conn:
            return conn.execute(query).scalar()

    def conversation_for(
        self, channel: str, user_key: str, window: float = DEFAULT_SESSION_WINDOW
    ) -> str:
        """The user's conversation on a channel: the latest one if it was active within
        ``window`` seconds, otherwise a new one.

        The new conversation's id is derived from the user and the time slot, and inserted only
        if absent: two workers (or two quick events) starting the same user's conversation at
        once end up in the same row instead of two.
        """
        hashed = hash_user_key(channel, user_key, self.salt)
        last_message = (
            sa.select(sa.func.max(messages.c.created_at))
            .where(messages.c.conversation_id == conversations.c.id)
            .scalar_subquery()
        )
        query = (
            sa.select(conversations.c.id, conversations.c.created_at, last_message)
            .where(conversations.c.channel == channel, conversations.c.user_key == hashed)
            .order_by(conversations.c.created_at.desc())
            .limit(1)
        )
        now = datetime.now(UTC)
        with self._connect() as conn:
            row = conn.execute(query).first()
        if row is not None:
            active = _as_utc(row[2] or row[1])
            if (now - active).total_seconds() < window:
                return row[0]
        cid = session_id(hashed, now, window)
        with self._begin() as conn:
            self._insert_conversation(conn, cid, channel, user_key, if_new=True)
        return cid

    def history(self, conversation_id: str, limit: int = 10) -> list[Turn]:
        """The last ``limit`` turns of a conversation, oldest first."""
        query = (
            sa.select(messages.c.role, messages.c.content)
            .where(messages.c.conversation_id == conversation_id)
            .order_by(messages.c.created_at.desc())
            .limit(limit)
        )
        with self._connect() as conn:
            rows = conn.execute(query).all()
        return [Turn(role=r.role, content=r.content) for r in reversed(rows)]

    # -- messages ----------------------------------------------------------------------------

    def add_message(
        self,
        conversation_id: str,
        role: str,
        content: str,
        *,
        intent: str | None = None,
        abstained: bool | None = None,
        citations: Iterable[Any] | None = None,
        latency_ms: float | None = None,
        message_id: str | None = None,
        start: str | None = None,
        reply_to: str | None = None,
        corpus_version: str | None = None,
        curated_id: str | None = None,
        reason: str | None = None,
    ) -> str:
        """Store one message; with ``start`` (a channel) the conversation is created if new.

        ``reply_to``: the id of the question an answer replies to."""
        row = message_row(
            conversation_id, role, content, intent, abstained, citations, latency_ms, message_id
        )
        row["reply_to"] = reply_to
        row |= {"corpus_version": corpus_version, "curated_id": curated_id, "reason": reason}
        self.write_rows(conversation_id, [row], start)
        return row["id"]

    def add_exchange(
        self,
        conversation_id: str,
        question: str,
        answer: Answer,
        message_id: str | None = None,
        start: str | None = None,
    ) -> str:
        """Store a question and its answer in one transaction; returns the answer's message id.

        With ``start`` (a channel) the conversation is created in the same transaction if new.
        """
        rows = exchange_rows(conversation_id, question, answer, message_id)
        self.write_rows(conversation_id, rows, start)
        return rows[1]["id"]

    def write_rows(
        self,
        conversation_id: str,
        rows: list[dict],
        start: str | None = None,
        conn: sa.Connection | None = None,
    ) -> None:
        """Insert message rows (from `message_row`/`exchange_rows`), in ``conn``'s transaction
        when given (the write queue commits many exchanges at once), else in a new one."""
        if conn is None:
            with self._begin() as own:
                self.write_rows(conversation_id, rows, start, own)
            return
        self._ensure_conversation(conn, conversation_id, start)
        conn.execute(messages.insert(), rows)

    def in_one_transaction(self, writes: list[Callable[[sa.Connection], None]]) -> None:
        """Run ``writes`` (each given the connection) in a single transaction: one commit."""
        with self._begin() as conn:
            for write in writes:
                write(conn)

    def get_message(self, message_id: str) -> dict | None:
        with self._connect() as conn:
            row = conn.execute(sa.select(messages).where(messages.c.id == message_id)).first()
        if row is None:
            return None
        out = dict(row._mapping)
        out["created_at"] = _as_utc(out["created_at"])
        return out

    # -- feedback ----------------------------------------------------------------------------

    def add_feedback(self, message_id: str, rating: str, comment: str | None = None) -> None:
        """Record (or replace) the rating of one answer; UnknownMessage if it does not exist."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}")
        with self._begin() as conn:
            exists = conn.execute(
                sa.select(messages.c.id).where(messages.c.id == message_id)
            ).first()
            if exists is None:
                raise UnknownMessage(message_id)
            conn.execute(feedback.delete().where(feedback.c.message_id == message_id))
            conn.execute(
                feedback.insert().values(
                    message_id=message_id,
                    rating=rating,
                    comment=_private_text(comment)[0] if comment else None,
                    created_at=_clock.now(),
                )
            )

    def get_feedback(self, message_id: str) -> dict | None:
        with self._connect() as conn:
            row = conn.execute(
                sa.select(feedback).where(feedback.c.message_id == message_id)
            ).first()
        if row is None:
            return None
        out = dict(row._mapping)
        out["created_at"] = _as_utc(out["created_at"])
        return out

    # -- webhook deliveries ------------------------------------------------------------------

    def first_delivery(self, key: str) -> bool:
        """Record a webhook delivery; False when ``key`` was recorded before (a replay).

        One statement (INSERT … ON CONFLICT DO NOTHING): safe across workers and restarts."""
        insert = sqlite_insert if self.dialect == "sqlite" else pg_insert
        with self._begin() as conn:
            result = conn.execute(
                insert(webhook_events)
                .values(key=key[:200], created_at=datetime.now(UTC))
                .on_conflict_do_nothing(index_elements=[webhook_events.c.key])
            )
        return result.rowcount == 1

    # -- retention ---------------------------------------------------------------------------

    def purge(self, before: datetime) -> dict[str, int]:
        """Delete conversations with no activity since ``before`` (their messages and feedback
        with them) and webhook deliveries recorded before it; returns what was deleted."""
        before = _as_utc(before)
        recent = (
            sa.select(messages.c.conversation_id).where(messages.c.created_at >= before).distinct()
        )
        stale = sa.select(conversations.c.id).where(
            conversations.c.created_at < before, conversations.c.id.not_in(recent)
        )
        with self._begin() as conn:
            ids = [r[0] for r in conn.execute(stale)]
            n_messages = 0
            n_feedback = 0
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                in_part = sa.select(messages.c.id).where(messages.c.conversation_id.in_(part))
                n_feedback += conn.execute(
                    feedback.delete().where(feedback.c.message_id.in_(in_part))
                ).rowcount
                n_messages += conn.execute(
                    messages.delete().where(messages.c.conversation_id.in_(part))
                ).rowcount
                conn.execute(conversations.delete().where(conversations.c.id.in_(part)))
            n_events = conn.execute(
                webhook_events.delete().where(webhook_events.c.created_at < before)
            ).rowcount
        return {
            "conversations": len(ids),
            "messages": n_messages,
            "feedback": n_feedback,
            "webhook_events": n_events,
        }

    # -- analytics ---------------------------------------------------------------------------

    def stats(self, since: datetime | None = None) -> dict:
        """Counts for operators: answers by intent, abstention rate, feedback up/down."""
        answers = messages.c.role == "assistant"
        msg_filter = [answers] if since is None else [answers, messages.c.created_at >= since]
        conv_filter = [] if since is None else [conversations.c.created_at >= since]
        fb_filter = [] if since is None else [feedback.c.created_at >= since]
        with self._connect() as conn:
            n_conv = conn.execute(
                sa.select(sa.func.count()).select_from(conversations).where(*conv_filter)
            ).scalar_one()
            by_channel = dict(
                conn.execute(
                    sa.select(conversations.c.channel, sa.func.count())
                    .where(*conv_filter)
                    .group_by(conversations.c.channel)
                ).all()
            )
            by_intent = dict(
                conn.execute(
                    sa.select(messages.c.intent, sa.func.count())
                    .where(*msg_filter)
                    .group_by(messages.c.intent)
                ).all()
            )
            n_abstained = conn.execute(
                sa.select(sa.func.count())
                .select_from(messages)
                .where(*msg_filter, messages.c.abstained.is_(True))
            ).scalar_one()
            by_rating = dict(
                conn.execute(
                    sa.select(feedback.c.rating, sa.func.count())
                    .where(*fb_filter)
                    .group_by(feedback.c.rating)
                ).all()
            )
            redacted: dict[str, int] = {}
            since_filter = [] if since is None else [messages.c.created_at >= since]
            for (counts,) in conn.execute(
                sa.select(messages.c.redacted).where(
                    messages.c.redacted.is_not(None), *since_filter
                )
            ):
                for kind, n in (counts or {}).items():
                    redacted[kind] = redacted.get(kind, 0) + int(n)
        n_answers = sum(by_intent.values())
        return {
            "conversations": n_conv,
            "by_channel": by_channel,
            "answers": n_answers,
            "by_intent": {str(k): v for k, v in by_intent.items()},
            "abstained": n_abstained,
            "abstention_rate": n_abstained / n_answers if n_answers else 0.0,
            "feedback": {rating: by_rating.get(rating, 0) for rating in RATINGS},
            "redacted": redacted,
        }

    # -- helpers -----------------------------------------------------------------------------

    def _begin(self):
        return _guarded(self.engine.begin)

    def _connect(self):
        return _guarded(self.engine.connect)


@contextmanager
def _guarded(opener: Callable[[], Any]) -> Iterator[sa.Connection]:
    """Turn driver errors into StorageError with a short reason; other errors pass through."""
    try:
        with opener() as conn:
            yield conn
    except sa.exc.SQLAlchemyError as exc:
        raise StorageError(_reason(exc)) from exc


def exchange_rows(
    conversation_id: str, question: str, answer: Answer, message_id: str | None = None
) -> list[dict]:
    """The question's row and the answer's, the answer referencing the question."""
    user = message_row(conversation_id, "user", question, None, None, None, None, None)
    bot = message_row(
        conversation_id,
        "assistant",
        answer.text,
        answer.intent,
        answer.abstained,
        answer.citations,
        answer.latency_ms,
        message_id,
    )
    user["reply_to"] = None
    bot["reply_to"] = user["id"]
    user |= {"corpus_version": None, "curated_id": None, "reason": None}
    bot |= answer_details(answer)
    user["created_at"], bot["created_at"] = _clock.run(2)
    return [user, bot]


def message_row(
    conversation_id: str,
    role: str,
    content: str,
    intent: str | None,
    abstained: bool | None,
    citations: Iterable[Any] | None,
    latency_ms: float | None,
    message_id: str | None,
) -> dict:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    content, counts = _private_text(content)
    return {
        "id": message_id or new_id(),
        "conversation_id": conversation_id,
        "role": role,
        "content": content,
        "redacted": dict(counts) or None,
        "intent": intent,
        "abstained": abstained,
        "citations": _citation_dicts(citations) if citations is not None else None,
        "latency_ms": latency_ms,
        "created_at": _clock.now(),
    }


def _private_text(text: str) -> tuple[str, Any]:
    """What may be written to the database: no NUL or lone surrogate, no personal data."""
    return redact(scrub(text))


def session_id(user_hash: str, now: datetime, window: float) -> str:
    """Conversation id of a user's session that starts in the time slot holding ``now``."""
    slot = int(now.timestamp() // max(window, 1.0))
    return "s-" + hashlib.sha256(f"{user_hash}\x1f{slot}".encode()).hexdigest()[:40]


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (mode 600); SQLite gives its -wal and
    -shm files the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
    for suffix in ("-wal", "-shm", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            os.chmod(extra, 0o600)


def answer_details(answer: Answer) -> dict[str, Any]:
    """What the console reads from an answer's meta: corpus version, curated answer, reason."""
    meta = answer.meta or {}
    reason = meta.get("reason")
    return {
        "corpus_version": meta.get("corpus_version"),
        "curated_id": meta.get("curated_id"),
        "reason": str(reason)[:64] if reason else None,
    }


def _reason(exc: BaseException) -> str:
    """First line of the driver's message, without SQL or parameters."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers and the single writer work at the same time under the threadpool.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    # 16 MB of page cache per connection: the log's indexes stay in memory as it grows.
    cur.execute("PRAGMA cache_size=-16000")
    cur.close()
