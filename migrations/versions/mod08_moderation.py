"""Moderation: cases, reports, actions, appeals, notices, staff notes, the
append-only audit log, watched words, room hosts, room modes, trust overrides.

The audit log refuses UPDATE and DELETE with a trigger on both databases, so
no code path (nor a mistaken one) can rewrite what a moderator did.

Revision ID: mod08
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "mod08"
down_revision = "0003"
branch_labels = ("moderation",)
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
OPEN = sa.text("status != 'resolved'")


def _user_fk(column: str, table: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"], name=f"fk_{table}_{column}_users", ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "mod_cases",
        sa.Column("id", ID, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tier", sa.String(8), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("target_user_id", ID, nullable=True),
        sa.Column("target_pseudonym", sa.String(64), nullable=False),
        sa.Column("place_kind", sa.String(16), nullable=False),
        sa.Column("room_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("claimed_by", ID, nullable=True),
        sa.Column("claimed_at", WHEN, nullable=True),
        sa.Column("escalate_at", WHEN, nullable=True),
        sa.Column("escalated_at", WHEN, nullable=True),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("resolved_by", ID, nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        _user_fk("target_user_id", "mod_cases", "SET NULL"),
        _user_fk("claimed_by", "mod_cases", "SET NULL"),
        _user_fk("resolved_by", "mod_cases", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_mod_cases"),
    )
    op.create_index("uq_mod_cases_open_target", "mod_cases", ["target_kind", "target_id"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_mod_cases_status_severity", "mod_cases", ["status", "severity", "created_at"])
    op.create_index("ix_mod_cases_tier_escalate_at", "mod_cases", ["tier", "escalate_at"])
    op.create_index("ix_mod_cases_target_user_id", "mod_cases", ["target_user_id"])

    op.create_table(
        "mod_reports",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("reporter_id", ID, nullable=False),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["mod_cases.id"], name="fk_mod_reports_case_id_mod_cases", ondelete="CASCADE"),
        _user_fk("reporter_id", "mod_reports", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_mod_reports"),
        sa.UniqueConstraint("case_id", "reporter_id", name="uq_mod_reports_case_id_reporter_id"),
    )
    op.create_index("ix_mod_reports_case_id", "mod_reports", ["case_id"])
    op.create_index("ix_mod_reports_reporter_id", "mod_reports", ["reporter_id"])

    op.create_table(
        "mod_actions",
        sa.Column("id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target_user_id", ID, nullable=True),
        sa.Column("target_pseudonym", sa.String(64), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("room_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_id", ID, nullable=True),
        sa.Column("actor_pseudonym", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["mod_cases.id"], name="fk_mod_actions_case_id_mod_cases", ondelete="SET NULL"),
        _user_fk("target_user_id", "mod_actions", "CASCADE"),
        _user_fk("actor_id", "mod_actions", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_mod_actions"),
    )
    op.create_index("ix_mod_actions_target_user_id_kind", "mod_actions", ["target_user_id", "kind"])
    op.create_index("ix_mod_actions_case_id", "mod_actions", ["case_id"])

    op.create_table(
        "mod_appeals",
        sa.Column("id", ID, nullable=False),
        sa.Column("action_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["action_id"], ["mod_actions.id"], name="fk_mod_appeals_action_id_mod_actions", ondelete="CASCADE"),
        _user_fk("member_id", "mod_appeals", "CASCADE"),
        _user_fk("decided_by", "mod_appeals", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_mod_appeals"),
        sa.UniqueConstraint("action_id", name="uq_mod_appeals_action_id"),
    )
    op.create_index("ix_mod_appeals_member_id", "mod_appeals", ["member_id"])

    op.create_table(
        "mod_notices",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=True),
        sa.Column("appealable", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("read_at", WHEN, nullable=True),
        _user_fk("user_id", "mod_notices", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_mod_notices"),
    )
    op.create_index("ix_mod_notices_user_id", "mod_notices", ["user_id"])

    op.create_table(
        "staff_notes",
        sa.Column("id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("author_pseudonym", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        _user_fk("member_id", "staff_notes", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_staff_notes"),
    )
    op.create_index("ix_staff_notes_member_id", "staff_notes", ["member_id"])

    op.create_table(
        "moderation_audit",
        sa.Column("id", ID, nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=True),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column("target_pseudonym", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_moderation_audit"),
    )
    op.create_index("ix_moderation_audit_at", "moderation_audit", ["at"])
    op.create_index("ix_moderation_audit_action_at", "moderation_audit", ["action", "at"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("""CREATE TRIGGER moderation_audit_no_update BEFORE UPDATE ON moderation_audit
            BEGIN SELECT RAISE(ABORT, 'moderation_audit is append-only'); END""")
        op.execute("""CREATE TRIGGER moderation_audit_no_delete BEFORE DELETE ON moderation_audit
            BEGIN SELECT RAISE(ABORT, 'moderation_audit is append-only'); END""")
    else:
        op.execute("""CREATE FUNCTION moderation_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'moderation_audit is append-only'; END $$""")
        op.execute("""CREATE TRIGGER moderation_audit_append_only BEFORE UPDATE OR DELETE ON moderation_audit
            FOR EACH ROW EXECUTE FUNCTION moderation_audit_append_only()""")
        op.execute("""CREATE TRIGGER moderation_audit_no_truncate BEFORE TRUNCATE ON moderation_audit
            FOR EACH STATEMENT EXECUTE FUNCTION moderation_audit_append_only()""")

    op.create_table(
        "watched_words",
        sa.Column("id", ID, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("pattern", sa.String(100), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("replacement", sa.String(200), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("whole_word", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_watched_words"),
        sa.UniqueConstraint("key", name="uq_watched_words_key"),
    )

    op.create_table(
        "room_hosts",
        sa.Column("room_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.Column("added_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_room_hosts_room_id_rooms", ondelete="CASCADE"),
        _user_fk("user_id", "room_hosts", "CASCADE"),
        sa.PrimaryKeyConstraint("room_id", "user_id", name="pk_room_hosts"),
    )
    op.create_index("ix_room_hosts_user_id", "room_hosts", ["user_id"])

    op.create_table(
        "room_modes",
        sa.Column("room_id", ID, nullable=False),
        sa.Column("slow_seconds", sa.Integer(), nullable=False),
        sa.Column("quiet_new", sa.Boolean(), nullable=False),
        sa.Column("until", WHEN, nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name="fk_room_modes_room_id_rooms", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("room_id", name="pk_room_modes"),
    )

    op.create_table(
        "trust_overrides",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", WHEN, nullable=False),
        _user_fk("user_id", "trust_overrides", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name="pk_trust_overrides"),
    )


def downgrade() -> None:
    for table in ("trust_overrides", "room_modes", "room_hosts", "watched_words"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS moderation_audit_no_update")
        op.execute("DROP TRIGGER IF EXISTS moderation_audit_no_delete")
        op.drop_table("moderation_audit")
    else:
        op.drop_table("moderation_audit")
        op.execute("DROP FUNCTION IF EXISTS moderation_audit_append_only()")
    for table in ("staff_notes", "mod_notices", "mod_appeals", "mod_actions", "mod_reports", "mod_cases"):
        op.drop_table(table)
