"""Prometheus metrics: figures only, and not for the public."""

from __future__ import annotations


from tests.support import Database, ServerProcess, http, metric, sign_up


async def test_metrics_count_sockets_frames_and_flags(server: ServerProcess) -> None:
    member = sign_up(server)
    sock = await member.socket()
    await sock.join(1)
    await sock.say(1, "hello metrics")
    await sock.say(1, "I want to die")  # a crisis flag, counted by severity
    text = http.get(server.base + "/metrics").text
    for name in ("hearth_ws_connections 1.0", 'hearth_ws_frames_in_total{type="send"} 2.0', "hearth_send_seconds_count 2.0",
                 "hearth_db_transaction_seconds_count", "hearth_fanout_recipients_count", 'hearth_crisis_open_flags{severity="high"} 1.0',
                 "hearth_broker_lag_seconds_count", "hearth_event_loop_lag_seconds_count", "hearth_ws_send_queue_deepest 0.0", "hearth_fanout_lane_events 0.0",
                 'hearth_ws_implementation{impl="wsproto"} 1.0', "process_resident_memory_bytes", "process_cpu_seconds_total"):
        assert name in text, name
    assert member.pseudonym not in text and "hello metrics" not in text
    await sock.close()


async def test_a_room_event_reaches_members_as_one_shared_frame(server: ServerProcess) -> None:
    """The frame encoded once per event (server/transport.py) is really what members get."""
    speaker, listeners = sign_up(server), [sign_up(server) for _ in range(3)]
    socks = [await person.socket() for person in (speaker, *listeners)]
    for sock in socks:
        await sock.join(1)
    before = metric(server, "hearth_ws_frames_prepared_total")
    body = "Thirty days today." + " Thank you all for being here." * 10  # longer than a short frame's 125 bytes
    await socks[0].say(1, body)
    for sock in socks[1:]:
        event = await sock.wait_for(lambda f: f.get("type") == "message" and f["message"]["client_id"] != "")
        assert event["message"]["body"] == body
    assert metric(server, "hearth_ws_frames_prepared_total") >= before + 3  # fails when every frame goes through ASGI instead
    for sock in socks:
        await sock.close()


async def test_other_websocket_implementations_deliver_through_asgi() -> None:
    """websockets-sansio offers no prepared frames: the same direct path sends through ASGI."""
    server = ServerProcess(Database.fresh(), extra_env={"HEARTH_WS_IMPL": "websockets-sansio"}).start()
    try:
        speaker, listener = sign_up(server), sign_up(server)
        socks = [await speaker.socket(), await listener.socket()]
        for sock in socks:
            await sock.join(1)
        for n in range(5):
            await socks[0].say(1, f"check-in number {n}")
        for n in range(5):
            event = await socks[1].wait_for(lambda f, n=n: f.get("type") == "message" and f["message"]["body"] == f"check-in number {n}")
            assert event["seq"] == socks[1].events("message")[n]["seq"]  # in order
        text = http.get(server.base + "/metrics").text
        assert "hearth_ws_frames_prepared_total 0.0" in text and 'impl="websockets-sansio"' in text
        for sock in socks:
            await sock.close()
    finally:
        server.stop()


def test_metrics_token_is_required_when_set() -> None:
    server = ServerProcess(Database.fresh(), extra_env={"HEARTH_METRICS_TOKEN": "scrape-secret-123"}).start()
    try:
        assert http.get(server.base + "/metrics").status_code == 404
        assert http.get(server.base + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
        ok = http.get(server.base + "/metrics", headers={"Authorization": "Bearer scrape-secret-123"})
        assert ok.status_code == 200 and "hearth_ws_connections" in ok.text
    finally:
        server.stop()
