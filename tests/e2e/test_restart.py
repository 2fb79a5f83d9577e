"""Nothing acknowledged is lost when the server stops and starts again."""

from __future__ import annotations

import signal

from tests.support import Database, ServerProcess, sign_up


async def test_history_survives_a_restart_and_a_crash() -> None:
    database = Database.fresh()
    first = ServerProcess(database).start()
    try:
        member = sign_up(first)
        sock = await member.socket()
        acked = [(await sock.say(1, f"before restart {i}"))["message"] for i in range(5)]
        await sock.close()
    finally:
        first.stop(signal.SIGKILL)  # a crash: no graceful shutdown

    second = ServerProcess(database, port=first.port).start()
    try:
        member.server = second
        assert member.get("/api/v1/me").status_code == 200  # sessions live in the database
        history = member.get("/api/v1/rooms/1/messages?limit=100").json()["messages"]
        assert [m["id"] for m in acked] == sorted(m["id"] for m in history if m["client_id"] in {a["client_id"] for a in acked})
        assert {m["body"] for m in history} >= {m["body"] for m in acked}
        sock = await member.socket()
        resent = await sock.say(1, "before restart 0", acked[0]["client_id"])
        assert resent["duplicate"] and resent["message"]["id"] == acked[0]["id"]
        fresh = await sock.say(1, "after restart")
        assert fresh["message"]["id"] > acked[-1]["id"] and fresh["message"]["seq"] == acked[-1]["seq"] + 1
        await sock.close()
    finally:
        second.stop()
