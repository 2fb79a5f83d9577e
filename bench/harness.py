"""Shared pieces for Hearth's benchmarks: start a server (or a cluster) on
loopback, make accounts, open sockets, and summarise latencies. Benchmarks
print figures; they never gate CI on timing."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark passphrase 42"
# Limits an operator lifts for a load test, through the documented settings.
LIFTED_LIMITS = {
    "HEARTH_WS_MAX_CONNECTIONS_PER_USER": "100",
    "HEARTH_WS_SEND_QUEUE": "100000",
    "HEARTH_UNATTENDED_SLOW_SECONDS": "0",
    "HEARTH_NEW_ACCOUNT_HOURS": "0",
    "HEARTH_HASH_CONCURRENCY": "2",
    # Every simulated member connects from this one machine.
    "HEARTH_ADDRESS_WRITE_RATE": "off",
    "HEARTH_MESSAGE_RATE": "off",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_run(count: int) -> int:
    """A free port whose next count - 1 neighbours are free too: `hearth cluster`
    listens on the port and its processes on the ones after it, and on a busy
    machine a neighbour of a random free port is often some client's port."""
    for _ in range(200):
        base = free_port()
        held: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except (OSError, OverflowError):
            continue
        finally:
            for sock in held:
                sock.close()
    raise RuntimeError(f"found no {count} free ports in a row")


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"count": len(values), "p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "max": round(ordered[-1], 2),
            "mean": round(statistics.fmean(values), 2)}


@dataclass
class Server:
    """`hearth serve` (processes=1) or `hearth cluster` on loopback."""

    database_url: str | None = None
    redis_url: str | None = None
    processes: int = 1
    cpu: int | None = None  # pin the server to this core (taskset), the generator elsewhere
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hearth-bench-")))
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)
    label: str = "hearth"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self) -> "Server":
        env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}
        env.update(LIFTED_LIMITS)
        env.update({"HEARTH_DATA_DIR": str(self.data_dir), "HEARTH_PORT": str(self.port), "HEARTH_LOG_LEVEL": "warning",
                    "HEARTH_SECRET_KEY": "bench-" + secrets.token_hex(24), "HEARTH_BROKER_PREFIX": "bench-" + self.data_dir.name})
        if self.database_url:
            env["HEARTH_DATABASE_URL"] = self.database_url
            reset_postgres(self.database_url)
        if self.redis_url:
            env["HEARTH_REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        self.env = env
        if self.processes > 1:
            self.port = free_port_run(self.processes + 1)
            env["HEARTH_PORT"] = str(self.port)
        # -OO as `hearth serve` would re-execute itself with it (server/cli.py), so a profiler sees the server
        command = [sys.executable, "-OO", "-m", "server", "serve"] if self.processes == 1 else \
            [sys.executable, "-m", "server", "cluster", "--processes", str(self.processes), "--no-restart"]
        profile = os.environ.get("BENCH_PROFILE")  # py-spy collapsed stacks of the server, for optimising
        if profile:
            command = [os.environ.get("PY_SPY", "py-spy"), "record", "--format", "raw", "-r", "250", "-o", profile,
                       *os.environ.get("BENCH_PROFILE_ARGS", "").split(), "--", *command]
        if self.cpu is not None:
            command = ["taskset", "-c", str(self.cpu), *command]
        log_path = self.data_dir / "server.log"  # warnings and start-up failures only (HEARTH_LOG_LEVEL=warning)
        with open(log_path, "ab") as log_file:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
        ready = [self.port + 1 + i for i in range(self.processes)] if self.processes > 1 else [self.port]
        deadline = time.monotonic() + 120  # migrations on a loaded 2-core machine (CI runs tests beside this)
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if all(httpx.get(f"http://127.0.0.1:{p}/readyz", timeout=1).status_code == 200 for p in ready):
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
        raise RuntimeError(f"server did not start (exit code {self.process.poll()}); its log ends:\n{tail}")

    def pids(self) -> list[int]:
        """The server process and its children (cluster members)."""
        if self.process is None:
            return []
        found = [self.process.pid]
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) in found:
                    found.append(int(proc.name))
        return found

    def cpu_seconds(self) -> float:
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
            except OSError:
                pass
        return total

    def rss_mb(self, key: str = "VmRSS") -> float:
        total = 0
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(key + ":"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return round(total / 1024, 1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None and os.environ.get("BENCH_PROFILE"):
            for pid in self.pids()[1:]:  # stop the profiled server; py-spy then writes its file
                try:
                    os.kill(pid, signal.SIGTERM)
                except OSError:
                    pass
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                pass
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def counters(self) -> dict[str, float]:
        """A few of the server's own counts from /metrics (loopback may read it): how
        many writes shared a COMMIT, and how often sockets filled holes from the
        database. In a cluster, the process the port reaches."""
        from prometheus_client.parser import text_string_to_metric_families

        wanted = {"hearth_db_writes_per_commit_count": "commits_grouped", "hearth_db_writes_per_commit_sum": "writes_grouped",
                  "hearth_ws_replays_total": "socket_replays"}
        try:
            text = httpx.get(f"{self.base}/metrics", timeout=5).text
        except httpx.HTTPError:
            return {}
        return {wanted[sample.name]: sample.value for family in text_string_to_metric_families(text)
                for sample in family.samples if sample.name in wanted}

    def describe(self) -> dict[str, Any]:
        return {"server": self.label, "database": "postgresql" if self.database_url else "sqlite",
                "broker": "redis" if self.redis_url else "in-process", "processes": self.processes,
                "limits_lifted": LIFTED_LIMITS, "ws_impl": self.extra_env.get("HEARTH_WS_IMPL", "default")}


@dataclass
class Ceiling(Server):
    """bench/ceiling.py: a bare broadcast server on the same uvicorn stack."""

    label: str = "ceiling"

    def start(self) -> "Ceiling":
        env = dict(os.environ)
        env.update(self.extra_env)
        self.env = env
        command = [sys.executable, str(ROOT / "bench" / "ceiling.py"), "--port", str(self.port)]
        if self.cpu is not None:
            command = ["taskset", "-c", str(self.cpu), *command]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("ceiling server did not start")

    def counters(self) -> dict[str, float]:
        return {}

    def describe(self) -> dict[str, Any]:
        return {"server": "ceiling", "database": None, "broker": None, "processes": 1,
                "ws_impl": self.extra_env.get("CEILING_WS_IMPL", "wsproto")}


def seed_members(server: Server, members: int, extra_rooms: int = 0, dm_pairs: int = 0, prefix: str = "Bench") -> dict[str, Any]:
    """Members with live sessions, written by bench/seed.py (see its docstring:
    one shared argon2 hash instead of one per sign-up). Ceiling: fake tokens."""
    if isinstance(server, Ceiling):
        return {"members": [{"id": i + 1, "pseudonym": f"{prefix}{i}", "token": f"t{i}"} for i in range(members)],
                "rooms": [100 + r for r in range(extra_rooms)],
                "dms": [{"room": 10_000 + p, "a": 2 * p, "b": 2 * p + 1} for p in range(min(dm_pairs, members // 2))]}
    result = subprocess.run([sys.executable, "-m", "bench.seed", str(members), str(extra_rooms), str(dm_pairs), prefix],
                            cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise RuntimeError("seeding failed: " + result.stderr[-2000:])
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def signup_cost(server: Server, count: int = 4) -> dict[str, Any]:
    """Real sign-ups over HTTP: argon2's time and the server's peak memory
    growth, a set-up cost reported apart from the send phase."""
    before = server.rss_mb("VmHWM")
    started = time.monotonic()
    asyncio.run(make_accounts(server, count, prefix="Signup"))
    return {"signups": count, "seconds_each": round((time.monotonic() - started) / count, 3),
            "vmhwm_growth_mb": round(server.rss_mb("VmHWM") - before, 1)}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    model = ""
    try:
        model = next(l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import sqlite3

    return {"cpus": os.cpu_count(), "cpu_model": model, "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version,
            "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "loadavg_start": load_average()}


class RssSampler:
    """Peak VmRSS of the server's processes, sampled every 100 ms (a thread)."""

    def __init__(self, server: Server) -> None:
        import threading

        self.server = server
        self.peak_mb = server.rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_mb = max(self.peak_mb, self.server.rss_mb())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def pct(values: Any, p: float) -> float | None:
    """Linear interpolation between ranks: the Synapse driver's definition."""
    if not len(values):
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary_ms(values_ms: Any) -> dict[str, float | None]:
    """The Synapse driver's latency summary (values already in ms)."""
    n = len(values_ms)
    out: dict[str, float | None] = {"n": n, "mean": round(sum(values_ms) / n, 2) if n else None,
                                    "max": round(max(values_ms), 2) if n else None}
    for p in (50, 95, 99):
        v = pct(values_ms, p)
        out[f"p{p}"] = round(v, 2) if v is not None else None
    return out


def reset_postgres(url: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    # Its own loop in its own thread: callers may already be inside one.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(run())).result()


async def make_accounts(server: Server, count: int, prefix: str = "Bench") -> list[tuple[str, str]]:
    """(pseudonym, token) pairs. argon2 makes this the slow part: a set-up cost."""
    async with httpx.AsyncClient(base_url=server.base, timeout=120) as client:
        async def one(i: int) -> tuple[str, str]:
            name = f"{prefix}{i}x{secrets.token_hex(3)}"
            response = await client.post("/api/v1/auth/signup", json={"pseudonym": name, "password": PASSWORD})
            response.raise_for_status()
            return name, response.json()["token"]

        semaphore = asyncio.Semaphore(8)

        async def limited(i: int) -> tuple[str, str]:
            async with semaphore:
                return await one(i)

        return list(await asyncio.gather(*(limited(i) for i in range(count))))


async def make_staff(server: Server, role: str) -> tuple[str, str]:
    name = f"{role.capitalize()[:4]}B{secrets.token_hex(3)}"
    env = {k: v for k, v in os.environ.items()}
    env.update({"HEARTH_DATA_DIR": str(server.data_dir)})
    if server.database_url:
        env["HEARTH_DATABASE_URL"] = server.database_url
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "server", "user", "create", name, "--role", role,
                                                "--password-stdin", cwd=ROOT, env=env, stdin=subprocess.PIPE,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await proc.communicate((PASSWORD + "\n").encode())
    async with httpx.AsyncClient(base_url=server.base) as client:
        response = await client.post("/api/v1/auth/login", json={"pseudonym": name, "password": PASSWORD})
        response.raise_for_status()
        return name, response.json()["token"]


async def open_socket(server: Server, token: str, url: str | None = None) -> ClientConnection:
    return await connect(url or server.ws_url, additional_headers={"Authorization": f"Bearer {token}"},
                         open_timeout=30, max_size=2**20, ping_interval=None)


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, sort_keys=True), flush=True)


def dumps(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()
