"""HEARTH_PASSWORD_HASHING: test servers may hash cheaply (the security guide allows
a test profile); a server back on the standard parameters keeps no such hash."""

from __future__ import annotations

from argon2 import extract_parameters

from tests.support import PASSWORD, Database, ServerProcess, http, run_sql, sign_up

STORED = "SELECT password_hash FROM users WHERE pseudonym = :name"


def test_a_hash_made_for_tests_is_redone_with_the_standard_parameters_at_the_next_log_in() -> None:
    database = Database.fresh()
    for_tests = ServerProcess(database).start()  # the test harness's default
    try:
        member = sign_up(for_tests)
        assert "cheapest-for-tests" in for_tests.log()  # says so where its operator looks
        [(stored,)] = run_sql(for_tests, STORED, {"name": member.pseudonym})
        assert extract_parameters(stored).memory_cost < 65536
    finally:
        for_tests.stop()

    standard = ServerProcess(database, extra_env={"HEARTH_PASSWORD_HASHING": "standard"}).start()
    try:
        assert "cheapest-for-tests" not in standard.log()
        login = http.post(standard.base + "/api/v1/auth/login", json={"pseudonym": member.pseudonym, "password": PASSWORD})
        assert login.status_code == 200, login.text
        [(stored,)] = run_sql(standard, STORED, {"name": member.pseudonym})
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    finally:
        standard.stop()
