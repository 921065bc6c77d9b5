"""Answers linked to their question, counts of redacted personal data, webhook deliveries seen.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The question an answer replies to (no foreign key: SQLite cannot add one to a table).
    op.add_column("messages", sa.Column("reply_to", sa.String(36), nullable=True))
    # {"phone": 1, "email": 2}: what was taken out of the text before it was stored.
    op.add_column("messages", sa.Column("redacted", sa.JSON(), nullable=True))
    op.create_index("ix_messages_created", "messages", ["created_at"])
    op.create_table(
        "webhook_events",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_webhook_events_created", "webhook_events", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_events_created", table_name="webhook_events")
    op.drop_table("webhook_events")
    op.drop_index("ix_messages_created", table_name="messages")
    op.drop_column("messages", "redacted")
    op.drop_column("messages", "reply_to")
