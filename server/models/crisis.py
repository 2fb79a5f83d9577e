"""Crisis flags and everything around them: on-call, rota, notes, audit,
concern reports and safety plans."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, BigIntId, UTCDateTime, partial_index, utcnow

OPEN_STATUSES = ("open", "claimed")


class CrisisFlag(Base):
    __tablename__ = "crisis_flags"
    __table_args__ = (
        # One open flag per member: further concerning messages gather on it.
        partial_index("uq_crisis_flags_open_member", "member_id", unique=True, where="status != 'resolved'"),
        Index("ix_crisis_flags_status_escalate_at", "status", "escalate_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    # Kept when the account is deleted: a crisis flag is never erased by the member.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    member_pseudonym: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | claimed | resolved
    severity: Mapped[str] = mapped_column(String(16))  # only rises while open
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(default=0.0)
    # Each item: {message_id, place, evidence[], excerpt, at} — a preserved copy, so
    # deleting the message does not remove what the specialist needs to see.
    items: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    place_kind: Mapped[str] = mapped_column(String(16))  # room | conversation | forum | concern
    place_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # last rise in severity
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    support_room_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    follow_up_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FlagAudit(Base):
    """Append-only: who viewed, claimed, noted, handed over, resolved; what escalated."""

    __tablename__ = "crisis_flag_audit"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("crisis_flags.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor_pseudonym: Mapped[str] = mapped_column(String(64), default="system")
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FlagNote(Base):
    __tablename__ = "crisis_flag_notes"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("crisis_flags.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    author_pseudonym: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="note")  # note | handover | debrief
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OnCall(Base):
    __tablename__ = "oncall"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)  # toggled from the console
    effective: Mapped[bool] = mapped_column(Boolean, default=False)  # manual or in a rota slot, as last published
    max_flags: Mapped[int] = mapped_column(Integer, default=3)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RotaSlot(Base):
    """A weekly on-call slot in UTC: weekday 0 = Monday, minutes from midnight."""

    __tablename__ = "oncall_rota"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class ConcernReport(Base):
    """'I'm worried about this person' — separate from abuse reports."""

    __tablename__ = "concern_reports"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    message_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    weight: Mapped[float] = mapped_column(default=1.0)
    flag_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SafetyPlan(Base):
    __tablename__ = "safety_plans"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    warning_signs: Mapped[str] = mapped_column(Text, default="")
    coping_steps: Mapped[str] = mapped_column(Text, default="")
    people_and_places: Mapped[str] = mapped_column(Text, default="")
    reasons_to_keep_going: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
