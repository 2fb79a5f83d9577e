"""Chat extras: replies (reply_to_id) and support reactions on room messages.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # A plain ADD COLUMN: a batch (table rebuild) on SQLite would drop the search triggers on messages.
    op.add_column("messages", sa.Column("reply_to_id", BigId, nullable=True))
    op.create_table(
        "message_reactions",
        sa.Column("message_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_message_reactions_message_id_messages"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_message_reactions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_id", "user_id", "kind", name=op.f("pk_message_reactions")),
    )
    op.create_index(op.f("ix_message_reactions_user_id"), "message_reactions", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_message_reactions_user_id"), table_name="message_reactions")
    op.drop_table("message_reactions")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("reply_to_id")
