"""The test harness itself: a fresh database for one test never empties the one
another server is still running on (on PostgreSQL a worker's databases are
taken in turn; on SQLite each is its own file)."""

from __future__ import annotations

import time

from tests.support import Database, ServerProcess, sign_up


def test_a_fresh_database_leaves_a_running_servers_own_alone() -> None:
    first = ServerProcess(Database.fresh()).start()
    try:
        member = sign_up(first)
        Database.fresh()  # another test's, while the first server still serves
        assert member.get("/api/v1/me").status_code == 200
        time.sleep(0.6)  # a few of its sweeps (HEARTH_SWEEP_SECONDS=0.2 in tests)
        assert "does not exist" not in first.log()
        assert "sweep failed" not in first.log()
    finally:
        first.stop()
