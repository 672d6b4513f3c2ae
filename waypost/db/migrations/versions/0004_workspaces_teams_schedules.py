"""workspaces teams schedules

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:00:40.121518
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import waypost.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "schedules",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("agent_id", sa.String(length=40), nullable=True),
        sa.Column("team_id", sa.String(length=40), nullable=True),
        sa.Column("sandbox_id", sa.String(length=40), nullable=False),
        sa.Column("cron", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_fire_at", waypost.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_fired_at", waypost.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_session_id", sa.String(length=40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("fire_count", sa.Integer(), nullable=False),
        sa.Column("created_at", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index("ix_schedules_due", ["enabled", "next_fire_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_schedules_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("workspace_id", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("leader_agent_id", sa.String(length=40), nullable=False),
        sa.Column(
            "member_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_teams_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", waypost.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workspaces_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "tool_groups",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("workspace_id", sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f("ix_agents_workspace_id"), ["workspace_id"], unique=False)

    with op.batch_alter_table("sandboxes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workspace_id", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_sandboxes_workspace_id"), ["workspace_id"], unique=False
        )

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workspace_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("team_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("source_schedule_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("parent_session_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("replay_of", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column(
                "permission_context",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.create_index(
            batch_op.f("ix_sessions_parent_session_id"), ["parent_session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sessions_replay_of"), ["replay_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sessions_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_team_id"))
        batch_op.drop_index(batch_op.f("ix_sessions_replay_of"))
        batch_op.drop_index(batch_op.f("ix_sessions_parent_session_id"))
        batch_op.drop_column("permission_context")
        batch_op.drop_column("replay_of")
        batch_op.drop_column("parent_session_id")
        batch_op.drop_column("source_schedule_id")
        batch_op.drop_column("team_id")
        batch_op.drop_column("workspace_id")

    with op.batch_alter_table("sandboxes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sandboxes_workspace_id"))
        batch_op.drop_column("workspace_id")

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agents_workspace_id"))
        batch_op.drop_column("workspace_id")
        batch_op.drop_column("tool_groups")

    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workspaces_user_id"))

    op.drop_table("workspaces")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_teams_user_id"))

    op.drop_table("teams")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_schedules_user_id"))
        batch_op.drop_index("ix_schedules_due")

    op.drop_table("schedules")
