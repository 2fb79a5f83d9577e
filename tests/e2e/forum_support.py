"""Helpers for forum and search end-to-end tests."""

from __future__ import annotations

import secrets
from typing import Any, Iterator

from tests.support import Database, Member, ServerProcess, run_sql  # noqa: F401 (tests import run_sql from here too)

# Rate limits off for the feature tests; tests/e2e/test_forum_limits.py checks them.
NO_LIMITS = {"HEARTH_FORUM_REPLY_RATE": "off", "HEARTH_FORUM_THREAD_RATE": "off", "HEARTH_SEARCH_RATE": "off"}


def forum_server(**extra_env: str) -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env={**NO_LIMITS, **extra_env}).start()
    yield proc
    proc.stop()


def word(prefix: str = "w") -> str:
    """A word no other test wrote, so searches in a shared database stay apart."""
    return f"{prefix}{secrets.token_hex(4)}"


def start_thread(member: Member, board_id: int = 1, title: str | None = None, body: str = "Hello, everyone.", **extra: Any) -> dict[str, Any]:
    response = member.post(f"/api/v1/forum/boards/{board_id}/threads", {"title": title or f"Thread {word()}", "body": body, **extra})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def reply_to(member: Member, thread_id: int, body: str = "Thank you for sharing.", **extra: Any) -> dict[str, Any]:
    response = member.post(f"/api/v1/forum/threads/{thread_id}/replies", {"body": body, **extra})
    assert response.status_code == 201, response.text
    return response.json()["post"]  # type: ignore[no-any-return]


def thread_posts(member: Member, thread_id: int, limit: int = 100) -> list[dict[str, Any]]:
    response = member.get(f"/api/v1/forum/threads/{thread_id}?limit={limit}")
    assert response.status_code == 200, response.text
    return response.json()["posts"]  # type: ignore[no-any-return]


def sql_ago(server: ServerProcess, seconds: int) -> str:
    """A SQL expression for the moment `seconds` ago, on the server's database."""
    return f"now() - interval '{seconds} seconds'" if server.database.url else f"datetime('now', '-{seconds} seconds')"


def block(blocker: Member, blocked: Member) -> None:
    response = blocker.post("/api/v1/blocks", {"pseudonym": blocked.pseudonym})
    assert response.status_code == 201, response.text
