"""The per-process cache of the rows a message's checks read (server/policy_cache.py).

Two Hearth contexts on one database stand for two server processes: one sends,
the other moderates. Whatever the second changes must apply to the first's very
next message, while ordinary chat leaves the cache warm."""

from __future__ import annotations

from typing import AsyncIterator

import pytest
from sqlalchemy import text

from moderation import sanctions, trust
from server.actions import accounts, conversations, meeting_mode, meetings
from server.actions.messages import send_message
from server.errors import Forbidden, NotFound
from server.services import Hearth
from tests.support import PASSWORD, unique_name


async def _person(h: Hearth, role: str = "member") -> accounts.Auth:
    _user, token, _codes = await accounts.sign_up(h, unique_name(), PASSWORD, role=role)
    return await accounts.authenticate(h, token)


async def _epoch(h: Hearth) -> int:
    async with h.db.read() as session:
        return int(await session.scalar(text("SELECT epoch FROM policy_epoch WHERE id = 1")))


@pytest.fixture
async def other(hearth: Hearth) -> AsyncIterator[Hearth]:
    """A second process's context on the same database, with its own cache."""
    second = Hearth(hearth.settings)
    await second.start()
    yield second
    await second.stop()


async def test_a_mute_or_ban_from_another_process_stops_the_very_next_message(hearth: Hearth, other: Hearth) -> None:
    member, mod = await _person(hearth), await _person(other, "moderator")
    await send_message(hearth, member, 1, "good morning everyone", unique_name("c"))
    hits = hearth.policy.hits
    await send_message(hearth, member, 1, "day three for me", unique_name("c"))
    assert hearth.policy.hits > hits  # the checks were answered from memory

    mute = await sanctions.act_on_member(other, mod, member.user.id, {"action": "mute", "minutes": 30, "scope": "everywhere",
                                                                      "reason": "A pause to cool down."})
    with pytest.raises(sanctions.Muted):
        await send_message(hearth, member, 1, "can anyone hear me", unique_name("c"))
    await sanctions.lift(other, mod, mute["id"], {"reason": "Lifted early."})
    await send_message(hearth, member, 1, "thank you for your patience", unique_name("c"))

    await sanctions.act_on_member(other, mod, member.user.id, {"action": "ban", "reason": "Selling to members."})
    with pytest.raises(sanctions.Suspended):
        await send_message(hearth, member, 1, "still here", unique_name("c"))


async def test_a_mute_ends_on_time_even_while_cached(hearth: Hearth, other: Hearth) -> None:
    from datetime import timedelta

    member, mod = await _person(hearth), await _person(other, "moderator")
    await sanctions.act_on_member(other, mod, member.user.id, {"action": "mute", "minutes": 5, "scope": "everywhere",
                                                               "reason": "A short pause."})
    with pytest.raises(sanctions.Muted):
        await send_message(hearth, member, 1, "hello", unique_name("c"))
    real_clock = hearth.clock
    hearth.clock = lambda: real_clock() + timedelta(minutes=6)  # nothing in the database changed: only time
    await send_message(hearth, member, 1, "hello again", unique_name("c"))


async def test_room_pause_and_trust_changes_from_another_process_apply_at_once(hearth: Hearth, other: Hearth) -> None:
    newcomer, mod = await _person(hearth), await _person(other, "moderator")
    await send_message(hearth, newcomer, 3, "first time here", unique_name("c"))
    await sanctions.pause_room(other, mod, 3, {"minutes": 10, "slow_seconds": 0, "quiet_new": True})
    with pytest.raises(Forbidden) as refused:
        await send_message(hearth, newcomer, 3, "is it ok to post", unique_name("c"))
    assert refused.value.code == "room_quiet"
    await send_message(hearth, newcomer, 2, "another room is open", unique_name("c"))

    # Staff vouch for the newcomer: no longer a new account, so the quiet room takes them.
    await trust.set_level(other, mod, newcomer.user.id, 2, "Known to the team.")
    await send_message(hearth, newcomer, 3, "thank you for having me", unique_name("c"))
    await sanctions.unpause_room(other, mod, 3)


async def test_a_quiet_meeting_opened_elsewhere_quiets_the_room_at_once(hearth: Hearth, other: Hearth) -> None:
    member, mod = await _person(hearth), await _person(other, "moderator")
    await send_message(hearth, member, 2, "see you at the meeting", unique_name("c"))
    meeting = await meetings.create_meeting(other, mod, {"room_id": 2, "title": "Evening share", "day": 0, "time": "19:00",
                                                         "timezone": "UTC"})
    await meeting_mode.open_meeting(other, mod, meeting["id"], quiet=True)
    with pytest.raises(Forbidden) as refused:
        await send_message(hearth, member, 2, "can I say something", unique_name("c"))
    assert refused.value.code == "meeting_quiet"
    await meeting_mode.close_meeting(other, mod, meeting["id"])
    await send_message(hearth, member, 2, "thanks everyone", unique_name("c"))


async def test_leaving_a_conversation_ends_access_at_once(hearth: Hearth, other: Hearth) -> None:
    import dataclasses

    for h in (hearth, other):
        h.settings = dataclasses.replace(h.settings, dm_min_account_hours=0, dm_min_messages=0)
    first, second = await _person(hearth), await _person(hearth)
    await conversations.set_prefs(hearth, second, {"who_can_message": "anyone"})
    opened, _ = await conversations.open_conversation(hearth, first, second.user.pseudonym)
    await send_message(hearth, first, opened["id"], "hi, how are you doing today", unique_name("c"))
    async with other.transaction() as tx:  # however a membership ends, the database moves the epoch
        await tx.session.execute(text("DELETE FROM conversation_members WHERE room_id = :room AND user_id = :user"),
                                 {"room": opened["id"], "user": first.user.id})
    with pytest.raises(NotFound):
        await send_message(hearth, first, opened["id"], "are you there", unique_name("c"))


async def test_chat_and_read_markers_leave_the_epoch_alone_and_moderation_moves_it(hearth: Hearth, other: Hearth) -> None:
    member, mod = await _person(hearth), await _person(other, "moderator")
    before = await _epoch(hearth)
    for n in range(3):
        await send_message(hearth, member, 1, f"message number {n}", unique_name("c"))
    async with hearth.transaction() as tx:
        await tx.session.execute(text("UPDATE conversation_members SET last_read_seq = last_read_seq + 1"))
    assert await _epoch(hearth) == before  # so a busy room keeps its cache warm
    await sanctions.act_on_member(other, mod, member.user.id, {"action": "warn", "reason": "Please be kind."})
    assert await _epoch(hearth) > before
