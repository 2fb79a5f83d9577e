"""Shared steps for the private-conversation, mentor and talk-now tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.support import Member, ServerProcess, http

# Thresholds off, so test members can open conversations at once; the threshold test sets its own.
OPEN_DMS = {"HEARTH_DM_MIN_ACCOUNT_HOURS": "0", "HEARTH_DM_MIN_MESSAGES": "0", "HEARTH_MENTOR_MIN_DAYS": "180"}


def set_policy(member: Member, who: str, read_receipts: bool | None = None) -> None:
    body: dict[str, Any] = {"who_can_message": who}
    if read_receipts is not None:
        body["read_receipts"] = read_receipts
    response = http.put(member.server.base + "/api/v1/me/messaging", headers=member.headers, json=body)
    assert response.status_code == 200, response.text


def open_dm(opener: Member, other: Member, **extra: Any) -> httpx.Response:
    return opener.post("/api/v1/conversations", {"pseudonym": other.pseudonym, **extra})


def pair(a: Member, b: Member) -> int:
    """A conversation between a and b (b accepts anyone)."""
    set_policy(b, "anyone")
    response = open_dm(a, b)
    assert response.status_code in (200, 201), response.text
    return int(response.json()["conversation"]["id"])


def put(member: Member, path: str, json: Any) -> httpx.Response:
    return http.put(member.server.base + path, headers=member.headers, json=json)


def delete(member: Member, path: str) -> httpx.Response:
    return http.delete(member.server.base + path, headers=member.headers)


async def post_together(calls: list[tuple[Member, str, Any]], server: ServerProcess | None = None) -> list[httpx.Response]:
    """Send several POSTs at the same moment (each to its member's server)."""
    async with httpx.AsyncClient(timeout=30) as client:
        return list(await asyncio.gather(*(
            client.post((server or m.server).base + path, headers=m.headers, json=body) for m, path, body in calls
        )))
