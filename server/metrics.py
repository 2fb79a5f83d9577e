"""Prometheus metrics (prometheus-client). Counts and timings only: no message
text, no pseudonyms, no addresses. Each process exposes its own /metrics."""

from __future__ import annotations

import asyncio
import hmac
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from server.errors import NotFound

REGISTRY = CollectorRegistry(auto_describe=True)
FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

connections = Gauge("hearth_ws_connections", "Open WebSocket connections in this process", registry=REGISTRY)
frames_in = Counter("hearth_ws_frames_in_total", "Frames received, by type", ["type"], registry=REGISTRY)
frames_out = Counter("hearth_ws_frames_out_total", "Frames sent to clients", registry=REGISTRY)
frames_prepared = Counter("hearth_ws_frames_prepared_total", "Of those, room events written from one encoding shared by all recipients",
                          registry=REGISTRY)
replays = Counter("hearth_ws_replays_total", "Times a socket read a room's events from the database: a hole in what it was sent, or a resync",
                  registry=REGISTRY)
slow_consumers = Counter("hearth_ws_slow_consumers_total", "Sockets dropped because they fell too far behind", registry=REGISTRY)
send_seconds = Histogram("hearth_send_seconds", "From a send frame to its ack (validate, write, moderate, publish)", buckets=FAST, registry=REGISTRY)
fanout_recipients = Histogram("hearth_fanout_recipients", "Local sockets one event was queued for",
                              buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000), registry=REGISTRY)
db_seconds = Histogram("hearth_db_transaction_seconds", "Write transactions, lock wait included", buckets=FAST, registry=REGISTRY)
writes_per_commit = Histogram("hearth_db_writes_per_commit", "SQLite write transactions that shared one COMMIT (server/db.py)",
                              buckets=(1, 2, 4, 8, 16), registry=REGISTRY)
broker_lag = Histogram("hearth_broker_lag_seconds", "From a message's commit to its arrival at this process's hub", buckets=FAST, registry=REGISTRY)
publish_failures = Counter("hearth_publish_failures_total", "Events the broker did not take (receivers repair from the database)", registry=REGISTRY)
open_flags = Gauge("hearth_crisis_open_flags", "Open crisis flags", ["severity"], registry=REGISTRY)
escalations = Gauge("hearth_crisis_escalations", "Crisis flag escalations so far", registry=REGISTRY)
time_to_claim = Gauge("hearth_crisis_time_to_claim_seconds", "Time from a flag to its first claim", ["severity", "quantile"], registry=REGISTRY)
time_to_reply = Gauge("hearth_crisis_time_to_first_reply_seconds", "Time from a flag to the specialist's first reply", ["severity", "quantile"], registry=REGISTRY)

# Performance (docs/performance.md): how far the event loop runs late (a crisis
# alert waits that long behind other work), how far sockets fall behind, and
# the process's own memory, CPU and file descriptors (process_* series).
loop_lag = Histogram("hearth_event_loop_lag_seconds", "How late the event loop ran a timer (sampled twice a second)",
                     buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0), registry=REGISTRY)
send_queue_deepest = Gauge("hearth_ws_send_queue_deepest", "Most events waiting for one socket (at scrape time)", registry=REGISTRY)
send_queue_total = Gauge("hearth_ws_send_queue_events", "Events waiting for all sockets of this process (at scrape time)", registry=REGISTRY)
fanout_lane = Gauge("hearth_fanout_lane_events", "Large rooms' events waiting their turn in the fan-out lane (at scrape time)",
                    registry=REGISTRY)
ws_impl = Gauge("hearth_ws_implementation", "The WebSocket implementation serving /ws (value 1)", ["impl"], registry=REGISTRY)
ProcessCollector(registry=REGISTRY)

KNOWN_FRAME_TYPES: set[str] = set()  # filled from the handler table, so labels stay bounded


def count_frame(frame_type: object) -> None:
    frames_in.labels(frame_type if isinstance(frame_type, str) and frame_type in KNOWN_FRAME_TYPES else "other").inc()


LAG_INTERVAL = 0.5


async def watch_loop_lag() -> None:
    """Sleep, and record how much later than asked the loop woke us."""
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(LAG_INTERVAL)
        loop_lag.observe(max(0.0, time.perf_counter() - asked - LAG_INTERVAL))


def _allowed(request: Request) -> bool:
    token = request.app.state.hearth.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "")[7:]
        return hmac.compare_digest(given.encode(), token.encode())
    client = request.client.host if request.client else ""
    return client in ("127.0.0.1", "::1")  # used for this check only, never stored


async def metrics_endpoint(request: Request) -> Response:
    if not _allowed(request):
        raise NotFound()
    from moderation.flags import figures

    h = request.app.state.hearth
    depths = [conn.queue.qsize() for conn in tuple(h.connections)]
    send_queue_deepest.set(max(depths, default=0))
    send_queue_total.set(sum(depths))
    fanout_lane.set(h.hub.lane_depth())
    ws_impl.labels(h.settings.ws_impl).set(1)
    async with h.db.read() as session:
        numbers = await figures(session)
    for severity, count in numbers["open"].items():
        open_flags.labels(severity).set(count)
    escalations.set(numbers["escalations"])
    for gauge, key in ((time_to_claim, "time_to_claim"), (time_to_reply, "time_to_first_reply")):
        for severity, values in numbers[key].items():
            for quantile, label in (("median", "0.5"), ("p95", "0.95")):
                if values[quantile] is not None:
                    gauge.labels(severity, label).set(values[quantile])
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
