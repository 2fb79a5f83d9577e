#!/usr/bin/env python3
"""Fan-out: N members in one room, S senders, M messages, open-loop rate or as
fast as acks return. Latency for every (message, member != sender) pair,
deliveries and acked messages per second, server CPU and memory.

    python bench/fanout.py --users 100 --messages 1000 [--rate 50] [--senders 10]
        [--target hearth|ceiling] [--database-url … --redis-url … --processes 2]
        [--server-cpu 0 --gen-cpu 1] [--quick]

Prints one JSON line (the same keys as ../shared/bench/synapse_peer.py, so
../shared/bench/ratio.py compares them) and a short table on stderr. Rate
limits are lifted through documented settings (bench/harness.py LIFTED_LIMITS);
the JSON says which."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Ceiling, RssSampler, Server, load_average, machine, seed_members, summary_ms  # noqa: E402
from bench.loadgen import BODY_PAD, Fleet, SlotSpec, SocketSpec  # noqa: E402

ROOM = 1  # "Welcome", seeded by the first migration


def make_server(args: argparse.Namespace) -> Server:
    extra = {"HEARTH_WS_IMPL": args.ws_impl} if getattr(args, "ws_impl", None) else {}
    if args.target == "ceiling":
        return Ceiling(cpu=args.server_cpu, extra_env={"CEILING_WS_IMPL": args.ws_impl} if args.ws_impl else {})
    return Server(args.database_url, args.redis_url, args.processes, cpu=args.server_cpu, extra_env=extra)


def measure(server: Server, fleet: Fleet, messages: int, rate: float, expected_per_room: dict[int, int],
            drain_timeout: float, bodies: dict[int, str] | None = None) -> dict[str, Any]:
    """Run the send phase and wait for every delivery (or the drain timeout)."""
    sampler = RssSampler(server)
    counts0 = server.counters()
    cpu0 = server.cpu_seconds()
    start_ns = fleet.go(messages, rate, bodies=bodies)
    send_done_at: float | None = None
    while True:
        time.sleep(0.2)
        stats = fleet.stats()
        expected = sum(n * expected_per_room.get(room, 0) for room, n in stats["acked"].items())
        if stats["sending_done"]:
            send_done_at = send_done_at or time.monotonic_ns()
            if stats["deliveries"] >= expected or (time.monotonic_ns() - send_done_at) / 1e9 > drain_timeout:
                break
    end_ns = time.monotonic_ns()
    cpu = server.cpu_seconds() - cpu0
    counts = {name: value - counts0.get(name, 0.0) for name, value in server.counters().items()}
    peak = sampler.stop()
    results = fleet.finish()
    latencies = [v for r in results for v in r.latencies]
    rtts = [v for r in results for v in r.send_rtts]
    acked: dict[int, int] = {}
    for r in results:
        for room, n in r.acked.items():
            acked[room] = acked.get(room, 0) + n
    expected = sum(n * expected_per_room.get(room, 0) for room, n in acked.items())
    deliveries = sum(r.deliveries for r in results)
    send_s = ((send_done_at or end_ns) - start_ns) / 1e9
    wall = (end_ns - start_ns) / 1e9
    client_cpu = sum(r.cpu_s for r in results)
    sent_ok = len(rtts)
    return {
        "sent_ok": sent_ok, "send_errors": sum(r.errors for r in results),
        "last_send_error": next((r.last_error for r in results if r.last_error), None),
        "send_phase_s": round(send_s, 3), "send_throughput_msg_s": round(sent_ok / send_s, 2) if send_s > 0 else None,
        "send_rtt_ms": summary_ms(rtts), "expected_deliveries": expected, "deliveries": deliveries,
        "delivery_ratio": round(deliveries / expected, 4) if expected else None,
        "delivered_msg_s": round(deliveries / wall, 1) if wall > 0 else None,
        "delivery_latency_ms": summary_ms(latencies),
        "server_vmhwm_kb": int(server.rss_mb("VmHWM") * 1024), "server_peak_rss_sampled_kb": int(peak * 1024),
        "server_cpu_s": round(cpu, 2), "deliveries_per_server_cpu_s": round(deliveries / cpu, 1) if cpu > 0 else None,
        "client_cpu_s": round(client_cpu, 2), "measure_wall_s": round(wall, 2),
        # The generator's share: its processes' CPU against the wall time of the phase.
        # Over half a core per core it was given means it may have been the bottleneck.
        "client_bound": client_cpu > 0.5 * wall * (1 if fleet.cpu is not None else (len(fleet.procs) or 1)),
        "server_counts": counts,  # the send phase's (bench/harness.py Server.counters)
        "loadavg_end": load_average(),
        "_workers": results,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    server = make_server(args).start()
    fleet: Fleet | None = None
    try:
        info = machine()
        started = time.monotonic()
        members = seed_members(server, args.users)["members"]
        sockets = [SocketSpec(m["token"], [ROOM]) for m in members]
        slots = [SlotSpec(i, ROOM) for i in range(args.senders)]
        fleet = Fleet(server.ws_url, sockets, slots, processes=args.gen_processes, cpu=args.gen_cpu)
        connected, errors, last = fleet.connect()
        if connected != args.users:
            raise RuntimeError(f"only {connected}/{args.users} sockets connected ({errors} errors, last: {last})")
        setup_s = time.monotonic() - started
        result = measure(server, fleet, args.messages, args.rate, {ROOM: args.users - 1}, args.drain_timeout)
        result.pop("_workers")
        fleet = None
        return {"scenario": "fanout", **server.describe(), "users": args.users, "senders": args.senders,
                "messages": args.messages, "rate_target_msg_s": args.rate or None,
                "body_bytes": len(f"bench message {args.messages} {BODY_PAD}"), "setup_s": round(setup_s, 2),
                "generator_processes": args.gen_processes, "server_cpu_pin": args.server_cpu, "generator_cpu_pin": args.gen_cpu,
                **info, **result}
    finally:
        if fleet is not None:
            fleet.kill()
        server.stop()


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=("hearth", "ceiling"), default="hearth")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--processes", type=int, default=1, help="server processes (2+: hearth cluster, needs PostgreSQL + Redis)")
    parser.add_argument("--server-cpu", type=int, help="pin the server to this core")
    parser.add_argument("--gen-cpu", type=int, help="pin the generator to this core")
    parser.add_argument("--gen-processes", type=int, default=3, help="generator worker processes")
    parser.add_argument("--ws-impl", help="uvicorn WebSocket implementation (wsproto, websockets-sansio, websockets)")
    parser.add_argument("--drain-timeout", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="a tiny run for CI: completes in seconds")


def table(result: dict[str, Any]) -> str:
    lat = result["delivery_latency_ms"]
    return (f"{result['scenario']} {result['server']} ({result.get('database')}, {result.get('processes')} process(es)) "
            f"N={result.get('users')} S={result.get('senders')} M={result.get('messages')} rate={result.get('rate_target_msg_s') or 'max'}\n"
            f"  acked {result['send_throughput_msg_s']} msg/s  deliveries {result['delivered_msg_s']}/s  "
            f"ratio {result['delivery_ratio']}  errors {result['send_errors']}\n"
            f"  latency p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  max {lat['max']} ms\n"
            f"  server CPU {result['server_cpu_s']} s  ({result['deliveries_per_server_cpu_s']} deliveries/CPU-s)  "
            f"peak RSS {result['server_peak_rss_sampled_kb'] // 1024} MB  VmHWM {result['server_vmhwm_kb'] // 1024} MB\n"
            f"  generator CPU {result['client_cpu_s']} s in {result['measure_wall_s']} s"
            f"{'  CLIENT-BOUND' if result['client_bound'] else ''}  load {result['loadavg_end']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--senders", type=int, default=10)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=0.0, help="total msg/s, open loop; 0 = as fast as acks return")
    add_common(parser)
    args = parser.parse_args()
    if args.quick:
        args.users, args.senders, args.messages, args.gen_processes = 10, 3, 30, 2
    result = run(args)
    print(__import__("json").dumps(result, sort_keys=True), flush=True)
    print(table(result), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
