"""Automatic flags on the write paths (chat and private messages, forum posts),
run inside the write's own transaction, next to crisis screening.

- `gate` (before the room lock is taken): may this member post here now? Mutes,
  paused rooms, and rate limits per account (by trust level) and per network
  address.
- `screen` (before the insert): `check_text` with the admins' watched words and,
  for new accounts, the repeat tracker. A "block" refuses the write with the
  finding's notice (nothing is stored); a "replace" changes the words; a
  "hold" stores it for review; the author is told gently.
- `after_write` (once stored, with an id): opens or adds to the review case.

A message the crisis detector finds worrying is never blocked or held: its
findings become plain flags. Private conversations are never put in the
queue automatically (staff read them only through a participant's report):
there only "block" and "replace" words apply. Repeats are tracked per process,
in memory, for new accounts only (a raid's shape; regulars repeat innocently)."""

from __future__ import annotations

import dataclasses
import time
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from moderation import sanctions, trust, watchlist
from moderation.autoflags import ACTION_RANK, Finding, NearDuplicateTracker, apply_replacements, check_text
from moderation.cases import gather
from server.actions.accounts import Auth
from server.errors import HearthError
from server.models import Room, User
from server.models.accounts import STAFF_ROLES
from server.ratelimit import address_key
from server.services import Hearth, Tx

if TYPE_CHECKING:
    from server.actions.rooms import PostingRoom

_trackers: "weakref.WeakKeyDictionary[Hearth, NearDuplicateTracker]" = weakref.WeakKeyDictionary()
NEW_MEMBER_RATE_DETAIL = ("New accounts can send a few messages a minute while they settle in. "
                          "Please wait a moment; you'll be able to write more soon.")


class Blocked(HearthError):
    status = 422
    code = "message_blocked"


@dataclass
class Verdict:
    text: str
    hold: bool = False
    notice: str | None = None
    findings: list[Finding] = field(default_factory=list)  # for the review case (flag and hold)
    new_account: bool = False

    @property
    def severity(self) -> int:
        return max((f.severity for f in self.findings), default=1)


def _tracker(h: Hearth) -> NearDuplicateTracker:
    tracker = _trackers.get(h)
    if tracker is None:
        tracker = _trackers[h] = NearDuplicateTracker()
    return tracker


async def check_rates(h: Hearth, auth: Auth, kind: str, *, new_account: bool) -> None:
    """Per account (by trust level) and per network address. The address is
    only a keyed hash inside the limiter's window: never stored, never logged."""
    if kind == "message":
        spec = h.settings.new_member_message_rate if new_account else h.settings.message_rate
        await h.limits.check("message_new" if new_account else "message", spec, auth.user.id,
                             detail=NEW_MEMBER_RATE_DETAIL if new_account else None)
    if kind == "open":
        await h.limits.check("conversation_open", h.settings.conversation_open_rate, auth.user.id,
                             detail="You've opened several new conversations in a short time. Please wait a little before opening another.")
    if auth.address:
        await h.limits.check("address_write", h.settings.address_write_rate, address_key(h.settings.secret_key, auth.address))


async def gate(h: Hearth, tx: Tx, auth: Auth, *, room: "Room | PostingRoom | None", now: datetime, rate: str | None = "message",
               edit: bool = False) -> bool:
    """Before anything is written: may this member post here now? Mutes, paused
    rooms and rate limits. Returns whether the author is a new account (trust level 0)."""
    author = auth.user
    await sanctions.check_may_speak(tx.session, author, room.id if room else None, now)
    new = author.role not in STAFF_ROLES and await trust.is_new(tx.session, h.settings, author, now)
    if room is not None and room.kind == "topic" and not edit:
        await sanctions.room_rules(tx.session, author, room, now, new_account=new)
    if rate and not edit:
        await check_rates(h, auth, rate, new_account=new)
    return new


async def screen(h: Hearth, author: User, text: str, *, place: str, new_account: bool, edit: bool = False) -> Verdict:
    """The automatic flags for words about to be stored (`place`: room | conversation | forum)."""
    if author.role in STAFF_ROLES:
        return Verdict(text)
    findings = check_text(text, is_new_account=new_account, watched=await watchlist.current(h))
    if new_account and not edit and place != "conversation":
        repeat = _tracker(h).observe(author.id, text, time.monotonic())
        if repeat is not None:
            findings.append(repeat)
    return judge(h, text, findings, place=place, edit=edit, new_account=new_account)


def judge(h: Hearth, text: str, findings: list[Finding], *, place: str, edit: bool, new_account: bool) -> Verdict:
    from moderation.crisis import assess

    if not findings:
        return Verdict(text, new_account=new_account)
    if not h.settings.hold_identifying:
        findings = [dataclasses.replace(f, action="flag") if f.kind == "identifying" and f.action == "hold" else f for f in findings]
    if place == "conversation":
        findings = [f for f in findings if f.action in ("block", "replace")]
    if any(f.action in ("block", "hold") for f in findings) and assess(text).severity != "none":
        # Someone who may be in crisis is never stopped or kept waiting: a person looks instead.
        findings = [dataclasses.replace(f, action="flag") if f.action in ("block", "hold") else f for f in findings]
    if edit:  # an edit of a message people have already seen: flag it rather than hold it
        findings = [dataclasses.replace(f, action="flag") if f.action == "hold" else f for f in findings]
    worst = max(findings, key=lambda f: ACTION_RANK[f.action], default=None)
    if worst is not None and worst.action == "block":
        raise Blocked(worst.author_notice or "This message wasn't sent because it includes words this community has asked us to keep out.")
    replaced = apply_replacements(text, findings) if any(f.action == "replace" for f in findings) else text
    held = [f for f in findings if f.action == "hold"]
    notice = next((f.author_notice for f in held if f.author_notice), None)
    return Verdict(replaced, hold=bool(held), notice=notice,
                   findings=[f for f in findings if f.action in ("flag", "hold")], new_account=new_account)


async def after_write(h: Hearth, tx: Tx, verdict: Verdict, *, author: User, target_kind: str, target_id: int, place: str,
                      room_id: int | None, thread_id: int | None, body: str, now: datetime) -> None:
    """A flag or a hold opens (or adds to) the item's review case."""
    if not verdict.findings or place == "conversation":
        return
    snapshot: dict[str, Any] = {"item": {"id": target_id, "author": author.pseudonym, "body": body[:4000], "at": now.isoformat()},
                                "held": verdict.hold}
    await gather(h, tx, source="auto", target_kind=target_kind, target_id=target_id, target_user=author,
                 place_kind=place, room_id=room_id, thread_id=thread_id,
                 reasons=sorted({f.kind for f in verdict.findings}), findings=verdict.findings,
                 severity=verdict.severity, snapshot=snapshot, now=now)

