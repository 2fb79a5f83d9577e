"""start_now: a coroutine runs in the caller until it first waits, then a task finishes it."""

from __future__ import annotations

import asyncio

import pytest

from server.eager import start_now


async def test_a_coroutine_that_never_waits_is_done_before_start_now_returns() -> None:
    done: list[str] = []

    async def write() -> None:
        done.append("written")

    assert start_now(write()) is None
    assert done == ["written"]


async def test_a_coroutine_that_waits_is_finished_by_a_task_with_its_result() -> None:
    gate: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    steps: list[str] = []

    async def write() -> int:
        steps.append("before")
        value = await gate
        steps.append("after")
        await asyncio.sleep(0)  # a bare yield is handed on too
        return value + 1

    task = start_now(write())
    assert task is not None and steps == ["before"]  # the first step ran in the caller
    gate.set_result(41)
    assert await task == 42
    assert steps == ["before", "after"]


async def test_an_error_before_the_first_wait_goes_to_the_caller() -> None:
    async def write() -> None:
        raise ConnectionResetError("gone")

    with pytest.raises(ConnectionResetError):
        start_now(write())


async def test_an_error_after_waiting_ends_the_task_and_reaches_the_coroutine() -> None:
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    seen: list[str] = []

    async def write() -> None:
        try:
            await gate
        except OSError:
            seen.append("caught")
            raise

    task = start_now(write())
    assert task is not None
    gate.set_exception(OSError("peer went away"))
    with pytest.raises(OSError):
        await task
    assert seen == ["caught"]


async def test_cancelling_the_task_cancels_what_the_coroutine_waits_on() -> None:
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    cleaned: list[str] = []

    async def write() -> None:
        try:
            await gate
        finally:
            cleaned.append("finally")

    task = start_now(write())
    assert task is not None
    await asyncio.sleep(0)  # the task is now waiting on the gate
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert gate.cancelled() and cleaned == ["finally"]

