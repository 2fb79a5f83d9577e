"""SQLite: topic-room messages enter the search index in batches, not one by one.

FTS5 writes a new index segment for every transaction that adds to it, so
indexing each chat message in its own transaction cost about 90 µs of the
~600 µs a message takes to store, where a batch costs a few µs a message
(docs/performance.md). A new message now only notes its id in
`message_fts_pending`; `server/search_index.py` moves the pending ones into
`message_fts` in batches, every second and before any search, so searches
still see every message.

The index stays exact: an edit or delete of a message already indexed takes
its old words out in the same transaction, as before; one still pending never
had words in the index, so the triggers leave the index alone and the batch
takes whatever the message says by then (nothing, once it is deleted).
PostgreSQL is unchanged (an expression index, kept by PostgreSQL itself).

Revision ID: fts02
Revises: brd01
"""
from __future__ import annotations

from alembic import op

revision = "fts02"
down_revision = "brd01"
branch_labels = None
depends_on = None

# Only topic rooms are indexed, as before: private conversations never enter, not even as an id.
_BATCHED = (
    "CREATE TABLE message_fts_pending (message_id INTEGER PRIMARY KEY)",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
        WHEN (SELECT kind FROM rooms WHERE id = new.room_id) = 'topic' BEGIN
        INSERT OR IGNORE INTO message_fts_pending(message_id) VALUES (new.id);
    END""",
    # In this order: the index is told only about words it holds, then the note goes.
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN (SELECT kind FROM rooms WHERE id = old.room_id) = 'topic' BEGIN
        INSERT INTO message_fts(message_fts, rowid, body) SELECT 'delete', old.id, old.body
            WHERE NOT EXISTS (SELECT 1 FROM message_fts_pending WHERE message_id = old.id);
        DELETE FROM message_fts_pending WHERE message_id = old.id;
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages
        WHEN (SELECT kind FROM rooms WHERE id = new.room_id) = 'topic'
         AND NOT EXISTS (SELECT 1 FROM message_fts_pending WHERE message_id = new.id) BEGIN
        INSERT INTO message_fts(message_fts, rowid, body) VALUES ('delete', old.id, old.body);
        INSERT INTO message_fts(rowid, body) VALUES (new.id, new.body);
    END""",
)
_ONE_BY_ONE = (
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
)
_DROP_TRIGGERS = (
    "DROP TRIGGER IF EXISTS messages_fts_insert",
    "DROP TRIGGER IF EXISTS messages_fts_delete",
    "DROP TRIGGER IF EXISTS messages_fts_update",
)


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for statement in (*_DROP_TRIGGERS, *_BATCHED):  # the index was complete: nothing is pending yet
        op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    op.execute("""INSERT INTO message_fts(rowid, body)
        SELECT m.id, m.body FROM message_fts_pending p JOIN messages m ON m.id = p.message_id""")
    for statement in (*_DROP_TRIGGERS, "DROP TABLE message_fts_pending", *_ONE_BY_ONE):
        op.execute(statement)
