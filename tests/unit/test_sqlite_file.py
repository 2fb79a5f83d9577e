"""The SQLite file `migrate` leaves behind (server/db.py)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from server.config import load_settings
from server.db import migrate


def test_a_migrated_database_is_already_in_write_ahead_log_mode(tmp_path: Path) -> None:
    # Always SQLite, whichever database this pass runs against: it is about the file.
    settings = load_settings({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_SECRET_KEY": "unit-test-secret-" + "k" * 32})
    migrate(settings)
    # Before any serving connection opens it: those must never have to convert it
    # (an exclusive lock, which refused the others opening at the same moment).
    with closing(sqlite3.connect(tmp_path / "hearth.db")) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("SELECT count(*) FROM rooms").fetchone()[0] >= 1  # and it is migrated
