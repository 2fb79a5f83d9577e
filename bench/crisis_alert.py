#!/usr/bin/env python3
"""Latency from a member's `send` of a crisis message to the on-call
specialist's alert, while many members chat.

    python bench/crisis_alert.py [--quick] [--members 1000] [--rate 50] [--crises 40]
        [--database-url postgresql+asyncpg://… --redis-url redis://… --processes 2]

Target (issue 7): p99 under 250 ms with 1,000 members chatting. Prints one JSON
line and a short table. Rate limits are lifted the way an operator would (see
bench/harness.py LIFTED_LIMITS)."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orjson  # noqa: E402

from bench.harness import LIFTED_LIMITS, Server, dumps, emit, make_accounts, make_staff, open_socket, own_cpu_seconds, percentiles  # noqa: E402

CRISIS_TEXTS = ["I have the pills lined up and tonight is the night", "I want to kill myself tonight",
                "this is goodbye, I've written the notes", "my friend won't wake up after using"]
CHAT_TEXTS = ["one day at a time", "thanks for sharing that", "made it to my meeting today", "how is everyone doing?",
              "cravings are hard this evening but I'm ok", "grateful for this room"]


async def run(args: argparse.Namespace) -> dict[str, object]:
    server = Server(args.database_url, args.redis_url, args.processes, cpu=args.server_cpu).start()
    try:
        setup_started = time.monotonic()
        specialist_name, specialist_token = await make_staff(server, "specialist")
        accounts = await make_accounts(server, args.members + args.crises)
        setup_seconds = time.monotonic() - setup_started
        chatters, crisis_people = accounts[:args.members], accounts[args.members:]

        import httpx

        httpx.post(server.base + "/api/v1/crisis/oncall", json={"on_call": True},
                   headers={"Authorization": f"Bearer {specialist_token}"}).raise_for_status()
        alerts: dict[str, float] = {}
        specialist = await open_socket(server, specialist_token)

        async def watch_alerts() -> None:
            async for raw in specialist:
                frame = orjson.loads(raw)
                if frame["type"] == "flag_raised":
                    alerts.setdefault(frame["flag"]["member"]["pseudonym"], time.perf_counter())

        sockets = []
        delivered = 0

        async def drain(sock: object) -> None:
            nonlocal delivered
            async for _raw in sock:  # type: ignore[attr-defined]
                delivered += 1

        for i, (_name, token) in enumerate(chatters + crisis_people):
            sock = await open_socket(server, token)
            await sock.send(dumps({"type": "join", "room_id": 1 + i % args.rooms}))
            sockets.append(sock)
        tasks = [asyncio.create_task(watch_alerts())] + [asyncio.create_task(drain(s)) for s in sockets]
        await asyncio.sleep(1)

        stop = asyncio.Event()

        async def background() -> None:
            interval = 1 / args.rate if args.rate else None
            n = 0
            while not stop.is_set() and interval:
                sock = sockets[random.randrange(len(chatters))]
                n += 1
                await sock.send(dumps({"type": "send", "room_id": 1 + (n % args.rooms), "body": random.choice(CHAT_TEXTS),
                                       "client_id": f"bg-{n}"}))
                await asyncio.sleep(interval)

        chatter = asyncio.create_task(background())
        sent_at: dict[str, float] = {}
        cpu_before, gen_before = server.cpu_seconds(), own_cpu_seconds()
        started = time.monotonic()
        for k, (name, _token) in enumerate(crisis_people):
            sock = sockets[len(chatters) + k]
            sent_at[name] = time.perf_counter()
            await sock.send(dumps({"type": "send", "room_id": 1 + k % args.rooms, "body": random.choice(CRISIS_TEXTS),
                                   "client_id": f"crisis-{k}"}))
            await asyncio.sleep(args.crisis_interval)
        await asyncio.sleep(2)
        elapsed = time.monotonic() - started
        stop.set()
        await chatter
        latencies = [(alerts[n] - t) * 1000 for n, t in sent_at.items() if n in alerts]
        result = {
            "scenario": "crisis_alert", "members": args.members, "rooms": args.rooms, "background_rate": args.rate,
            "processes": args.processes, "database": "postgresql" if args.database_url else "sqlite",
            "broker": "redis" if args.redis_url else "in-process", "crises": len(sent_at), "alerted": len(latencies),
            "alert_latency_ms": percentiles(latencies), "deliveries": delivered,
            "server_cpu_s": round(server.cpu_seconds() - cpu_before, 2), "generator_cpu_s": round(own_cpu_seconds() - gen_before, 2),
            "elapsed_s": round(elapsed, 1), "setup_s": round(setup_seconds, 1), "server_rss_mb": server.rss_mb(),
            "limits_lifted": LIFTED_LIMITS,
        }
        for task in tasks:
            task.cancel()
        for sock in sockets + [specialist]:
            await sock.close()
        return result
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=8)
    parser.add_argument("--rate", type=float, default=50.0, help="background chat messages per second")
    parser.add_argument("--crises", type=int, default=40)
    parser.add_argument("--crisis-interval", type=float, default=0.25)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--server-cpu", type=int, help="pin the server to this core")
    parser.add_argument("--quick", action="store_true", help="a tiny run for CI: completes in seconds")
    args = parser.parse_args()
    if args.quick:
        args.members, args.crises, args.rate, args.crisis_interval = 20, 5, 10.0, 0.1
    result = asyncio.run(run(args))
    emit(result)
    lat = result["alert_latency_ms"]
    print(f"\ncrisis alert latency with {result['members']} members chatting at {result['background_rate']}/s "
          f"({result['database']}, {result['broker']}, {result['processes']} process(es))", file=sys.stderr)
    print(f"  alerted {result['alerted']}/{result['crises']}  p50 {lat['p50']} ms  p95 {lat['p95']} ms  "  # type: ignore[index]
          f"p99 {lat['p99']} ms  max {lat['max']} ms", file=sys.stderr)  # type: ignore[index]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
