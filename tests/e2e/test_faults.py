"""Crash and fault tests (issue 11 point 10): SIGKILL under load, a database
restart, a full disk. Afterwards no acknowledged message and no crisis flag is
lost, and the server recovered by itself. (Redis restarts: test_scale_out.py.)"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.resilient import ResilientClient
from tests.support import Database, Member, ServerProcess, Socket, configured_database_url, create_staff, free_port, http, sign_up

CRISIS = "I have the pills lined up and tonight is the night"
ROOM = 2


def _stored(server: ServerProcess, member: Member) -> list[dict[str, Any]]:
    return http.get(f"{server.base}/api/v1/rooms/{ROOM}/messages?limit=100", headers=member.headers).json()["messages"]  # type: ignore[no-any-return]


async def test_sigkill_under_load_loses_no_acknowledged_message_or_flag() -> None:
    database = Database.fresh()
    first = ServerProcess(database).start()
    restarted: list[ServerProcess] = []
    try:
        specialist = create_staff(first, "specialist")
        members = [sign_up(first) for _ in range(3)]
        clients = [ResilientClient(m, [first.ws_url], ROOM) for m in members]
        for client in clients:
            await client.start()

        async def restart() -> None:
            first.kill()  # SIGKILL mid-stream: no goodbye, transactions cut wherever they are
            restarted.append(await asyncio.to_thread(ServerProcess(database, port=first.port).start))

        async def chatter(client: ResilientClient, index: int) -> None:
            for i in range(15):
                body = CRISIS if (index, i) == (1, 3) else f"{client.member.pseudonym} {i}"
                await client.send(body, ack_timeout=60)
                if (index, i) == (0, 6):
                    await restart()

        await asyncio.gather(*(chatter(c, n) for n, c in enumerate(clients)))
        assert restarted and all(c.reconnects >= 1 for c in clients)
        server = restarted[0]
        stored = _stored(server, members[0])
        for index, client in enumerate(clients):
            assert not client.unacked, "every send was finally acknowledged"
            assert {m["id"] for m in client.acked.values()} <= {m["id"] for m in stored}, "an acknowledged message was lost"
            mine = sorted(m["body"] for m in stored if m["author"]["id"] == client.member.user["id"])
            expected = sorted(CRISIS if (index, i) == (1, 3) else f"{client.member.pseudonym} {i}" for i in range(15))
            assert mine == expected  # each exactly once, retries included
        specialist.server = server
        flags = specialist.get("/api/v1/crisis/flags").json()["flags"]
        assert [f["member"]["id"] for f in flags] == [members[1].user["id"]]
        for client in clients:
            await client.stop()
    finally:
        first.stop()
        for proc in restarted:
            proc.stop()


# ---- a full disk (SQLite) -------------------------------------------------------

def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def small_disk() -> Iterator[Path]:
    mount_point = Path(tempfile.mkdtemp(prefix="hearth-small-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(path: Path) -> None:
    with open(path, "wb", buffering=0) as filler:
        chunk = b"\0" * 65536
        try:
            while True:
                filler.write(chunk)

        except OSError:
            pass
        try:
            while True:  # the last few bytes too
                filler.write(b"\0" * 512)

        except OSError:
            pass


@pytest.mark.skipif(bool(configured_database_url()) or not _can_mount(), reason="SQLite only (the PostgreSQL pass skips it), and mounting a small tmpfs needs root")
async def test_a_full_disk_gives_a_clear_error_no_corruption_and_recovers(small_disk: Path) -> None:
    database = Database.fresh()
    db_file = small_disk / "hearth.db"
    server = ServerProcess(database, extra_env={"HEARTH_DATABASE_URL": f"sqlite+aiosqlite:///{db_file}"}).start()
    try:
        member = sign_up(server)
        sock = await member.socket()
        await sock.join(ROOM)
        acked = [(await sock.say(ROOM, f"before the disk filled {i}"))["message"] for i in range(3)]
        _fill(small_disk / "filler")
        refused: dict[str, Any] | None = None
        for i in range(300):  # the WAL may still have room for a few
            reply = await sock.request({"type": "send", "room_id": ROOM, "body": f"while full {i} " + "x" * 2000, "client_id": f"full-{i}"})
            if reply["type"] == "ack":
                acked.append(reply["message"])
                continue
            refused = reply
            break
        assert refused is not None, "the disk never filled"
        assert refused["type"] == "error" and refused["code"] == "storage_full", refused
        assert "full" in refused["detail"]
        for attempt in range(50):
            # A checkpoint meanwhile may let SQLite write its log from the start again, in
            # space it already holds: a write or two can still fit until the log must grow.
            plan = http.put(server.base + "/api/v1/me/safety-plan", headers=member.headers,
                             json={k: f"{attempt} " + "y" * 1990 for k in ("warning_signs", "coping_steps", "people_and_places",
                                                                          "reasons_to_keep_going")})
            if plan.status_code != 200:
                break
        assert plan.status_code == 503, plan.text
        assert plan.json()["error"]["code"] == "storage_full" and "Traceback" not in plan.text and plan.headers["Retry-After"]
        assert http.get(server.base + "/healthz").status_code == 200  # still serving
        (small_disk / "filler").unlink()  # space returns
        again = await sock.request({"type": "send", "room_id": ROOM, "body": "space again", "client_id": "after-full"})
        assert again["type"] == "ack", again
        acked.append(again["message"])
        await sock.close()
        stored = {m["id"] for m in _stored(server, member)}
        assert {m["id"] for m in acked} <= stored
    finally:
        server.stop()
    with sqlite3.connect(db_file) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = {row[0] for row in check.execute("SELECT id FROM messages")}
    assert {m["id"] for m in acked} <= ids


# ---- a database restart (PostgreSQL) ----------------------------------------------

def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found and os.geteuid() == 0 and shutil.which("runuser") else None


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (trust auth, loopback), so restarting
    it disturbs nobody else's database."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hearth-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-m", "fast", "-l", str(self.dir / "log"), action)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop")

    def remove(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("needs the PostgreSQL server binaries and root")
    cluster = PrivatePostgres(bin_dir)
    cluster.init()
    cluster.start()
    yield cluster
    cluster.remove()


async def _send_until_acked(sock: Socket, body: str, client_id: str, errors: list[dict[str, Any]], seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        reply = await sock.request({"type": "send", "room_id": ROOM, "body": body, "client_id": client_id}, timeout=30)
        if reply["type"] == "ack":
            return reply["message"]  # type: ignore[no-any-return]
        errors.append(reply)
        assert time.monotonic() < deadline, errors[-3:]
        await asyncio.sleep(0.3)


@pytest.mark.skipif(not configured_database_url(), reason="PostgreSQL restart: CI's PostgreSQL + Redis pass")
async def test_the_server_rides_out_a_database_restart(private_postgres: PrivatePostgres) -> None:
    database = Database(Path(tempfile.mkdtemp(prefix="hearth-test-")), private_postgres.url)
    server = ServerProcess(database).start()
    try:
        specialist = create_staff(server, "specialist")
        member = sign_up(server)
        sock = await member.socket()
        await sock.join(ROOM)
        acked = [(await sock.say(ROOM, f"before the restart {i}"))["message"] for i in range(3)]
        acked.append((await sock.say(ROOM, CRISIS))["message"])
        await asyncio.to_thread(private_postgres.stop)
        errors: list[dict[str, Any]] = []
        down = await sock.request({"type": "send", "room_id": ROOM, "body": "while the database is down", "client_id": "pg-down"})
        assert down["type"] == "error" and down["code"] == "unavailable", down  # a clear error, not "internal"
        assert http.get(server.base + "/readyz").status_code == 503
        await asyncio.to_thread(private_postgres.start)
        acked.append(await _send_until_acked(sock, "while the database is down", "pg-down", errors))  # the same client_id: stored once
        acked.append(await _send_until_acked(sock, "after the restart", "pg-after", errors))
        assert all(e["code"] == "unavailable" for e in errors), errors
        assert http.get(server.base + "/readyz").status_code == 200
        stored = _stored(server, member)
        assert {m["id"] for m in acked} <= {m["id"] for m in stored}
        assert sum(1 for m in stored if m["client_id"] == "pg-down") == 1
        flags = specialist.get("/api/v1/crisis/flags").json()["flags"]
        assert [f["member"]["id"] for f in flags] == [member.user["id"]]
        await sock.close()
    finally:
        server.stop()
