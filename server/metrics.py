"""Prometheus metrics (prometheus-client). Counts and timings only: no message
text, no pseudonyms, no addresses. Each process exposes its own /metrics."""

from __future__ import annotations

import hmac

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from server.errors import NotFound

REGISTRY = CollectorRegistry(auto_describe=True)
FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

connections = Gauge("hearth_ws_connections", "Open WebSocket connections in this process", registry=REGISTRY)
frames_in = Counter("hearth_ws_frames_in_total", "Frames received, by type", ["type"], registry=REGISTRY)
frames_out = Counter("hearth_ws_frames_out_total", "Frames sent to clients", registry=REGISTRY)
slow_consumers = Counter("hearth_ws_slow_consumers_total", "Sockets dropped because they fell too far behind", registry=REGISTRY)
send_seconds = Histogram("hearth_send_seconds", "From a send frame to its ack (validate, write, moderate, publish)", buckets=FAST, registry=REGISTRY)
fanout_recipients = Histogram("hearth_fanout_recipients", "Local sockets one event was queued for",
                              buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000), registry=REGISTRY)
db_seconds = Histogram("hearth_db_transaction_seconds", "Write transactions, lock wait included", buckets=FAST, registry=REGISTRY)
broker_lag = Histogram("hearth_broker_lag_seconds", "From a message's commit to its arrival at this process's hub", buckets=FAST, registry=REGISTRY)
publish_failures = Counter("hearth_publish_failures_total", "Events the broker did not take (receivers repair from the database)", registry=REGISTRY)
open_flags = Gauge("hearth_crisis_open_flags", "Open crisis flags", ["severity"], registry=REGISTRY)
escalations = Gauge("hearth_crisis_escalations", "Crisis flag escalations so far", registry=REGISTRY)
time_to_claim = Gauge("hearth_crisis_time_to_claim_seconds", "Time from a flag to its first claim", ["severity", "quantile"], registry=REGISTRY)
time_to_reply = Gauge("hearth_crisis_time_to_first_reply_seconds", "Time from a flag to the specialist's first reply", ["severity", "quantile"], registry=REGISTRY)

KNOWN_FRAME_TYPES: set[str] = set()  # filled from the handler table, so labels stay bounded


def count_frame(frame_type: object) -> None:
    frames_in.labels(frame_type if isinstance(frame_type, str) and frame_type in KNOWN_FRAME_TYPES else "other").inc()


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
