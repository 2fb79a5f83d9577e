"""Real servers and real clients for end-to-end tests: a `hearth serve`
subprocess on a free loopback port, httpx for REST, websockets for /ws."""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect

# Every test's plain requests go through this one client. `httpx.get(...)` builds a
# client per call, and with it an SSL context read from certifi's bundle: ~45 ms of
# CPU a request against ~0.3 ms here, and the security corpora send thousands. As
# with `httpx.get`, each request opens its own connection and no cookie is kept.
http = httpx.Client(cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
                    limits=httpx.Limits(max_connections=None, max_keepalive_connections=0))

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
PASSWORD = "correct horse battery staple"


def configured_database_url() -> str | None:
    """The PostgreSQL test database; each pytest-xdist worker gets its own copy
    (`test_gw0`, `test_gw1`, …) so parallel workers never reset each other's."""
    url = os.environ.get("HEARTH_TEST_DATABASE_URL") or None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base, _, name = url.rpartition("/")
    return f"{base}/{name}_{worker}"


# Each `Database.fresh()` on PostgreSQL takes the next of a worker's databases in turn
# and empties it. With one database, a test's fresh database emptied the one its module's
# server was still running on (it then logged "relation … does not exist" until stopped).
FRESH_DATABASES = 4
_fresh_turn = itertools.count()


def fresh_database_urls() -> list[str]:
    """The databases `Database.fresh()` takes in turn (none on SQLite)."""
    url = configured_database_url()
    if url is None:
        return []
    base, _, name = url.rpartition("/")
    return [f"{base}/{name}_{i}" for i in range(FRESH_DATABASES)]


def ensure_worker_database() -> None:
    url = os.environ.get("HEARTH_TEST_DATABASE_URL")
    own = configured_database_url()
    if not url or own is None:
        return
    names = [u.rpartition("/")[2] for u in ([own] if own != url else []) + fresh_database_urls()]
    import asyncpg

    async def run() -> None:
        try:
            conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        except OSError:
            return  # not answering: each test that needs it fails (test_readme_commands), none is skipped
        try:
            for name in names:
                if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                    await conn.execute(f'CREATE DATABASE "{name}"')  # a name we built, never user input
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(run())).result()


def configured_redis_url() -> str | None:
    return os.environ.get("HEARTH_TEST_REDIS_URL") or None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def reset_postgres(url: str) -> None:
    """Empty the test database so each server group starts from migrations."""
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    # Its own loop in its own thread, so async tests can call it too.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(run())).result()


@dataclass
class Database:
    """One database shared by the servers of a test (SQLite file or the PostgreSQL test DB)."""

    data_dir: Path
    url: str | None

    @classmethod
    def fresh(cls) -> "Database":
        data_dir = Path(tempfile.mkdtemp(prefix="hearth-test-"))
        urls = fresh_database_urls()
        url = urls[next(_fresh_turn) % len(urls)] if urls else None
        if url:
            reset_postgres(url)
        return cls(data_dir, url)


@dataclass
class ServerProcess:
    database: Database
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
        env.update({
            "HEARTH_DATA_DIR": str(self.database.data_dir),
            "HEARTH_PORT": str(self.port),
            "HEARTH_HOST": "127.0.0.1",
            "HEARTH_SECRET_KEY": "test-secret-key-" + "x" * 32,
            "HEARTH_LOG_LEVEL": "info",
            # One Redis serves every test run on the machine: keep this database's events apart.
            "HEARTH_BROKER_PREFIX": "test-" + self.database.data_dir.name,
            # Unattended-room limits are lifted as an operator would; tests of them set their own.
            "HEARTH_UNATTENDED_SLOW_SECONDS": "0",
            "HEARTH_NEW_ACCOUNT_HOURS": "0",
            "HEARTH_SWEEP_SECONDS": "0.2",
            # Every test talks from 127.0.0.1 with fresh accounts: bulk send limits are
            # lifted as an operator would; the tests of those limits set their own.
            "HEARTH_MESSAGE_RATE": "off",
            "HEARTH_NEW_MEMBER_MESSAGE_RATE": "off",
            "HEARTH_NEW_MEMBER_THREAD_RATE": "off",
            "HEARTH_ADDRESS_WRITE_RATE": "off",
            "HEARTH_CONVERSATION_OPEN_RATE": "off",
            # Thousands of sign-ups and log-ins: argon2-cffi's test profile, as the security
            # guide allows. The tests of hashing itself, and of log-in timing, set standard.
            "HEARTH_PASSWORD_HASHING": "cheapest-for-tests",
            # A server that hangs prints every thread's stack on SIGABRT (`start`).
            "PYTHONFAULTHANDLER": "1",
        })
        if self.database.url:
            env["HEARTH_DATABASE_URL"] = self.database.url
        if configured_redis_url():
            env["HEARTH_REDIS_URL"] = configured_redis_url()  # type: ignore[assignment]
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 30.0) -> "ServerProcess":
        self.log_path = self.database.data_dir / f"server-{self.port}.log"
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve"], cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if http.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop(signal.SIGABRT)  # its log then shows where it was stuck
        raise RuntimeError(f"server did not start in {timeout:.0f} s; where it was:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


def metric(server: ServerProcess, name: str) -> float:
    """One unlabelled sample from the server's /metrics."""
    line = next(l for l in http.get(server.base + "/metrics").text.splitlines() if l.startswith(name + " "))
    return float(line.split()[1])


def run_sql(server: ServerProcess, statement: str, params: dict[str, Any] | None = None) -> list[Any]:
    """Write straight to the server's database, for rows a test needs without
    going through an endpoint (blocks, an account's age, a session about to expire)."""
    url = server.database.url or f"sqlite+aiosqlite:///{server.database.data_dir / 'hearth.db'}"

    async def run() -> list[Any]:
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                result = await connection.execute(text(statement), params or {})
                return list(result) if result.returns_rows else []
        finally:
            await engine.dispose()

    # Its own loop in its own thread, so async tests can call it too.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def prepared_venv(folder: Path) -> Path:
    """A virtual environment as scripts/dev.py leaves it after installing, whose python
    is the one running the tests: the README's commands run here without a download."""
    from scripts.dev import install_stamp

    python = folder / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    for extras in ("", "dev"):
        stamp, digest = install_stamp(folder, extras)
        stamp.write_text(digest)
    return folder


def unique_name(prefix: str = "Member") -> str:
    return f"{prefix}{secrets.token_hex(4)}"


@dataclass
class Member:
    server: ServerProcess
    pseudonym: str
    token: str
    user: dict[str, Any]
    recovery_codes: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return http.get(self.server.base + path, headers=self.headers, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return http.post(self.server.base + path, headers=self.headers, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> httpx.Response:
        return http.patch(self.server.base + path, headers=self.headers, json=json, **kw)

    async def socket(self, server: ServerProcess | None = None) -> "Socket":
        return await Socket.open((server or self.server).ws_url, self.headers)


def sign_up(server: ServerProcess, pseudonym: str | None = None, password: str = PASSWORD) -> Member:
    name = pseudonym or unique_name()
    response = http.post(server.base + "/api/v1/auth/signup", json={"pseudonym": name, "password": password})
    assert response.status_code == 201, response.text
    body = response.json()
    return Member(server, name, body["token"], body["user"], body["recovery_codes"])


def run_hearth(server: ServerProcess, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The `hearth` command line against this server's database (and broker)."""
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=server.env(), input=stdin,
                          capture_output=True, text=True, timeout=60)


def create_staff(server: ServerProcess, role: str, pseudonym: str | None = None) -> Member:
    name = pseudonym or unique_name(role.capitalize()[:4] + "x")
    result = run_hearth(server, "user", "create", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    response = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    return Member(server, name, body["token"], body["user"])


class Socket:
    """A WebSocket client that keeps every frame it receives, in order."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.frames: list[dict[str, Any]] = []
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        self.closed: asyncio.Future[tuple[int | None, str]] = asyncio.get_running_loop().create_future()

    @classmethod
    async def open(cls, url: str, headers: dict[str, str], origin: str | None = None) -> "Socket":
        extra = dict(headers)
        connection = await connect(url, additional_headers=extra, origin=origin, open_timeout=10, max_size=2**20)  # type: ignore[arg-type]
        sock = cls(connection)
        await sock.wait_for(lambda f: f["type"] == "hello")
        return sock

    async def _read(self) -> None:
        try:
            async for raw in self.connection:
                self.frames.append(orjson.loads(raw))
                self._new.set()
        except Exception:
            pass
        finally:
            if not self.closed.done():
                self.closed.set_result((self.connection.close_code, self.connection.close_reason or ""))
            self._new.set()

    async def send(self, frame: dict[str, Any]) -> None:
        await self.connection.send(orjson.dumps(frame).decode())

    async def send_raw(self, data: str | bytes) -> None:
        await self.connection.send(data)

    async def wait_for(self, predicate: Any, timeout: float = 10.0, start: int = 0) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        seen = start
        while True:
            for frame in self.frames[seen:]:
                if predicate(frame):
                    return frame
            seen = len(self.frames)
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or (self.closed.done() and seen == len(self.frames)):
                raise AssertionError(f"frame not received; got {self.frames[-10:]!r}, closed={self.closed.done()}")
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def request(self, frame: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        ref = secrets.token_hex(4)
        start = len(self.frames)
        await self.send({**frame, "ref": ref})
        return await self.wait_for(lambda f: f.get("ref") == ref, timeout, start)

    async def join(self, room_id: int, after_seq: int | None = None) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "join", "room_id": room_id}
        if after_seq is not None:
            frame["after_seq"] = after_seq
        reply = await self.request(frame)
        assert reply["type"] == "joined", reply
        return reply

    async def say(self, room_id: int, body: str, client_id: str | None = None) -> dict[str, Any]:
        reply = await self.request({"type": "send", "room_id": room_id, "body": body, "client_id": client_id or secrets.token_hex(8)})
        assert reply["type"] == "ack", reply
        return reply

    def events(self, kind: str, room_id: int | None = None) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == kind and (room_id is None or f.get("room_id") == room_id)]

    async def quiet(self, seconds: float = 0.3) -> None:
        await asyncio.sleep(seconds)

    async def close(self) -> None:
        await self.connection.close()
        self._reader.cancel()
