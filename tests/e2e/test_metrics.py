"""Prometheus metrics: figures only, and not for the public."""

from __future__ import annotations

import httpx

from tests.support import Database, ServerProcess, sign_up


async def test_metrics_count_sockets_frames_and_flags(server: ServerProcess) -> None:
    member = sign_up(server)
    sock = await member.socket()
    await sock.join(1)
    await sock.say(1, "hello metrics")
    await sock.say(1, "I want to die")  # a crisis flag, counted by severity
    text = httpx.get(server.base + "/metrics").text
    for name in ("hearth_ws_connections 1.0", 'hearth_ws_frames_in_total{type="send"} 2.0', "hearth_send_seconds_count 2.0",
                 "hearth_db_transaction_seconds_count", "hearth_fanout_recipients_count", 'hearth_crisis_open_flags{severity="high"} 1.0',
                 "hearth_broker_lag_seconds_count", "hearth_event_loop_lag_seconds_count", "hearth_ws_send_queue_deepest 0.0",
                 'hearth_ws_implementation{impl="wsproto"} 1.0', "process_resident_memory_bytes", "process_cpu_seconds_total"):
        assert name in text, name
    assert member.pseudonym not in text and "hello metrics" not in text
    await sock.close()


def test_metrics_token_is_required_when_set() -> None:
    server = ServerProcess(Database.fresh(), extra_env={"HEARTH_METRICS_TOKEN": "scrape-secret-123"}).start()
    try:
        assert httpx.get(server.base + "/metrics").status_code == 404
        assert httpx.get(server.base + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        ok = httpx.get(server.base + "/metrics", headers={"Authorization": "Bearer scrape-secret-123"})
        assert ok.status_code == 200 and "hearth_ws_connections" in ok.text
    finally:
        server.stop()
