"""The new-account wait before opening private conversations with members.
Each case needs its own settings, so each starts its own server (no
module-scoped server here: on PostgreSQL a fresh database empties the shared one)."""

from __future__ import annotations

import asyncio


from tests.e2e.dm_support import open_dm, set_policy
from tests.e2e.forum_support import run_sql, sql_ago
from tests.support import Database, ServerProcess, create_staff, http, sign_up

ROOM = 1


def test_new_accounts_wait_before_opening_conversations_with_members() -> None:
    env = {"HEARTH_DM_MIN_ACCOUNT_HOURS": "0", "HEARTH_DM_MIN_MESSAGES": "3"}
    proc = ServerProcess(Database.fresh(), extra_env=env).start()
    try:
        newcomer, target = sign_up(proc), sign_up(proc)
        set_policy(target, "anyone")
        refused = open_dm(newcomer, target)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "too_new"
        assert "3 messages" in refused.json()["error"]["detail"]
        specialist = create_staff(proc, "specialist")
        set_policy(specialist, "anyone")
        assert open_dm(newcomer, specialist).status_code == 201  # the wait never keeps anyone from a specialist

        async def take_part(count: int) -> None:
            sock = await newcomer.socket()
            for i in range(count):
                await sock.say(ROOM, f"hello everyone {i}")
            await sock.close()

        asyncio.run(take_part(2))
        assert open_dm(newcomer, target).status_code == 403
        asyncio.run(take_part(1))
        assert open_dm(newcomer, target).status_code == 201
        # Specialists and mentors are exempt.
        other = sign_up(proc)
        set_policy(other, "anyone")
        assert open_dm(specialist, other).status_code == 201
        mentor = sign_up(proc)
        r = http.put(proc.base + "/api/v1/mentorship/profile", headers=mentor.headers,
                      json={"recovery_since": "2019-05-01", "focus": ["family"], "tz_band": "europe_africa"})
        assert r.status_code == 200, r.text
        assert open_dm(mentor, other).status_code == 201
    finally:
        proc.stop()

    # The account-age threshold on its own.
    proc = ServerProcess(Database.fresh(), extra_env={"HEARTH_DM_MIN_ACCOUNT_HOURS": "24", "HEARTH_DM_MIN_MESSAGES": "0"}).start()
    try:
        newcomer, target = sign_up(proc), sign_up(proc)
        set_policy(target, "anyone")
        refused = open_dm(newcomer, target)
        assert refused.status_code == 403 and "24 hours" in refused.json()["error"]["detail"]
        # A day later (the account's start moved back), the same request is allowed.
        run_sql(proc, f"UPDATE users SET created_at = {sql_ago(proc, 25 * 3600)} WHERE id = :id", {"id": newcomer.user["id"]})
        assert open_dm(newcomer, target).status_code == 201
    finally:
        proc.stop()
