from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, BigIntId, UTCDateTime, utcnow


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    # "topic" rooms are public and listed; later kinds (private chats) reuse the pipeline.
    kind: Mapped[str] = mapped_column(String(16), default="topic")
    slug: Mapped[str | None] = mapped_column(String(48), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    rules: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Per-room event counter: every new, edited or deleted message takes the next
    # value under the room's row lock, so it is gapless and in commit order; it
    # is what clients resume from and what lets a receiver spot a gap.
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RoomMember(Base):
    __tablename__ = "room_members"

    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_read_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("author_id", "client_id"),
        UniqueConstraint("room_id", "seq"),
        Index("ix_messages_room_id_version_seq", "room_id", "version_seq"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    client_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    seq: Mapped[int] = mapped_column(BigInteger)  # room seq at creation
    version_seq: Mapped[int] = mapped_column(BigInteger)  # room seq of the latest change
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Hidden by staff (restorable): others see a placeholder, the author still sees it.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Held for review (unattended rooms, new accounts): only the author and staff see it.
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reply_to_id: Mapped[int | None] = mapped_column(BigIntId, nullable=True)  # same room only


class MessageReaction(Base):
    """Support reactions: counts are public, who reacted is not."""

    __tablename__ = "message_reactions"

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
