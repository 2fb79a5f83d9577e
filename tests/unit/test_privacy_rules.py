"""Retention, the reusable end_sessions, one-time codes and the log-in
throttle's defaults, against a real database where one is needed."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from limits import parse_many
from sqlalchemy import select

from server.accounts import totp
from server.actions import accounts, conversations, retention
from server.actions.messages import send_message
from server.config import load_settings
from server.errors import NotAuthenticated
from server.models import CrisisFlag, FlagAudit, Message, utcnow
from server.services import Hearth
from tests.support import PASSWORD, unique_name

CRISIS = "I have the pills lined up and tonight is the night"


async def _member(h: Hearth) -> accounts.Auth:
    _user, token, _codes = await accounts.sign_up(h, unique_name(), PASSWORD)
    return await accounts.authenticate(h, token)


async def test_retention_deletes_old_private_messages_only(hearth: Hearth) -> None:
    hearth.settings = dataclasses.replace(hearth.settings, private_message_days=30, dm_min_account_hours=0, dm_min_messages=0)
    a, b = await _member(hearth), await _member(hearth)
    await conversations.set_prefs(hearth, a, {"who_can_message": "anyone"})
    opened, _ = await conversations.open_conversation(hearth, b, a.user.pseudonym)
    room = opened["id"]
    hearth.clock = lambda: utcnow() - timedelta(days=31)
    old_direct, _ = await send_message(hearth, a, room, "an old private word", "c-old")
    old_topic, _ = await send_message(hearth, a, 1, "an old word in a room", "c-old-topic")
    hearth.clock = utcnow
    new_direct, _ = await send_message(hearth, a, room, "a fresh private word", "c-new")
    done = await retention.purge_due(hearth, force=True)
    assert done["messages"] == 1
    async with hearth.db.read() as session:
        left = set(await session.scalars(select(Message.id)))
    assert old_direct["id"] not in left and {new_direct["id"], old_topic["id"]} <= left
    assert (await retention.purge_due(hearth))["messages"] == 0  # at most once an hour per process


async def test_retention_clears_the_words_of_long_resolved_flags_only(hearth: Hearth) -> None:
    from moderation.flags import resolve

    hearth.settings = dataclasses.replace(hearth.settings, flag_context_days=90)
    old, recent, still_open = await _member(hearth), await _member(hearth), await _member(hearth)
    staff_user, _ = await accounts.create_user(hearth, unique_name("Guide"), PASSWORD, "specialist")
    _u, staff_token = await accounts.log_in(hearth, staff_user.pseudonym, PASSWORD)
    staff = await accounts.authenticate(hearth, staff_token)
    for who in (old, recent, still_open):
        await send_message(hearth, who, 1, CRISIS, unique_name("c"))
    async with hearth.db.read() as session:
        ids = {f.member_id: f.id for f in await session.scalars(select(CrisisFlag))}
    hearth.clock = lambda: utcnow() - timedelta(days=91)
    await resolve(hearth, staff, ids[old.user.id], "reached_safe", "Talked it through.")
    hearth.clock = utcnow
    await resolve(hearth, staff, ids[recent.user.id], "reached_safe", "Talked it through.")
    assert (await retention.purge_due(hearth, force=True))["flags"] == 1
    async with hearth.db.read() as session:
        flags = {f.member_id: f for f in await session.scalars(select(CrisisFlag))}
        actions = list(await session.scalars(select(FlagAudit.action).where(FlagAudit.flag_id == ids[old.user.id])))
    assert all(i["excerpt"] == "" and i["context"] == [] for i in flags[old.user.id].items)
    assert flags[old.user.id].items[0]["evidence"] and flags[old.user.id].outcome == "reached_safe"  # what to learn from stays
    assert "context_purged" in actions
    assert flags[recent.user.id].items[0]["excerpt"] == CRISIS and flags[still_open.user.id].items[0]["excerpt"] == CRISIS


async def test_retention_is_off_when_the_settings_are_zero(hearth: Hearth) -> None:
    hearth.settings = dataclasses.replace(hearth.settings, private_message_days=0, flag_context_days=0)
    assert await retention.purge_due(hearth, force=True) == {"messages": 0, "flags": 0}


async def test_end_sessions_ends_every_session_of_the_member(hearth: Hearth) -> None:
    first = await _member(hearth)
    _u, second_token = await accounts.log_in(hearth, first.user.pseudonym, PASSWORD)
    other = await _member(hearth)
    await accounts.end_sessions(hearth, first.user.id, "banned")
    assert not await accounts.session_still_live(hearth, first.session.id)
    with pytest.raises(NotAuthenticated):
        await accounts.authenticate(hearth, second_token)
    assert await accounts.session_still_live(hearth, other.session.id)


def test_codes_work_within_one_step_of_drift_and_never_twice() -> None:
    secret = totp.new_secret()
    now = 1_800_000_000.0
    step = int(now // 30)
    assert totp.matching_step(secret, totp.code_at(secret, now), now=now) == step
    assert totp.matching_step(secret, totp.code_at(secret, now - 30), now=now) == step - 1
    assert totp.matching_step(secret, totp.code_at(secret, now + 30), now=now) == step + 1
    assert totp.matching_step(secret, totp.code_at(secret, now - 90), now=now) is None
    assert totp.matching_step(secret, totp.code_at(secret, now), after_step=step, now=now) is None  # replay
    for junk in (None, 123456, "", "12345", "abcdef", "1234567"):
        assert totp.matching_step(secret, junk, now=now) is None
    assert len(secret) >= 32  # 160 bits


def test_the_default_throttle_meets_asvs_and_pauses_a_guesser_quickly() -> None:
    settings = load_settings({"HEARTH_SECRET_KEY": "s" * 40, "HEARTH_DATA_DIR": "/tmp/hearth-unused"}, make_secret=lambda *a: "s" * 40)
    per_hour = {item.GRANULARITY.name: item.amount for item in parse_many(settings.login_account_failure_rate)}
    assert per_hour.get("hour", 0) <= 100  # ASVS 4.0.3 2.2.1
    pair = parse_many(settings.login_failure_rate)
    assert min(item.amount for item in pair) <= 5 and len(pair) >= 2  # a short pause first, longer ones after
    assert settings.trusted_proxies == ()  # no proxy trusted unless configured
    assert settings.staff_require_totp is False and settings.private_message_days == 0


def test_bad_proxy_settings_name_the_variable() -> None:
    from server.config import ConfigError

    with pytest.raises(ConfigError, match="HEARTH_TRUSTED_PROXIES"):
        load_settings({"HEARTH_TRUSTED_PROXIES": "10.0.0.1, not-an-address", "HEARTH_DATA_DIR": "/tmp/x"}, make_secret=lambda *a: "s" * 40)
    ok = load_settings({"HEARTH_TRUSTED_PROXIES": "10.0.0.1, 10.1.0.0/16, ::1", "HEARTH_DATA_DIR": "/tmp/x"}, make_secret=lambda *a: "s" * 40)
    assert ok.trusted_proxies == ("10.0.0.1", "10.1.0.0/16", "::1")
