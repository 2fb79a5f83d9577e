"""Recovery tools: day counts, milestones, check-ins, goals, partners, early-warning consent, meetings.

Revision ID: 0010
Revises: 0002 (its own branch, label "recovery")
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0002'
branch_labels = ('recovery',)
depends_on = None


def upgrade() -> None:
    op.create_table('check_ins',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('mood', sa.Integer(), nullable=False),
    sa.Column('craving', sa.Integer(), nullable=False),
    sa.Column('sleep_hours', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_check_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
    sa.UniqueConstraint('user_id', 'day', name=op.f('uq_check_ins_user_id_day'))
    )
    op.create_table('day_counters',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_day_counters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_counters'))
    )
    with op.batch_alter_table('day_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_day_counters_user_id'), ['user_id'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_goals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goals_user_id'), ['user_id'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('room_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('host_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('types', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('formatted_address', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('quiet', sa.Boolean(), nullable=False),
    sa.Column('speaker_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('state_version', sa.BigInteger(), nullable=False),
    sa.Column('reminded_for', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['host_id'], ['users.id'], name=op.f('fk_meetings_host_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_meetings_room_id_rooms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['speaker_id'], ['users.id'], name=op.f('fk_meetings_speaker_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('slug', name=op.f('uq_meetings_slug'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_host_id'), ['host_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meetings_room_id'), ['room_id'], unique=False)

    op.create_table('partnerships',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_low', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_high', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('requested_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_partnerships_requested_by_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_high'], ['users.id'], name=op.f('fk_partnerships_user_high_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_low'], ['users.id'], name=op.f('fk_partnerships_user_low_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnerships')),
    sa.UniqueConstraint('user_low', 'user_high', name=op.f('uq_partnerships_user_low_user_high'))
    )
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnerships_user_high'), ['user_high'], unique=False)

    op.create_table('recovery_profiles',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_recovery_profiles'))
    )
    op.create_table('warning_consents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('recipient_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('share_scores', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_warning_consents_recipient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_warning_consents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_consents')),
    sa.UniqueConstraint('user_id', 'recipient_id', name=op.f('uq_warning_consents_user_id_recipient_id'))
    )
    with op.batch_alter_table('warning_consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_consents_recipient_id'), ['recipient_id'], unique=False)

    op.create_table('warning_notices',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('recipient_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('trigger_day', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_warning_notices_recipient_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_warning_notices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_notices')),
    sa.UniqueConstraint('user_id', 'recipient_id', 'kind', 'trigger_day', name=op.f('uq_warning_notices_user_id_recipient_id_kind_trigger_day'))
    )
    with op.batch_alter_table('warning_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_notices_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_warning_notices_user_id'), ['user_id'], unique=False)

    op.create_table('day_count_starts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('counter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['day_counters.id'], name=op.f('fk_day_count_starts_counter_id_day_counters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_count_starts')),
    sa.UniqueConstraint('counter_id', 'start_date', name=op.f('uq_day_count_starts_counter_id_start_date'))
    )
    with op.batch_alter_table('day_count_starts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_day_count_starts_counter_id'), ['counter_id'], unique=False)

    op.create_table('goal_steps',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('goal_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_steps_goal_id_goals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_steps'))
    )
    with op.batch_alter_table('goal_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_steps_goal_id'), ['goal_id'], unique=False)

    op.create_table('meeting_hands',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('meeting_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_hands_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_hands_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_hands')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_meeting_hands_meeting_id_user_id'))
    )
    with op.batch_alter_table('meeting_hands', schema=None) as batch_op:
        batch_op.create_index('ix_meeting_hands_meeting_id_id', ['meeting_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_hands_user_id'), ['user_id'], unique=False)

    op.create_table('meeting_reminders',
    sa.Column('meeting_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_reminders_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_meeting_reminders'))
    )
    with op.batch_alter_table('meeting_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_reminders_user_id'), ['user_id'], unique=False)

    op.create_table('milestones',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('counter_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('start_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=8), nullable=False),
    sa.Column('reached_on', sa.Date(), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['counter_id'], ['day_counters.id'], name=op.f('fk_milestones_counter_id_day_counters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_milestones_message_id_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['start_id'], ['day_count_starts.id'], name=op.f('fk_milestones_start_id_day_count_starts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_milestones_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones')),
    sa.UniqueConstraint('start_id', 'key', name=op.f('uq_milestones_start_id_key'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_user_id'), ['user_id'], unique=False)

    op.create_table('milestone_cheers',
    sa.Column('milestone_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_milestone_cheers_milestone_id_milestones'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_milestone_cheers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('milestone_id', 'user_id', name=op.f('pk_milestone_cheers'))
    )
    with op.batch_alter_table('milestone_cheers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_cheers_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('milestone_cheers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_cheers_user_id'))

    op.drop_table('milestone_cheers')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_user_id'))
        batch_op.drop_index(batch_op.f('ix_milestones_message_id'))

    op.drop_table('milestones')
    with op.batch_alter_table('meeting_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_reminders_user_id'))

    op.drop_table('meeting_reminders')
    with op.batch_alter_table('meeting_hands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_hands_user_id'))
        batch_op.drop_index('ix_meeting_hands_meeting_id_id')

    op.drop_table('meeting_hands')
    with op.batch_alter_table('goal_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_steps_goal_id'))

    op.drop_table('goal_steps')
    with op.batch_alter_table('day_count_starts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_day_count_starts_counter_id'))

    op.drop_table('day_count_starts')
    with op.batch_alter_table('warning_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_notices_user_id'))
        batch_op.drop_index(batch_op.f('ix_warning_notices_recipient_id'))

    op.drop_table('warning_notices')
    with op.batch_alter_table('warning_consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_consents_recipient_id'))

    op.drop_table('warning_consents')
    op.drop_table('recovery_profiles')
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partnerships_user_high'))

    op.drop_table('partnerships')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_room_id'))
        batch_op.drop_index(batch_op.f('ix_meetings_host_id'))

    op.drop_table('meetings')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_user_id'))

    op.drop_table('goals')
    with op.batch_alter_table('day_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_day_counters_user_id'))

    op.drop_table('day_counters')
    op.drop_table('check_ins')
