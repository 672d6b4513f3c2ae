"""waits and extractions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:32:06.836348
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import waypost.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extractions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("email_id", sa.String(length=40), nullable=True),
        sa.Column("session_id", sa.String(length=40), nullable=True),
        sa.Column("wait_id", sa.String(length=40), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column(
            "candidates",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["email_id"], ["emails.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("extractions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extractions_email_id"), ["email_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_extractions_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_extractions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "waits",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("inbox_id", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.String(length=40), nullable=True),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "criteria",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("after_time", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("after_email_id", sa.String(length=40), nullable=True),
        sa.Column("confidence_threshold", sa.Double(), nullable=False),
        sa.Column("timeout_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", waypost.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("email_id", sa.String(length=40), nullable=True),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(["email_id"], ["emails.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["inbox_id"], ["inboxes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_id"),
    )
    with op.batch_alter_table("waits", schema=None) as batch_op:
        batch_op.create_index("ix_waits_inbox_status", ["inbox_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_waits_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_waits_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_waits_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("waits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waits_user_id"))
        batch_op.drop_index(batch_op.f("ix_waits_status"))
        batch_op.drop_index(batch_op.f("ix_waits_session_id"))
        batch_op.drop_index("ix_waits_inbox_status")

    op.drop_table("waits")
    with op.batch_alter_table("extractions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extractions_user_id"))
        batch_op.drop_index(batch_op.f("ix_extractions_session_id"))
        batch_op.drop_index(batch_op.f("ix_extractions_email_id"))

    op.drop_table("extractions")
