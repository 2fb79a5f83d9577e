from __future__ import annotations

import asyncio
from typing import AsyncIterator

import pytest

from server.config import load_settings
from server.db import migrate
from server.services import Hearth
from tests.support import Database


@pytest.fixture
async def hearth() -> AsyncIterator[Hearth]:
    """A real Hearth context on a fresh, migrated database (no HTTP)."""
    # Both run their own event loop (Alembic's env.py, the PostgreSQL reset): keep them off ours.
    database = await asyncio.to_thread(Database.fresh)
    env = {"HEARTH_DATA_DIR": str(database.data_dir), "HEARTH_SECRET_KEY": "unit-test-secret-" + "k" * 32,
           "HEARTH_BROKER_PREFIX": "unit-" + database.data_dir.name}
    if database.url:
        env["HEARTH_DATABASE_URL"] = database.url
    settings = load_settings(env)
    await asyncio.to_thread(migrate, settings)
    h = Hearth(settings)
    await h.start()
    yield h
    await h.stop()
