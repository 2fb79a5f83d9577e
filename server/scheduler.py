"""The per-process background sweep of the recovery tools: meeting reminders
and early-warning notices for members who went quiet.

Every process runs it; the work itself is claimed in the database (a
conditional UPDATE for reminders, a unique key for notices), so each reminder
and notice goes out once however many processes sweep."""

from __future__ import annotations

import asyncio
import logging

from server.actions import early_warning, meetings, retention
from server.services import Hearth

log = logging.getLogger("hearth.scheduler")


async def sweep_once(h: Hearth) -> None:
    await meetings.send_due_reminders(h)
    await early_warning.sweep_quiet(h)
    await retention.purge_due(h)  # old private messages, resolved flags' words (when the settings ask)


async def run(h: Hearth) -> None:
    while True:
        try:
            await sweep_once(h)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("recovery sweep failed; trying again next round")
        await asyncio.sleep(h.settings.recovery_sweep_seconds)
