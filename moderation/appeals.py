"""Appeals: a member may appeal each action against them once; a different
moderator (never the one who acted) decides, and the member is told.

A suspended or banned member cannot log in, so they appeal with their
pseudonym and password instead (`appeal_by_login`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from moderation import audit
from moderation.cases import MODERATORS
from moderation.notices import notify
from moderation.sanctions import APPEALABLE, revoke_in
from server.accounts.pseudonyms import pseudonym_key
from server.actions import login_throttle
from server.actions.accounts import Auth, LoginFailed
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.models import Message, ModAction, ModAppeal, User
from server.services import Hearth, Tx
from server.text import clean_body

DECISIONS = ("upheld", "overturned")


def appeal_out(appeal: ModAppeal, action: ModAction | None = None, *, staff: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"id": appeal.id, "action_id": appeal.action_id, "body": appeal.body, "status": appeal.status,
                           "created_at": appeal.created_at.isoformat(),
                           "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
                           "decision_note": appeal.decision_note}
    if action is not None:
        out["action"] = {"kind": action.kind, "reason": action.reason, "created_at": action.created_at.isoformat(),
                         **({"by": action.actor_pseudonym, "member": action.target_pseudonym,
                             "target": {"kind": action.target_kind, "id": action.target_id}} if staff else {})}
    return out


async def _file(h: Hearth, tx: Tx, member: User, action: ModAction, body: str) -> ModAppeal:
    if action.target_user_id != member.id or action.kind not in APPEALABLE:
        raise NotFound()
    if await tx.session.scalar(select(ModAppeal.id).where(ModAppeal.action_id == action.id)) is not None:
        raise Conflict("You've already appealed this decision; each one can be appealed once.", code="already_appealed")
    appeal = ModAppeal(action_id=action.id, member_id=member.id, body=body, status="open", created_at=h.clock())
    tx.session.add(appeal)
    await tx.session.flush()
    tx.emit("staff", {"type": "appeal_filed", "appeal": appeal_out(appeal, action, staff=True)})
    return appeal


def _body(value: object) -> str:
    return clean_body(value, field="appeal", max_chars=2000)


async def appeal(h: Hearth, auth: Auth, action_id: object, body: object) -> dict[str, Any]:
    text = _body(body)
    try:
        async with h.transaction() as tx:
            action = await tx.session.get(ModAction, action_id) if isinstance(action_id, int) else None
            if action is None:
                raise NotFound()
            return appeal_out(await _file(h, tx, auth.user, action, text), action)
    except IntegrityError:
        raise Conflict("You've already appealed this decision; each one can be appealed once.", code="already_appealed") from None


async def appeal_by_login(h: Hearth, pseudonym: object, password: object, body: object, *,
                          address: str | None = None) -> dict[str, Any]:
    """For a suspended or banned member, who cannot log in: appeal the suspension or ban.
    It checks a password, so it shares log-in's brute-force throttle (`address` is for
    that only): otherwise it would be a door for guessing passwords without one."""
    if not isinstance(pseudonym, str) or not isinstance(password, str) or len(password) > 1024 or len(pseudonym) > 256:
        raise InvalidField("Please enter your pseudonym and password.")
    text = _body(body)
    name_key = pseudonym_key(pseudonym.strip())
    await login_throttle.check(h, name_key, address)
    async with h.db.read() as session:
        user = await session.scalar(select(User).where(User.pseudonym_key == name_key))
    if not await h.hasher.verify(user.password_hash if user else None, password) or user is None:
        await login_throttle.failed(h, name_key, address)
        raise LoginFailed()
    await login_throttle.succeeded(h, name_key, address)
    async with h.transaction() as tx:
        action = await tx.session.scalar(select(ModAction).where(
            ModAction.target_user_id == user.id, ModAction.kind.in_(("suspend", "ban")), ModAction.revoked_at.is_(None))
            .order_by(ModAction.id.desc()))
        if action is None or (action.expires_at is not None and action.expires_at <= h.clock()):
            raise NotFound("Your account isn't suspended: log in to appeal anything else from your notices.")
        return appeal_out(await _file(h, tx, user, action, text), action)


async def list_appeals(h: Hearth, auth: Auth, status: str = "open") -> list[dict[str, Any]]:
    if auth.user.role not in MODERATORS:
        raise Forbidden("Only moderators and admins can see appeals.")
    if status not in ("open", "upheld", "overturned"):
        raise InvalidField("status must be open, upheld or overturned.")
    async with h.db.read() as session:
        rows = await session.execute(select(ModAppeal, ModAction).join(ModAction, ModAction.id == ModAppeal.action_id)
                                     .where(ModAppeal.status == status).order_by(ModAppeal.id).limit(200))
        return [{**appeal_out(a, act, staff=True), "yours_to_decide": act.actor_id != auth.user.id} for a, act in rows]


async def my_appeals(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    async with h.db.read() as session:
        rows = await session.execute(select(ModAppeal, ModAction).join(ModAction, ModAction.id == ModAppeal.action_id)
                                     .where(ModAppeal.member_id == auth.user.id).order_by(ModAppeal.id.desc()))
        return [appeal_out(a, act) for a, act in rows]


async def decide(h: Hearth, auth: Auth, appeal_id: object, decision: object, note: object) -> dict[str, Any]:
    """A different moderator upholds or overturns. Overturning undoes what can be undone:
    a hidden item comes back, a mute, suspension or ban is lifted."""
    from server.actions import forum_moderation, messages
    from server.models import ForumPost, ForumThread

    if auth.user.role not in MODERATORS:
        raise Forbidden("Only moderators and admins can decide appeals.")
    if decision not in DECISIONS:
        raise InvalidField("decision must be upheld or overturned.")
    why = clean_body(note, field="note", max_chars=2000)
    now = h.clock()
    async with h.transaction() as tx:
        found = await tx.session.scalar(select(ModAppeal).where(ModAppeal.id == appeal_id).with_for_update()) \
            if isinstance(appeal_id, int) else None
        if found is None:
            raise NotFound()
        action = await tx.session.get(ModAction, found.action_id)
        assert action is not None
        if action.actor_id == auth.user.id:
            raise Forbidden("A different moderator needs to decide this appeal: it's about your own decision.", code="own_decision")
        if found.status != "open":
            raise Conflict("This appeal has already been decided.", code="already_decided")
        found.status, found.decided_by, found.decided_at, found.decision_note = str(decision), auth.user.id, now, why
        if decision == "overturned":
            if action.kind in ("mute", "suspend", "ban") and action.revoked_at is None:
                await revoke_in(tx, auth, action, f"appeal overturned: {why}", now)
            elif action.kind == "hide" and action.target_kind == "message":
                message = await tx.session.get(Message, action.target_id)
                if message is not None:
                    author = await tx.session.get(User, message.author_id) if message.author_id else None
                    await messages.hide_in(tx, message, author, False, "", now)
            elif action.kind == "hide" and action.target_kind == "post":
                post = await tx.session.get(ForumPost, action.target_id)
                thread = await tx.session.get(ForumThread, post.thread_id) if post else None
                if post is not None and thread is not None:
                    await forum_moderation.hide_in(tx, post, thread, False)
        audit.record(tx.session, auth.user, f"appeal_{decision}", target_kind="appeal", target_id=found.id,
                     target_pseudonym=action.target_pseudonym, reason=why, at=now, action_id=action.id, action_kind=action.kind)
        words = ("We looked at your appeal again and changed the decision. Thank you for telling us. " if decision == "overturned"
                 else "We looked at your appeal carefully and the decision stays. ") + f"A note from the moderator: {why}"
        await notify(tx, found.member_id, "appeal_decided", words, now, action_id=action.id)
        tx.emit("staff", {"type": "appeal_decided", "appeal": appeal_out(found, action, staff=True)})
        return appeal_out(found, action, staff=True)
