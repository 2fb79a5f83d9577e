"""policy_epoch: one counter that triggers raise whenever a row the message checks
read changes (mutes and bans, trust overrides, raid modes, meetings, conversation
membership, rooms). Processes cache those rows while the counter stands still
(server/policy_cache.py), so the database itself says when a cache is stale.
Read markers (conversation_members.last_read_seq) and the rooms' message counter
change all the time and decide nothing there, so they are not watched.

Revision ID: pol01
Revises: mod08
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pol01"
down_revision = "mod08"
branch_labels = None
depends_on = ("0010", "conv01")  # meetings and conversation_members

# Written out in full: SQL in this project is literal text (tests/unit/test_sql_is_parameterised.py).
SQLITE_TRIGGERS = (
    "CREATE TRIGGER policy_epoch_mod_actions_insert AFTER INSERT ON mod_actions BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_mod_actions_update AFTER UPDATE ON mod_actions BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_mod_actions_delete AFTER DELETE ON mod_actions BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_trust_overrides_insert AFTER INSERT ON trust_overrides BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_trust_overrides_update AFTER UPDATE ON trust_overrides BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_trust_overrides_delete AFTER DELETE ON trust_overrides BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_room_modes_insert AFTER INSERT ON room_modes BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_room_modes_update AFTER UPDATE ON room_modes BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_room_modes_delete AFTER DELETE ON room_modes BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_meetings_insert AFTER INSERT ON meetings BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_meetings_update AFTER UPDATE ON meetings BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_meetings_delete AFTER DELETE ON meetings BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_conversation_members_insert AFTER INSERT ON conversation_members BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_conversation_members_update AFTER UPDATE OF room_id, user_id ON conversation_members BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_conversation_members_delete AFTER DELETE ON conversation_members BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_rooms_update AFTER UPDATE OF kind ON rooms BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
    "CREATE TRIGGER policy_epoch_rooms_delete AFTER DELETE ON rooms BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; END",
)
SQLITE_DROPS = (
    "DROP TRIGGER IF EXISTS policy_epoch_mod_actions_insert",
    "DROP TRIGGER IF EXISTS policy_epoch_mod_actions_update",
    "DROP TRIGGER IF EXISTS policy_epoch_mod_actions_delete",
    "DROP TRIGGER IF EXISTS policy_epoch_trust_overrides_insert",
    "DROP TRIGGER IF EXISTS policy_epoch_trust_overrides_update",
    "DROP TRIGGER IF EXISTS policy_epoch_trust_overrides_delete",
    "DROP TRIGGER IF EXISTS policy_epoch_room_modes_insert",
    "DROP TRIGGER IF EXISTS policy_epoch_room_modes_update",
    "DROP TRIGGER IF EXISTS policy_epoch_room_modes_delete",
    "DROP TRIGGER IF EXISTS policy_epoch_meetings_insert",
    "DROP TRIGGER IF EXISTS policy_epoch_meetings_update",
    "DROP TRIGGER IF EXISTS policy_epoch_meetings_delete",
    "DROP TRIGGER IF EXISTS policy_epoch_conversation_members_insert",
    "DROP TRIGGER IF EXISTS policy_epoch_conversation_members_update",
    "DROP TRIGGER IF EXISTS policy_epoch_conversation_members_delete",
    "DROP TRIGGER IF EXISTS policy_epoch_rooms_update",
    "DROP TRIGGER IF EXISTS policy_epoch_rooms_delete",
)
POSTGRES_FUNCTION = """CREATE FUNCTION policy_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN UPDATE policy_epoch SET epoch = epoch + 1 WHERE id = 1; RETURN NULL; END $$"""
POSTGRES_TRIGGERS = (
    "CREATE TRIGGER policy_epoch_mod_actions AFTER INSERT OR UPDATE OR DELETE ON mod_actions FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump()",
    "CREATE TRIGGER policy_epoch_trust_overrides AFTER INSERT OR UPDATE OR DELETE ON trust_overrides FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump()",
    "CREATE TRIGGER policy_epoch_room_modes AFTER INSERT OR UPDATE OR DELETE ON room_modes FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump()",
    "CREATE TRIGGER policy_epoch_meetings AFTER INSERT OR UPDATE OR DELETE ON meetings FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump()",
    "CREATE TRIGGER policy_epoch_conversation_members AFTER INSERT OR UPDATE OF room_id, user_id OR DELETE ON conversation_members FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump()",
    "CREATE TRIGGER policy_epoch_rooms AFTER UPDATE OF kind OR DELETE ON rooms FOR EACH STATEMENT EXECUTE FUNCTION policy_epoch_bump()",
)
POSTGRES_DROPS = (
    "DROP TRIGGER IF EXISTS policy_epoch_mod_actions ON mod_actions",
    "DROP TRIGGER IF EXISTS policy_epoch_trust_overrides ON trust_overrides",
    "DROP TRIGGER IF EXISTS policy_epoch_room_modes ON room_modes",
    "DROP TRIGGER IF EXISTS policy_epoch_meetings ON meetings",
    "DROP TRIGGER IF EXISTS policy_epoch_conversation_members ON conversation_members",
    "DROP TRIGGER IF EXISTS policy_epoch_rooms ON rooms",
    "DROP FUNCTION IF EXISTS policy_epoch_bump()",
)


def upgrade() -> None:
    op.create_table(
        "policy_epoch",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO policy_epoch (id, epoch) VALUES (1, 0)")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else (POSTGRES_FUNCTION, *POSTGRES_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DROPS if op.get_bind().dialect.name == "sqlite" else POSTGRES_DROPS:
        op.execute(statement)
    op.drop_table("policy_epoch")
