"""Tables of the operator console (created by migration 0002, beside the conversation log)."""

from __future__ import annotations

import sqlalchemy as sa

from channels.storage import metadata

admin_users = sa.Table(
    "admin_users",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
admin_sessions = sa.Table(
    "admin_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.String(64)),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("detail", sa.JSON),
    sa.Column("address", sa.String(64)),
)
gap_notes = sa.Table(
    "gap_notes",
    metadata,
    sa.Column("group_key", sa.String(64), primary_key=True),
    sa.Column("example", sa.Text, nullable=False),
    sa.Column("handled", sa.Boolean, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
curated_answers = sa.Table(
    "curated_answers",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("citations", sa.JSON, nullable=False),
    sa.Column("corpus_version", sa.String(32)),
    sa.Column("flagged", sa.Text),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
corpus_versions = sa.Table(
    "corpus_versions",
    metadata,
    sa.Column("version", sa.String(32), primary_key=True),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.String(64)),
    sa.Column("detail", sa.JSON),
)
