"""Structured JSON logs. Hearth never logs message text, pseudonyms or network
addresses; uvicorn's access log (which holds client addresses) is off."""

from __future__ import annotations

import logging
import re
import sys
import time

from server import jsonutil


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["trace"] = self.formatException(record.exc_info)
        return jsonutil.dumps(entry)


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactAddresses())
    handler.addFilter(ClientFaultsAreWarnings())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("alembic").setLevel(logging.WARNING)


_ADDRESS = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b"  # IPv4, with a port
    r"|\[?\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}\b\]?(?::\d+)?"  # IPv6
)


class RedactAddresses(logging.Filter):
    """No network address reaches the logs, whoever logged it (uvicorn logs
    WebSocket handshakes with the client's address and port)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _ADDRESS.search(message):
            record.msg, record.args = _ADDRESS.sub("[address]", message), None
        return True


class ClientFaultsAreWarnings(logging.Filter):
    """uvicorn's websockets-sansio implementation logs a traceback when a client
    sends invalid UTF-8 in a text frame. It already closes that socket with
    1007, as it should: the fault is the client's, so it is one warning line
    with no traceback (the fuzz tests read the log for tracebacks)."""

    CLIENT_FAULTS = ("Invalid UTF-8 sequence received from client",)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("uvicorn") and record.exc_info and str(record.msg).startswith(self.CLIENT_FAULTS):
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
