"""runs as claimed work with leases (issue 15)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import waypost.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("session_id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("worker_id", sa.String(length=100), nullable=True),
        sa.Column("lease_until", waypost.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("interrupt_requested", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", waypost.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", waypost.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("agent_runs", schema=None) as batch_op:
        batch_op.create_index("ix_agent_runs_claim", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_agent_runs_lease", ["status", "lease_until"], unique=False)
        batch_op.create_index(batch_op.f("ix_agent_runs_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agent_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agent_runs_session_id"))
        batch_op.drop_index("ix_agent_runs_lease")
        batch_op.drop_index("ix_agent_runs_claim")
    op.drop_table("agent_runs")
