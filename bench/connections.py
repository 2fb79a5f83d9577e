#!/usr/bin/env python3
"""Connections: how many mostly idle WebSocket members one server process
holds, its memory per connection, and whether a small busy room stays fast
meanwhile.

    python bench/connections.py [--members 5000 --active 20 --rate 10 --messages 200]
        [--server-cpu 0 --gen-cpu 1] [--quick]

Every member opens one socket and joins one of 50 rooms; the first `--active`
members share room 1 and chat at `--rate` messages per second while the rest
stay idle. Reports RSS before and after the sockets opened (per connection),
the peak while chatting, and the busy room's delivery latency."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout import add_common, make_server, measure, table  # noqa: E402
from bench.harness import machine, seed_members  # noqa: E402
from bench.loadgen import Fleet, SlotSpec, SocketSpec  # noqa: E402

ACTIVE_ROOM = 1


def run(args: argparse.Namespace) -> dict[str, Any]:
    server = make_server(args).start()
    fleet: Fleet | None = None
    try:
        info = machine()
        started = time.monotonic()
        seeded = seed_members(server, args.members, extra_rooms=args.idle_rooms, prefix="Conn")
        idle_rooms = seeded["rooms"] or [2, 3, 4, 5, 6, 7, 8]
        sockets = [SocketSpec(m["token"], [ACTIVE_ROOM if i < args.active else idle_rooms[i % len(idle_rooms)]])
                   for i, m in enumerate(seeded["members"])]
        slots = [SlotSpec(i, ACTIVE_ROOM) for i in range(min(args.senders, args.active))]
        rss_before = server.rss_mb()
        fleet = Fleet(server.ws_url, sockets, slots, processes=args.gen_processes, cpu=args.gen_cpu)
        connected, errors, last = fleet.connect()
        time.sleep(1)
        rss_after = server.rss_mb()
        setup_s = time.monotonic() - started
        result = measure(server, fleet, args.messages, args.rate, {ACTIVE_ROOM: args.active - 1}, args.drain_timeout)
        result.pop("_workers")
        fleet = None
        return {"scenario": "connections", **server.describe(), "users": args.members, "connected": connected,
                "connect_errors": errors, "last_connect_error": last, "active_members": args.active, "senders": len(slots),
                "messages": args.messages, "rate_target_msg_s": args.rate, "rss_before_connections_mb": rss_before,
                "rss_with_connections_mb": rss_after,
                "rss_per_connection_kb": round((rss_after - rss_before) * 1024 / connected, 1) if connected else None,
                "setup_s": round(setup_s, 2), "generator_processes": args.gen_processes, "server_cpu_pin": args.server_cpu,
                "generator_cpu_pin": args.gen_cpu, **info, **result}
    finally:
        if fleet is not None:
            fleet.kill()
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--idle-rooms", type=int, default=49)
    parser.add_argument("--active", type=int, default=20)
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0)
    add_common(parser)
    parser.set_defaults(gen_processes=4)
    args = parser.parse_args()
    if args.quick:
        args.members, args.idle_rooms, args.active, args.senders, args.messages, args.rate, args.gen_processes = 60, 3, 10, 3, 20, 20.0, 2
    result = run(args)
    print(json.dumps(result, sort_keys=True), flush=True)
    print(table(result), file=sys.stderr)
    print(f"  {result['connected']} sockets: RSS {result['rss_before_connections_mb']} -> {result['rss_with_connections_mb']} MB "
          f"({result['rss_per_connection_kb']} KB per connection)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
