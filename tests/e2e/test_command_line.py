"""`hearth user create --role …` and `hearth user set-role` against a running server's database."""

from __future__ import annotations

import httpx
import pytest

from tests.support import PASSWORD, ServerProcess, http, run_hearth, sign_up, unique_name


def _log_in(server: ServerProcess, name: str) -> httpx.Response:
    return http.post(server.base + "/api/v1/auth/login", json={"pseudonym": name, "password": PASSWORD})


def test_user_create_makes_a_staff_account_and_shows_its_recovery_codes_once(server: ServerProcess) -> None:
    name = unique_name("Guide")
    done = run_hearth(server, "user", "create", name, "--role", "specialist", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    codes = [line for line in done.stdout.splitlines() if line.count("-") == 2]
    assert len(set(codes)) == 10 and f"Created {name} (specialist)" in done.stdout
    login = _log_in(server, name)
    assert login.status_code == 200 and login.json()["user"]["role"] == "specialist"
    me = http.get(server.base + "/api/v1/me", headers={"Authorization": f"Bearer {login.json()['token']}"}).json()
    assert me["recovery_codes_left"] == 10
    recovered = http.post(server.base + "/api/v1/auth/recover",
                           json={"pseudonym": name, "recovery_code": codes[0], "new_password": "a fresh long passphrase"})
    assert recovered.status_code == 200


@pytest.mark.parametrize(
    "args, stdin, says",
    [
        (["--role", "specialist"], "1234567890\n", "most common"),  # the common-password list holds for staff too
        (["--role", "moderator"], "short\n", "at least 10"),
        (["--role", "overlord"], PASSWORD + "\n", "invalid choice"),
    ],
)
def test_user_create_refuses_what_sign_up_refuses(server: ServerProcess, args: list[str], stdin: str, says: str) -> None:
    name = unique_name("Guide")
    done = run_hearth(server, "user", "create", name, *args, "--password-stdin", stdin=stdin)
    assert done.returncode != 0 and says in done.stderr and "Traceback" not in done.stderr
    assert _log_in(server, name).status_code == 401  # nothing was created


def test_user_create_refuses_a_name_kept_for_staff(server: ServerProcess) -> None:
    done = run_hearth(server, "user", "create", "Moderat0r", "--role", "moderator", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 1 and "kept for Hearth's staff" in done.stderr


def test_set_role_gives_and_takes_rights(server: ServerProcess) -> None:
    member = sign_up(server)
    assert member.post("/api/v1/rooms", json={"slug": unique_name("r").lower(), "name": "Not yet"}).status_code == 403
    done = run_hearth(server, "user", "set-role", member.pseudonym, "moderator")
    assert done.returncode == 0, done.stderr
    assert f"{member.pseudonym} is now moderator." in done.stdout
    assert member.get("/api/v1/me").json()["user"]["role"] == "moderator"
    assert member.post("/api/v1/rooms", json={"slug": unique_name("r").lower(), "name": "Now allowed"}).status_code == 201
    assert run_hearth(server, "user", "set-role", member.pseudonym.upper(), "member").returncode == 0  # any case or width
    assert member.get("/api/v1/me").json()["user"]["role"] == "member"


@pytest.mark.parametrize("name, role, code, says", [("NobodyByThisName", "admin", 1, "No account is called"),
                                                     ("QuietHarbor", "overlord", 2, "invalid choice")])
def test_set_role_refuses_unknown_names_and_roles(server: ServerProcess, name: str, role: str, code: int, says: str) -> None:
    done = run_hearth(server, "user", "set-role", name, role)
    assert done.returncode == code and says in done.stderr and "Traceback" not in done.stderr
