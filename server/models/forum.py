"""Forum tables: boards, threads, posts, reactions, read marks, follows, preferences.

Search indexes are not mapped here: the forum migration creates them per
database (SQLite FTS5 tables kept in sync by triggers; a PostgreSQL generated
`tsvector` column and expression index) and `server/actions/search.py` queries them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, BigIntId, UTCDateTime, utcnow


class ForumBoard(Base):
    __tablename__ = "forum_boards"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    slug: Mapped[str] = mapped_column(String(48), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived: still readable, closed to new threads and replies, out of members' list.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ForumThread(Base):
    __tablename__ = "forum_threads"
    __table_args__ = (Index("ix_forum_threads_board_id_last_post_id", "board_id", "last_post_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("forum_boards.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(1000))
    # Latest activity: the id of the newest post. Post ids only grow, so sorting
    # and paging by it is stable and needs no clock.
    last_post_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)  # replies members can see
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # by a moderator
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # withdrawn by its author
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ForumPost(Base):
    __tablename__ = "forum_posts"
    __table_args__ = (Index("ix_forum_posts_thread_id_id", "thread_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    is_opening: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)  # Markdown as typed (only its author gets it back, to edit)
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitized
    body_text: Mapped[str] = mapped_column(Text)  # plain text, indexed for search
    # The thread title, on the opening post only: indexed with the body so a
    # search finds threads by title too.
    search_title: Mapped[str] = mapped_column(String(1000), default="")
    content_notes: Mapped[str] = mapped_column(String(200), default="")  # comma-separated kinds
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ForumReaction(Base):
    """Who reacted is kept only to let each member undo their own reaction;
    it is never shown: readers see counts."""

    __tablename__ = "forum_reactions"

    post_id: Mapped[int] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ForumReadMark(Base):
    __tablename__ = "forum_read_marks"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"), primary_key=True, index=True)
    last_read_post_id: Mapped[int] = mapped_column(BigInteger, default=0)


class ForumFollow(Base):
    """A member follows a thread: each new reply sends them a notification."""

    __tablename__ = "forum_follows"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ForumPreference(Base):
    __tablename__ = "forum_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    hidden_note_kinds: Mapped[str] = mapped_column(String(200), default="")  # comma-separated kinds
