"""SQL injection (C13): every line of ../shared/data/sqli/ in every parameter a
member controls, search included, gets the same answer as an inert string (or
a clean 4xx), never SQL error text, never another member's private words,
changes nothing, and no time-based payload makes a request wait."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any, Callable, Iterator
from urllib.parse import quote

import httpx
import pytest

from tests.e2e.injection_corpus import require_data, sqli_payloads
from tests.support import PASSWORD, Database, Member, ServerProcess, create_staff, http, sign_up

SECRET = "zebracorn"  # a word only in a private conversation
INERT = "hearth inert value"
NUMBER = re.compile(r"^\s*-?[0-9]+(,[0-9]+)*\s*$")
SQL_ERROR = re.compile(r"sqlite|syntax error|OperationalError|ProgrammingError|asyncpg|psycopg|SQLSTATE|near \"|"
                       r"unrecognized token|unterminated|column .* does not exist|relation .* does not exist|Traceback", re.I)


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    require_data()
    proc = ServerProcess(Database.fresh(), extra_env={
        "HEARTH_SEARCH_RATE": "off", "HEARTH_READ_RATE": "off", "HEARTH_DM_MIN_ACCOUNT_HOURS": "0", "HEARTH_DM_MIN_MESSAGES": "0",
        # Every Auth_Bypass line must reach the log-in code, not the throttle (tests/e2e/test_login_throttle.py covers that).
        "HEARTH_LOGIN_FAILURE_RATE": "off", "HEARTH_LOGIN_ACCOUNT_FAILURE_RATE": "off", "HEARTH_LOGIN_ADDRESS_FAILURE_RATE": "off"}).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def world(server: ServerProcess) -> dict[str, Any]:
    """Two members with a private conversation holding a secret, and public words to find."""
    alice, bob, carol = sign_up(server), sign_up(server), sign_up(server)
    moderator = create_staff(server, "moderator")

    async def seed() -> int:
        assert http.put(server.base + "/api/v1/me/messaging", json={"who_can_message": "anyone"}, headers=bob.headers).status_code == 200
        conversation = alice.post("/api/v1/conversations", json={"pseudonym": bob.pseudonym}).json()["conversation"]
        sock = await alice.socket()
        await sock.join(conversation["id"])
        await sock.say(conversation["id"], f"my {SECRET} secret stays between us")
        await sock.join(2)
        await sock.say(2, "the kettle is on and I am staying in tonight")
        await sock.close()
        return int(conversation["id"])

    conversation_id = asyncio.run(seed())
    return {"alice": alice, "bob": bob, "carol": carol, "moderator": moderator, "conversation_id": conversation_id}


def _payloads() -> list[str]:
    return [line for lines in sqli_payloads().values() for line in lines]


def _clean(response: httpx.Response, payload: str) -> None:
    assert response.status_code < 500, (payload, response.status_code, response.text[:300])
    assert not SQL_ERROR.search(response.text.replace(payload, "")), (payload, response.text[:300])


def _outcome(response: httpx.Response) -> tuple[int, str | None]:
    body = response.json() if response.content else {}
    return response.status_code, (body.get("error") or {}).get("code") if isinstance(body, dict) else None


def _same_as_inert(client: httpx.Client, member: Member, make: Callable[[str], httpx.Request], payloads: list[str],
                   also: tuple[tuple[int, str | None], ...] = ()) -> None:
    baseline = _outcome(client.send(make(INERT)))
    for payload in payloads:
        response = client.send(make(payload))
        _clean(response, payload)
        if NUMBER.match(payload):
            continue  # a plain number ("0", "1") is a fair value, not an injection
        assert _outcome(response) in (baseline, *also), (payload, _outcome(response), baseline)


def test_search_finds_nothing_private_and_shows_no_sql(server: ServerProcess, world: dict[str, Any]) -> None:
    carol: Member = world["carol"]
    with httpx.Client(base_url=server.base, headers=carol.headers, timeout=30) as client:
        inert = client.get("/api/v1/search", params={"q": "kettle"})
        assert inert.status_code == 200 and inert.json()["results"], "the public message is found"
        for payload in _payloads():
            for params in ({"q": payload}, {"q": f"kettle {payload}"}, {"q": "kettle", "scope": payload},
                           {"q": "kettle", "limit": payload}):
                response = client.get("/api/v1/search", params=params)
                _clean(response, payload)
                assert response.status_code in (200, 400), (params, response.text[:200])
                if response.status_code == 200:
                    for hit in response.json()["results"]:
                        assert SECRET not in str(hit), (payload, hit)
                        assert hit.get("room_id") != world["conversation_id"], (payload, hit)
                else:
                    assert response.json()["error"]["code"] in ("search_syntax", "search_empty", "invalid", "too_long")


def test_time_based_payloads_add_no_delay(server: ServerProcess, world: dict[str, Any]) -> None:
    """Each payload asks the database to sleep 5 s or more; none may get to."""
    carol: Member = world["carol"]
    timed = sqli_payloads()["Generic_TimeBased"]
    assert len(timed) > 80
    with httpx.Client(base_url=server.base, headers=carol.headers, timeout=30) as client:
        for payload in timed:
            for request in (client.build_request("GET", "/api/v1/search", params={"q": payload}),
                            client.build_request("GET", f"/api/v1/rooms/2/messages?before={quote(payload)}"),
                            client.build_request("POST", "/api/v1/blocks", json={"pseudonym": payload})):
                started = time.monotonic()
                response = client.send(request)
                took = time.monotonic() - started
                _clean(response, payload)
                assert took < 4.0, (payload, request.url, took)  # every payload's sleep is at least 5 s


def test_query_parameters_answer_as_for_an_inert_string(server: ServerProcess, world: dict[str, Any]) -> None:
    carol: Member = world["carol"]
    moderator: Member = world["moderator"]
    payloads = _payloads()
    with httpx.Client(base_url=server.base, timeout=30) as client:
        def get(member: Member, path: str, name: str, **fixed: str) -> Callable[[str], httpx.Request]:
            return lambda v: client.build_request("GET", path, params={**fixed, name: v}, headers=member.headers)

        # Numbers: a payload is never a number, so it is the inert string's 400.
        _same_as_inert(client, carol, get(carol, "/api/v1/rooms/2/messages", "before"), payloads)
        _same_as_inert(client, carol, get(carol, "/api/v1/rooms/2/messages", "limit"), payloads)
        _same_as_inert(client, carol, get(carol, "/api/v1/forum/boards/1/threads", "cursor"), payloads)
        _same_as_inert(client, carol, get(carol, "/api/v1/recovery/badges", "users"), payloads)
        _same_as_inert(client, carol, get(carol, "/api/v1/me/recovery/check-ins", "days"), payloads)
        _same_as_inert(client, carol, get(carol, "/api/v1/meetings", "room_id"), payloads)
        _same_as_inert(client, carol, get(carol, "/api/v1/meetings", "tz"), payloads)
        _same_as_inert(client, carol, get(carol, "/api/v1/recovery/wins", "limit"), payloads)
        # Words from a fixed list.
        _same_as_inert(client, moderator, get(moderator, "/api/v1/crisis/flags", "status"), payloads)
        rooms = client.get("/api/v1/rooms", headers=carol.headers).json()
        for payload in payloads:
            response = client.get("/api/v1/rooms", params={"archived": payload}, headers=carol.headers)
            _clean(response, payload)
            assert response.json() == rooms, payload  # the same rooms, nothing more


def test_body_fields_that_name_people_answer_as_for_an_unknown_name(server: ServerProcess, world: dict[str, Any]) -> None:
    carol: Member = world["carol"]
    payloads = _payloads()
    with httpx.Client(base_url=server.base, timeout=30) as client:
        def post(path: str, name: str) -> Callable[[str], httpx.Request]:
            return lambda v: client.build_request("POST", path, json={name: v}, headers=carol.headers)

        # A payload is nobody's pseudonym: the same answer as for a name that doesn't exist,
        # or the pseudonym rules' 400 for one that could never be a name.
        rules = ((400, "invalid_pseudonym"), (400, "invalid"))
        _same_as_inert(client, carol, post("/api/v1/conversations", "pseudonym"), payloads, rules)
        _same_as_inert(client, carol, post("/api/v1/blocks", "pseudonym"), payloads, rules)
        _same_as_inert(client, carol, post("/api/v1/me/recovery/partners", "pseudonym"), payloads, rules)
        _same_as_inert(client, carol, post("/api/v1/me/recovery/early-warning/consents", "pseudonym"), payloads, rules)
        assert client.get("/api/v1/blocks", headers=carol.headers).json()["blocks"] == []
        assert client.get("/api/v1/conversations", headers=carol.headers).json()["conversations"] == []


def test_log_in_with_auth_bypass_payloads_gets_nobody_in(server: ServerProcess, world: dict[str, Any]) -> None:
    """Each Auth_Bypass line as the pseudonym: the same 401 as an unknown name (a password is only ever hashed)."""
    from concurrent.futures import ThreadPoolExecutor

    bypass = sqli_payloads()["Auth_Bypass"]
    assert len(bypass) > 150
    unknown = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": INERT, "password": "wrong password here"})

    def attempt(payload: str) -> tuple[str, httpx.Response]:
        body = {"pseudonym": payload, "password": payload if len(payload) >= 8 else "wrong password here"}
        return payload, http.post(server.base + "/api/v1/auth/login", json=body, timeout=60)

    with ThreadPoolExecutor(4) as pool:  # argon2 runs for unknown names too: spread the wait
        for payload, response in pool.map(attempt, bypass):
            _clean(response, payload)
            assert response.status_code in (400, 401), (payload, response.status_code)
            assert "token" not in response.json()
            if response.status_code == 401:
                assert response.json() == unknown.json()


async def test_websocket_fields_and_nothing_changed(server: ServerProcess, world: dict[str, Any]) -> None:
    alice: Member = world["alice"]
    carol: Member = world["carol"]
    sock = await carol.socket()
    for payload in _payloads()[:400]:
        reply = await sock.request({"type": "join", "room_id": payload})
        assert reply["type"] == "error" and reply["code"] in ("not_found", "invalid"), (payload, reply)
        reply = await sock.request({"type": "subscribe_thread", "thread_id": payload})
        assert reply["type"] == "error", (payload, reply)
    await sock.close()
    # Nothing changed: the private words are where they were, and only for the two of them.
    history = alice.get(f"/api/v1/rooms/{world['conversation_id']}/messages").json()["messages"]
    assert [m for m in history if SECRET in (m["body"] or "")]
    assert carol.get(f"/api/v1/rooms/{world['conversation_id']}/messages").status_code == 404
    login = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": alice.pseudonym, "password": PASSWORD})
    assert login.status_code == 200
    assert "Traceback" not in server.log()
