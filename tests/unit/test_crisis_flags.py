"""Crisis flags against a real database, with a clock the test controls and
the events each action published captured from the real broker."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from moderation import concerns, flags, oncall, sweeper
from server.actions import accounts, messages
from server.actions.accounts import Auth
from server.errors import Conflict, Forbidden, InvalidField
from server.models import CrisisFlag, FlagAudit, Message
from server.services import Hearth
from tests.support import PASSWORD, unique_name

IMMINENT = "I have the pills lined up and tonight is the night"
HIGH = "I keep thinking I want to die"
MILD = "Feeling pretty hopeless today"


class Clock:
    def __init__(self, h: Hearth) -> None:
        self.now = h.clock()
        h.clock = lambda: self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(hearth: Hearth) -> Clock:
    return Clock(hearth)


@pytest.fixture
def published(hearth: Hearth) -> list[tuple[str, dict[str, Any]]]:
    """Every event the actions publish, as the broker receives it."""
    seen: list[tuple[str, dict[str, Any]]] = []
    original = hearth.publish

    async def record(channel: str, event: dict[str, Any]) -> None:
        seen.append((channel, event))
        await original(channel, event)

    hearth.publish = record  # type: ignore[method-assign]
    return seen


async def member(h: Hearth, role: str = "member") -> Auth:
    name = unique_name("Guide" if role != "member" else "Member")
    if role == "member":
        _user, token, _codes = await accounts.sign_up(h, name, PASSWORD)
    else:
        await accounts.create_user(h, name, PASSWORD, role)
        _user, token = await accounts.log_in(h, name, PASSWORD)
    return await accounts.authenticate(h, token)


async def say(h: Hearth, auth: Auth, body: str, room: int = 1) -> dict[str, Any]:
    message, _ = await messages.send_message(h, auth, room, body, unique_name("c"))
    return message


def events(published: list[tuple[str, dict[str, Any]]], channel: str, kind: str) -> list[dict[str, Any]]:
    return [e for c, e in published if c == channel and e["type"] == kind]


async def open_flag(h: Hearth, member_id: int) -> CrisisFlag | None:
    async with h.db.read() as session:
        return await session.scalar(select(CrisisFlag).where(CrisisFlag.member_id == member_id, CrisisFlag.status != "resolved"))


async def test_a_crisis_message_and_its_flag_are_stored_together(hearth: Hearth, published: list[Any]) -> None:
    specialist = await member(hearth, "specialist")
    await oncall.set_on_call(hearth, specialist, True)
    person = await member(hearth)
    sent = await say(hearth, person, IMMINENT)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None and flag.severity == "imminent" and flag.status == "open"
    assert flag.items[0]["message_id"] == sent["id"] and flag.items[0]["evidence"]
    assert flag.alerted_at is not None
    raised = events(published, "oncall", "flag_raised")
    assert len(raised) == 1 and raised[0]["flag"]["id"] == flag.id
    # Only the member gets the resources; the room never hears of the flag.
    assert events(published, f"user:{person.user.id}", "crisis_resources")
    room_events = [e for c, e in published if c.startswith("room:")]
    assert all(e["type"] == "message" and "flag" not in e for e in room_events)
    assert not events(published, "staff", "flag_raised")  # someone is on call


async def test_the_alert_is_published_before_its_message_reaches_the_room(hearth: Hearth, published: list[Any]) -> None:
    """Fanning a message out to a big room takes tens of ms of uninterrupted work; the
    alert about it goes out first (moderation runs before the room's event is queued)."""
    specialist = await member(hearth, "specialist")
    await oncall.set_on_call(hearth, specialist, True)
    person = await member(hearth)
    published.clear()
    await say(hearth, person, IMMINENT)
    channels = [channel for channel, _ in published]
    assert channels.index("oncall") < channels.index("room:1")


async def test_ordinary_chat_and_idioms_raise_nothing(hearth: Hearth) -> None:
    person = await member(hearth)
    for text in ("Killing it at work this week!", "I'd kill for a coffee", "Day 30 today, feeling good", "hello everyone"):
        await say(hearth, person, text)
    assert await open_flag(hearth, person.user.id) is None


async def test_one_open_flag_gathers_messages_and_severity_only_rises(hearth: Hearth, published: list[Any]) -> None:
    person = await member(hearth)
    await say(hearth, person, MILD)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None and flag.severity == "concern"
    assert not events(published, f"user:{person.user.id}", "crisis_resources")  # concern: no resources push
    await say(hearth, person, IMMINENT)
    await say(hearth, person, MILD)
    async with hearth.db.read() as session:
        count = await session.scalar(select(func.count()).select_from(CrisisFlag).where(CrisisFlag.member_id == person.user.id))
    flag = await open_flag(hearth, person.user.id)
    assert count == 1 and flag is not None
    assert flag.severity == "imminent" and len(flag.items) == 3
    assert len(events(published, "oncall", "flag_raised")) == 2  # created, then rose
    assert events(published, "oncall", "flag_updated")
    assert events(published, f"user:{person.user.id}", "crisis_resources")


async def test_nobody_on_call_alerts_moderators_and_admins_at_once(hearth: Hearth, published: list[Any]) -> None:
    await member(hearth, "specialist")  # exists, but is off call
    person = await member(hearth)
    await say(hearth, person, HIGH)
    staff = events(published, "staff", "flag_raised")
    assert staff and staff[0]["reason"] == "nobody_on_call"


async def test_escalation_follows_the_deadlines_then_reaches_moderators(hearth: Hearth, clock: Clock, published: list[Any]) -> None:
    specialist = await member(hearth, "specialist")
    await oncall.set_on_call(hearth, specialist, True)
    person = await member(hearth)
    await say(hearth, person, IMMINENT)
    deadline = hearth.settings.escalate_seconds["imminent"]
    clock.advance(deadline - 1)
    assert await sweeper.escalate_due(hearth) == 0
    clock.advance(2)
    assert await sweeper.escalate_due(hearth) == 1
    assert await sweeper.escalate_due(hearth) == 0  # not again until the next deadline
    assert len(events(published, "oncall", "flag_escalated")) == 1
    assert not events(published, "staff", "flag_escalated")  # first: everyone on call again
    clock.advance(deadline + 1)
    assert await sweeper.escalate_due(hearth) == 1
    assert events(published, "staff", "flag_escalated")  # then moderators and admins
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None and flag.escalation_level == 2


@pytest.mark.parametrize("severity, text", [("high", HIGH), ("concern", MILD)])
async def test_deadlines_per_severity(hearth: Hearth, clock: Clock, severity: str, text: str) -> None:
    person = await member(hearth)
    await say(hearth, person, text)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None and flag.severity == severity
    clock.advance(hearth.settings.escalate_seconds[severity] - 5)
    assert await sweeper.escalate_due(hearth) == 0
    clock.advance(10)
    assert await sweeper.escalate_due(hearth) == 1


async def test_a_claimed_flag_does_not_escalate(hearth: Hearth, clock: Clock) -> None:
    specialist = await member(hearth, "specialist")
    person = await member(hearth)
    await say(hearth, person, IMMINENT)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None
    await flags.claim(hearth, specialist, flag.id)
    clock.advance(3600)
    assert await sweeper.escalate_due(hearth) == 0


async def test_exactly_one_of_two_simultaneous_claims_wins(hearth: Hearth) -> None:
    first, second = await member(hearth, "specialist"), await member(hearth, "specialist")
    person = await member(hearth)
    await say(hearth, person, IMMINENT)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None
    results = await asyncio.gather(flags.claim(hearth, first, flag.id), flags.claim(hearth, second, flag.id), return_exceptions=True)
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1 and losses[0].code == "already_claimed"


async def test_escalation_fires_once_when_two_processes_sweep(hearth: Hearth, clock: Clock) -> None:
    other = Hearth(hearth.settings)  # a second process on the same database
    other.clock = hearth.clock
    await other.start()
    try:
        person = await member(hearth)
        await say(hearth, person, IMMINENT)
        clock.advance(hearth.settings.escalate_seconds["imminent"] + 1)
        fired = await asyncio.gather(sweeper.escalate_due(hearth), sweeper.escalate_due(other))
        assert sum(fired) == 1
        flag = await open_flag(hearth, person.user.id)
        assert flag is not None
        async with hearth.db.read() as session:
            audits = await session.scalar(select(func.count()).select_from(FlagAudit).where(
                FlagAudit.flag_id == flag.id, FlagAudit.action == "escalated"))
        assert audits == 1
    finally:
        await other.stop()


async def test_cap_hand_over_resolve_follow_up_and_audit(hearth: Hearth, clock: Clock, published: list[Any]) -> None:
    first, second = await member(hearth, "specialist"), await member(hearth, "specialist")
    people = [await member(hearth) for _ in range(hearth.settings.specialist_max_flags + 1)]
    for person in people:
        await say(hearth, person, HIGH)
    ids = [f["id"] for f in await flags.list_flags(hearth, first)]
    for flag_id in ids[:-1]:
        await flags.claim(hearth, first, flag_id)
    with pytest.raises(Conflict) as capped:
        await flags.claim(hearth, first, ids[-1])
    assert capped.value.code == "flag_cap"

    handed = await flags.hand_over(hearth, first, ids[0], second.user.pseudonym, "End of my shift; they prefer evenings.")
    assert handed["claimed_by"]["id"] == second.user.id
    assert events(published, f"user:{second.user.id}", "flag_handed_to_you")
    with pytest.raises(Conflict):
        await flags.resolve(hearth, first, ids[0], "reached_safe", "not mine anymore")
    with pytest.raises(InvalidField):
        await flags.resolve(hearth, second, ids[0], "vanished", "no such outcome")
    resolved = await flags.resolve(hearth, second, ids[0], "reached_safe", "Talked for an hour; safe with family tonight.")
    assert resolved["status"] == "resolved" and resolved["outcome"] == "reached_safe"

    clock.advance(23 * 3600)
    assert await sweeper.follow_ups_due(hearth) == 0
    clock.advance(2 * 3600)
    assert await sweeper.follow_ups_due(hearth) == 1
    assert events(published, f"user:{second.user.id}", "follow_up_due")

    view = await flags.view_flag(hearth, second, ids[0])
    actions = [a["action"] for a in view["audit"]]
    assert actions[:1] == ["created"] and {"claimed", "handed_over", "resolved", "viewed"} <= set(actions)
    assert [n["kind"] for n in view["notes"]] == ["handover"]


async def test_imminent_resolution_prompts_a_debrief(hearth: Hearth) -> None:
    specialist = await member(hearth, "specialist")
    person = await member(hearth)
    await say(hearth, person, IMMINENT)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None
    await flags.claim(hearth, specialist, flag.id)
    out = await flags.resolve(hearth, specialist, flag.id, "referred_emergency", "Called 911 with them.")
    assert out["debrief_prompt"] is True
    note = await flags.add_note(hearth, specialist, flag.id, "Hard call. Talked it through with my supervisor.", "debrief")
    assert note["kind"] == "debrief"


async def test_members_cannot_touch_flags_and_deleting_the_message_keeps_the_flag(hearth: Hearth) -> None:
    person = await member(hearth)
    sent = await say(hearth, person, IMMINENT)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None
    for attempt in (flags.list_flags(hearth, person), flags.claim(hearth, person, flag.id),
                    flags.resolve(hearth, person, flag.id, "false_alarm", "it's fine"),
                    flags.view_flag(hearth, person, flag.id), flags.add_note(hearth, person, flag.id, "hi")):
        with pytest.raises(Forbidden):
            await attempt
    await messages.delete_message(hearth, person, sent["id"])
    after = await open_flag(hearth, person.user.id)
    assert after is not None and after.items[0]["excerpt"] == IMMINENT  # a preserved copy for staff
    async with hearth.db.read() as session:
        stored = await session.get(Message, sent["id"])
    assert stored is not None and stored.body == ""


async def test_resolution_needs_a_reason_and_false_alarms_keep_evidence(hearth: Hearth) -> None:
    moderator = await member(hearth, "moderator")
    person = await member(hearth)
    await say(hearth, person, HIGH)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None
    with pytest.raises(InvalidField):
        await flags.resolve(hearth, moderator, flag.id, "false_alarm", "   ")
    await flags.resolve(hearth, moderator, flag.id, "false_alarm", "Quoting a song lyric.")
    kept = await flags.false_alarms(hearth, moderator)
    assert kept[0]["id"] == flag.id and kept[0]["items"][0]["evidence"]


async def test_concern_reports_are_weighted_and_limited(hearth: Hearth, clock: Clock) -> None:
    target = await member(hearth)
    newcomers = [await member(hearth) for _ in range(2)]
    await concerns.raise_concern(hearth, newcomers[0], member_id=target.user.id)
    assert await open_flag(hearth, target.user.id) is None  # one new account's word is not enough
    await concerns.raise_concern(hearth, newcomers[0], member_id=target.user.id)  # repeats don't add up
    assert await open_flag(hearth, target.user.id) is None
    await concerns.raise_concern(hearth, newcomers[1], member_id=target.user.id)
    flag = await open_flag(hearth, target.user.id)
    assert flag is not None and flag.severity == "concern" and flag.place_kind == "concern"

    reporter = await member(hearth)
    others = [await member(hearth) for _ in range(6)]
    for other in others[:5]:
        await concerns.raise_concern(hearth, reporter, member_id=other.user.id)
    from server.errors import RateLimited

    with pytest.raises(RateLimited):
        await concerns.raise_concern(hearth, reporter, member_id=others[5].user.id)
    with pytest.raises(InvalidField):
        await concerns.raise_concern(hearth, reporter, member_id=reporter.user.id)


async def test_safety_plan_is_shared_only_with_the_holder(hearth: Hearth) -> None:
    from moderation import safety_plans

    holder, other = await member(hearth, "specialist"), await member(hearth, "specialist")
    person = await member(hearth)
    await safety_plans.save_plan(hearth, person, {"warning_signs": "Not sleeping", "coping_steps": "Walk, call Sam",
                                                  "people_and_places": "The library", "reasons_to_keep_going": "My dog"})
    await say(hearth, person, HIGH)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None
    assert (await flags.view_flag(hearth, holder, flag.id))["safety_plan"] is None  # not claimed yet
    await flags.claim(hearth, holder, flag.id)
    assert (await flags.view_flag(hearth, holder, flag.id))["safety_plan"]["reasons_to_keep_going"] == "My dog"
    assert (await flags.view_flag(hearth, other, flag.id))["safety_plan"] is None
    await flags.resolve(hearth, holder, flag.id, "reached_safe", "Okay now.")
    assert (await flags.view_flag(hearth, holder, flag.id))["safety_plan"] is None


async def test_rota_puts_people_on_call_automatically(hearth: Hearth, clock: Clock, published: list[Any]) -> None:
    admin, specialist = await member(hearth, "admin"), await member(hearth, "specialist")
    now = clock.now
    start = now.hour * 60 + now.minute
    await oncall.replace_rota(hearth, admin, [{"pseudonym": specialist.user.pseudonym, "weekday": now.weekday(),
                                               "start_minute": start, "end_minute": min(start + 60, 1440)}])
    assert await oncall.is_on_call(hearth, specialist.user.id)
    assert events(published, f"user:{specialist.user.id}", "oncall_changed")[-1]["on_call"] is True
    clock.advance(2 * 3600)
    await oncall.refresh_effective(hearth)
    assert not await oncall.is_on_call(hearth, specialist.user.id)
    with pytest.raises(Forbidden):
        await oncall.replace_rota(hearth, specialist, [])
    with pytest.raises(InvalidField):
        await oncall.replace_rota(hearth, admin, [{"pseudonym": specialist.user.pseudonym, "weekday": 9, "start_minute": 0, "end_minute": 10}])


async def test_figures_time_to_claim_and_first_reply(hearth: Hearth, clock: Clock) -> None:
    specialist = await member(hearth, "specialist")
    person = await member(hearth)
    await say(hearth, person, IMMINENT)
    flag = await open_flag(hearth, person.user.id)
    assert flag is not None
    clock.advance(42)
    await flags.claim(hearth, specialist, flag.id)
    figures = await flags.stats(hearth, specialist)
    assert figures["time_to_claim"]["imminent"]["median"] == 42.0
    assert figures["open"]["imminent"] == 1
