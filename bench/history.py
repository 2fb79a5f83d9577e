#!/usr/bin/env python3
"""History: how many history pages per second members can read, paging back
through a room over REST (GET /api/v1/rooms/{id}/messages?before=…&limit=50).

    python bench/history.py [--messages 5000 --readers 20 --seconds 15 --page 50]
        [--database-url … --redis-url … --processes 2] [--server-cpu 0 --gen-cpu 1] [--quick]

The room is filled through the real send path first (WebSocket sends, so every
message went through validation and moderation). Each reader pages from the
newest message back to the oldest and starts over; several generator
processes share the readers."""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout import add_common, make_server, measure  # noqa: E402
from bench.harness import RssSampler, load_average, machine, seed_members, summary_ms  # noqa: E402
from bench.loadgen import Fleet, SlotSpec, SocketSpec, own_cpu  # noqa: E402

ROOM = 1


def _reader_process(base: str, tokens: list[str], seconds: float, page: int, cpu: int | None, out: Any) -> None:
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    import httpx

    async def main() -> tuple[list[float], int, int]:
        latencies: list[float] = []
        errors = 0
        rows = 0
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            async def reader(token: str) -> None:
                nonlocal errors, rows
                before: int | None = None
                headers = {"Authorization": f"Bearer {token}"}
                while time.monotonic() < deadline:
                    params = {"limit": page, **({"before": before} if before else {})}
                    started = time.monotonic_ns()
                    response = await client.get(f"/api/v1/rooms/{ROOM}/messages", params=params, headers=headers)
                    if response.status_code != 200:
                        errors += 1
                        continue
                    latencies.append((time.monotonic_ns() - started) / 1e6)
                    messages = response.json()["messages"]
                    rows += len(messages)
                    before = messages[-1]["id"] if len(messages) == page else None

            await asyncio.gather(*(reader(t) for t in tokens))
        return latencies, errors, rows

    cpu0 = own_cpu()
    latencies, errors, rows = asyncio.run(main())
    out.send((latencies, errors, rows, own_cpu() - cpu0))


def fill_room(server: Any, members: list[dict[str, Any]], messages: int, gen_cpu: int | None) -> None:
    senders = min(10, len(members))
    fleet = Fleet(server.ws_url, [SocketSpec(m["token"], [ROOM]) for m in members[:senders]],
                  [SlotSpec(i, ROOM) for i in range(senders)], processes=1, cpu=gen_cpu)
    fleet.connect()
    measure(server, fleet, messages, 0, {ROOM: senders - 1}, 30).pop("_workers")


def run(args: argparse.Namespace) -> dict[str, Any]:
    server = make_server(args).start()
    try:
        info = machine()
        members = seed_members(server, max(args.readers, 10), prefix="Hist")["members"]
        fill_room(server, members, args.messages, args.gen_cpu)
        context = mp.get_context("spawn")
        tokens = [m["token"] for m in members[:args.readers]]
        shares = [tokens[i::args.gen_processes] for i in range(args.gen_processes)]
        pipes, procs = [], []
        sampler = RssSampler(server)
        cpu0 = server.cpu_seconds()
        started = time.monotonic()
        for share in shares:
            parent, child = context.Pipe()
            proc = context.Process(target=_reader_process, args=(server.base, share, args.seconds, args.page, args.gen_cpu, child))
            proc.start()
            pipes.append(parent)
            procs.append(proc)
        results = [p.recv() for p in pipes]
        wall = time.monotonic() - started
        cpu = server.cpu_seconds() - cpu0
        peak = sampler.stop()
        for proc in procs:
            proc.join(10)
        latencies = [v for r in results for v in r[0]]
        client_cpu = sum(r[3] for r in results)
        return {"scenario": "history", **server.describe(), "messages_in_room": args.messages, "readers": args.readers,
                "page": args.page, "requests": len(latencies), "errors": sum(r[1] for r in results),
                "rows": sum(r[2] for r in results), "measure_wall_s": round(wall, 2),
                "pages_per_s": round(len(latencies) / wall, 1), "latency_ms": summary_ms(latencies),
                "server_cpu_s": round(cpu, 2), "pages_per_server_cpu_s": round(len(latencies) / cpu, 1) if cpu else None,
                "server_peak_rss_sampled_kb": int(peak * 1024), "client_cpu_s": round(client_cpu, 2),
                # Includes start-up of the reader processes; over half a core per reader process means client-bound.
                "client_bound": client_cpu > 0.5 * wall * (1 if args.gen_cpu is not None else args.gen_processes),
                "server_cpu_pin": args.server_cpu, "generator_cpu_pin": args.gen_cpu, "loadavg_end": load_average(), **info}
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--page", type=int, default=50)
    add_common(parser)
    parser.set_defaults(gen_processes=2)
    args = parser.parse_args()
    if args.target == "ceiling":
        parser.error("the ceiling has no history")
    if args.quick:
        args.messages, args.readers, args.seconds, args.gen_processes = 120, 4, 1.5, 1
    result = run(args)
    print(json.dumps(result, sort_keys=True), flush=True)
    lat = result["latency_ms"]
    print(f"history {result['database']} {result['processes']} process(es): {result['pages_per_s']} pages/s "
          f"({result['pages_per_server_cpu_s']} per server CPU-s), p50 {lat['p50']} p99 {lat['p99']} ms, "
          f"errors {result['errors']}{'  CLIENT-BOUND' if result['client_bound'] else ''}  load {result['loadavg_end']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
