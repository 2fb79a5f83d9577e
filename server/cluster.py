"""`hearth cluster`: the several-process topology on one machine, without Docker.

N `hearth serve` processes share PostgreSQL and Redis, and a small TCP
round-robin balancer listens on the public port in front of them (it passes
WebSocket upgrades untouched, like nginx would). Migrations run once, before
any process starts. For tests, benchmarks and local trials; production uses
docker-compose.yml with nginx."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal
import subprocess
import sys
from dataclasses import dataclass

from server.config import Settings

log = logging.getLogger("hearth.cluster")


@dataclass
class Backend:
    port: int
    process: subprocess.Popen[bytes] | None = None


def check_topology(settings: Settings, processes: int) -> str | None:
    if processes > 1 and settings.is_sqlite:
        return "several processes need PostgreSQL: set HEARTH_DATABASE_URL=postgresql+asyncpg://…"
    if processes > 1 and not settings.redis_url:
        return "several processes need Redis to share events: set HEARTH_REDIS_URL=redis://…"
    return None


def start_backend(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HEARTH_PORT": str(port), "HEARTH_HOST": "127.0.0.1"}
    # Browsers talk to the balancer's address: that is the origin to allow.
    env.setdefault("HEARTH_PUBLIC_URL", settings.public_url)
    env.setdefault("HEARTH_ALLOWED_ORIGINS", ",".join(settings.allowed_origins))
    return subprocess.Popen([sys.executable, "-m", "server", "serve", "--no-migrate"], env=env)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


class Balancer:
    def __init__(self, backends: list[Backend]) -> None:
        self.backends = backends
        self._order = itertools.cycle(range(len(backends)))

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        for _ in range(len(self.backends)):
            backend = self.backends[next(self._order)]
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", backend.port), 2)
            except (OSError, asyncio.TimeoutError):
                continue  # that process is down: try the next one
            await asyncio.gather(_pipe(client_reader, writer), _pipe(reader, client_writer))
            return
        client_writer.close()


async def run_cluster(settings: Settings, processes: int, *, restart: bool = True) -> int:
    backends = [Backend(settings.port + 1 + i) for i in range(processes)]
    for backend in backends:
        backend.process = start_backend(settings, backend.port)
    balancer = Balancer(backends)
    server = await asyncio.start_server(balancer.handle, settings.host, settings.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"Hearth cluster: {processes} processes behind http://{settings.host}:{settings.port}", file=sys.stderr, flush=True)
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except asyncio.TimeoutError:
            pass
        for backend in backends:
            if restart and backend.process is not None and backend.process.poll() is not None and not stop.is_set():
                log.warning("a server process exited (code %s); starting it again", backend.process.returncode)
                backend.process = start_backend(settings, backend.port)
    server.close()
    for backend in backends:
        if backend.process and backend.process.poll() is None:
            backend.process.send_signal(signal.SIGTERM)
    for backend in backends:
        if backend.process:
            try:
                backend.process.wait(15)
            except subprocess.TimeoutExpired:
                backend.process.kill()
    return 0
