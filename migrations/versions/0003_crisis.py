"""Crisis response: flags, audit, notes, on-call and rota, concern reports, safety plans; hidden and held messages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 06:24:59.337027
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('concern_reports',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reporter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('target_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.Column('flag_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_concern_reports_reporter_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['users.id'], name=op.f('fk_concern_reports_target_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_reports'))
    )
    with op.batch_alter_table('concern_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_reports_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_concern_reports_target_id'), ['target_id'], unique=False)

    op.create_table('crisis_flags',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('member_pseudonym', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('place_kind', sa.String(length=16), nullable=False),
    sa.Column('place_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('alerted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalate_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_reply_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('support_room_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('follow_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('follow_up_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['claimed_by'], ['users.id'], name=op.f('fk_crisis_flags_claimed_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_crisis_flags_member_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_crisis_flags_resolved_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crisis_flags'))
    )
    with op.batch_alter_table('crisis_flags', schema=None) as batch_op:
        batch_op.create_index('ix_crisis_flags_status_escalate_at', ['status', 'escalate_at'], unique=False)
        batch_op.create_index('uq_crisis_flags_open_member', ['member_id'], unique=True, sqlite_where=sa.text("status != 'resolved'"), postgresql_where=sa.text("status != 'resolved'"))

    op.create_table('oncall',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('effective', sa.Boolean(), nullable=False),
    sa.Column('max_flags', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oncall_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_oncall'))
    )
    op.create_table('oncall_rota',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_oncall_rota_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oncall_rota'))
    )
    with op.batch_alter_table('oncall_rota', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_oncall_rota_user_id'), ['user_id'], unique=False)

    op.create_table('safety_plans',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('warning_signs', sa.Text(), nullable=False),
    sa.Column('coping_steps', sa.Text(), nullable=False),
    sa.Column('people_and_places', sa.Text(), nullable=False),
    sa.Column('reasons_to_keep_going', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_safety_plans_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_safety_plans'))
    )
    op.create_table('crisis_flag_audit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('flag_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('actor_pseudonym', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_crisis_flag_audit_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['flag_id'], ['crisis_flags.id'], name=op.f('fk_crisis_flag_audit_flag_id_crisis_flags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crisis_flag_audit'))
    )
    with op.batch_alter_table('crisis_flag_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crisis_flag_audit_flag_id'), ['flag_id'], unique=False)

    op.create_table('crisis_flag_notes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('flag_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('author_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('author_pseudonym', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_crisis_flag_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['flag_id'], ['crisis_flags.id'], name=op.f('fk_crisis_flag_notes_flag_id_crisis_flags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crisis_flag_notes'))
    )
    with op.batch_alter_table('crisis_flag_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crisis_flag_notes_flag_id'), ['flag_id'], unique=False)

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('hidden_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('held_at', sa.DateTime(timezone=True), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('held_at')
        batch_op.drop_column('hidden_reason')
        batch_op.drop_column('hidden_at')

    with op.batch_alter_table('crisis_flag_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crisis_flag_notes_flag_id'))

    op.drop_table('crisis_flag_notes')
    with op.batch_alter_table('crisis_flag_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crisis_flag_audit_flag_id'))

    op.drop_table('crisis_flag_audit')
    op.drop_table('safety_plans')
    with op.batch_alter_table('oncall_rota', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_oncall_rota_user_id'))

    op.drop_table('oncall_rota')
    op.drop_table('oncall')
    with op.batch_alter_table('crisis_flags', schema=None) as batch_op:
        batch_op.drop_index('uq_crisis_flags_open_member', sqlite_where=sa.text("status != 'resolved'"), postgresql_where=sa.text("status != 'resolved'"))
        batch_op.drop_index('ix_crisis_flags_status_escalate_at')

    op.drop_table('crisis_flags')
    with op.batch_alter_table('concern_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_reports_target_id'))
        batch_op.drop_index(batch_op.f('ix_concern_reports_reporter_id'))

    op.drop_table('concern_reports')

