"""The tables. Import models from here so every mapper is registered."""

from server.models.base import Base, utcnow
from server.models.accounts import RecoveryCode, Session, User
from server.models.crisis import ConcernReport, CrisisFlag, FlagAudit, FlagNote, OnCall, RotaSlot, SafetyPlan
from server.models.rooms import Message, MessageReaction, Room, RoomMember
from server.models.social import Block
from server.models.conversations import Conversation, ConversationMember, HelperStatus, MentorDecline, MentorProfile, MentorRequest, Mentorship, MessagingPrefs, TalkRequest
from server.models.forum import ForumBoard, ForumFollow, ForumPost, ForumPreference, ForumReaction, ForumReadMark, ForumThread
from server.models import recovery
from server.models.second_factor import TotpCredential
from server.models.moderation import AuditEntry, ModAction, ModAppeal, ModCase, ModNotice, ModReport, RoomHost, RoomMode, StaffNote, TrustOverride, WatchedWordRow

__all__ = [
    "Base", "Block", "ConcernReport", "CrisisFlag", "FlagAudit", "FlagNote", "OnCall", "RotaSlot", "SafetyPlan",
    "Message", "RecoveryCode", "Room", "RoomMember", "Session", "User", "recovery", "utcnow"]
__all__ += ["Conversation", "ConversationMember", "HelperStatus", "MentorDecline", "MentorProfile", "MentorRequest",
            "Mentorship", "MessagingPrefs", "TalkRequest"]
__all__ += ["MessageReaction"]
__all__ += ["ForumBoard", "ForumFollow", "ForumPost", "ForumPreference", "ForumReaction", "ForumReadMark", "ForumThread"]
__all__ += ["TotpCredential"]
__all__ += ["AuditEntry", "ModAction", "ModAppeal", "ModCase", "ModNotice", "ModReport", "RoomHost", "RoomMode", "StaffNote", "TrustOverride", "WatchedWordRow"]
