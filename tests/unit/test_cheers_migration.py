"""Migration rec02 on a real database (SQLite, or the PostgreSQL test database):
cheers given before a cheer became the Wins room's "support" reaction are kept,
as reactions, and taking the migration back returns them to their own table."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from alembic import command
from sqlalchemy import text

from server.actions import accounts, day_counts
from server.actions.accounts import Auth
from server.db import alembic_config
from server.services import Hearth
from tests.support import PASSWORD, unique_name


async def _member(h: Hearth) -> Auth:
    _, token, _ = await accounts.sign_up(h, unique_name(), PASSWORD)
    return await accounts.authenticate(h, token)


async def test_cheers_from_before_rec02_become_support_reactions_and_back(hearth: Hearth) -> None:
    config = alembic_config(hearth.settings.database_url)
    # Only rec02 comes off: the recovery branch as it was when cheers had a table of their own.
    await asyncio.to_thread(command.downgrade, config, "0010")
    alice, bob, carol = await _member(hearth), await _member(hearth), await _member(hearth)
    week_ago = (datetime.now(timezone.utc).date() - timedelta(days=7)).isoformat()
    counter = await day_counts.create_counter(hearth, alice, {"start_date": week_ago})
    shared = await day_counts.share_milestone(hearth, alice, counter["id"], "7d", {})
    async with hearth.transaction() as tx:
        for who in (bob, carol):
            await tx.session.execute(text("INSERT INTO milestone_cheers (milestone_id, user_id, created_at) VALUES (:m, :u, :t)"),
                                     {"m": shared["milestone_id"], "u": who.user.id, "t": datetime.now(timezone.utc)})
        # Carol had also given the room's support reaction: she still counts once.
        await tx.session.execute(text("INSERT INTO message_reactions (message_id, user_id, kind, created_at) VALUES (:m, :u, 'support', :t)"),
                                 {"m": shared["message"]["id"], "u": carol.user.id, "t": datetime.now(timezone.utc)})
    await asyncio.to_thread(command.upgrade, config, "heads")
    wins = {w["milestone_id"]: w for w in await day_counts.list_wins(hearth, bob)}
    assert wins[shared["milestone_id"]]["cheers"] == 2 and wins[shared["milestone_id"]]["cheered_by_me"] is True
    assert wins[shared["milestone_id"]]["reactions"]["counts"] == {"support": 2}
    await asyncio.to_thread(command.downgrade, config, "0010")
    async with hearth.db.read() as session:
        back = set(await session.scalars(text("SELECT user_id FROM milestone_cheers")))
    assert back == {bob.user.id, carol.user.id}
    await asyncio.to_thread(command.upgrade, config, "heads")
