"""The tables. Import models from here so every mapper is registered."""

from server.models.base import Base, utcnow
from server.models.accounts import RecoveryCode, Session, User
from server.models.rooms import Message, Room, RoomMember

__all__ = ["Base", "Message", "RecoveryCode", "Room", "RoomMember", "Session", "User", "utcnow"]
