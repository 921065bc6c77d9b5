"""Operator console: operators, sessions, audit log, content-gap notes, curated answers,
corpus versions; each answer records the corpus version, the curated answer it gave and its reason.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("corpus_version", sa.String(32), nullable=True))
        batch.add_column(sa.Column("curated_id", sa.String(36), nullable=True))
        # Why the assistant answered as it did ("policy:political", "detail_not_in_texts"):
        # declines are reported by policy category.
        batch.add_column(sa.Column("reason", sa.String(64), nullable=True))
    # (The dashboard reads answers by period through ix_messages_created, made in 0002.)
    op.create_table(
        "admin_users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "admin_sessions",
        # sha256 of the cookie's token: a stolen database does not hand out live sessions.
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
    )
    op.create_index("ix_audit_at", "audit_log", ["at"])
    op.create_table(
        "gap_notes",
        sa.Column("group_key", sa.String(64), primary_key=True),
        sa.Column("example", sa.Text(), nullable=False),
        sa.Column("handled", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "curated_answers",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        # [{doc_id, locator, clause_hash}]: the hash of the cited clause's text when written.
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("corpus_version", sa.String(32), nullable=True),
        sa.Column("flagged", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "corpus_versions",
        sa.Column("version", sa.String(32), primary_key=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("corpus_versions")
    op.drop_table("curated_answers")
    op.drop_table("gap_notes")
    op.drop_index("ix_audit_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("admin_sessions")
    op.drop_table("admin_users")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("reason")
        batch.drop_column("curated_id")
        batch.drop_column("corpus_version")
