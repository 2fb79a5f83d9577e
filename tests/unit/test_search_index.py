"""SQLite's search index takes topic-room messages in batches (server/search_index.py,
migration fts02): a search still sees every message, and however sends, edits,
deletes and batches interleave, the index ends exactly as one built afresh."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from server import search_index
from server.actions import accounts, conversations
from server.actions.messages import delete_message, edit_message, send_message
from server.actions.search import search
from server.db import alembic_config
from server.services import Hearth
from tests.support import PASSWORD, unique_name

WORDS = "hope sober craving meeting sponsor relapse walk coffee sleep anchor garden morning".split()


@pytest.fixture(autouse=True)
def sqlite_only(hearth: Hearth) -> None:
    if not hearth.settings.is_sqlite:
        pytest.skip("SQLite's FTS5 index; PostgreSQL keeps its own expression index")


def _stop_background_indexing(h: Hearth) -> None:
    for task in h.background:
        if task.get_name() == search_index.TASK_NAME:
            task.cancel()


async def _member(h: Hearth) -> accounts.Auth:
    _user, token, _codes = await accounts.sign_up(h, unique_name(), PASSWORD)
    return await accounts.authenticate(h, token)


def _database_file(h: Hearth) -> Path:
    return h.settings.data_dir / "hearth.db"


def _index_matches_a_fresh_one(path: Path) -> tuple[bool, int]:
    """Every term instance in message_fts against an index built now from the topic
    rooms' messages as they stand (what a correct index must hold, word for word)."""
    connection = sqlite3.connect(path)
    try:
        connection.executescript("""
            CREATE VIRTUAL TABLE temp.fresh USING fts5(body, content='', tokenize='porter unicode61 remove_diacritics 2');
            INSERT INTO temp.fresh(rowid, body)
                SELECT m.id, m.body FROM messages m JOIN rooms r ON r.id = m.room_id WHERE r.kind = 'topic';
            CREATE VIRTUAL TABLE temp.kept_terms USING fts5vocab(main, message_fts, instance);
            CREATE VIRTUAL TABLE temp.fresh_terms USING fts5vocab(temp, fresh, instance);""")
        kept = set(connection.execute("SELECT term, doc, offset FROM temp.kept_terms"))
        fresh = set(connection.execute("SELECT term, doc, offset FROM temp.fresh_terms"))
        return kept == fresh, len(fresh)
    finally:
        connection.close()


async def _pending(h: Hearth) -> set[int]:
    async with h.db.read() as session:
        return set(await session.scalars(text("SELECT message_id FROM message_fts_pending")))


async def _indexed(h: Hearth, word: str) -> set[int]:
    async with h.db.read() as session:
        return set(await session.scalars(text("SELECT rowid FROM message_fts WHERE message_fts MATCH :w"), {"w": word}))


async def test_a_new_message_waits_for_its_batch_yet_a_search_finds_it_at_once(hearth: Hearth) -> None:
    _stop_background_indexing(hearth)
    member = await _member(hearth)
    sent, _ = await send_message(hearth, member, 1, "the lighthouse kept me going tonight", unique_name("c"))
    assert await _pending(hearth) == {sent["id"]} and not await _indexed(hearth, "lighthouse")
    found = await search(hearth, member, "lighthouse", scope="rooms")
    assert [hit["message_id"] for hit in found["results"]] == [sent["id"]]
    assert not await _pending(hearth) and await _indexed(hearth, "lighthouse") == {sent["id"]}


async def test_the_background_round_indexes_without_any_search(hearth: Hearth) -> None:
    member = await _member(hearth)
    sent, _ = await send_message(hearth, member, 1, "a quiet harbour this morning", unique_name("c"))
    for _ in range(100):
        if await _indexed(hearth, "harbour"):
            break
        await asyncio.sleep(0.05)
    assert await _indexed(hearth, "harbour") == {sent["id"]} and not await _pending(hearth)


async def test_private_conversations_never_enter_the_index_not_even_as_pending_ids(hearth: Hearth) -> None:
    _stop_background_indexing(hearth)
    hearth.settings = dataclasses.replace(hearth.settings, dm_min_account_hours=0, dm_min_messages=0)
    a, b = await _member(hearth), await _member(hearth)
    await conversations.set_prefs(hearth, b, {"who_can_message": "anyone"})
    opened, _ = await conversations.open_conversation(hearth, a, b.user.pseudonym)
    await send_message(hearth, a, opened["id"], "just between us: the lighthouse", unique_name("c"))
    assert not await _pending(hearth)
    await search_index.catch_up(hearth)
    assert not await _indexed(hearth, "lighthouse")


async def test_sends_edits_deletes_and_batches_in_any_order_leave_the_index_exact(hearth: Hearth,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _stop_background_indexing(hearth)
    # Limits lifted as an operator would for a busy room; new accounts' limits too.
    hearth.settings = dataclasses.replace(hearth.settings, message_rate="", new_member_message_rate="", new_account_hours=0)
    monkeypatch.setattr(search_index, "BATCH", 7)  # catch_up takes several batches
    members = [await _member(hearth) for _ in range(3)]
    chance = random.Random(12)
    mine: dict[int, accounts.Auth] = {}  # message id -> its author
    for step in range(240):
        roll = chance.random()
        if roll < 0.45 or not mine:
            who = chance.choice(members)
            sent, _ = await send_message(hearth, who, chance.choice([1, 2]), " ".join(chance.choices(WORDS, k=4)), f"c{step}")
            mine[sent["id"]] = who
        elif roll < 0.65:
            message_id = chance.choice(list(mine))
            await edit_message(hearth, mine[message_id], message_id, " ".join(chance.choices(WORDS, k=3)))
        elif roll < 0.75:
            message_id = chance.choice(list(mine))
            await delete_message(hearth, mine.pop(message_id), message_id)  # its words go; the row stays
        elif roll < 0.85:
            message_id = chance.choice(list(mine))
            mine.pop(message_id)
            async with hearth.transaction() as tx:  # as retention or an erased account removes rows
                await tx.session.execute(text("DELETE FROM messages WHERE id = :id"), {"id": message_id})
        else:
            await search_index.index_batch(hearth, chance.choice([1, 3, 50]))
    for extra in range(2 * search_index.BATCH):  # and ends with several batches waiting
        sent, _ = await send_message(hearth, members[0], 1, " ".join(chance.choices(WORDS, k=4)), f"extra{extra}")
        mine[sent["id"]] = members[0]
    assert len(await _pending(hearth)) > 2 * search_index.BATCH
    await search_index.catch_up(hearth)
    assert not await _pending(hearth)
    exact, terms = await asyncio.to_thread(_index_matches_a_fresh_one, _database_file(hearth))
    assert exact and terms > 100
    # The comparison does see a stale index: an edit the index never heard of.
    async with hearth.transaction() as tx:
        await tx.session.execute(text("DROP TRIGGER messages_fts_update"))
    message_id = next(iter(mine))
    await edit_message(hearth, mine[message_id], message_id, "words the index never saw")
    assert not (await asyncio.to_thread(_index_matches_a_fresh_one, _database_file(hearth)))[0]


async def test_fts02_keeps_the_index_it_finds_and_taking_it_back_indexes_what_was_pending(hearth: Hearth) -> None:
    _stop_background_indexing(hearth)
    config = alembic_config(hearth.settings.database_url)
    member = await _member(hearth)
    await asyncio.to_thread(command.downgrade, config, "brd01")  # messages indexed one by one again
    before, _ = await send_message(hearth, member, 1, "indexed the old way", unique_name("c"))
    await asyncio.to_thread(command.upgrade, config, "heads")
    assert await _indexed(hearth, "indexed") == {before["id"]} and not await _pending(hearth)
    pending, _ = await send_message(hearth, member, 1, "indexed in a batch", unique_name("c"))
    assert await _pending(hearth) == {pending["id"]}
    await asyncio.to_thread(command.downgrade, config, "brd01")
    assert await _indexed(hearth, "indexed") == {before["id"], pending["id"]}
    await asyncio.to_thread(command.upgrade, config, "heads")
    assert (await asyncio.to_thread(_index_matches_a_fresh_one, _database_file(hearth)))[0]
