"""Everything Hearth holds about a member: to take away (export, as JSON) or to
erase (delete the account).

`COVERAGE` names, for every column in the database that points at a member,
where the export shows it or why it does not; a test fails when a new table
points at members and is not listed here, so the export keeps up with new areas.

Deleting an account: the member chooses what happens to their words.
- "keep": messages and forum posts stay where they are, shown as from
  "a former member" (their author becomes NULL).
- "remove": every message and forum post of theirs is erased (words gone from
  the database and the search index at once), like deleting each one.
Either way everything else of theirs goes (sessions, recovery tools, safety
plan, blocks, settings…). A crisis flag about them is never removed: it keeps
its preserved copy (staff need it, and a flag cannot be suppressed), and its
audit records that the member left."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from moderation.flags import audit
from server.actions import recovery_data, second_factor
from server.actions.accounts import Auth, LoginFailed, end_sessions_in, remaining_recovery_codes
from server.actions.member_data_moderation import COVERAGE as MODERATION_COVERAGE
from server.actions.member_data_moderation import export_moderation
from server.actions.messages import message_out
from server.actions.sessions import list_sessions
from server.errors import InvalidField
from server.models import (
    Block, ConcernReport, Conversation, ConversationMember, CrisisFlag, ForumFollow, ForumPost, ForumPreference, ForumReaction,
    ForumReadMark, ForumThread, HelperStatus, MentorDecline, MentorProfile, MentorRequest, Mentorship, Message, MessageReaction,
    MessagingPrefs,
    OnCall, Room, RoomMember, RotaSlot, SafetyPlan, TalkRequest, User, utcnow,
)
from server.models.base import iso_or_none as _iso
from server.models.recovery import MeetingHand
from server.services import Hearth, Tx

MESSAGE_CHOICES = ("keep", "remove")

# (table, column pointing at users.id) -> the export section that holds it, or "not exported: why".
COVERAGE: dict[tuple[str, str], str] = {
    ("sessions", "user_id"): "sessions",
    ("recovery_codes", "user_id"): "account.recovery_codes_left (codes are stored only as hashes)",
    ("totp_credentials", "user_id"): "account.second_factor (the secret itself is never shown again)",
    ("messages", "author_id"): "messages",
    ("message_reactions", "user_id"): "message_reactions",
    ("room_members", "user_id"): "rooms",
    ("conversations", "user_low"): "conversations",
    ("conversations", "user_high"): "conversations",
    ("conversation_members", "user_id"): "conversations",
    ("messaging_prefs", "user_id"): "messaging_settings",
    ("blocks", "blocker_id"): "blocks",
    ("blocks", "blocked_id"): "not exported: who blocked you is never told (their choice, their data)",
    ("forum_threads", "author_id"): "forum.threads",
    ("forum_posts", "author_id"): "forum.posts",
    ("forum_reactions", "user_id"): "forum.reactions",
    ("forum_follows", "user_id"): "forum.follows",
    ("forum_read_marks", "user_id"): "forum.read_marks",
    ("forum_preferences", "user_id"): "forum.preferences",
    ("mentor_profiles", "user_id"): "mentoring.profile",
    ("mentor_requests", "member_id"): "mentoring.requests",
    ("mentor_requests", "mentor_id"): "mentoring.mentorships (a matched request becomes a mentorship)",
    ("mentor_declines", "mentor_id"): "mentoring.declined_request_ids",
    ("mentorships", "mentor_id"): "mentoring.mentorships",
    ("mentorships", "mentee_id"): "mentoring.mentorships",
    ("mentorships", "assigned_by_id"): "not exported: a moderator's record of matching two other members",
    ("talk_requests", "member_id"): "talk_now",
    ("talk_requests", "helper_id"): "talk_now",
    ("helper_status", "user_id"): "talk_now_helper",
    ("safety_plans", "user_id"): "safety_plan",
    ("concern_reports", "reporter_id"): "concerns_raised",
    ("concern_reports", "target_id"): "not exported: worries others raised about you stay anonymous; any care they led to is in crisis_flags",
    ("crisis_flags", "member_id"): "crisis_flags (your own words and the outcome; not staff notes)",
    ("crisis_flags", "claimed_by"): "not exported: staff work on another member's crisis",
    ("crisis_flags", "resolved_by"): "not exported: staff work on another member's crisis",
    ("crisis_flag_notes", "author_id"): "not exported: care notes about another member",
    ("crisis_flag_audit", "actor_id"): "not exported: staff audit of another member's crisis",
    ("oncall", "user_id"): "staff.on_call",
    ("oncall_rota", "user_id"): "staff.rota",
    ("meeting_hands", "user_id"): "meeting_hands",
    ("meetings", "host_id"): "recovery.meetings_hosted",
    ("meetings", "speaker_id"): "not exported: who holds the floor right now in a live meeting (cleared when it moves on)",
    ("meeting_reminders", "user_id"): "recovery.meeting_reminders",
    ("recovery_profiles", "user_id"): "recovery.timezone",
    ("day_counters", "user_id"): "recovery.day_counts",
    ("milestones", "user_id"): "recovery.milestones",
    ("check_ins", "user_id"): "recovery.check_ins",
    ("goals", "user_id"): "recovery.goals",
    ("partnerships", "user_low"): "recovery.partnerships",
    ("partnerships", "user_high"): "recovery.partnerships",
    ("partnerships", "requested_by"): "recovery.partnerships",
    ("warning_consents", "user_id"): "recovery.early_warning",
    ("warning_consents", "recipient_id"): "recovery.early_warning",
    ("warning_notices", "user_id"): "recovery.early_warning.shared (every notice sent about you, word for word)",
    ("warning_notices", "recipient_id"): "recovery.notices_received",
    **MODERATION_COVERAGE,
}


async def _names(session: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(User.id, User.pseudonym).where(User.id.in_(wanted)))
    return {i: name for i, name in rows}


async def export(h: Hearth, auth: Auth) -> dict[str, Any]:
    """Everything Hearth holds about the member, as one JSON document."""
    me = auth.user.id
    recovery = await recovery_data.export(h, auth)
    sessions = await list_sessions(h, auth)
    codes_left = await remaining_recovery_codes(h, me)
    factor = await second_factor.status(h, auth)
    async with h.db.read() as s:
        messages = [
            {**message_out(m, auth.user, auth.user), "room_kind": kind}
            for m, kind in await s.execute(
                select(Message, Room.kind).join(Room, Room.id == Message.room_id).where(Message.author_id == me).order_by(Message.id))
        ]
        message_reactions = [{"message_id": r.message_id, "kind": r.kind, "created_at": _iso(r.created_at)}
                             for r in await s.scalars(select(MessageReaction).where(MessageReaction.user_id == me))]
        rooms = [{"room_id": r.room_id, "name": name, "joined_at": _iso(r.joined_at), "last_read_seq": r.last_read_seq}
                 for r, name in await s.execute(select(RoomMember, Room.name).join(Room, Room.id == RoomMember.room_id)
                                                .where(RoomMember.user_id == me).order_by(RoomMember.room_id))]
        conv_rows = list(await s.scalars(select(Conversation).where(or_(Conversation.user_low == me, Conversation.user_high == me))
                                         .order_by(Conversation.room_id)))
        names = await _names(s, {c.user_high if c.user_low == me else c.user_low for c in conv_rows})
        reads = {m.room_id: m.last_read_seq for m in await s.scalars(select(ConversationMember).where(ConversationMember.user_id == me))}
        conversations = [{"id": c.room_id, "with": names.get(c.user_high if c.user_low == me else c.user_low), "purpose": c.purpose,
                          "created_at": _iso(c.created_at), "last_read_seq": reads.get(c.room_id)} for c in conv_rows]
        prefs = await s.get(MessagingPrefs, me)
        block_rows = list(await s.scalars(select(Block).where(Block.blocker_id == me).order_by(Block.created_at)))
        blocked_names = await _names(s, {b.blocked_id for b in block_rows})
        threads = [{"id": t.id, "board_id": t.board_id, "title": t.title, "created_at": _iso(t.created_at),
                    "deleted": t.deleted_at is not None, "hidden": t.hidden_at is not None}
                   for t in await s.scalars(select(ForumThread).where(ForumThread.author_id == me).order_by(ForumThread.id))]
        posts = [{"id": p.id, "thread_id": p.thread_id, "opening": p.is_opening, "body": p.body, "content_notes": p.content_notes,
                  "created_at": _iso(p.created_at), "edited_at": _iso(p.edited_at), "deleted": p.deleted_at is not None,
                  "hidden": p.hidden_at is not None}
                 for p in await s.scalars(select(ForumPost).where(ForumPost.author_id == me).order_by(ForumPost.id))]
        reactions = [{"post_id": r.post_id, "kind": r.kind, "created_at": _iso(r.created_at)}
                     for r in await s.scalars(select(ForumReaction).where(ForumReaction.user_id == me))]
        follows = [f.thread_id for f in await s.scalars(select(ForumFollow).where(ForumFollow.user_id == me))]
        read_marks = [{"thread_id": r.thread_id, "last_read_post_id": r.last_read_post_id}
                      for r in await s.scalars(select(ForumReadMark).where(ForumReadMark.user_id == me))]
        forum_prefs = await s.get(ForumPreference, me)
        profile = await s.get(MentorProfile, me)
        requests = [{"id": r.id, "focus": r.focus, "tz_band": r.tz_band, "language": r.language, "status": r.status,
                     "created_at": _iso(r.created_at), "matched_at": _iso(r.matched_at)}
                    for r in await s.scalars(select(MentorRequest).where(MentorRequest.member_id == me).order_by(MentorRequest.id))]
        ships = list(await s.scalars(select(Mentorship).where(or_(Mentorship.mentor_id == me, Mentorship.mentee_id == me))
                                     .order_by(Mentorship.id)))
        ship_names = await _names(s, {m.mentee_id if m.mentor_id == me else m.mentor_id for m in ships})
        declined = [d.request_id for d in await s.scalars(select(MentorDecline).where(MentorDecline.mentor_id == me))]
        talks = [{"id": t.id, "as": "member" if t.member_id == me else "helper", "status": t.status, "conversation_id": t.room_id,
                  "created_at": _iso(t.created_at), "ended_at": _iso(t.ended_at)}
                 for t in await s.scalars(select(TalkRequest).where(or_(TalkRequest.member_id == me, TalkRequest.helper_id == me))
                                          .order_by(TalkRequest.id))]
        helper = await s.get(HelperStatus, me)
        plan = await s.get(SafetyPlan, me)
        concerns = [{"id": c.id, "message_id": c.message_id, "created_at": _iso(c.created_at)}
                    for c in await s.scalars(select(ConcernReport).where(ConcernReport.reporter_id == me).order_by(ConcernReport.id))]
        flags = [{"id": f.id, "status": f.status, "severity": f.severity, "created_at": _iso(f.created_at),
                  "resolved_at": _iso(f.resolved_at), "outcome": f.outcome,
                  "your_words": [i.get("excerpt") for i in f.items if i.get("excerpt")]}
                 for f in await s.scalars(select(CrisisFlag).where(CrisisFlag.member_id == me).order_by(CrisisFlag.id))]
        on_call = await s.get(OnCall, me)
        rota = [{"weekday": r.weekday, "start_minute": r.start_minute, "end_minute": r.end_minute}
                for r in await s.scalars(select(RotaSlot).where(RotaSlot.user_id == me).order_by(RotaSlot.id))]
        hands = [{"meeting_id": m.meeting_id, "raised_at": _iso(m.raised_at)}
                 for m in await s.scalars(select(MeetingHand).where(MeetingHand.user_id == me))]
        moderation = await export_moderation(s, me)
    return {
        "format": "hearth-export-1",
        "exported_at": utcnow().isoformat(),
        "account": {"id": me, "pseudonym": auth.user.pseudonym, "role": auth.user.role, "created_at": _iso(auth.user.created_at),
                    "recovery_codes_left": codes_left, "second_factor": factor},
        "sessions": sessions,
        "messages": messages,
        "message_reactions": message_reactions,
        "rooms": rooms,
        "conversations": conversations,
        "messaging_settings": {"who_can_message": prefs.who_can_message, "read_receipts": prefs.read_receipts} if prefs else None,
        "blocks": [{"pseudonym": blocked_names.get(b.blocked_id), "since": _iso(b.created_at)} for b in block_rows],
        "forum": {"threads": threads, "posts": posts, "reactions": reactions, "follows": follows, "read_marks": read_marks,
                  "preferences": {"hidden_note_kinds": forum_prefs.hidden_note_kinds} if forum_prefs else None},
        "mentoring": {
            "profile": None if profile is None else {
                "recovery_since": profile.recovery_since.isoformat(),
                "focus": profile.focus, "tz_band": profile.tz_band, "languages": profile.languages,
                "max_mentees": profile.max_mentees, "volunteering": profile.volunteering},
            "requests": requests,
            "mentorships": [{"id": m.id, "as": "mentor" if m.mentor_id == me else "mentee",
                             "with": ship_names.get(m.mentee_id if m.mentor_id == me else m.mentor_id), "status": m.status,
                             "conversation_id": m.room_id, "started_at": _iso(m.started_at), "ended_at": _iso(m.ended_at)} for m in ships],
            "declined_request_ids": declined,
        },
        "talk_now": talks,
        "talk_now_helper": None if helper is None else {"available": helper.available, "max_chats": helper.max_chats},
        "safety_plan": None if plan is None else {
            "warning_signs": plan.warning_signs, "coping_steps": plan.coping_steps, "people_and_places": plan.people_and_places,
            "reasons_to_keep_going": plan.reasons_to_keep_going, "updated_at": _iso(plan.updated_at)},
        "concerns_raised": concerns,
        "crisis_flags": flags,
        "staff": {"on_call": None if on_call is None else {"manual": on_call.manual, "max_flags": on_call.max_flags}, "rota": rota},
        "meeting_hands": hands,
        "moderation": moderation,
        "recovery": recovery,
    }


async def _check_identity(h: Hearth, auth: Auth, password: object, totp_code: object) -> None:
    """Deleting an account is for its owner only: the password again, and the
    authenticator code when the account has one (a stolen session is not enough)."""
    if not isinstance(password, str) or len(password) > 1024 or not await h.hasher.verify(auth.user.password_hash, password):
        raise LoginFailed("Your password isn't right, so nothing was deleted.", code="wrong_password")
    async with h.transaction() as tx:
        await second_factor.use_at_log_in(h, tx.session, auth.user, totp_code, None)


async def _remove_messages(tx: Tx, user_id: int) -> None:
    """Like deleting each message: the words go, each change takes the room's next
    seq and is published, so open clients and resumes see it."""
    from server.actions.messages import _emit_change, _next_seq

    now = utcnow()
    rows = await tx.session.scalars(select(Message).where(Message.author_id == user_id, Message.deleted_at.is_(None)).order_by(Message.id))
    for message in list(rows):
        message.body, message.deleted_at = "", now
        if await _room_open(tx.session, message.room_id):
            message.version_seq = await _next_seq(tx.session, message.room_id)
            _emit_change(tx, "message_deleted", message, None, message.version_seq)
        # An archived room takes no new seq: its readers load history afresh.


async def _room_open(session: AsyncSession, room_id: int) -> bool:
    return await session.scalar(select(Room.id).where(Room.id == room_id, Room.archived_at.is_(None))) is not None


async def _remove_forum_posts(tx: Tx, user_id: int) -> None:
    from server.actions.forum import _erase

    now = utcnow()
    for post in list(await tx.session.scalars(select(ForumPost).where(ForumPost.author_id == user_id, ForumPost.deleted_at.is_(None)))):
        thread = await tx.session.get(ForumThread, post.thread_id)
        _erase(post)
        post.deleted_at = now
        if thread is None:
            continue
        if post.is_opening:
            thread.deleted_at, thread.title = now, ""
            tx.emit(f"thread:{thread.id}", {"type": "forum_thread_removed", "thread_id": thread.id})
        else:
            if post.hidden_at is None:
                thread.reply_count = max(0, thread.reply_count - 1)
            tx.emit(f"thread:{thread.id}", {"type": "forum_post_removed", "thread_id": thread.id, "post_id": post.id, "reason": "deleted"})


async def _scrub_flag_context(tx: Tx, user: User, remove: bool) -> None:
    """Other members' crisis flags keep a few surrounding messages as context; this
    member's words there follow their choice (removed, or "a former member")."""
    for flag in list(await tx.session.scalars(select(CrisisFlag).where(or_(CrisisFlag.member_id != user.id, CrisisFlag.member_id.is_(None))))):
        changed = False
        items = []
        for item in flag.items:
            context = []
            for entry in item.get("context") or []:
                if isinstance(entry, dict) and entry.get("author") == user.pseudonym:
                    entry = {**entry, "author": None, "body": "" if remove else entry.get("body")}
                    changed = True
                context.append(entry)
            items.append({**item, "context": context} if "context" in item else item)
        if changed:
            flag.items = items


async def _release_counters(tx: Tx, user_id: int) -> None:
    """Mentorships and talk-now chats with this member end: their helpers' caps free up."""
    now = utcnow()
    for ship in list(await tx.session.scalars(select(Mentorship).where(Mentorship.mentee_id == user_id, Mentorship.status == "active"))):
        await tx.session.execute(update(MentorProfile).where(MentorProfile.user_id == ship.mentor_id, MentorProfile.active_mentees > 0)
                                 .values(active_mentees=MentorProfile.active_mentees - 1))
        tx.emit(f"user:{ship.mentor_id}", {"type": "mentorship_ended", "mentorship": {"id": ship.id}, "note": "This member has left Hearth."})
    for talk in list(await tx.session.scalars(select(TalkRequest).where(TalkRequest.member_id == user_id, TalkRequest.status == "taken"))):
        await tx.session.execute(update(HelperStatus).where(HelperStatus.user_id == talk.helper_id, HelperStatus.active_chats > 0)
                                 .values(active_chats=HelperStatus.active_chats - 1))
        tx.emit(f"user:{talk.helper_id}", {"type": "talk_now_ended", "request_id": talk.id, "conversation_id": talk.room_id})
    for ship in list(await tx.session.scalars(select(Mentorship).where(Mentorship.mentor_id == user_id, Mentorship.status == "active"))):
        ship.status, ship.ended_at = "ended", now
        tx.emit(f"user:{ship.mentee_id}", {"type": "mentorship_ended", "mentorship": {"id": ship.id}, "note": "Your mentor has left Hearth."})


async def delete_account(h: Hearth, auth: Auth, password: object, messages: object, totp_code: object = None) -> dict[str, Any]:
    if messages not in MESSAGE_CHOICES:
        raise InvalidField('Choose what happens to your messages and posts: "keep" (shown as from a former member) or "remove".',
                           code="choose_messages")
    await _check_identity(h, auth, password, totp_code)
    remove = messages == "remove"
    await recovery_data.delete_all(h, auth)  # its own events: partners are told
    user_id = auth.user.id
    async with h.transaction() as tx:
        user = await tx.session.scalar(select(User).where(User.id == user_id).with_for_update())
        if user is None:
            return {"deleted": True}
        if remove:
            await _remove_messages(tx, user_id)
            await _remove_forum_posts(tx, user_id)
        await _scrub_flag_context(tx, user, remove)
        await _release_counters(tx, user_id)
        for flag in list(await tx.session.scalars(select(CrisisFlag).where(CrisisFlag.member_id == user_id))):
            # The flag stays, with its preserved copy; staff see that the member left.
            await audit(tx.session, flag.id, None, "member_left", utcnow(), messages=str(messages))
        await end_sessions_in(tx, user_id, "account_deleted")
        await tx.session.execute(delete(User).where(User.id == user_id))  # the rest cascades or becomes NULL
        if h.settings.is_sqlite:
            # FTS5 keeps deleted terms in old segments until a merge: merge now so
            # the words are gone from the file, not only from search results.
            await tx.session.execute(text("INSERT INTO message_fts(message_fts) VALUES ('optimize')"))
            await tx.session.execute(text("INSERT INTO forum_post_fts(forum_post_fts) VALUES ('optimize')"))
    return {"deleted": True, "messages": messages}
