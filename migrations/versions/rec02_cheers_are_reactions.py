"""A cheer on a shared milestone is the Wins room's own "support" reaction on its
message: existing cheers become reactions, and the separate table goes.

Revision ID: rec02
Revises: 0010 (needs 0004, where message_reactions is created)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rec02"
down_revision = "0010"
branch_labels = None
depends_on = "0004"

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.execute(
        "INSERT INTO message_reactions (message_id, user_id, kind, created_at) "
        "SELECT m.message_id, c.user_id, 'support', c.created_at FROM milestone_cheers c "
        "JOIN milestones m ON m.id = c.milestone_id WHERE m.message_id IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM message_reactions r WHERE r.message_id = m.message_id AND r.user_id = c.user_id AND r.kind = 'support')"
    )
    with op.batch_alter_table("milestone_cheers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_milestone_cheers_user_id"))
    op.drop_table("milestone_cheers")


def downgrade() -> None:
    op.create_table(
        "milestone_cheers",
        sa.Column("milestone_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["milestone_id"], ["milestones.id"], name=op.f("fk_milestone_cheers_milestone_id_milestones"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_milestone_cheers_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("milestone_id", "user_id", name=op.f("pk_milestone_cheers")),
    )
    with op.batch_alter_table("milestone_cheers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_milestone_cheers_user_id"), ["user_id"], unique=False)
    op.execute(
        "INSERT INTO milestone_cheers (milestone_id, user_id, created_at) "
        "SELECT m.id, r.user_id, r.created_at FROM message_reactions r JOIN milestones m ON m.message_id = r.message_id "
        "WHERE r.kind = 'support'"
    )
