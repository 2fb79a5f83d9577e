#!/usr/bin/env python3
"""Per-message latency of the crisis detector on chat-length messages.

    python bench/crisis_bench.py [--quick] [--messages N] [--rounds R] [--best]

Prints one JSON line (median/p90/p99/max in microseconds, messages per
second), then a short table. Messages are synthetic: built from templates of
everyday recovery-chat talk, with a share of distress, idiom, negation and
obfuscation, so every code path (no match, match, scope, context) is timed.
Targets from the issue: median < 50 µs, p99 < 500 µs on one core. Timing only;
never a CI gate.
"""
from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moderation.crisis import assess  # noqa: E402

EVERYDAY = [
    "hey everyone, how was your {day}?", "{n} days sober today!", "anyone going to the meeting on {day}?",
    "thanks for the support yesterday, it really helped", "my sponsor called and we talked for an hour",
    "made it through the {day} without a drink", "the weather is awful but I went for a walk anyway",
    "does anyone have a good podcast about recovery?", "I'm proud of you for reaching out",
    "had a rough morning but I called my sponsor", "going to bed early tonight, see you all tomorrow",
    "grateful for this group, seriously", "my kid's recital was so cute", "work was long today",
]
DISTRESS = [
    "I want to die", "I can't do this anymore", "the cravings are so bad {day}", "I have the pills lined up",
    "nobody would even notice if I was gone", "I relapsed last night and I hate myself",
    "my friend won't wake up after using", "I'm not suicidal, just tired", "two years ago I tried to end it, "
    "today I'm {n} days sober", "this craving is killing me", "killing it at work lol", "I'd kill for a coffee",
    "k i l l m y s e l f", "thinking about suiciiide again", "kms", "💊💊💀", "I'm so done with everything",
]
DAYS = ["monday", "tuesday", "thursday", "weekend", "day", "night"]


def build_messages(count: int, seed: int = 7) -> list[tuple[str, tuple[str, ...]]]:
    rng = random.Random(seed)
    messages: list[tuple[str, tuple[str, ...]]] = []
    for index in range(count):
        pool = DISTRESS if rng.random() < 0.2 else EVERYDAY
        text = rng.choice(pool).format(day=rng.choice(DAYS), n=rng.randint(2, 900))
        # One message in ten comes with the author's recent messages as context.
        context = tuple(rng.choice(EVERYDAY + DISTRESS).format(day="day", n=30) for _ in range(3)) \
            if index % 10 == 0 else ()
        messages.append((text, context))
    return messages


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def run(count: int, rounds: int, best: bool = False) -> dict[str, object]:
    messages = build_messages(count)
    for text, context in messages[:200]:
        assess(text, context)  # warm the per-word caches, as a running server would be
    per_message: list[list[float]] = [[] for _ in messages]
    clock = time.perf_counter_ns
    started = clock()
    for _ in range(rounds):
        for index, (text, context) in enumerate(messages):
            before = clock()
            assess(text, context)
            per_message[index].append((clock() - before) / 1000)
    total = (clock() - started) / 1e9
    # --best: each message's fastest round, so that another process taking the
    # core mid-message (a loaded shared machine) does not land in the tail.
    timings = sorted(min(times) for times in per_message) if best else sorted(
        time_us for times in per_message for time_us in times)
    return {
        "benchmark": "crisis_detector",
        "timing": "fastest of the rounds per message" if best else "every round",
        "messages": len(timings),
        "mean_chars": round(sum(len(text) for text, _ in messages) / len(messages), 1),
        "median_us": round(percentile(timings, 0.5), 2),
        "p90_us": round(percentile(timings, 0.9), 2),
        "p99_us": round(percentile(timings, 0.99), 2),
        "max_us": round(timings[-1], 2),
        "messages_per_second": round(rounds * len(messages) / total, 1),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a tiny run for CI: checks it works, not speed")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=None, help="default 5 (--quick: 1)")
    parser.add_argument("--best", action="store_true",
                        help="time each message by its fastest round (for a loaded shared machine)")
    args = parser.parse_args(argv)
    count, rounds = (300, args.rounds or 1) if args.quick else (args.messages, args.rounds or 5)
    result = run(count, rounds, args.best)
    print(json.dumps(result))
    print(f"{'messages':<22}{result['messages']:>12}")
    for key in ("median_us", "p90_us", "p99_us", "max_us", "messages_per_second"):
        print(f"{key:<22}{result[key]:>12}")
    print("targets: median < 50 µs, p99 < 500 µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
