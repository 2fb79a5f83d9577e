#!/usr/bin/env python3
"""Latency from a member's `send` of a crisis message to the on-call
specialist's `flag_raised` alert, while a busy room chats in the background.

    python bench/crisis_alert.py [--members 100 --load 0.8 | --rate 50] [--crises 40]
        [--database-url … --redis-url … --processes 2] [--server-cpu 0 --gen-cpu 1] [--quick]

With `--load F` (and no --rate) the background rate is F times the server's
measured capacity for this room: a short as-fast-as-acks-return run first
measures it. Targets: issue 7, p99 under 250 ms with 1,000 members chatting;
issue 12, p99 <= 100 ms with the background at 80 % of capacity. Prints one
JSON line and a short table. Rate limits are lifted the way an operator
would (bench/harness.py LIFTED_LIMITS)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bench.fanout import add_common, make_server, measure  # noqa: E402
from bench.harness import machine, make_staff, seed_members, summary_ms  # noqa: E402
from bench.loadgen import Fleet, SlotSpec, SocketSpec  # noqa: E402

ROOM = 1
CRISIS_TEXTS = ["I have the pills lined up and tonight is the night", "I want to kill myself tonight",
                "this is goodbye, I've written the notes", "my friend won't wake up after using"]


def capacity(server: Any, members: list[dict[str, Any]], args: argparse.Namespace) -> float:
    """Acked messages per second into this room, as fast as acks return."""
    fleet = Fleet(server.ws_url, [SocketSpec(m["token"], [ROOM]) for m in members], [SlotSpec(i, ROOM) for i in range(args.senders)],
                  processes=args.gen_processes, cpu=args.gen_cpu)
    fleet.connect()
    result = measure(server, fleet, args.probe_messages, 0, {ROOM: len(members) - 1}, 30)
    return float(result["send_throughput_msg_s"] or 0)


def run(args: argparse.Namespace) -> dict[str, Any]:
    server = make_server(args).start()
    fleet: Fleet | None = None
    try:
        info = machine()
        started = time.monotonic()
        _name, specialist_token = asyncio.run(make_staff(server, "specialist"))
        httpx.post(server.base + "/api/v1/crisis/oncall", json={"on_call": True},
                   headers={"Authorization": f"Bearer {specialist_token}"}).raise_for_status()
        seeded = seed_members(server, args.members + args.crises, prefix="Crisis")["members"]
        chatters, people = seeded[:args.members], seeded[args.members:]
        measured = None
        rate = args.rate
        if not rate:
            measured = capacity(server, chatters, args)
            rate = round(measured * args.load, 1)
        sockets = [SocketSpec(m["token"], [ROOM]) for m in chatters + people] + [SocketSpec(specialist_token, [])]
        specialist = len(sockets) - 1
        slots = [SlotSpec(i, ROOM) for i in range(args.senders)]
        crisis_slots = list(range(len(slots), len(slots) + len(people)))
        slots += [SlotSpec(args.members + j, ROOM) for j in range(len(people))]
        # The specialist and the people in crisis are on their own devices: their sockets get a
        # worker process of their own, so the background's saturated workers do not delay them.
        probe = set(range(args.members, len(sockets))) if args.probe_apart else set()
        fleet = Fleet(server.ws_url, sockets, slots, processes=args.gen_processes, cpu=args.gen_cpu, watch_alerts={specialist},
                      apart=probe)
        connected, errors, last = fleet.connect()
        if connected != len(sockets):
            raise RuntimeError(f"only {connected}/{len(sockets)} sockets connected ({errors} errors, last: {last})")
        setup_s = time.monotonic() - started
        # Background: only the chat slots send (messages k map to slots k % S, and crisis slots
        # come after them); its duration covers the crisis sends.
        messages = int(rate * (args.crises * args.crisis_interval + 2))
        background_slots = args.senders

        def crises() -> None:
            time.sleep(1.0)
            for j, slot in enumerate(crisis_slots):
                fleet.send_one(slot, 10_000_000 + j, CRISIS_TEXTS[j % len(CRISIS_TEXTS)])  # type: ignore[union-attr]
                time.sleep(args.crisis_interval)

        thread = threading.Thread(target=crises, daemon=True)
        fleet.slots = slots[:background_slots]  # the background uses the chat senders only
        thread.start()
        result = measure(server, fleet, messages, rate, {ROOM: len(chatters) + len(people) - 1}, args.drain_timeout)
        thread.join()
        fleet = None
        alerts: dict[str, int] = {}
        sent: dict[int, int] = {}
        for r in result.pop("_workers"):
            alerts.update(r.alerts)
            sent.update(r.one_offs)
        latencies = [(alerts[people[k - 10_000_000]["pseudonym"]] - t) / 1e6 for k, t in sent.items()
                     if people[k - 10_000_000]["pseudonym"] in alerts]
        return {"scenario": "crisis_alert", **server.describe(), "members": args.members, "background_rate": rate,
                "capacity_msg_s": measured, "load_fraction": args.load if measured else None, "crises": len(sent), "probe_apart": args.probe_apart,
                "alerted": len(latencies), "alert_latency_ms": summary_ms(latencies), "setup_s": round(setup_s, 2),
                "server_cpu_pin": args.server_cpu, "generator_cpu_pin": args.gen_cpu, **info, **result}
    finally:
        if fleet is not None:
            fleet.kill()
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--rate", type=float, default=0.0, help="background msg/s (0: --load times measured capacity)")
    parser.add_argument("--load", type=float, default=0.8)
    parser.add_argument("--probe-messages", type=int, default=600)
    parser.add_argument("--crises", type=int, default=40)
    parser.add_argument("--crisis-interval", type=float, default=0.25)
    parser.add_argument("--probe-together", dest="probe_apart", action="store_false",
                        help="put the specialist and the people in crisis in the background's worker processes "
                             "(before 2026-11-27 evening; a saturated generator then adds its own delay)")
    add_common(parser)
    args = parser.parse_args()
    if args.quick:
        args.members, args.senders, args.crises, args.crisis_interval, args.probe_messages, args.gen_processes = 20, 3, 5, 0.1, 60, 2
    result = run(args)
    print(json.dumps(result, sort_keys=True), flush=True)
    lat = result["alert_latency_ms"]
    print(f"\ncrisis alert latency with {result['members']} members chatting at {result['background_rate']} msg/s "
          f"(capacity {result['capacity_msg_s']}; {result['database']}, {result['processes']} process(es))", file=sys.stderr)
    print(f"  alerted {result['alerted']}/{result['crises']}  p50 {lat['p50']} ms  p95 {lat['p95']} ms  "
          f"p99 {lat['p99']} ms  max {lat['max']} ms;  chat p99 {result['delivery_latency_ms']['p99']} ms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
