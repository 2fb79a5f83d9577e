"""One-on-one conversations, who may message whom, mentors and "talk to someone now".

A private conversation is a `rooms` row with kind "direct" (no slug, never
listed), so sending, acks, idempotency, gapless seq, resume and fan-out are
the room pipeline's. This file holds what only conversations have."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, BigIntId, UTCDateTime, partial_index, utcnow

# Why a pair's conversation was last opened: the client marks mentorship and support chats.
PURPOSES = ("direct", "mentorship", "support", "talk_now")
WHO_CAN_MESSAGE = ("anyone", "shared", "helpers", "nobody")


class Conversation(Base):
    """At most one conversation per pair: (user_low, user_high) with low < high."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("user_low", "user_high"),)

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_low: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_high: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="direct")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConversationMember(Base):
    """The two participants. `access_room` reads this row and nothing else decides."""

    __tablename__ = "conversation_members"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    last_read_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MessagingPrefs(Base):
    """A member's privacy choices for private messages. No row means the defaults."""

    __tablename__ = "messaging_prefs"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    who_can_message: Mapped[str] = mapped_column(String(16), default="shared")
    read_receipts: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MentorProfile(Base):
    """Structured on purpose: no free text, so nothing identifying slips in."""

    __tablename__ = "mentor_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    recovery_since: Mapped[date] = mapped_column(Date)
    focus: Mapped[str] = mapped_column(String(200))  # comma-separated focus areas
    tz_band: Mapped[str] = mapped_column(String(24))
    languages: Mapped[str] = mapped_column(String(64))  # comma-separated ISO 639-1 codes
    max_mentees: Mapped[int] = mapped_column(Integer, default=2)
    # A counter moved only by conditional UPDATEs, so the cap holds across processes.
    active_mentees: Mapped[int] = mapped_column(Integer, default=0)
    volunteering: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MentorRequest(Base):
    __tablename__ = "mentor_requests"
    __table_args__ = (
        # One waiting request per member.
        partial_index("ix_mentor_requests_one_waiting", "member_id", unique=True, where="status = 'waiting'"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    focus: Mapped[str] = mapped_column(String(24))
    tz_band: Mapped[str] = mapped_column(String(24))
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting, matched, cancelled
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MentorDecline(Base):
    __tablename__ = "mentor_declines"

    request_id: Mapped[int] = mapped_column(ForeignKey("mentor_requests.id", ondelete="CASCADE"), primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Mentorship(Base):
    __tablename__ = "mentorships"
    __table_args__ = (
        partial_index("ix_mentorships_one_active_pair", "mentor_id", "mentee_id", unique=True, where="status = 'active'"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("mentor_requests.id", ondelete="SET NULL"), nullable=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active, ended
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class HelperStatus(Base):
    """A specialist on call or a mentor available to listen, and their cap."""

    __tablename__ = "helper_status"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    max_chats: Mapped[int] = mapped_column(Integer, default=1)
    active_chats: Mapped[int] = mapped_column(Integer, default=0)  # moved only by conditional UPDATEs
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TalkRequest(Base):
    __tablename__ = "talk_requests"
    __table_args__ = (
        partial_index("ix_talk_requests_one_waiting", "member_id", unique=True, where="status = 'waiting'"),
        Index("ix_talk_requests_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting, taken, ended, cancelled
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
