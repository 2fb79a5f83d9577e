"""Log-in and recovery give the same answer, and take about as long, whether or
not a pseudonym exists (C11; SECURITY-GUIDE scenario 4)."""

from __future__ import annotations

import statistics
import time
from typing import Iterator

import httpx
import pytest

from tests.support import Database, ServerProcess, sign_up, unique_name

TRIES = 15


@pytest.fixture(scope="module")
def unthrottled() -> Iterator[ServerProcess]:
    # Throttling off here: this measures the answer itself, not the 429. Standard
    # hashing: the real cost is what an unknown name's dummy verify must match.
    proc = ServerProcess(Database.fresh(), extra_env={
        "HEARTH_LOGIN_FAILURE_RATE": "off", "HEARTH_LOGIN_ACCOUNT_FAILURE_RATE": "off", "HEARTH_LOGIN_ADDRESS_FAILURE_RATE": "off",
        "HEARTH_PASSWORD_HASHING": "standard",
    }).start()
    yield proc
    proc.stop()


def _timed(client: httpx.Client, path: str, body: dict[str, str]) -> tuple[float, int, dict[str, object]]:
    started = time.perf_counter()
    response = client.post(path, json=body)
    return time.perf_counter() - started, response.status_code, response.json()


@pytest.mark.parametrize("path, body", [
    ("/api/v1/auth/login", {"password": "wrong password, long enough"}),
    ("/api/v1/auth/recover", {"recovery_code": "aaaaa-bbbbb-ccccc", "new_password": "a brand new passphrase"}),
])
def test_existing_and_unknown_pseudonyms_look_the_same(unthrottled: ServerProcess, path: str, body: dict[str, str]) -> None:
    real = sign_up(unthrottled).pseudonym
    unknown = unique_name("Ghost")
    times: dict[str, list[float]] = {real: [], unknown: []}
    answers: dict[str, set[tuple[int, str]]] = {real: set(), unknown: set()}
    with httpx.Client(base_url=unthrottled.base, timeout=30) as client:
        _timed(client, path, {"pseudonym": real, **body})  # warm-up
        for _ in range(TRIES):
            for name in (real, unknown):  # interleaved, so machine noise falls on both
                took, status, reply = _timed(client, path, {"pseudonym": name, **body})
                times[name].append(took)
                answers[name].add((status, repr(reply)))
    assert answers[real] == answers[unknown] and len(answers[real]) == 1
    # Generous bound (a shared 2-core machine): the dummy argon2 verify keeps them close.
    ratio = statistics.median(times[real]) / statistics.median(times[unknown])
    assert 0.67 < ratio < 1.5, (ratio, times)
