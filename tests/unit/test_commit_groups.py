"""SQLite commit groups (server/db.py `Database._group_write`): writes that arrive
while another runs share its transaction and one COMMIT, each in a savepoint of
its own. Nobody's write may return before the COMMIT that keeps it, one write's
failure must undo only its own work, a crisis write must not wait for the chat
behind it, and writes waiting for a commit must never be left waiting."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Awaitable, Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server import metrics
from server.actions import accounts
from server.actions.messages import send_message
from server.hub import Delivery
from server.services import Hearth
from tests.support import PASSWORD, unique_name
from tests.unit.test_sqlite_writer import _insert, _messages, _stored, record_trips

pytestmark = pytest.mark.usefixtures("_sqlite_only")


@pytest.fixture
def _sqlite_only(hearth: Hearth) -> None:
    if not hearth.settings.is_sqlite:
        pytest.skip("SQLite's one writer; PostgreSQL commits each transaction on its own connection")


async def _author(h: Hearth) -> int:
    return (await accounts.sign_up(h, unique_name(), PASSWORD))[0].id


def _committed(h: Hearth, client: str) -> bool:
    """Seen from another connection, as another process (or a crash's survivor) would."""
    other = sqlite3.connect(h.settings.data_dir / "hearth.db")
    try:
        return other.execute("SELECT count(*) FROM messages WHERE client_id = ?", (client,)).fetchone()[0] == 1
    finally:
        other.close()


def _commits_so_far() -> tuple[float, float]:
    count = metrics.REGISTRY.get_sample_value("hearth_db_writes_per_commit_count") or 0.0
    writes = metrics.REGISTRY.get_sample_value("hearth_db_writes_per_commit_sum") or 0.0
    return count, writes


RETURNED: list[str] = []  # Writer clients, in the order their writes returned


class Writer:
    """A write whose body inserts one message, then waits until told to finish."""

    def __init__(self, h: Hearth, author: int, client: str, *, urgent: bool = False,
                 then: Callable[[AsyncSession], Awaitable[None]] | None = None) -> None:
        self.inside, self.finish, self.client = asyncio.Event(), asyncio.Event(), client
        self.task = asyncio.create_task(self._write(h, author, urgent, then))
        self.task.add_done_callback(lambda task: task.cancelled() or task.exception() or RETURNED.append(client))

    async def _write(self, h: Hearth, author: int, urgent: bool, then: Callable[[AsyncSession], Awaitable[None]] | None) -> None:
        async with h.db.write(urgent=lambda: urgent) as session:
            await _insert(h, session, author, self.client)
            self.inside.set()
            await self.finish.wait()
            if then is not None:
                await then(session)


async def _refuse(_session: AsyncSession) -> None:
    raise RuntimeError("this write is refused")


async def _finished(*tasks: asyncio.Task[None]) -> None:
    """Wait for the writes without cancelling them (a write waiting for its commit
    finishes that wait even when cancelled): one left waiting fails the test."""
    _done, pending = await asyncio.wait(tasks, timeout=10)
    assert not pending, "a write was left waiting for a commit"
    for task in tasks:
        task.result()


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_writes_arriving_meanwhile_share_one_commit_and_none_returns_before_it(hearth: Hearth) -> None:
    author = await _author(hearth)
    commits, writes = _commits_so_far()
    first = Writer(hearth, author, "group-first")
    await first.inside.wait()
    second, third = Writer(hearth, author, "group-second"), Writer(hearth, author, "group-third")
    await _settle()
    first.finish.set()  # others wait at the gate: the first passes it on and waits for the commit
    await second.inside.wait()
    await _settle()
    assert not first.task.done()
    assert not _committed(hearth, "group-first")  # nothing told "stored" yet, nothing committed
    second.finish.set()
    await third.inside.wait()
    third.finish.set()  # the last: commits for all three
    await _finished(first.task, second.task, third.task)
    assert all(_committed(hearth, f"group-{n}") for n in ("first", "second", "third"))
    assert _commits_so_far() == (commits + 1, writes + 3)


async def test_a_groups_writes_return_in_the_order_they_wrote_the_committing_one_last(hearth: Hearth) -> None:
    """What a write changed is published as it returns, and a socket takes a room
    event ahead of its turn as a hole, filled by reading the database (server/ws.py):
    the writes a COMMIT kept are woken together, in the order they wrote, and the
    committing write (whose COMMIT runs as a task of its own) resumes after them."""
    author = await _author(hearth)
    RETURNED.clear()
    writers = [Writer(hearth, author, f"group-order-{i}") for i in range(4)]
    await writers[0].inside.wait()
    await _settle()
    for writer in writers:  # each passes the gate on to the next; the last commits for all
        writer.finish.set()
    await _finished(*(writer.task for writer in writers))
    assert RETURNED == [f"group-order-{i}" for i in range(4)]


async def test_a_room_hears_a_groups_messages_in_the_order_they_were_stored(hearth: Hearth) -> None:
    member = await accounts.authenticate(hearth, (await accounts.sign_up(hearth, unique_name(), PASSWORD))[1])
    heard: list[int] = []

    class Listener:
        def deliver(self, delivery: Delivery) -> None:
            if delivery.event.get("type") == "message":
                heard.append(delivery.event["seq"])

    listener = Listener()
    await hearth.hub.subscribe("room:1", listener)
    try:
        holder = Writer(hearth, member.user.id, "group-order-holder")  # holds the gate: the sends queue
        await holder.inside.wait()
        sends = [asyncio.create_task(send_message(hearth, member, 1, f"in turn, number {i}", unique_name("c")))
                 for i in range(3)]
        await _settle()
        holder.finish.set()
        await _finished(holder.task, *sends)
    finally:
        await hearth.hub.unsubscribe("room:1", listener)
    assert len(heard) == 3 and heard == sorted(heard)


async def test_a_write_that_fails_in_a_group_undoes_only_its_own_work(hearth: Hearth) -> None:
    author = await _author(hearth)

    first = Writer(hearth, author, "group-kept-1")
    await first.inside.wait()
    failing = Writer(hearth, author, "group-refused", then=_refuse)
    last = Writer(hearth, author, "group-kept-2")
    await _settle()
    first.finish.set()
    failing.finish.set()
    last.finish.set()
    await _finished(first.task, last.task)
    with pytest.raises(RuntimeError):
        await failing.task
    assert _committed(hearth, "group-kept-1") and _committed(hearth, "group-kept-2")
    assert not _committed(hearth, "group-refused")


async def test_when_the_last_write_of_a_group_fails_it_still_commits_for_those_waiting(hearth: Hearth) -> None:
    author = await _author(hearth)

    first = Writer(hearth, author, "group-before-refused-last")
    await first.inside.wait()
    failing = Writer(hearth, author, "group-refused-last", then=_refuse)
    await _settle()
    first.finish.set()
    await failing.inside.wait()
    failing.finish.set()
    with pytest.raises(RuntimeError):
        await failing.task
    await _finished(first.task)
    assert _committed(hearth, "group-before-refused-last") and not _committed(hearth, "group-refused-last")
    assert not hearth.db._group  # nothing left open


async def test_an_urgent_write_commits_at_once_instead_of_waiting_for_the_chat_behind_it(hearth: Hearth) -> None:
    author = await _author(hearth)
    first = Writer(hearth, author, "group-chat-before")
    await first.inside.wait()
    chat = Writer(hearth, author, "group-chat-after")
    await _settle()
    crisis = Writer(hearth, author, "group-crisis", urgent=True)
    await _settle()
    first.finish.set()
    crisis.finish.set()  # goes ahead of the chat waiting, and does not pass the gate on to it
    await _finished(crisis.task)
    await _finished(first.task)  # committed together with the crisis write
    assert _committed(hearth, "group-crisis") and _committed(hearth, "group-chat-before")
    await chat.inside.wait()
    assert not chat.task.done() and not _committed(hearth, "group-chat-after")
    chat.finish.set()
    await _finished(chat.task)
    assert _committed(hearth, "group-chat-after")


async def test_a_commit_sqlite_refuses_fails_every_write_of_its_group_and_the_next_write_works(hearth: Hearth) -> None:
    author = await _author(hearth)

    async def breaks_the_commit(session: AsyncSession) -> None:
        await session.execute(text("PRAGMA defer_foreign_keys=ON"))  # checked at COMMIT, and refused there
        await session.execute(_messages.update().where(_messages.c.client_id == "group-refused-commit-2")
                              .values(author_id=999_999_999))  # nobody

    first = Writer(hearth, author, "group-refused-commit-1")
    await first.inside.wait()
    second = Writer(hearth, author, "group-refused-commit-2", then=breaks_the_commit)
    await _settle()
    first.finish.set()
    second.finish.set()
    _done, pending = await asyncio.wait((first.task, second.task), timeout=10)
    assert not pending
    for task in (first.task, second.task):
        with pytest.raises(IntegrityError):
            task.result()
    assert not _committed(hearth, "group-refused-commit-1") and not _committed(hearth, "group-refused-commit-2")
    async with hearth.db.write() as session:
        await _insert(hearth, session, author, "group-after-refused-commit")
    assert await _stored(hearth, "group-after-refused-commit")


async def test_a_write_cancelled_while_waiting_for_the_commit_is_kept_and_the_group_goes_on(hearth: Hearth) -> None:
    author = await _author(hearth)
    first = Writer(hearth, author, "group-cancelled-waiting")
    await first.inside.wait()
    second = Writer(hearth, author, "group-after-cancelled")
    await _settle()
    first.finish.set()
    await second.inside.wait()
    first.task.cancel()  # its work is in the group's transaction already: it stays
    await _settle()
    assert not first.task.done()  # it learns of the cancellation only once the commit is done
    second.finish.set()
    await _finished(second.task)
    with pytest.raises(asyncio.CancelledError):
        await first.task
    assert _committed(hearth, "group-cancelled-waiting") and _committed(hearth, "group-after-cancelled")


async def test_when_the_write_handed_the_gate_gives_up_the_group_is_committed_anyway(hearth: Hearth) -> None:
    author = await _author(hearth)
    quitter_entered = []

    async def quitter() -> None:
        async with hearth.db.write():
            quitter_entered.append(True)

    async def cancel_the_next_writer_once_handed_the_gate(_session: AsyncSession) -> None:
        # From here to passing the gate on, the first write makes no turn of the loop:
        # `waiting` is handed the gate, then cancelled before it runs, so nobody is
        # left to commit the group the first write waits for.
        asyncio.get_running_loop().call_soon(waiting.cancel)

    first = Writer(hearth, author, "group-orphaned", then=cancel_the_next_writer_once_handed_the_gate)
    await first.inside.wait()
    waiting = asyncio.create_task(quitter())
    await _settle()
    first.finish.set()
    await _finished(first.task)
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert quitter_entered == [] and _committed(hearth, "group-orphaned")
    assert not hearth.db._group


async def test_a_group_makes_one_trip_to_aiosqlites_thread_its_begin(hearth: Hearth) -> None:
    """BEGIN IMMEDIATE may wait for another process's lock, so it goes to the thread;
    holding the lock, the group's statements and its COMMIT cannot wait: they run on
    the event loop, for every write that joins (docs/performance.md)."""
    author = await _author(hearth)
    first = Writer(hearth, author, "group-trips-first")
    await first.inside.wait()
    driver = hearth.db._writer.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    trips = record_trips(driver)
    try:
        joined = [Writer(hearth, author, f"group-trips-{i}") for i in range(3)]
        await _settle()
        for writer in (first, *joined):
            writer.finish.set()
        await _finished(first.task, *(writer.task for writer in joined))
        assert trips == []  # three writes joined the first's group: no trip at all
        alone = Writer(hearth, author, "group-trips-alone")
        alone.finish.set()
        await _finished(alone.task)
        assert trips == ["BEGIN IMMEDIATE"]  # a group of its own: one trip
    finally:
        del driver._execute
