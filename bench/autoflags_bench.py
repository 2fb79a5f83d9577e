#!/usr/bin/env python3
"""Per-message latency of the automatic flags (check_text) on chat-length messages.

    python bench/autoflags_bench.py [--quick] [--messages N] [--rounds R]

Prints one JSON line (median/p90/p99/max in microseconds, messages per second),
then a short table. Messages are synthetic everyday recovery chat with a share
of phone numbers, handles, addresses, sales talk, links and watched words, run
as a new account with twenty watched words so every detector does its work.
Target, as for the crisis detector: median < 50 µs on one core. Timing only;
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

from moderation.autoflags import WatchedWord, check_text  # noqa: E402

EVERYDAY = [
    "hey everyone, how was your {day}?", "{n} days sober today!", "anyone going to the meeting at 7:30 on {day}?",
    "thanks for the support yesterday, it really helped", "my sponsor called and we talked for an hour",
    "made it through the {day} without a drink", "sober since 2019 and still learning",
    "I used to buy oxy every day, now I buy groceries", "my dealer called and I hung up",
    "call 988 if it gets bad, they helped me", "$40 for the book but worth it", "hmu if you need to talk",
    "thanks @Quiet River, that meant a lot", "day {n} and the cravings are quieter",
]
FLAGGED = [
    "call me at 555-{n:04d}", "my insta is quiet_river{n}", "I live on Elm St", "selling oxy, dm me",
    "$20 a point", "check out https://example.com/{n}", "what a junkie", "email me river{n}@gmail.com",
    "🔌💵❄️", "add me on discord river#{n:04d}",
]
DAYS = ["monday", "tuesday", "thursday", "weekend", "day", "night"]
WATCHED = WatchedWord.compile_all(
    [{"id": f"w{index}", "pattern": word, "action": "flag"} for index, word in enumerate(
        ["addict", "clean and serene", "relapse prevention", "whatever", "loser", "idiot", "hate you", "stupid",
         "shut up", "get lost", "trash", "pathetic", "weak", "liar", "freak", "creep", "scam", "spam", "crypto"])]
    + [{"id": "slur", "pattern": "junkie", "action": "replace", "replacement": "person who uses drugs"}]
)


def build_messages(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(FLAGGED if rng.random() < 0.2 else EVERYDAY).format(day=rng.choice(DAYS),
                                                                          n=rng.randint(2, 9999))
            for _ in range(count)]


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def run(count: int, rounds: int) -> dict[str, object]:
    messages = build_messages(count)
    for text in messages[:200]:
        check_text(text, is_new_account=True, watched=WATCHED)  # warm caches, as a running server would be
    timings: list[float] = []
    clock = time.perf_counter_ns
    started = clock()
    for _ in range(rounds):
        for text in messages:
            before = clock()
            check_text(text, is_new_account=True, watched=WATCHED)
            timings.append((clock() - before) / 1000)
    total = (clock() - started) / 1e9
    timings.sort()
    return {
        "benchmark": "autoflags",
        "messages": len(timings),
        "mean_chars": round(sum(len(text) for text in messages) / len(messages), 1),
        "watched_words": len(WATCHED),
        "median_us": round(percentile(timings, 0.5), 2),
        "p90_us": round(percentile(timings, 0.9), 2),
        "p99_us": round(percentile(timings, 0.99), 2),
        "max_us": round(timings[-1], 2),
        "messages_per_second": round(len(timings) / total, 1),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a tiny run for CI: checks it works, not speed")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    count, rounds = (300, 1) if args.quick else (args.messages, args.rounds)
    result = run(count, rounds)
    print(json.dumps(result))
    print(f"{'messages':<22}{result['messages']:>12}")
    for key in ("median_us", "p90_us", "p99_us", "max_us", "messages_per_second"):
        print(f"{key:<22}{result[key]:>12}")
    print("target: median < 50 µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
