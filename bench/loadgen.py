"""The load generator: client WebSockets spread over several processes, so the
generator is never the bottleneck (and says so when it is).

Each worker process runs its own event loop (uvloop when installed) and holds
a share of the sockets, each a `LeanSocket` (bench/lean_socket.py) whose frames
are handled as they arrive, with no task per socket. The parent tells every worker when to start; message
k is sent by sender slot k % S, at start + k/rate (open loop) or as soon as
that sender's previous ack returned (rate 0). Like the Synapse peer driver,
each sender has one request in flight.

Latency: the sender puts CLOCK_MONOTONIC (nanoseconds, one clock for every
process on the machine) into the message's client_id just before sending;
each receiving socket records `receipt - sent` for every message whose author
is not itself: every (message, member != sender) pair.

Used by bench/fanout.py, many_rooms.py, connections.py and crisis_alert.py;
it speaks Hearth's protocol (hello / join / joined / send / ack / message),
which bench/ceiling.py also speaks."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import resource
import time
from array import array
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Callable

import orjson

from bench.lean_socket import LeanSocket

BODY_PAD = "x" * 80  # the Synapse driver's default: an ~98-byte body


@dataclass
class SocketSpec:
    token: str
    rooms: list[int]


@dataclass
class SlotSpec:
    """One sender: socket index (global), the room it writes to."""

    socket: int
    room: int


@dataclass
class WorkerResult:
    deliveries: int
    latencies: array  # ms, one per (message, member != sender)
    acked: dict[int, int]  # room -> acked messages
    send_rtts: array
    errors: int
    last_error: str | None
    cpu_s: float
    alerts: dict[str, int] = field(default_factory=dict)  # pseudonym -> receipt ns of its flag_raised (crisis scenario)
    one_offs: dict[int, int] = field(default_factory=dict)  # k -> send ns of messages sent with send_one


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- worker


class _Worker:
    def __init__(self, url: str, sockets: dict[int, SocketSpec], slots: dict[int, SlotSpec], watch_alerts: set[int]) -> None:
        self.url = url
        self.specs = sockets
        self.slots = slots
        self.watch_alerts = watch_alerts  # sockets whose flag_raised frames are timed
        self.conns: dict[int, Any] = {}
        self.user_ids: dict[int, int] = {}
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.latencies = array("d")
        self.rtts = array("d")
        self.deliveries = 0
        self.acked: dict[int, int] = {}
        self.errors = 0
        self.last_error: str | None = None
        self.alerts: dict[str, int] = {}
        self.one_offs: dict[int, int] = {}
        self.sending_done = False

    async def connect(self, concurrency: int = 32) -> int:
        gate = asyncio.Semaphore(concurrency)
        connected = 0

        async def one(index: int, spec: SocketSpec) -> None:
            nonlocal connected
            async with gate:
                try:
                    ws = await LeanSocket.connect(self.url, {"Authorization": f"Bearer {spec.token}"})
                    hello = orjson.loads(await ws.recv())
                    self.user_ids[index] = int(hello["user"]["id"])
                    for room in spec.rooms:
                        ws.send_text(orjson.dumps({"type": "join", "room_id": room, "ref": f"j{room}"}).decode())
                        while True:
                            frame = orjson.loads(await ws.recv())
                            if frame.get("type") in ("joined", "error") and frame.get("ref") == f"j{room}":
                                if frame["type"] == "error":
                                    self.errors += 1
                                    self.last_error = f"join: {frame.get('code')}"
                                break
                except Exception as error:  # noqa: BLE001 - counted and reported
                    self.errors += 1
                    self.last_error = f"connect: {error!r}"[:200]
                    return
                self.conns[index] = ws
                connected += 1
                ws.on_text = self.reader(index)

        await asyncio.gather(*(one(i, s) for i, s in self.specs.items()))
        return connected

    def reader(self, index: int) -> Callable[[bytes, int], None]:
        """What one socket does with each frame it receives, called as the frame arrives."""
        me = self.user_ids[index]
        latencies, pending, loads = self.latencies, self.pending, orjson.loads
        watch = index in self.watch_alerts

        def on_text(raw: bytes, now: int) -> None:
            frame = loads(raw)
            kind = frame.get("type")
            if kind == "message":
                message = frame["message"]
                author = message.get("author") or {}
                if author.get("id") == me:
                    return
                client_id = message.get("client_id") or ""
                if client_id.startswith("b"):
                    self.deliveries += 1
                    latencies.append((now - int(client_id.rsplit(".", 1)[1])) / 1e6)
            elif kind in ("ack", "error"):
                future = pending.pop(str(frame.get("ref")), None)
                if future is not None and not future.done():
                    future.set_result(frame)
            elif watch and kind == "flag_raised":
                # The alert names the member; the crisis sender put its send time in its pseudonym's slot.
                self.alerts.setdefault(str(frame["flag"]["member"]["pseudonym"]), now)

        return on_text

    async def send(self, slot: int, k: int, body: str | None = None, one_off: bool = False) -> None:
        spec = self.slots[slot]
        ws = self.conns.get(spec.socket)
        if ws is None:
            self.errors += 1
            return
        ref = f"s{k}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[ref] = future
        started = time.monotonic_ns()
        if one_off:
            self.one_offs[k] = started
        text = body if body is not None else f"bench message {k} {BODY_PAD}"
        ws.send_text(orjson.dumps({"type": "send", "room_id": spec.room, "body": text,
                                   "client_id": f"b{k}.{started}", "ref": ref}).decode())
        try:
            reply = await asyncio.wait_for(future, 60)
        except asyncio.TimeoutError:
            self.pending.pop(ref, None)
            self.errors += 1
            self.last_error = "ack timeout"
            return
        if reply.get("type") == "ack":
            self.rtts.append((time.monotonic_ns() - started) / 1e6)
            self.acked[spec.room] = self.acked.get(spec.room, 0) + 1
        else:
            self.errors += 1
            self.last_error = f"send: {reply.get('code')}: {str(reply.get('detail'))[:120]}"

    async def run_senders(self, start_ns: int, messages: int, rate: float, total_slots: int, bodies: dict[int, str]) -> None:
        async def sender(slot: int) -> None:
            for k in range(slot, messages, total_slots):
                if rate > 0:
                    delay = (start_ns + k / rate * 1e9 - time.monotonic_ns()) / 1e9
                    if delay > 0:
                        await asyncio.sleep(delay)
                await self.send(slot, k, bodies.get(k))

        delay = (start_ns - time.monotonic_ns()) / 1e9
        if delay > 0:
            await asyncio.sleep(delay)
        await asyncio.gather(*(sender(s) for s in self.slots if s < total_slots))  # higher slots send one-offs only
        self.sending_done = True

    def stats(self) -> dict[str, Any]:
        return {"deliveries": self.deliveries, "acked": dict(self.acked), "errors": self.errors,
                "sending_done": self.sending_done, "sent": len(self.rtts), "connected": len(self.conns)}

    async def close(self) -> None:
        for ws in self.conns.values():
            ws.close()
        if self.conns:
            await asyncio.wait([asyncio.ensure_future(ws.closed) for ws in self.conns.values()], timeout=2)


def _worker_main(pipe: Connection, url: str, sockets: dict[int, SocketSpec], slots: dict[int, SlotSpec],
                 watch_alerts: set[int], cpu: int | None) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_worker_loop(pipe, _Worker(url, sockets, slots, watch_alerts)))


async def _worker_loop(pipe: Connection, worker: _Worker) -> None:
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()

    def pump() -> None:  # a thread: the pipe stays blocking for the replies sent from the loop
        while True:
            try:
                command = pipe.recv()
            except (EOFError, OSError):
                command = ("finish",)
            loop.call_soon_threadsafe(inbox.put_nowait, command)
            if command[0] == "finish":
                return

    import threading

    threading.Thread(target=pump, daemon=True).start()
    cpu_start = own_cpu()
    run_task: asyncio.Task[None] | None = None
    while True:
        command = await inbox.get()
        name = command[0]
        if name == "connect":
            connected = await worker.connect()
            pipe.send(("connected", connected, worker.errors, worker.last_error))
        elif name == "go":
            _, start_ns, messages, rate, total_slots, bodies = command
            cpu_start = own_cpu()
            run_task = asyncio.create_task(worker.run_senders(start_ns, messages, rate, total_slots, bodies))
        elif name == "stats":
            pipe.send(("stats", worker.stats()))
        elif name == "send_one":  # one extra message (the crisis scenario's alerting send)
            _, slot, k, body = command
            asyncio.create_task(worker.send(slot, k, body, one_off=True))
        elif name == "finish":
            if run_task is not None and not run_task.done():
                run_task.cancel()
            cpu = own_cpu() - cpu_start
            pipe.send(("result", WorkerResult(worker.deliveries, worker.latencies, worker.acked, worker.rtts,
                                              worker.errors, worker.last_error, cpu, worker.alerts, worker.one_offs)))
            await worker.close()
            return


# --------------------------------------------------------------------------- parent


class Fleet:
    """The generator's worker processes, driven from the parent (blocking calls)."""

    def __init__(self, url: str, sockets: list[SocketSpec], slots: list[SlotSpec], processes: int = 3,
                 cpu: int | None = None, watch_alerts: set[int] | None = None, apart: set[int] | None = None) -> None:
        """`apart`: sockets given a worker process of their own (e.g. the people whose
        latency is measured), so a saturated background worker does not delay them."""
        self.url = url
        self.sockets = sockets
        self.slots = slots
        apart = apart or set()
        background = [i for i in range(len(sockets)) if i not in apart]
        self.processes = max(1, min(processes, len(background)))
        self.cpu = cpu
        context = mp.get_context("spawn")
        self.pipes: list[Connection] = []
        self.procs: list[Any] = []
        self.slot_owner: dict[int, int] = {}
        owner = {i: n % self.processes for n, i in enumerate(background)}
        owner.update({i: self.processes for i in apart})
        for w in range(self.processes + (1 if apart else 0)):
            mine = {i: s for i, s in enumerate(sockets) if owner[i] == w}
            my_slots = {j: s for j, s in enumerate(slots) if owner[s.socket] == w}
            self.slot_owner.update({j: w for j in my_slots})
            watched = {i for i in (watch_alerts or set()) if owner[i] == w}
            parent, child = context.Pipe()
            proc = context.Process(target=_worker_main, args=(child, url, mine, my_slots, watched, cpu), daemon=True)
            proc.start()
            self.pipes.append(parent)
            self.procs.append(proc)

    def _ask(self, command: tuple[Any, ...], expect: str, timeout: float = 600) -> list[tuple[Any, ...]]:
        for pipe in self.pipes:
            pipe.send(command)
        replies = []
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError(f"generator worker did not answer {command[0]}")
            reply = pipe.recv()
            assert reply[0] == expect, reply
            replies.append(reply)
        return replies

    def connect(self) -> tuple[int, int, str | None]:
        replies = self._ask(("connect",), "connected")
        return sum(r[1] for r in replies), sum(r[2] for r in replies), next((r[3] for r in replies if r[3]), None)

    def go(self, messages: int, rate: float, lead_s: float = 0.3, bodies: dict[int, str] | None = None) -> int:
        start_ns = time.monotonic_ns() + int(lead_s * 1e9)
        for pipe in self.pipes:
            pipe.send(("go", start_ns, messages, rate, len(self.slots), bodies or {}))
        return start_ns

    def send_one(self, slot: int, k: int, body: str) -> None:
        self.pipes[self.slot_owner[slot]].send(("send_one", slot, k, body))

    def stats(self) -> dict[str, Any]:
        replies = [r[1] for r in self._ask(("stats",), "stats", 60)]
        acked: dict[int, int] = {}
        for r in replies:
            for room, n in r["acked"].items():
                acked[room] = acked.get(room, 0) + n
        return {"deliveries": sum(r["deliveries"] for r in replies), "acked": acked, "errors": sum(r["errors"] for r in replies),
                "sending_done": all(r["sending_done"] for r in replies), "sent": sum(r["sent"] for r in replies)}

    def finish(self) -> list[WorkerResult]:
        results = [r[1] for r in self._ask(("finish",), "result")]
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        return results

    def kill(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.kill()
