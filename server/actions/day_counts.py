"""Day counts, new starts, milestones, sharing a milestone to the Wins room,
support cheers on shared milestones, and the day-count badges beside pseudonyms.

A shared milestone is an ordinary message in the Wins room, so its support is
the room's own reactions: a cheer here is the "support" reaction on that message,
and the counts are the same whether given from the room or from this API.

A new start is recorded without judgement: the old start stays, so the total
days in recovery keep counting what came before."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions import messages, reactions
from server.actions.accounts import Auth
from server.actions.recovery_profile import flag, member_zone
from server.actions.rooms import sharing_a_room
from server.errors import Conflict, InvalidField, NotFound
from server.models import Message, Room, User, utcnow
from server.models.recovery import DayCounter, DayCountStart, Milestone
from server.recovery import days
from server.services import Hearth
from server.text import clean_body, clean_line

WINS_ROOM = "wins-milestones"  # seeded by the first migration
MAX_COUNTERS = 10
WINS_LIMIT = 100
CHEER = "support"  # the room reaction a cheer is


def _label(data: dict[str, Any], default: str | None = None) -> str:
    value = data.get("label", default)
    return clean_line(value, field="label", min_chars=1, max_chars=60)


async def _own_counter(session: AsyncSession, auth: Auth, counter_id: object) -> DayCounter:
    """The one access check for day counters: only their owner, NotFound otherwise."""
    if not isinstance(counter_id, int) or isinstance(counter_id, bool):
        raise NotFound()
    counter = await session.get(DayCounter, counter_id)
    if counter is None or counter.user_id != auth.user.id:
        raise NotFound()
    return counter


async def _starts(session: AsyncSession, counter_id: int) -> list[DayCountStart]:
    return list(await session.scalars(select(DayCountStart).where(DayCountStart.counter_id == counter_id).order_by(DayCountStart.start_date)))


def _mark_out(mark: days.MilestoneMark, today: date) -> dict[str, Any]:
    return {"key": mark.key, "label": mark.label, "on": mark.on.isoformat(), "days_to_go": max(0, (mark.on - today).days)}


async def counter_out(session: AsyncSession, counter: DayCounter, today: date) -> dict[str, Any]:
    starts = await _starts(session, counter.id)
    count = days.day_count([s.start_date for s in starts], today)
    current = starts[-1]
    kept = {m.key: m for m in await session.scalars(select(Milestone).where(Milestone.start_id == current.id))}
    reached = []
    for mark in days.reached(current.start_date, today):
        row = kept.get(mark.key)
        reached.append({**_mark_out(mark, today), "milestone_id": row.id if row else None,
                        "seen": bool(row and row.seen_at), "shared": bool(row and row.shared_at)})
    return {
        "id": counter.id, "label": counter.label, "shared": counter.shared, "today": today.isoformat(),
        "current_start": count.current_start.isoformat(), "current_days": count.current_days,
        "total_days": count.total_days, "new_starts": count.starts - 1,
        "starts": [{"id": s.id, "start_date": s.start_date.isoformat(), "recorded_at": s.recorded_at.isoformat()} for s in starts],
        "milestones": reached,
        "next_milestone": _mark_out(days.next_milestone(current.start_date, today), today),
        # The newest milestone, while not yet celebrated: the client shows the moment, then marks
        # it seen. Older ones passed while away are listed in `milestones`, not celebrated again.
        "celebrate": reached[-1] if reached and not reached[-1]["seen"] else None,
    }


async def list_counters(h: Hearth, auth: Auth, *, now: datetime | None = None) -> list[dict[str, Any]]:
    async with h.db.read() as session:
        today = days.local_today(now or utcnow(), await member_zone(session, auth.user.id))
        counters = await session.scalars(select(DayCounter).where(DayCounter.user_id == auth.user.id).order_by(DayCounter.id))
        return [await counter_out(session, c, today) for c in counters]


async def create_counter(h: Hearth, auth: Auth, data: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    label = _label(data, "My recovery")
    shared = flag(data, "shared", False)
    async with h.transaction() as tx:
        today = days.local_today(now or utcnow(), await member_zone(tx.session, auth.user.id))
        start = days.check_start(days.parse_date(data.get("start_date", today.isoformat()), "start_date"), today)
        existing = await tx.session.scalar(select(func.count()).select_from(DayCounter).where(DayCounter.user_id == auth.user.id))
        if (existing or 0) >= MAX_COUNTERS:
            raise Conflict(f"You can keep up to {MAX_COUNTERS} day counts. Remove one you no longer need first.", code="too_many")
        counter = DayCounter(user_id=auth.user.id, label=label, shared=bool(shared), created_at=utcnow())
        tx.session.add(counter)
        await tx.session.flush()
        tx.session.add(DayCountStart(counter_id=counter.id, start_date=start, recorded_at=utcnow()))
        await tx.session.flush()
        return await counter_out(tx.session, counter, today)


async def update_counter(h: Hearth, auth: Auth, counter_id: object, data: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """Rename, share or unshare, or correct the current start date (a typo, not a new start)."""
    label = _label(data) if "label" in data else None
    shared = flag(data, "shared")
    async with h.transaction() as tx:
        counter = await _own_counter(tx.session, auth, counter_id)
        today = days.local_today(now or utcnow(), await member_zone(tx.session, auth.user.id))
        if label is not None:
            counter.label = label
        if shared is not None:
            counter.shared = shared
        if "start_date" in data:
            starts = await _starts(tx.session, counter.id)
            previous = starts[-2].start_date if len(starts) > 1 else None
            corrected = days.check_start(days.parse_date(data["start_date"], "start_date"), today, after=previous)
            if corrected != starts[-1].start_date:
                await tx.session.execute(delete(Milestone).where(Milestone.start_id == starts[-1].id, Milestone.shared_at.is_(None)))
                starts[-1].start_date = corrected
        await tx.session.flush()
        return await counter_out(tx.session, counter, today)


async def new_start(h: Hearth, auth: Auth, counter_id: object, data: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    async with h.transaction() as tx:
        counter = await _own_counter(tx.session, auth, counter_id)
        today = days.local_today(now or utcnow(), await member_zone(tx.session, auth.user.id))
        starts = await _starts(tx.session, counter.id)
        start = days.check_start(days.parse_date(data.get("start_date", today.isoformat()), "start_date"), today,
                                 after=starts[-1].start_date)
        tx.session.add(DayCountStart(counter_id=counter.id, start_date=start, recorded_at=utcnow()))
        await tx.session.flush()
        return await counter_out(tx.session, counter, today)


async def delete_counter(h: Hearth, auth: Auth, counter_id: object) -> None:
    async with h.transaction() as tx:
        counter = await _own_counter(tx.session, auth, counter_id)
        await tx.session.delete(counter)


async def _reached_milestone(session: AsyncSession, auth: Auth, counter_id: object, key: object, now: datetime | None) -> tuple[DayCounter, Milestone]:
    """The milestone row for a milestone the current start has reached (created on first use)."""
    counter = await _own_counter(session, auth, counter_id)
    if not isinstance(key, str):
        raise NotFound()
    today = days.local_today(now or utcnow(), await member_zone(session, auth.user.id))
    current = (await _starts(session, counter.id))[-1]
    mark = days.milestone_on(current.start_date, key)
    if mark.on > today:
        raise NotFound("You haven't reached that milestone yet. It's coming.")
    row = await session.scalar(select(Milestone).where(Milestone.start_id == current.id, Milestone.key == mark.key))
    if row is None:
        row = Milestone(user_id=auth.user.id, counter_id=counter.id, start_id=current.id, key=mark.key, reached_on=mark.on)
        session.add(row)
        await session.flush()
    return counter, row


async def mark_seen(h: Hearth, auth: Auth, counter_id: object, key: object, *, now: datetime | None = None) -> dict[str, Any]:
    async with h.transaction() as tx:
        counter, row = await _reached_milestone(tx.session, auth, counter_id, key, now)
        row.seen_at = row.seen_at or utcnow()
        today = days.local_today(now or utcnow(), await member_zone(tx.session, auth.user.id))
        await tx.session.flush()
        return await counter_out(tx.session, counter, today)


def _share_text(mark: days.MilestoneMark, label: str | None, note: str) -> str:
    what = f"{mark.label} in recovery" + (f" ({label})" if label else "")
    text = f"Celebrating {what} today. One day at a time."
    return f"{text}\n\n{note}" if note else text


async def share_milestone(h: Hearth, auth: Auth, counter_id: object, key: object, data: dict[str, Any],
                          *, now: datetime | None = None) -> dict[str, Any]:
    """Post the milestone to the Wins room as the member's own message. Sharing
    twice returns the first post (the message's client_id is the milestone's)."""
    note = clean_body(data["note"], field="note", max_chars=500) if data.get("note") else ""
    include_label = flag(data, "include_label", False)
    async with h.transaction() as tx:
        counter, row = await _reached_milestone(tx.session, auth, counter_id, key, now)
        room_id = await tx.session.scalar(select(Room.id).where(Room.slug == WINS_ROOM, Room.kind == "topic"))
        row.seen_at = row.seen_at or utcnow()
        milestone_id, label = row.id, counter.label
        mark = days.MilestoneMark(row.key, _label_for(row.key), row.reached_on)
    if room_id is None:
        raise NotFound("The Wins room isn't open right now, so this can't be shared.")
    message, _ = await messages.send_message(h, auth, room_id, _share_text(mark, label if include_label else None, note),
                                             f"milestone-{milestone_id}")
    async with h.transaction() as tx:
        stored = await tx.session.get(Milestone, milestone_id)
        if stored is not None and stored.message_id is None:
            stored.message_id, stored.shared_at = message["id"], utcnow()
    return {"milestone_id": milestone_id, "message": message}


def _label_for(key: str) -> str:
    return days.milestone_on(date(2000, 1, 1), key).label


def _win_out(row: Milestone, message: Message, author: User | None, support: dict[str, Any]) -> dict[str, Any]:
    return {
        "milestone_id": row.id, "key": row.key, "label": _label_for(row.key), "message_id": message.id,
        "room_id": message.room_id, "author": {"id": author.id, "pseudonym": author.pseudonym} if author else None,
        "shared_at": row.shared_at.isoformat() if row.shared_at else None,
        "cheers": support["counts"].get(CHEER, 0), "cheered_by_me": CHEER in support["mine"], "reactions": support,
    }


async def list_wins(h: Hearth, auth: Auth, *, limit: int = 50) -> list[dict[str, Any]]:
    """Shared milestones, newest first, with their support reactions (counts, never who)."""
    async with h.db.read() as session:
        rows = (await session.execute(
            select(Milestone, Message, User).join(Message, Message.id == Milestone.message_id)
            .outerjoin(User, User.id == Milestone.user_id)
            .where(Message.deleted_at.is_(None)).order_by(Milestone.shared_at.desc()).limit(min(max(limit, 1), WINS_LIMIT))
        )).all()
        support = await reactions.counts_for(session, [msg.id for _, msg, _ in rows], auth.user.id)
        none: dict[str, Any] = {"counts": {}, "mine": []}
        return [_win_out(m, msg, u, support.get(msg.id, none)) for m, msg, u in rows]


async def cheer(h: Hearth, auth: Auth, milestone_id: object, *, on: bool) -> dict[str, Any]:
    """Send (or take back) the support reaction on a shared milestone's message;
    the room sees the new counts as for any reaction."""
    if not isinstance(milestone_id, int) or isinstance(milestone_id, bool):
        raise NotFound()
    async with h.db.read() as session:
        message_id = await session.scalar(select(Milestone.message_id).where(Milestone.id == milestone_id))
    if message_id is None:
        raise NotFound()
    summary = await reactions.react(h, auth, message_id, CHEER, on)
    return {"milestone_id": milestone_id, "cheers": summary["counts"].get(CHEER, 0), "cheered_by_me": CHEER in summary["mine"]}


async def badges(h: Hearth, auth: Auth, user_ids: list[int], *, now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """Day-count badges the members chose to share: label and current days only."""
    if len(user_ids) > 100:
        raise InvalidField("Ask for at most 100 members at once.")
    out: dict[str, list[dict[str, Any]]] = {}
    if not user_ids:
        return out
    async with h.db.read() as session:
        # Only people who share a room with the asker (and the asker): no paging through every member.
        shared = await sharing_a_room(session, auth.user.id, [i for i in set(user_ids) if i != auth.user.id])
        user_ids = [i for i in user_ids if i == auth.user.id or i in shared]
        counters = list(await session.scalars(select(DayCounter).where(DayCounter.user_id.in_(user_ids), DayCounter.shared.is_(True)).order_by(DayCounter.id)))
        for counter in counters:
            today = days.local_today(now or utcnow(), await member_zone(session, counter.user_id))
            count = days.day_count([s.start_date for s in await _starts(session, counter.id)], today)
            out.setdefault(str(counter.user_id), []).append({"label": counter.label, "days": count.current_days})
    return out


async def shared_counters(session: AsyncSession, user_id: int, today: date) -> list[dict[str, Any]]:
    """What an accountability partner sees of the day counts: only the shared ones."""
    counters = await session.scalars(select(DayCounter).where(DayCounter.user_id == user_id, DayCounter.shared.is_(True)).order_by(DayCounter.id))
    out = []
    for counter in counters:
        count = days.day_count([s.start_date for s in await _starts(session, counter.id)], today)
        out.append({"label": counter.label, "current_days": count.current_days, "total_days": count.total_days})
    return out
