import asyncio
import threading
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters

from server.accounts.passwords import PARAMETERS, Hasher, check_password_rules, common_passwords
from server.accounts.tokens import (
    RECOVERY_CODE_COUNT,
    hash_recovery_code,
    hash_session_token,
    new_recovery_codes,
    new_session_token,
)
from server.config import load_settings
from server.errors import InvalidField
from tests.support import SHARED_DATA


async def test_hashes_are_argon2id_with_at_least_rfc9106_second_option() -> None:
    hashed = await Hasher(2).hash("a perfectly fine passphrase")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    params = extract_parameters(hashed)
    assert params.memory_cost >= 65536 and params.time_cost >= 3 and params.parallelism >= 1
    assert PARAMETERS.type.name == "ID"


async def test_a_server_hashes_with_the_standard_parameters_unless_told_it_serves_tests(tmp_path: Path) -> None:
    base = {"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_SECRET_KEY": "unit-test-secret-" + "k" * 32}
    standard = await Hasher.for_settings(load_settings(base)).hash("a perfectly fine passphrase")
    assert standard.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    test_only = Hasher.for_settings(load_settings({**base, "HEARTH_PASSWORD_HASHING": "cheapest-for-tests"}))
    cheap = await test_only.hash("a perfectly fine passphrase")
    assert extract_parameters(cheap).memory_cost < 65536
    assert await test_only.verify(cheap, "a perfectly fine passphrase") and not await test_only.verify(cheap, "another passphrase")
    # Once standard is back, the next log-in redoes a test-profile hash.
    assert Hasher(1).needs_rehash(cheap)


async def test_hashes_run_off_the_event_loop_and_at_most_the_cap_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = Hasher(2)
    lock, running, most = threading.Lock(), [0], [0]

    def counted(real):  # type: ignore[no-untyped-def]
        def run(*args):  # type: ignore[no-untyped-def]
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            try:
                return real(*args)
            finally:
                with lock:
                    running[0] -= 1
        return run

    class Counting:  # argon2's PasswordHasher has slots: wrap it instead
        hash = staticmethod(counted(hasher._hasher.hash))
        verify = staticmethod(hasher._hasher.verify)  # counted through _verify

    monkeypatch.setattr(hasher, "_hasher", Counting())
    monkeypatch.setattr(hasher, "_verify", counted(hasher._verify))
    stored = await hasher.hash("a perfectly fine passphrase")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    beat = asyncio.create_task(ticker())
    work = [hasher.hash(f"passphrase number {i}") for i in range(4)] + [hasher.verify(stored, "a perfectly fine passphrase")] * 2
    results = await asyncio.gather(*work)
    beat.cancel()
    assert most[0] == 2, "each hash takes 64 MiB: no more than the cap at once"
    assert ticks >= 10, "the event loop kept running while passwords were hashed"
    assert results[-2:] == [True, True]


async def test_the_cap_is_the_setting(hearth) -> None:  # type: ignore[no-untyped-def]
    assert hearth.hasher.concurrency == hearth.settings.hash_concurrency == 2


async def test_verify_accepts_the_password_exactly_as_typed() -> None:
    hasher = Hasher(2)
    hashed = await hasher.hash("Tide Pool Lantern 7")
    assert await hasher.verify(hashed, "Tide Pool Lantern 7")
    assert not await hasher.verify(hashed, "tide pool lantern 7")
    assert not await hasher.verify(hashed, "Tide Pool Lantern 7 ")
    assert not await hasher.verify(None, "Tide Pool Lantern 7")  # unknown account: dummy hash, always False


async def test_weaker_old_hashes_are_flagged_for_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("old password here")
    assert Hasher(1).needs_rehash(weak)


@pytest.mark.parametrize("password", ["short", "123456789", None, 42, "x" * 1025])
def test_bad_passwords_are_refused(password: object) -> None:
    with pytest.raises(InvalidField):
        check_password_rules(password)


def test_every_long_enough_common_password_is_refused() -> None:
    shared = SHARED_DATA / "common-passwords-10k.txt"
    source = shared.read_text().splitlines() if shared.exists() else sorted(common_passwords())
    long_enough = [p for p in source if len(p) >= 10]
    assert long_enough, "the list has passwords of 10+ characters"
    for password in long_enough:
        with pytest.raises(InvalidField) as refused:
            check_password_rules(password)
        assert refused.value.code == "password_common"


def test_the_packaged_list_matches_the_shared_copy() -> None:
    shared = SHARED_DATA / "common-passwords-10k.txt"
    if shared.exists():
        assert common_passwords() == frozenset(line.strip().casefold() for line in shared.read_text().splitlines() if line.strip())
    assert len(common_passwords()) > 9000


def test_session_tokens_have_at_least_128_bits_and_are_stored_hashed() -> None:
    tokens = {new_session_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(t) >= 43 for t in tokens)  # 32 bytes in url-safe base64
    token = tokens.pop()
    assert hash_session_token(token) != token and len(hash_session_token(token)) == 64


def test_recovery_codes_are_ten_unique_and_keyed() -> None:
    codes = new_recovery_codes()
    assert len(codes) == RECOVERY_CODE_COUNT == 10 and len(set(codes)) == 10
    code = codes[0]
    assert hash_recovery_code("k1" * 20, code) != hash_recovery_code("k2" * 20, code)
    # Typed with spaces, upper case or without dashes, it is the same code.
    assert hash_recovery_code("k" * 40, code.upper().replace("-", " ")) == hash_recovery_code("k" * 40, code)
