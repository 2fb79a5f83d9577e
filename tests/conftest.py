from __future__ import annotations

import os
from typing import Iterator

import pytest

from tests.support import Database, ServerProcess, configured_database_url, configured_redis_url, ensure_worker_database


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"hearth database: {configured_database_url() or 'sqlite (temporary)'}; broker: {configured_redis_url() or 'in-process'}"]


def pytest_sessionstart(session: pytest.Session) -> None:
    ensure_worker_database()
    # In CI a missing service must fail the run, never quietly fall back.
    if os.environ.get("CI") == "true" and os.environ.get("HEARTH_TEST_REQUIRE_SERVICES") == "1":
        assert configured_database_url(), "HEARTH_TEST_DATABASE_URL must be set for the PostgreSQL pass"
        assert configured_redis_url(), "HEARTH_TEST_REDIS_URL must be set for the Redis pass"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    """One real server per test module, on a fresh database."""
    proc = ServerProcess(Database.fresh()).start()
    yield proc
    proc.stop()


@pytest.fixture
def fresh_server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh()).start()
    yield proc
    proc.stop()
