"""The serving process keeps only what serving needs (issue 12's memory target):
migrations run in a child process, rarely used libraries load on first use,
and glibc's per-thread malloc arenas are capped. Each check runs in a fresh
interpreter, so what an earlier test imported cannot hide a regression."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.config import load_settings
from server.db import MigrationFailed, migrate_apart
from tests.support import http

ROOT = Path(__file__).resolve().parent.parent.parent


def _fresh_python(code: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_migrations_run_apart_and_leave_the_serving_process_without_alembic(tmp_path: Path) -> None:
    code = f"""
import json, sqlite3, sys
from server.config import load_settings
from server.db import migrate_apart
settings = load_settings({{"HEARTH_DATA_DIR": {str(tmp_path)!r}}})
migrate_apart(settings)
from server.app import create_app
create_app(settings)
tables = [r[0] for r in sqlite3.connect(settings.data_dir / "hearth.db").execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
held = ("alembic", "mako", "icalendar", "sqlalchemy.dialects.postgresql")
print(json.dumps({{"tables": tables, "loaded": sorted(m for m in held if m in sys.modules)}}))
"""
    out = json.loads(_fresh_python(code).splitlines()[-1])
    assert {"users", "rooms", "messages", "alembic_version"} <= set(out["tables"])  # the child did migrate
    assert out["loaded"] == []  # and none of it, nor the calendar library nor PostgreSQL's dialect, is held by the server


def test_partial_indexes_keep_their_where_on_postgresql_once_its_engine_is_made() -> None:
    """A SQLite server never loads PostgreSQL's dialect (above), yet the models still
    describe the partial indexes the migrations make on PostgreSQL."""
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateIndex

    from server.models import Base
    from server.models.base import with_postgresql_options

    with_postgresql_options(Base.metadata)
    partial = [index for table in Base.metadata.tables.values() for index in table.indexes if "partial_where" in index.info]
    assert {index.name for index in partial} >= {"uq_crisis_flags_open_member", "ix_talk_requests_one_waiting"}
    for index in partial:
        where = f"WHERE {index.info['partial_where']}"
        assert str(CreateIndex(index).compile(dialect=postgresql.dialect())).endswith(where)
        assert str(CreateIndex(index).compile(dialect=sqlite.dialect())).endswith(where)


def test_a_migration_that_fails_in_the_child_is_reported_to_the_parent(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the database's folder should be")
    settings = load_settings({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_DATABASE_URL": f"sqlite+aiosqlite:///{blocked}/hearth.db"})
    with pytest.raises(MigrationFailed, match="did not finish"):
        migrate_apart(settings)


def test_the_serve_command_stops_with_a_clear_line_when_migrations_fail(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    env = {"PATH": "/usr/bin:/bin", "HEARTH_DATA_DIR": str(tmp_path),
           "HEARTH_DATABASE_URL": f"sqlite+aiosqlite:///{blocked}/hearth.db", "HEARTH_PORT": "1"}
    done = subprocess.run([sys.executable, "-m", "server", "serve"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 1
    assert "hearth: database migrations did not finish" in done.stderr


def test_the_calendar_library_loads_on_first_use() -> None:
    code = """
import sys
from datetime import datetime, timezone
from server.recovery import calendar_file
before = "icalendar" in sys.modules
calendar_file.ics([], name="Meetings", now=datetime(2026, 11, 27, tzinfo=timezone.utc))
print(before, "icalendar" in sys.modules)
"""
    assert _fresh_python(code).split() == ["False", "True"]


def test_malloc_arenas_are_capped_on_glibc_and_left_alone_elsewhere() -> None:
    code = """
import platform
from server.cli import limit_malloc_arenas
print(platform.libc_ver()[0], limit_malloc_arenas())
"""
    libc, capped = _fresh_python(code).split()
    assert capped == ("True" if libc == "glibc" else "False")


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads the process's command line from /proc")
def test_the_serving_process_runs_without_docstrings_under_its_own_pid() -> None:
    """`hearth serve` replaces itself with `python -OO` (server/cli.py drop_docstrings)
    before importing the app; the pid a supervisor started stays the one that serves."""
    from tests.support import Database, ServerProcess

    proc = ServerProcess(Database.fresh()).start()
    try:
        assert proc.process is not None
        command = Path(f"/proc/{proc.process.pid}/cmdline").read_bytes().split(b"\0")
        assert command[1] == b"-OO" and command[2:4] == [b"-m", b"server"]
        assert http.get(proc.base + "/readyz", timeout=5).status_code == 200
    finally:
        proc.stop()
