"""A member's authenticator app (TOTP), the second factor staff can be required to use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models.base import Base, UTCDateTime, utcnow


class TotpCredential(Base):
    __tablename__ = "totp_credentials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The shared secret must be readable to check codes (RFC 6238), so it is
    # stored as is; a database dump still lacks the password (argon2id) it pairs with.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set once the member proved their app shows the right codes; until then it does not count.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The last time step accepted: a code is good once (no replay).
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
