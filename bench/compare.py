#!/usr/bin/env python3
"""Side by side in one job: Synapse (A), Hearth (B) and the bare-socket
ceiling (C) on the same fan-out scenarios, each server pinned to core 0 and
the generator to core 1, alternating A B A B, then ratios and a plot.

    python bench/compare.py [--out docs/perf] [--quick] [--no-synapse]

Needs the Synapse peer from ../shared/bench (README there):
    bash ../shared/bench/synapse_peer_ctl.sh install
Writes OUT/results.jsonl (every raw line), OUT/summary.json (ratios per
scenario, with ../shared/bench/ratio.py's definitions) and
OUT/latency-vs-rate.png (matplotlib: pip install -e '.[bench]')."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEER = Path(os.environ.get("BENCH_PEER_DIR", ROOT.parent / "shared" / "bench"))
SYNAPSE_PY = Path(os.environ.get("SYNAPSE_VENV", "/tmp/synapse-venv")) / "bin" / "python"

# (users, messages, rate): the peer README's rows, then points for the latency/rate plot.
SHARED = [(20, 500, 0.0), (100, 1000, 0.0), (100, 300, 3.0)]
SWEEP_HEARTH = [(100, 200, 10.0), (100, 500, 25.0), (100, 1000, 50.0), (100, 1500, 100.0)]
SWEEP_SYNAPSE = [(100, 60, 1.0)]
QUICK_SHARED = [(10, 20, 0.0)]


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def last_json(text: str) -> dict[str, Any]:
    return json.loads([line for line in text.splitlines() if line.startswith("{")][-1])  # type: ignore[no-any-return]


def run_synapse(users: int, messages: int, rate: float) -> dict[str, Any]:
    ctl = ["bash", str(PEER / "synapse_peer_ctl.sh")]
    env = {**os.environ, "SYNAPSE_CPUS": "0"}
    subprocess.run([*ctl, "start"], env=env, check=True, capture_output=True, timeout=300)
    try:
        command = ["taskset", "-c", "1", str(SYNAPSE_PY), str(PEER / "synapse_peer.py"), "--users", str(users),
                   "--messages", str(messages), "--rate", str(rate)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=True)
        return {"server": "synapse", **last_json(done.stdout)}
    finally:
        subprocess.run([*ctl, "stop"], env=env, capture_output=True, timeout=60)


def run_ours(target: str, users: int, messages: int, rate: float) -> dict[str, Any]:
    command = [sys.executable, str(ROOT / "bench" / "fanout.py"), "--target", target, "--users", str(users),
               "--messages", str(messages), "--rate", str(rate), "--server-cpu", "0", "--gen-cpu", "1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return last_json(done.stdout)


def ratios(peer: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder, "a.json"), Path(folder, "b.json")
        a.write_text(json.dumps(peer))
        b.write_text(json.dumps(ours))
        done = subprocess.run([sys.executable, str(PEER / "ratio.py"), str(a), str(b)], capture_output=True, text=True, check=True)
    out = json.loads(done.stdout)
    # Memory while serving: the highest RSS sampled in the send phase (argon2 / bcrypt at sign-up excluded).
    out["memory_sampled_x"] = round(peer["server_peak_rss_sampled_kb"] / ours["server_peak_rss_sampled_kb"], 2)
    return out  # type: ignore[no-any-return]


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for server, colour in (("synapse", "tab:red"), ("hearth", "tab:blue")):
        points = sorted((r["send_throughput_msg_s"], r["delivery_latency_ms"]["p50"], r["delivery_latency_ms"]["p99"])
                        for r in rows if r["server"] == server and r["users"] == 100)
        if not points:
            continue
        xs = [p[0] for p in points]
        ax.plot(xs, [p[2] for p in points], "o-", color=colour, label=f"{server} p99")
        ax.plot(xs, [p[1] for p in points], "o--", color=colour, alpha=0.6, label=f"{server} p50")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("messages per second into a 100-member room (accepted)")
    ax.set_ylabel("send → receive latency, ms")
    ax.set_title("Delivery latency against message rate (server on 1 pinned core)")
    ax.axhline(150, color="grey", linewidth=0.8, linestyle=":")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/perf")
    parser.add_argument("--quick", action="store_true", help="one tiny shared scenario, Hearth and ceiling only: for CI")
    parser.add_argument("--no-synapse", action="store_true")
    parser.add_argument("--plot-only", action="store_true", help="redraw OUT/latency-vs-rate.png from OUT/results.jsonl")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.plot_only:
        plot([json.loads(line) for line in (out / "results.jsonl").read_text().splitlines() if line.strip()], out / "latency-vs-rate.png")
        return 0
    use_synapse = not (args.quick or args.no_synapse)
    if use_synapse and not SYNAPSE_PY.exists():
        parser.error(f"Synapse is not installed at {SYNAPSE_PY}: bash ../shared/bench/synapse_peer_ctl.sh install")
    rows: list[dict[str, Any]] = []
    results = (out / "results.jsonl").open("a")

    def record(row: dict[str, Any]) -> dict[str, Any]:
        rows.append(row)
        results.write(json.dumps(row, sort_keys=True) + "\n")
        results.flush()
        lat = row["delivery_latency_ms"]
        log(f"  {row['server']:8} N={row['users']} M={row['messages']} rate={row.get('rate_target_msg_s') or 'max'}: "
            f"{row['send_throughput_msg_s']} msg/s, p50/p99 {lat['p50']}/{lat['p99']} ms, "
            f"{round(row['deliveries'] / row['server_cpu_s']) if row.get('server_cpu_s') else '-'} deliveries/CPU-s")
        return row

    summary: dict[str, Any] = {"scenarios": []}
    for users, messages, rate in (QUICK_SHARED if args.quick else SHARED):
        log(f"scenario N={users} M={messages} rate={rate or 'max'}")
        pairs = []
        for _round in range(1 if args.quick else 2):  # A B A B (C after each pair)
            peer = record(run_synapse(users, messages, rate)) if use_synapse else None
            ours = record(run_ours("hearth", users, messages, rate))
            ceiling = record(run_ours("ceiling", users, messages, rate))
            pairs.append((peer, ours, ceiling))
        entry: dict[str, Any] = {"users": users, "messages": messages, "rate": rate or None, "runs": len(pairs)}
        if use_synapse:
            each = [ratios(p, o) for p, o, _c in pairs if p]
            entry["vs_synapse"] = {key: mean([e[key] for e in each if e.get(key) is not None])
                                   for key in ("throughput_x", "efficiency_x", "latency_p50_x", "latency_p99_x", "memory_x", "memory_sampled_x")}
            entry["vs_synapse_runs"] = each
        entry["hearth_over_ceiling"] = {
            "deliveries_per_s": mean([o["delivered_msg_s"] / c["delivered_msg_s"] for _p, o, c in pairs]),
            "deliveries_per_cpu_s": mean([o["deliveries_per_server_cpu_s"] / c["deliveries_per_server_cpu_s"] for _p, o, c in pairs
                                          if c.get("deliveries_per_server_cpu_s")]),
        }
        summary["scenarios"].append(entry)
    if not args.quick:
        log("latency against rate")
        for users, messages, rate in SWEEP_HEARTH:
            record(run_ours("hearth", users, messages, rate))
        if use_synapse:
            for users, messages, rate in SWEEP_SYNAPSE:
                record(run_synapse(users, messages, rate))
    results.close()
    (out / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    try:
        plot(rows, out / "latency-vs-rate.png")
    except ImportError:
        log("matplotlib is not installed (pip install -e '.[bench]'): no plot")
    print(json.dumps(summary, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
