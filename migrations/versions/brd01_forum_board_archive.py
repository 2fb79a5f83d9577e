"""Forum boards can be archived: kept readable, closed to new threads and replies,
and left out of members' board list.

Revision ID: brd01
Revises: 5a7c0f0e1b2d
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "brd01"
down_revision = "5a7c0f0e1b2d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: no table copy (SQLite's would cascade to threads).
    op.add_column("forum_boards", sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("forum_boards", "archived_at")
