"""Recovery tools: day counts, milestones, check-ins, goals, accountability
partners, early-warning consent, and meetings.

Everything a member keeps here is private unless they share it; every row
that belongs to a member cascades away with the account."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, BigIntId, UTCDateTime, utcnow

_USER = "users.id"


class RecoveryProfile(Base):
    """The member's time zone: a "day" is a calendar day where they live."""

    __tablename__ = "recovery_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DayCounter(Base):
    """One day count (a member may keep one per substance or behaviour)."""

    __tablename__ = "day_counters"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60))
    # Shown as a small badge beside the pseudonym only when the member says so.
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DayCountStart(Base):
    """Every start date is kept: a new start adds a row and never erases the past."""

    __tablename__ = "day_count_starts"
    __table_args__ = (UniqueConstraint("counter_id", "start_date"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("day_counters.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)  # a local calendar date in the member's zone
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Milestone(Base):
    """A milestone the member has seen (congratulated) or shared to the Wins room."""

    __tablename__ = "milestones"
    __table_args__ = (UniqueConstraint("start_id", "key"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), index=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("day_counters.id", ondelete="CASCADE"))
    start_id: Mapped[int] = mapped_column(ForeignKey("day_count_starts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(8))  # "1d", "7d", ..., "6m", "1y", "2y"
    reached_on: Mapped[date] = mapped_column(Date)
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), nullable=True, index=True)
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CheckIn(Base):
    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # local calendar date
    mood: Mapped[int] = mapped_column(Integer)  # 1-5
    craving: Mapped[int] = mapped_column(Integer)  # 0-10
    sleep_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")  # never shown to anyone else
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Goal(Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    notes: Mapped[str] = mapped_column(Text, default="")
    shared: Mapped[bool] = mapped_column(Boolean, default=False)  # visible to accountability partners
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class GoalStep(Base):
    __tablename__ = "goal_steps"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(120))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Partnership(Base):
    """Two members who agreed to see each other's check-ins and shared goals.
    One row per pair (low id, high id); either member can end it at any time."""

    __tablename__ = "partnerships"
    __table_args__ = (UniqueConstraint("user_low", "user_high"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_low: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"))
    user_high: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))  # "pending", "active", "ended"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WarningConsent(Base):
    """The member allows `recipient` to be told gently when check-ins show a sharp drop."""

    __tablename__ = "warning_consents"
    __table_args__ = (UniqueConstraint("user_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), index=True)
    share_scores: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WarningNotice(Base):
    """Exactly what was shared, kept so the member can see it and the recipient can list it.
    The unique key makes each notice fire once, whichever process notices first."""

    __tablename__ = "warning_notices"
    __table_args__ = (UniqueConstraint("user_id", "recipient_id", "kind", "trigger_day"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # "drop" or "missed"
    trigger_day: Mapped[date] = mapped_column(Date)
    body: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")  # JSON: the scores, only if the member chose to share them
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Meeting(Base):
    """A weekly meeting held in a topic room. `day` 0 = Sunday (as Meeting Guide);
    the time is wall-clock time in `timezone` ("UTC" keeps it fixed in UTC)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    host_id: Mapped[int | None] = mapped_column(ForeignKey(_USER, ondelete="SET NULL"), nullable=True, index=True)
    day: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    types: Mapped[str] = mapped_column(String(200), default="")  # Meeting Guide type codes, comma-separated
    notes: Mapped[str] = mapped_column(Text, default="")
    formatted_address: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Meeting mode. Every change bumps state_version under the row lock, so the
    # state events carry a version the client keeps the highest of.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    quiet: Mapped[bool] = mapped_column(Boolean, default=False)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey(_USER, ondelete="SET NULL"), nullable=True)
    state_version: Mapped[int] = mapped_column(BigInteger, default=0)
    # The start (UTC) of the occurrence last reminded: claimed with a conditional UPDATE.
    reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MeetingHand(Base):
    """A raised hand. The queue is in raising order (id order, taken under the meeting's row lock)."""

    __tablename__ = "meeting_hands"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"), Index("ix_meeting_hands_meeting_id_id", "meeting_id", "id"))

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingReminder(Base):
    """The member asked to be reminded before this meeting starts."""

    __tablename__ = "meeting_reminders"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(_USER, ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
