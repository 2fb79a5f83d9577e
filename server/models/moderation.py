"""Moderation (issue 8): cases from reports and automatic flags, the actions taken
on them, appeals, notices to members, staff notes, the append-only audit log,
watched words, room hosts, room modes and staff-set trust levels.

Separate from crisis flags (`server/models/crisis.py`), which go to specialists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, BigIntId, UTCDateTime, partial_index, utcnow


class ModCase(Base):
    """One item under review: a message, a forum post or a member. Repeat reports
    and further automatic flags of the same item gather on its one open case."""

    __tablename__ = "mod_cases"
    __table_args__ = (
        partial_index("uq_mod_cases_open_target", "target_kind", "target_id", unique=True, where="status != 'resolved'"),
        Index("ix_mod_cases_status_severity", "status", "severity", "created_at"),
        Index("ix_mod_cases_tier_escalate_at", "tier", "escalate_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # report | auto (the first one; later ones add to reasons)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | claimed | resolved
    tier: Mapped[str] = mapped_column(String(8), default="site")  # host (the room's hosts first) | site
    target_kind: Mapped[str] = mapped_column(String(16))  # message | post | member
    target_id: Mapped[int] = mapped_column(BigInteger)
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    target_pseudonym: Mapped[str] = mapped_column(String(64), default="")
    place_kind: Mapped[str] = mapped_column(String(16))  # room | conversation | forum | profile
    room_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    thread_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    severity: Mapped[int] = mapped_column(Integer, default=1)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    # A private message reported by a participant: the message and a few around it,
    # copied here, the only way staff ever read a private conversation.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ModReport(Base):
    __tablename__ = "mod_reports"
    __table_args__ = (UniqueConstraint("case_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mod_cases.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)  # the plain words the reporter was told


class ModAction(Base):
    """Every action taken on a member or their words. Mutes, suspensions and bans
    are enforced from these rows (`expires_at`, `revoked_at`)."""

    __tablename__ = "mod_actions"
    __table_args__ = (Index("ix_mod_actions_target_user_id_kind", "target_user_id", "kind"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("mod_cases.id", ondelete="SET NULL"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    target_pseudonym: Mapped[str] = mapped_column(String(64), default="")
    target_kind: Mapped[str] = mapped_column(String(16))  # message | post | member | room | thread
    target_id: Mapped[int] = mapped_column(BigInteger)
    room_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # a mute in one room
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor_pseudonym: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    notice: Mapped[str | None] = mapped_column(Text, nullable=True)  # exactly what the member was told
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ModAppeal(Base):
    __tablename__ = "mod_appeals"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("mod_actions.id", ondelete="CASCADE"), unique=True)  # one per action
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | upheld | overturned
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ModNotice(Base):
    """What a member was told: an action against them, the outcome of their report, an appeal's decision."""

    __tablename__ = "mod_notices"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # action | report_outcome | appeal_decided
    body: Mapped[str] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    appealable: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StaffNote(Base):
    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_pseudonym: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Append-only (database triggers refuse UPDATE and DELETE). Pseudonyms and
    object ids only: no foreign keys, so nothing ever rewrites a row."""

    __tablename__ = "moderation_audit"
    __table_args__ = (Index("ix_moderation_audit_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))  # pseudonym, or "system"
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    target_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    target_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    target_pseudonym: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class WatchedWordRow(Base):
    __tablename__ = "watched_words"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    pattern: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))
    replacement: Mapped[str | None] = mapped_column(String(200), nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)
    whole_word: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class RoomHost(Base):
    __tablename__ = "room_hosts"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by: Mapped[str] = mapped_column(String(64))


class RoomMode(Base):
    """A room paused during a raid: slow mode and/or new accounts kept quiet, until a time."""

    __tablename__ = "room_modes"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    slow_seconds: Mapped[int] = mapped_column(Integer, default=0)
    quiet_new: Mapped[bool] = mapped_column(Boolean, default=False)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrustOverride(Base):
    """A trust level set by staff; without one, the level is earned (`moderation/trust.py`)."""

    __tablename__ = "trust_overrides"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
