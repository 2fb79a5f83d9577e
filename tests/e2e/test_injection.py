"""Stored XSS (C12): every payload of xss-payloads.txt, the OWASP filter-evasion
vectors and naughty-strings.json, through the text fields people type into, is
stored as text (exactly what was sent, after the documented normalisation)
and served inert: JSON with nosniff, and the one HTML field (a forum post's
`body_html`) holds nothing outside the sanitizer's allow-list.

Long fields take every payload, packed one per line; one-line fields (titles,
names, labels) take every payload for forum titles and a fixed sample elsewhere,
to keep the run bounded."""

from __future__ import annotations

import random
from html.parser import HTMLParser
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from server.errors import InvalidField
from server.text import clean_body, clean_line, clean_text
from tests.e2e.injection_corpus import SENTINELS, everything, naughty_strings, owasp_vectors, packed, require_data, xss_payloads
from tests.support import Database, Member, ServerProcess, create_staff, sign_up

ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a"}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    require_data()
    env = {"HEARTH_FORUM_THREAD_RATE": "off", "HEARTH_FORUM_REPLY_RATE": "off", "HEARTH_SEARCH_RATE": "off", "HEARTH_READ_RATE": "off"}
    proc = ServerProcess(Database.fresh(), extra_env=env).start()
    yield proc
    proc.stop()


def sample(count: int) -> tuple[str, ...]:
    """Our sentinels, every OWASP vector and naughty string, and a fixed sample of the payload list."""
    rng = random.Random(11)
    return SENTINELS + owasp_vectors() + naughty_strings() + tuple(rng.sample(xss_payloads(), count))


def expect(cleaner: Callable[[str], str], value: str) -> str | None:
    """What the server must store for `value`, or None when it must refuse it (400)."""
    try:
        return cleaner(value)
    except InvalidField:
        return None


class _Inert(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            allowed = (tag == "a" and name in ("href", "rel")) or (tag == "ol" and name == "start")
            if not allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and (value is None or urlsplit(value.strip()).scheme.lower() not in ("http", "https")):
                self.problems.append(f"href {value!r}")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")


def assert_inert_html(html: str | None) -> None:
    if html is None:
        return
    parser = _Inert()
    parser.feed(html)
    parser.close()
    assert not parser.problems, (parser.problems, html[:500])


class Field:
    """One text field: how to write a value and where the stored value comes back."""

    def __init__(self, member: Member, client: httpx.Client) -> None:
        self.member, self.client = member, client

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        response = self.client.request(method, self.member.server.base + path, json=body, headers=self.member.headers)
        assert response.status_code < 500, (path, response.text[:300])
        assert response.headers["x-content-type-options"] == "nosniff"
        if response.content:
            assert response.headers["content-type"].startswith("application/json"), response.headers["content-type"]
        return response


def roundtrip(field: Field, values: Iterable[str], cleaner: Callable[[str], str], write: Callable[[str], httpx.Response],
              stored: Callable[[httpx.Response], str], read: Callable[[], str] | None = None) -> int:
    """Write each value; the answer and (when given) a later read hold exactly the cleaned text."""
    count = 0
    for value in values:
        wanted = expect(cleaner, value)
        response = write(value)
        if wanted is None:
            assert response.status_code == 400, (value[:200], response.status_code, response.text[:200])
            continue
        assert response.status_code in (200, 201), (value[:200], response.status_code, response.text[:300])
        assert stored(response) == wanted, value[:200]
        if read is not None:
            assert read() == wanted, value[:200]
        count += 1
    return count


def test_forum_titles_bodies_and_replies(server: ServerProcess) -> None:
    member, moderator = sign_up(server), create_staff(server, "moderator")
    board = moderator.post("/api/v1/forum/boards", json={"slug": "injection", "name": "Injection"}).json()["board"]
    with httpx.Client() as client:
        field = Field(member, client)
        thread = field.call("POST", f"/api/v1/forum/boards/{board['id']}/threads", {"title": "A place to start", "body": "Hello"}).json()
        tid, opening = thread["thread"]["id"], thread["post"]["id"]

        def body_written(response: httpx.Response) -> str:
            post = response.json()["post"]
            assert_inert_html(post["body_html"])
            return str(post["source"])

        sent = roundtrip(field, packed(everything(), 20000), lambda v: clean_body(v, max_chars=20000),
                         lambda v: field.call("POST", f"/api/v1/forum/threads/{tid}/replies", {"body": v}), body_written)
        assert sent > 20
        page = field.call("GET", f"/api/v1/forum/threads/{tid}?limit=100").json()
        for post in page["posts"]:
            assert_inert_html(post["body_html"])

        # Every payload as a title, two or three to a title (the first post's edit carries it);
        # every tenth one is read back from the thread page, and the last one below.
        titles = 0
        last = ""
        for i, value in enumerate(packed(everything(), 150, " ")):
            wanted = expect(lambda v: clean_line(v, field="title", min_chars=3, max_chars=150), value)
            response = field.call("PATCH", f"/api/v1/forum/posts/{opening}", {"title": value})
            if wanted is None:
                assert response.status_code == 400, value
                continue
            assert response.status_code == 200, (value, response.text[:200])
            titles, last = titles + 1, wanted
            if i % 10 == 0:
                assert field.call("GET", f"/api/v1/forum/threads/{tid}?limit=1").json()["thread"]["title"] == wanted, value
        assert titles > 2000
        assert field.call("GET", f"/api/v1/forum/threads/{tid}?limit=1").json()["thread"]["title"] == last
        # New threads too, with a sample as both title and body.
        for value in sample(100)[:150]:
            wanted = expect(lambda v: clean_line(v, field="title", min_chars=3, max_chars=150), value)
            response = field.call("POST", f"/api/v1/forum/boards/{board['id']}/threads", {"title": value, "body": value})
            if wanted is None:
                assert response.status_code == 400
                continue
            assert response.json()["thread"]["title"] == wanted
            assert_inert_html(response.json()["post"]["body_html"])
        listing = field.call("GET", f"/api/v1/forum/boards/{board['id']}/threads?limit=100").json()
        assert all(isinstance(t["title"], str) for t in listing["threads"])
        preview = field.call("POST", "/api/v1/forum/preview", {"body": "\n".join(SENTINELS + owasp_vectors())}).json()
        assert_inert_html(preview["body_html"])


async def test_chat_messages_and_edits(server: ServerProcess) -> None:
    member, reader = sign_up(server), sign_up(server)
    sock = await member.socket()
    await sock.join(5)
    ids: dict[int, str] = {}
    held: set[int] = set()
    for i, value in enumerate(packed(everything(), 4000)):
        wanted = expect(clean_body, value)
        reply = await sock.request({"type": "send", "room_id": 5, "body": value, "client_id": f"xss-{i}"})
        if wanted is None:
            assert reply["type"] == "error" and reply["code"] in ("empty", "invalid", "too_long")
            continue
        assert reply["type"] == "ack" and reply["message"]["body"] == wanted
        ids[reply["message"]["id"]] = wanted
        if reply["message"]["held"]:  # links from a new account wait for review: only the author sees them
            held.add(reply["message"]["id"])
    first = min(ids)
    for value in packed(sample(300), 4000):
        reply = await sock.request({"type": "edit", "message_id": first, "body": value})
        wanted = expect(clean_body, value)
        if wanted is not None:
            assert reply["type"] == "edited" and reply["message"]["body"] == wanted
            ids[first] = wanted
    await sock.close()
    # The author and another member read them back over REST, exactly as stored.
    assert _room_history(server, member, ids) == ids
    assert _room_history(server, reader, ids) == {i: body for i, body in ids.items() if i not in held}


def _room_history(server: ServerProcess, viewer: Member, ids: dict[int, str]) -> dict[int, str]:
    seen: dict[int, str] = {}
    before: int | None = None
    with httpx.Client() as client:
        while True:
            query = f"?limit=100&before={before}" if before else "?limit=100"
            response = client.get(server.base + f"/api/v1/rooms/5/messages{query}", headers=viewer.headers)
            assert response.headers["content-type"].startswith("application/json")
            page = response.json()["messages"]
            if not page:
                return seen
            seen.update({m["id"]: m["body"] for m in page if m["id"] in ids})
            before = page[-1]["id"]


def test_rooms_boards_and_meetings_written_by_staff(server: ServerProcess) -> None:
    moderator = create_staff(server, "moderator")
    with httpx.Client() as client:
        field = Field(moderator, client)
        room = field.call("POST", "/api/v1/rooms", {"slug": "xss-room", "name": "Injection room"}).json()["room"]
        rid = room["id"]
        for key, limit in (("description", 500), ("rules", 4000)):
            roundtrip(field, packed(everything() if limit > 500 else sample(1500), limit),
                      lambda v, limit=limit, key=key: clean_body(v, field=key, max_chars=limit),
                      lambda v, key=key: field.call("PATCH", f"/api/v1/rooms/{rid}", {key: v}),
                      lambda r, key=key: str(r.json()["room"][key]),
                      lambda key=key: str(field.call("GET", f"/api/v1/rooms/{rid}").json()["room"][key]))
        roundtrip(field, sample(300), lambda v: clean_line(v, field="name", min_chars=2, max_chars=80),
                  lambda v: field.call("PATCH", f"/api/v1/rooms/{rid}", {"name": v}), lambda r: str(r.json()["room"]["name"]))
        board = field.call("POST", "/api/v1/forum/boards", {"slug": "xss-board", "name": "Board"}).json()["board"]
        roundtrip(field, sample(300), lambda v: clean_line(v, field="name", min_chars=2, max_chars=80),
                  lambda v: field.call("PATCH", f"/api/v1/forum/boards/{board['id']}", {"name": v}), lambda r: str(r.json()["board"]["name"]))
        roundtrip(field, packed(sample(1500), 500), lambda v: clean_body(v, field="description", max_chars=500),
                  lambda v: field.call("PATCH", f"/api/v1/forum/boards/{board['id']}", {"description": v}),
                  lambda r: str(r.json()["board"]["description"]))
        meeting = field.call("POST", "/api/v1/meetings", {"room_id": rid, "title": "Evening meeting", "day": 2, "time": "19:00"}).json()["meeting"]
        mid = meeting["id"]
        roundtrip(field, sample(300), lambda v: clean_line(v, field="title", min_chars=2, max_chars=120),
                  lambda v: field.call("PATCH", f"/api/v1/meetings/{mid}", {"title": v}), lambda r: str(r.json()["meeting"]["title"]))
        roundtrip(field, packed(everything(), 2000), lambda v: clean_body(v, field="notes", max_chars=2000),
                  lambda v: field.call("PATCH", f"/api/v1/meetings/{mid}", {"notes": v}), lambda r: str(r.json()["meeting"]["notes"]))
        calendar = client.get(server.base + f"/api/v1/meetings/{mid}.ics", headers=moderator.headers)
        assert calendar.headers["content-type"].startswith("text/calendar") and "attachment" in calendar.headers["content-disposition"]
        assert calendar.headers["x-content-type-options"] == "nosniff"


def test_a_members_own_recovery_tools_and_safety_plan(server: ServerProcess) -> None:
    member = sign_up(server)
    with httpx.Client() as client:
        field = Field(member, client)
        for name in ("warning_signs", "coping_steps", "people_and_places", "reasons_to_keep_going"):
            roundtrip(field, packed(everything(), 2000), lambda v: _plan_text(v),
                      lambda v, name=name: field.call("PUT", "/api/v1/me/safety-plan", {name: v}),
                      lambda r, name=name: str(r.json()["safety_plan"][name]),
                      lambda name=name: str(field.call("GET", "/api/v1/me/safety-plan").json()["safety_plan"][name]))
        goal = field.call("POST", "/api/v1/me/recovery/goals", {"title": "Walk every day"}).json()["goal"]
        roundtrip(field, sample(300), lambda v: clean_line(v, field="title", max_chars=120),
                  lambda v: field.call("PATCH", f"/api/v1/me/recovery/goals/{goal['id']}", {"title": v}), lambda r: str(r.json()["goal"]["title"]))
        roundtrip(field, packed(everything(), 2000), lambda v: clean_body(v, field="notes", max_chars=2000),
                  lambda v: field.call("PATCH", f"/api/v1/me/recovery/goals/{goal['id']}", {"notes": v}), lambda r: str(r.json()["goal"]["notes"]))
        counter = field.call("POST", "/api/v1/me/recovery/day-counts", {"label": "Days"}).json()["day_count"]
        roundtrip(field, sample(300), lambda v: clean_line(v, field="label", max_chars=60),
                  lambda v: field.call("PATCH", f"/api/v1/me/recovery/day-counts/{counter['id']}", {"label": v}),
                  lambda r: str(r.json()["day_count"]["label"]))
        roundtrip(field, packed(everything(), 2000), lambda v: clean_body(v, field="note", max_chars=2000),
                  lambda v: field.call("POST", "/api/v1/me/recovery/check-ins", {"mood": 3, "craving": 2, "note": v}),
                  lambda r: str(r.json()["check_in"]["note"]))
        export = field.call("GET", "/api/v1/me/recovery/export")
        assert export.headers["content-type"].startswith("application/json")


def _plan_text(value: str) -> str:
    text = clean_text(value).strip()
    if len(text) > 2000:
        raise InvalidField("too long")
    return text


def test_crisis_notes_and_resolution_reasons(server: ServerProcess) -> None:
    specialist = create_staff(server, "specialist")
    assert specialist.post("/api/v1/crisis/oncall", json={"on_call": True}).status_code == 200
    person = sign_up(server)
    import asyncio

    async def raise_flag() -> None:
        sock = await person.socket()
        await sock.join(3)
        await sock.say(3, "I have the pills lined up and tonight is the night")
        await sock.close()

    asyncio.run(raise_flag())
    with httpx.Client() as client:
        field = Field(specialist, client)
        flags: list[dict[str, Any]] = []
        for _ in range(100):
            flags = field.call("GET", "/api/v1/crisis/flags").json()["flags"]
            if flags:
                break
            import time

            time.sleep(0.1)
        flag_id = flags[0]["id"]
        field.call("POST", f"/api/v1/crisis/flags/{flag_id}/claim")
        roundtrip(field, packed(everything(), 4000), lambda v: clean_body(v, field="note", max_chars=4000),
                  lambda v: field.call("POST", f"/api/v1/crisis/flags/{flag_id}/notes", {"body": v}),
                  lambda r: str(r.json()["note"]["body"]))
        view = field.call("GET", f"/api/v1/crisis/flags/{flag_id}").json()["flag"]
        assert all(isinstance(n["body"], str) for n in view["notes"])
        reason = "\n".join(SENTINELS)
        resolved = field.call("POST", f"/api/v1/crisis/flags/{flag_id}/resolve", {"outcome": "reached_safe", "note": reason})
        assert resolved.status_code == 200


def test_pseudonyms_are_refused_or_stored_as_text(server: ServerProcess) -> None:
    """Payloads as pseudonyms (a sample of the long list): a clean 400, or an account whose name comes back as typed."""
    created = 0
    with httpx.Client() as client:
        for value in sample(1500):
            response = client.post(server.base + "/api/v1/auth/signup", json={"pseudonym": value, "password": "correct horse battery staple"})
            assert response.status_code in (201, 400, 409), (value[:100], response.status_code)
            if response.status_code == 201:
                created += 1
                assert response.json()["user"]["pseudonym"] == clean_text(value).strip()
                assert "<" not in response.json()["user"]["pseudonym"]
    assert created < 100  # the rules let plain names through, never markup
