"""CI runs a tiny version of each benchmark: it must complete and print sane
figures. Timings are never asserted here; bench/ is where they are read."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT, configured_database_url, configured_redis_url


def _run(script: str, *args: str) -> dict[str, object]:
    result = subprocess.run([sys.executable, f"bench/{script}", "--quick", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    line = [l for l in result.stdout.splitlines() if l.startswith("{")][-1]
    return json.loads(line)


def test_crisis_detector_benchmark_completes() -> None:
    figures = _run("crisis_bench.py")
    assert figures
    assert all(v is None or not isinstance(v, (int, float)) or v >= 0 for v in figures.values())


def test_crisis_alert_benchmark_completes() -> None:
    args: list[str] = []
    if configured_database_url() and configured_redis_url():
        args = ["--database-url", configured_database_url() or "", "--redis-url", configured_redis_url() or "", "--processes", "2"]
    figures = _run("crisis_alert.py", *args)
    assert figures["alerted"] == figures["crises"] == 5
    latency = figures["alert_latency_ms"]
    assert isinstance(latency, dict) and latency["count"] == 5 and 0 < latency["p50"] <= latency["max"]
