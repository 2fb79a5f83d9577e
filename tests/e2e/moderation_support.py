"""Shared steps for the moderation tests: reports, the queue, actions."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import Member, http

MOD = "/api/v1/moderation"


def report(member: Member, kind: str, target_id: int, reason: str = "harassment", text: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"kind": kind, "id": target_id, "reason": reason}
    if text is not None:
        body["text"] = text
    return member.post("/api/v1/reports", body)


def queue(member: Member, **filters: str) -> list[dict[str, Any]]:
    response = member.get(f"{MOD}/cases", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["cases"]  # type: ignore[no-any-return]


def case_for(member: Member, kind: str, target_id: int, status: str = "active") -> dict[str, Any]:
    found = [c for c in queue(member, status=status) if c["target"]["kind"] == kind and c["target"]["id"] == target_id]
    assert len(found) == 1, found
    return found[0]


def act(member: Member, case_id: int, action: str, reason: str = "Please keep it kind.", **extra: Any) -> httpx.Response:
    return member.post(f"{MOD}/cases/{case_id}/actions", {"action": action, "reason": reason, **extra})


def acted(member: Member, case_id: int, action: str, reason: str = "Please keep it kind.", **extra: Any) -> dict[str, Any]:
    response = act(member, case_id, action, reason, **extra)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def notices(member: Member) -> list[dict[str, Any]]:
    response = member.get("/api/v1/me/notices")
    assert response.status_code == 200, response.text
    return response.json()["notices"]  # type: ignore[no-any-return]


def set_trust(staff: Member, member: Member, level: int | None, reason: str = "raid") -> None:
    response = http.put(f"{staff.server.base}{MOD}/members/{member.user['id']}/trust", headers=staff.headers,
                         json={"level": level, "reason": reason})
    assert response.status_code == 200, response.text


def audit(admin: Member, **filters: str) -> list[dict[str, Any]]:
    response = admin.get(f"{MOD}/audit", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["entries"]  # type: ignore[no-any-return]
