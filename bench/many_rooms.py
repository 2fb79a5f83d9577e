#!/usr/bin/env python3
"""Many rooms: members spread over topic rooms, plus private conversations, a
realistic mix of room and private messages at an open-loop rate.

    python bench/many_rooms.py [--members 2000 --rooms 50 --dm-pairs 200 --rate 100 --messages 3000]
        [--database-url … --redis-url … --processes 2] [--server-cpu 0 --gen-cpu 1] [--quick]

Every member joins one topic room; both people of a private conversation also
join it. Senders: one per topic room and one per DM slot (about 4 room
messages to 1 private). Prints one JSON line and a short table."""

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


def run(args: argparse.Namespace) -> dict[str, Any]:
    server = make_server(args).start()
    fleet: Fleet | None = None
    try:
        info = machine()
        started = time.monotonic()
        seeded = seed_members(server, args.members, extra_rooms=args.rooms, dm_pairs=args.dm_pairs, prefix="Many")
        rooms, members, dms = seeded["rooms"], seeded["members"], seeded["dms"]
        room_of = [rooms[i % len(rooms)] for i in range(len(members))]
        joins: list[list[int]] = [[room] for room in room_of]
        for dm in dms:
            joins[dm["a"]].append(dm["room"])
            joins[dm["b"]].append(dm["room"])
        sockets = [SocketSpec(m["token"], j) for m, j in zip(members, joins)]
        room_size = {room: room_of.count(room) for room in rooms}
        first_in = {room: room_of.index(room) for room in rooms}
        slots = [SlotSpec(first_in[room], room) for room in rooms]
        dm_slots = max(1, len(rooms) // 4) if dms else 0
        slots += [SlotSpec(dms[d]["a"] if d % 2 == 0 else dms[d]["b"], dms[d]["room"]) for d in range(min(dm_slots, len(dms)))]
        expected = {**{room: size - 1 for room, size in room_size.items()}, **{dm["room"]: 1 for dm in dms}}
        fleet = Fleet(server.ws_url, sockets, slots, processes=args.gen_processes, cpu=args.gen_cpu)
        connected, errors, last = fleet.connect()
        if connected != len(sockets):
            raise RuntimeError(f"only {connected}/{len(sockets)} sockets connected ({errors} errors, last: {last})")
        setup_s = time.monotonic() - started
        result = measure(server, fleet, args.messages, args.rate, expected, args.drain_timeout)
        result.pop("_workers")
        fleet = None
        return {"scenario": "many_rooms", **server.describe(), "users": args.members, "rooms": len(rooms),
                "dm_pairs": len(dms), "senders": len(slots), "dm_senders": dm_slots, "messages": args.messages,
                "rate_target_msg_s": args.rate or None, "setup_s": round(setup_s, 2), "generator_processes": args.gen_processes,
                "server_cpu_pin": args.server_cpu, "generator_cpu_pin": args.gen_cpu, **info, **result}
    finally:
        if fleet is not None:
            fleet.kill()
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--dm-pairs", type=int, default=200)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=100.0)
    add_common(parser)
    args = parser.parse_args()
    if args.quick:
        args.members, args.rooms, args.dm_pairs, args.messages, args.rate, args.gen_processes = 40, 4, 4, 40, 40.0, 2
    result = run(args)
    print(json.dumps(result, sort_keys=True), flush=True)
    print(table(result), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
