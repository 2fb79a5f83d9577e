"""schemathesis against the live server, from the served OpenAPI document:
no 5xx, every response matches the document, credentials are never ignored,
and no member reaches another's objects (object-level authorisation and
use-after-free, with two members as peers). Bounded examples per operation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.support import Database, Member, ServerProcess, create_staff, http, sign_up

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = ",".join((
    "not_a_server_error", "response_schema_conformance", "content_type_conformance", "status_code_conformance",
    "ignored_auth", "use_after_free", "ensure_resource_availability", "object_level_authorization",
))


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    # schemathesis sends thousands of requests: lift the per-member windows
    # (their own tests cover them) so it explores the endpoints, not 429s.
    env = {"HEARTH_SEARCH_RATE": "off", "HEARTH_FORUM_THREAD_RATE": "off", "HEARTH_FORUM_REPLY_RATE": "off", "HEARTH_READ_RATE": "off"}
    proc = ServerProcess(Database.fresh(), extra_env=env).start()
    yield proc
    proc.stop()


def _run(server: ServerProcess, workdir: Path, examples: int, *extra: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    if not SCHEMATHESIS.exists():
        pytest.fail(f"schemathesis is a dev dependency; install it (pip install -e '.[dev]'), missing {SCHEMATHESIS}")
    command = [str(SCHEMATHESIS), *(["--config-file", str(config)] if config else []), "run",
               f"{server.base}/api/v1/openapi.json", "--checks", CHECKS, "-n", str(examples), "--no-color",
               "--generation-database", "none", "--request-timeout", "30", *extra]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900)


def _report(result: subprocess.CompletedProcess[str]) -> str:
    out = result.stdout + result.stderr
    start = out.find("FAILURES")
    return out[start:start + 6000] if start >= 0 else out[-4000:]


def _identity(name: str, member: Member) -> dict[str, object]:
    return {"name": name, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {member.token}"}]}


def test_the_document_is_served_and_public(server: ServerProcess) -> None:
    response = http.get(server.base + "/api/v1/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/rooms/{room_id}/messages" in document["paths"]


def test_numbers_past_64_bits_are_bad_input_not_server_errors(server: ServerProcess) -> None:
    """Found by schemathesis: a huge id reached the database and overflowed (500)."""
    member = sign_up(server)
    huge = "9" * 30
    for path in (f"/api/v1/forum/threads/{huge}", f"/api/v1/rooms/{huge}/messages", f"/api/v1/rooms/1/messages?before={huge}",
                 f"/api/v1/recovery/badges?users={huge}", f"/api/v1/meetings?room_id={huge}"):
        response = member.get(path)
        assert response.status_code in (400, 404), (path, response.status_code)
        assert response.json()["error"]["code"] in ("number_out_of_range", "not_found", "invalid", "invalid_cursor")
    deleted = http.delete(server.base + f"/api/v1/me/recovery/early-warning/consents/{huge}", headers=member.headers)
    assert deleted.status_code in (400, 404)
    body = member.post("/api/v1/concerns", json={"message_id": 2**63 + 5})
    assert body.status_code in (202, 400)
    assert "Traceback" not in server.log()


def test_digits_int_refuses_are_bad_input_not_server_errors(server: ServerProcess) -> None:
    """Found by schemathesis: `?cursor=²` passed `str.isdigit` and `int()` refused it (500)."""
    member, admin = sign_up(server), create_staff(server, "admin")
    board = member.get("/api/v1/forum/boards").json()["boards"][0]["id"]
    for who, path in ((member, f"/api/v1/forum/boards/{board}/threads?cursor=²"),
                      (member, "/api/v1/recovery/badges?users=1,²"),
                      (admin, "/api/v1/moderation/audit?target_id=²"), (admin, "/api/v1/moderation/audit?limit=²"),
                      (admin, "/api/v1/moderation/cases?room_id=²")):
        response = who.get(path)
        assert response.status_code == 400, (path, response.status_code)
    assert "Traceback" not in server.log()


def test_schemathesis_as_an_anonymous_client(server: ServerProcess, tmp_path: Path) -> None:
    result = _run(server, tmp_path, 5, "--phases", "examples,coverage,fuzzing")
    assert result.returncode == 0, _report(result)
    assert "Traceback" not in server.log()


def test_schemathesis_as_two_members_who_must_not_reach_each_others_objects(server: ServerProcess, tmp_path: Path) -> None:
    alice, bob = sign_up(server, "AliceProbe"), sign_up(server, "BobProbe")
    # Something of each to find: a goal, a day count, a forum thread.
    for member in (alice, bob):
        assert member.post("/api/v1/me/recovery/goals", json={"title": f"{member.pseudonym}'s goal"}).status_code == 201
        assert member.post("/api/v1/me/recovery/day-counts", json={"label": "Days"}).status_code == 201
    moderator = create_staff(server, "moderator")  # tried last, so staff-only operations are reached too
    auth = tmp_path / "auth.json"
    auth.write_text(json.dumps({"auth": [_identity("alice", alice), _identity("bob", bob), _identity("moderator", moderator)]}))
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[auth]\nauto-signup = false\n\n[auth.wfc]\npath = "{auth}"\npeers = ["alice", "bob"]\n')
    # Logging out would end the run's own session; its tests are in test_rest.py.
    result = _run(server, tmp_path, 10, "--exclude-path", "/api/v1/auth/logout", config=config)
    assert result.returncode == 0, _report(result)
    assert "Traceback" not in server.log()
    assert alice.get("/api/v1/me").status_code == 200 and bob.get("/api/v1/me").status_code == 200
