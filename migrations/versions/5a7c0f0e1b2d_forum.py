"""Forum: boards, threads, posts, reactions, read marks, follows, preferences; full-text search.

Search uses each database's own engine:
- SQLite: FTS5 tables over forum posts and topic-room messages, external-content
  (the words live once, in the real tables) and kept in sync by triggers, so a
  deleted or edited message's old words leave the index in the same transaction.
- PostgreSQL: a generated `tsvector` column on forum posts and an expression GIN
  index on `messages.body`; both use the `english` configuration.

Revision ID: 5a7c0f0e1b2d
Revises: 0002
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "5a7c0f0e1b2d"
down_revision = "0002"
branch_labels = ("forum",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

DEFAULT_BOARDS = (
    ("introductions", "Introductions", "Say hello and tell as much or as little of your story as you like."),
    ("stories", "Recovery stories", "The long stories: how it started, what changed, where you are now."),
    ("questions", "Questions & answers", "Ask anything about recovery. Others have wondered the same."),
    ("hard-days", "Hard days", "When today is heavy. You don't have to carry it alone."),
    ("family-friends", "Family & friends", "For the people who love someone in recovery."),
)

# Both tokenize with Porter stemming ("relapsed" finds "relapse"), like PostgreSQL's english config.
_SQLITE_SEARCH = [
    """CREATE VIRTUAL TABLE forum_post_fts USING fts5(
        search_title, body_text, content='forum_posts', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER forum_posts_fts_insert AFTER INSERT ON forum_posts BEGIN
        INSERT INTO forum_post_fts(rowid, search_title, body_text) VALUES (new.id, new.search_title, new.body_text);
    END""",
    """CREATE TRIGGER forum_posts_fts_delete AFTER DELETE ON forum_posts BEGIN
        INSERT INTO forum_post_fts(forum_post_fts, rowid, search_title, body_text)
        VALUES ('delete', old.id, old.search_title, old.body_text);
    END""",
    """CREATE TRIGGER forum_posts_fts_update AFTER UPDATE OF search_title, body_text ON forum_posts BEGIN
        INSERT INTO forum_post_fts(forum_post_fts, rowid, search_title, body_text)
        VALUES ('delete', old.id, old.search_title, old.body_text);
        INSERT INTO forum_post_fts(rowid, search_title, body_text) VALUES (new.id, new.search_title, new.body_text);
    END""",
    # Only topic rooms are indexed: private conversations never enter the search index.
    # A room's kind never changes, so the same condition on every trigger keeps the index exact.
    """CREATE VIRTUAL TABLE message_fts USING fts5(
        body, content='messages', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
        WHEN (SELECT kind FROM rooms WHERE id = new.room_id) = 'topic' BEGIN
        INSERT INTO message_fts(rowid, body) VALUES (new.id, new.body);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN (SELECT kind FROM rooms WHERE id = old.room_id) = 'topic' BEGIN
        INSERT INTO message_fts(message_fts, rowid, body) VALUES ('delete', old.id, old.body);
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
        WHEN (SELECT kind FROM rooms WHERE id = new.room_id) = 'topic' BEGIN
        INSERT INTO message_fts(message_fts, rowid, body) VALUES ('delete', old.id, old.body);
        INSERT INTO message_fts(rowid, body) VALUES (new.id, new.body);
    END""",
    """INSERT INTO message_fts(rowid, body)
        SELECT m.id, m.body FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.kind = 'topic'""",
]

_POSTGRES_SEARCH = [
    """ALTER TABLE forum_posts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', search_title), 'A') || setweight(to_tsvector('english', body_text), 'B')
    ) STORED""",
    "CREATE INDEX ix_forum_posts_search_vector ON forum_posts USING gin (search_vector)",
    # Expression index: messages keep no extra column; queries use the same expression.
    "CREATE INDEX ix_messages_body_search ON messages USING gin (to_tsvector('english', body))",
]


def upgrade() -> None:
    op.create_table(
        "forum_boards",
        sa.Column("id", ID, nullable=False),
        sa.Column("slug", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_boards")),
        sa.UniqueConstraint("slug", name=op.f("uq_forum_boards_slug")),
    )
    op.create_table(
        "forum_threads",
        sa.Column("id", ID, nullable=False),
        sa.Column("board_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("last_post_id", sa.BigInteger(), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reply_count", sa.Integer(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["board_id"], ["forum_boards.id"], name=op.f("fk_forum_threads_board_id_forum_boards"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_forum_threads_author_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_threads")),
    )
    op.create_index("ix_forum_threads_board_id_last_post_id", "forum_threads", ["board_id", "last_post_id"])
    op.create_index(op.f("ix_forum_threads_author_id"), "forum_threads", ["author_id"])
    op.create_table(
        "forum_posts",
        sa.Column("id", ID, nullable=False),
        sa.Column("thread_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("is_opening", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("search_title", sa.String(length=1000), nullable=False),
        sa.Column("content_notes", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["thread_id"], ["forum_threads.id"], name=op.f("fk_forum_posts_thread_id_forum_threads"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_forum_posts_author_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_posts")),
    )
    op.create_index("ix_forum_posts_thread_id_id", "forum_posts", ["thread_id", "id"])
    op.create_index(op.f("ix_forum_posts_author_id"), "forum_posts", ["author_id"])
    op.create_table(
        "forum_reactions",
        sa.Column("post_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["forum_posts.id"], name=op.f("fk_forum_reactions_post_id_forum_posts"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_forum_reactions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "user_id", "kind", name=op.f("pk_forum_reactions")),
    )
    op.create_index(op.f("ix_forum_reactions_user_id"), "forum_reactions", ["user_id"])
    for table in ("forum_read_marks", "forum_follows"):
        extra = (
            [sa.Column("last_read_post_id", sa.BigInteger(), nullable=False)] if table == "forum_read_marks"
            else [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)]
        )
        op.create_table(
            table,
            sa.Column("user_id", ID, nullable=False),
            sa.Column("thread_id", ID, nullable=False),
            *extra,
            sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"),
            sa.ForeignKeyConstraint(["thread_id"], ["forum_threads.id"], name=op.f(f"fk_{table}_thread_id_forum_threads"), ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("user_id", "thread_id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_thread_id"), table, ["thread_id"])
    op.create_table(
        "forum_preferences",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("hidden_note_kinds", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_forum_preferences_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_forum_preferences")),
    )

    for statement in _SQLITE_SEARCH if op.get_context().dialect.name == "sqlite" else _POSTGRES_SEARCH:
        op.execute(statement)

    boards = sa.table(
        "forum_boards",
        sa.column("slug", sa.String), sa.column("name", sa.String), sa.column("description", sa.Text),
        sa.column("position", sa.Integer), sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(boards, [
        {"slug": slug, "name": name, "description": description, "position": position, "created_at": now}
        for position, (slug, name, description) in enumerate(DEFAULT_BOARDS)
    ])


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for trigger in ("messages_fts_insert", "messages_fts_delete", "messages_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS message_fts")
        op.execute("DROP TABLE IF EXISTS forum_post_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_messages_body_search")
    for table in ("forum_preferences", "forum_follows", "forum_read_marks", "forum_reactions", "forum_posts", "forum_threads", "forum_boards"):
        op.drop_table(table)
