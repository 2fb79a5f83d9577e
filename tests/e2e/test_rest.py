"""The REST contract over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.support import PASSWORD, ServerProcess, create_staff, http, sign_up, unique_name


def test_signup_returns_the_contract_shape_and_a_safe_cookie(server: ServerProcess) -> None:
    name = unique_name()
    response = http.post(server.base + "/api/v1/auth/signup", json={"pseudonym": name, "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"user", "token", "recovery_codes"}
    assert set(body["user"]) == {"id", "pseudonym", "role"} and body["user"]["role"] == "member"
    assert len(body["recovery_codes"]) == 10
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert body["token"] not in response.headers.get("location", "")


def test_login_me_logout(server: ServerProcess) -> None:
    member = sign_up(server)
    with httpx.Client(base_url=server.base) as browser:
        login = browser.post("/api/v1/auth/login", json={"pseudonym": member.pseudonym, "password": PASSWORD})
        assert login.status_code == 200 and set(login.json()) == {"user", "token"}
        me = browser.get("/api/v1/me")  # the cookie alone authenticates
        assert me.status_code == 200 and me.json()["user"]["pseudonym"] == member.pseudonym
        assert me.json()["recovery_codes_left"] == 10
        assert me.headers["cache-control"] == "no-store"
        out = browser.post("/api/v1/auth/logout", headers={"Origin": server.base})
        assert out.status_code == 200
        assert browser.get("/api/v1/me").status_code == 401


def test_login_failure_does_not_reveal_whether_the_pseudonym_exists(server: ServerProcess) -> None:
    member = sign_up(server)
    wrong = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": member.pseudonym, "password": "wrong password!"})
    unknown = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": unique_name(), "password": "wrong password!"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"pseudonym": "ab", "password": PASSWORD}, 400, "invalid_pseudonym"),
        ({"pseudonym": "Moderator", "password": PASSWORD}, 400, "pseudonym_reserved"),
        ({"pseudonym": "QuietHarbor", "password": "short"}, 400, "password_too_short"),
        ({"pseudonym": "QuietHarbor", "password": "1234567890"}, 400, "password_common"),
        ({"pseudonym": 12, "password": PASSWORD}, 400, "invalid_pseudonym"),
        ({}, 400, "invalid_password"),
    ],
)
def test_bad_signups_get_clear_errors(server: ServerProcess, payload: dict[str, object], status: int, code: str) -> None:
    response = http.post(server.base + "/api/v1/auth/signup", json=payload)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["detail"]


def test_taken_pseudonym_is_refused_whatever_the_case_or_width(server: ServerProcess) -> None:
    name = unique_name("Tide")
    sign_up(server, name)
    for variant in (name.upper(), name.lower(), "".join(chr(ord(c) + 0xFEE0) if c.isalnum() and c.isascii() else c for c in name)):
        response = http.post(server.base + "/api/v1/auth/signup", json={"pseudonym": variant, "password": PASSWORD})
        assert response.status_code == 409 and response.json()["error"]["code"] == "pseudonym_taken", variant


def test_malformed_bodies_and_unknown_paths_get_json_errors(server: ServerProcess) -> None:
    bad_json = http.post(server.base + "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == "invalid_json"
    array = http.post(server.base + "/api/v1/auth/login", json=[1, 2])
    assert array.status_code == 400
    huge = http.post(server.base + "/api/v1/auth/login", content=b"x" * (70 * 1024), headers={"content-type": "application/json"})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
    missing = http.get(server.base + "/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong_method = http.delete(server.base + "/api/v1/rooms")
    assert wrong_method.status_code == 405 and "error" in wrong_method.json()
    assert http.get(server.base + "/readyz").json()["status"] == "ready"


def test_cookie_writes_from_another_site_are_refused(server: ServerProcess) -> None:
    member = sign_up(server)
    cookies = {"hearth_session": member.token}
    evil = httpx.post(server.base + "/api/v1/auth/logout", cookies=cookies, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and evil.json()["error"]["code"] == "cross_site"
    no_origin = httpx.post(server.base + "/api/v1/auth/logout", cookies=cookies)
    assert no_origin.status_code == 403
    assert member.get("/api/v1/me").status_code == 200  # still logged in
    same = httpx.post(server.base + "/api/v1/auth/logout", cookies=cookies, headers={"Origin": server.base})
    assert same.status_code == 200


def test_login_from_another_site_is_refused(server: ServerProcess) -> None:
    member = sign_up(server)
    response = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": member.pseudonym, "password": PASSWORD},
                          headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


def test_recovery_over_http(server: ServerProcess) -> None:
    member = sign_up(server)
    response = http.post(server.base + "/api/v1/auth/recover",
                          json={"pseudonym": member.pseudonym, "recovery_code": member.recovery_codes[0], "new_password": "a whole new passphrase"})
    assert response.status_code == 200
    assert member.get("/api/v1/me").status_code == 401  # the old session ended
    again = http.post(server.base + "/api/v1/auth/recover",
                       json={"pseudonym": member.pseudonym, "recovery_code": member.recovery_codes[0], "new_password": "yet another passphrase"})
    assert again.status_code == 401


def test_password_change_keeps_this_session_and_ends_others(server: ServerProcess) -> None:
    member = sign_up(server)
    other = http.post(server.base + "/api/v1/auth/login", json={"pseudonym": member.pseudonym, "password": PASSWORD}).json()["token"]
    changed = member.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "fresh passphrase here"})
    assert changed.status_code == 200
    assert member.get("/api/v1/me").status_code == 200
    assert http.get(server.base + "/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401


def test_rooms_listing_and_staff_management(server: ServerProcess) -> None:
    member = sign_up(server)
    rooms = member.get("/api/v1/rooms").json()["rooms"]
    slugs = [r["slug"] for r in rooms]
    assert {"welcome", "early-recovery", "cravings-triggers", "family-friends", "wins-milestones", "alcohol", "opioids", "stimulants"} <= set(slugs)
    assert all({"id", "slug", "name", "description"} <= set(r) for r in rooms)

    refused = member.post("/api/v1/rooms", json={"slug": "gambling", "name": "Gambling"})
    assert refused.status_code == 403
    moderator = create_staff(server, "moderator")
    created = moderator.post("/api/v1/rooms", json={"slug": "gambling", "name": "Gambling", "description": "Recovery from gambling."})
    assert created.status_code == 201
    room_id = created.json()["room"]["id"]
    assert "gambling" in [r["slug"] for r in member.get("/api/v1/rooms").json()["rooms"]]
    duplicate = moderator.post("/api/v1/rooms", json={"slug": "gambling", "name": "Again"})
    assert duplicate.status_code == 409
    assert member.patch(f"/api/v1/rooms/{room_id}", json={"name": "Mine now"}).status_code == 403
    renamed = moderator.patch(f"/api/v1/rooms/{room_id}", json={"name": "Gambling & betting", "rules": "Be kind."})
    assert renamed.status_code == 200 and renamed.json()["room"]["name"] == "Gambling & betting"
    archived = moderator.patch(f"/api/v1/rooms/{room_id}", json={"archived": True})
    assert archived.json()["room"]["archived"] is True
    assert "gambling" not in [r["slug"] for r in member.get("/api/v1/rooms").json()["rooms"]]
    assert member.get(f"/api/v1/rooms/{room_id}/messages").status_code == 200  # still readable
    assert moderator.patch(f"/api/v1/rooms/{room_id}", json={"archived": "yes"}).status_code == 400


async def test_archived_rooms_refuse_new_messages(server: ServerProcess) -> None:
    moderator = create_staff(server, "moderator")
    room = moderator.post("/api/v1/rooms", json={"slug": unique_name("r").lower(), "name": "Short lived"}).json()["room"]
    moderator.patch(f"/api/v1/rooms/{room['id']}", json={"archived": True})
    sock = await sign_up(server).socket()
    reply = await sock.request({"type": "send", "room_id": room["id"], "body": "hello?", "client_id": "arch-1"})
    assert reply["type"] == "error" and reply["code"] == "room_archived"
    await sock.close()


def test_security_headers_on_pages_and_api(server: ServerProcess) -> None:
    for path in ("/", "/api/v1/rooms", "/static/js/main.js", "/nope"):
        headers = http.get(server.base + path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    page = http.get(server.base + "/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "<script type=\"module\" src=\"/static/js/main.js\">" in page.text


def test_only_admins_change_roles_and_never_their_own_away(server: ServerProcess) -> None:
    admin, member, moderator = create_staff(server, "admin"), sign_up(server), create_staff(server, "moderator")
    for who in (member, moderator):
        refused = who.post("/api/v1/admin/roles", json={"pseudonym": member.pseudonym, "role": "admin"})
        assert refused.status_code == 403
    assert member.get("/api/v1/me").json()["user"]["role"] == "member"
    done = admin.post("/api/v1/admin/roles", json={"pseudonym": member.pseudonym, "role": "moderator"})
    assert done.status_code == 200 and done.json()["user"]["role"] == "moderator"
    own = admin.post("/api/v1/admin/roles", json={"pseudonym": admin.pseudonym, "role": "member"})
    assert own.status_code == 400
    assert admin.post("/api/v1/admin/roles", json={"pseudonym": member.pseudonym, "role": "overlord"}).status_code == 400
