"""CI runs a tiny version of each load scenario: it must complete, lose
nothing and print sane figures. Timings are never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.support import ROOT, configured_database_url, configured_redis_url


def _run(script: str, *args: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, f"bench/{script}", "--quick", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])  # type: ignore[no-any-return]


def _scaled_out() -> list[str]:
    """On CI with PostgreSQL + Redis: two server processes, else the SQLite default."""
    if configured_database_url() and configured_redis_url():
        return ["--database-url", configured_database_url() or "", "--redis-url", configured_redis_url() or "", "--processes", "2"]
    return []


def _sane_delivery(figures: dict[str, Any]) -> None:
    assert figures["send_errors"] == 0, figures["last_send_error"]
    assert figures["sent_ok"] == figures["messages"]
    assert figures["deliveries"] == figures["expected_deliveries"] > 0  # nothing lost
    latency = figures["delivery_latency_ms"]
    assert latency["n"] == figures["deliveries"] and 0 < latency["p50"] <= latency["p99"] <= latency["max"]
    assert figures["server_cpu_s"] > 0 and figures["server_peak_rss_sampled_kb"] > 0
    assert figures["limits_lifted"]["HEARTH_WS_SEND_QUEUE"]  # says how limits were lifted


def test_fanout_completes_and_loses_nothing() -> None:
    figures = _run("fanout.py", *_scaled_out())
    _sane_delivery(figures)
    assert figures["expected_deliveries"] == figures["messages"] * (figures["users"] - 1)


def test_ceiling_speaks_the_same_protocol() -> None:
    figures = _run("fanout.py", "--target", "ceiling")
    assert figures["server"] == "ceiling"
    assert figures["deliveries"] == figures["expected_deliveries"] == figures["messages"] * (figures["users"] - 1)


def test_many_rooms_mixes_rooms_and_private_conversations() -> None:
    figures = _run("many_rooms.py", *_scaled_out())
    _sane_delivery(figures)
    assert figures["dm_pairs"] > 0 and figures["dm_senders"] > 0 and figures["rooms"] > 1


def test_connections_reports_memory_per_socket() -> None:
    figures = _run("connections.py")
    _sane_delivery(figures)
    assert figures["connected"] == figures["users"] and figures["connect_errors"] == 0
    assert figures["rss_with_connections_mb"] >= figures["rss_before_connections_mb"] > 0


def test_history_pages_without_errors() -> None:
    figures = _run("history.py", *_scaled_out())
    assert figures["errors"] == 0 and figures["requests"] > 0 and figures["rows"] > 0
    assert figures["pages_per_s"] > 0 and 0 < figures["latency_ms"]["p50"] <= figures["latency_ms"]["max"]


@pytest.mark.parametrize("scaled_out", [False, True])
def test_crisis_alert_reaches_the_specialist_under_load(scaled_out: bool) -> None:
    if scaled_out and not _scaled_out():
        pytest.skip("needs HEARTH_TEST_DATABASE_URL (PostgreSQL) and HEARTH_TEST_REDIS_URL")
    figures = _run("crisis_alert.py", *(_scaled_out() if scaled_out else []))
    assert figures["alerted"] == figures["crises"] == 5
    assert figures["capacity_msg_s"] > 0 and figures["background_rate"] > 0
    latency = figures["alert_latency_ms"]
    assert latency["n"] == 5 and 0 < latency["p50"] <= latency["max"]
    _sane_delivery({**figures, "messages": figures["sent_ok"]})


def test_compare_job_writes_ratios_to_the_ceiling(tmp_path: Any) -> None:
    result = subprocess.run([sys.executable, "bench/compare.py", "--quick", "--out", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((tmp_path / "summary.json").read_text())
    ratio = summary["scenarios"][0]["hearth_over_ceiling"]["deliveries_per_s"]
    assert ratio is not None and ratio > 0
    rows = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert {r["server"] for r in rows} == {"hearth", "ceiling"}
