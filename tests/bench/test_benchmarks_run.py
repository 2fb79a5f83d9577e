"""CI runs a tiny version of each benchmark: it must complete and print sane
figures. Timings are never asserted here; bench/ is where they are read."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT


def _run(script: str, *args: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, f"bench/{script}", "--quick", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    line = [l for l in result.stdout.splitlines() if l.startswith("{")][-1]
    return json.loads(line)


def test_crisis_detector_benchmark_completes() -> None:
    figures = _run("crisis_bench.py")
    assert figures
    assert all(v is None or not isinstance(v, (int, float)) or v >= 0 for v in figures.values())


def test_crisis_detector_benchmark_best_of_rounds() -> None:
    figures = _run("crisis_bench.py", "--best", "--rounds", "3")
    assert figures["timing"] == "fastest of the rounds per message"
    assert figures["messages"] == 300  # one timing per message, not per round
    assert 0 < figures["median_us"] <= figures["p99_us"] <= figures["max_us"]


# The crisis alert scenario, with the others, is in test_scenarios.py.
