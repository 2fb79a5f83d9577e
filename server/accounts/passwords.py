"""argon2id hashing off the event loop, with a cap on concurrent hashes.

Each hash takes 64 MiB and tens of milliseconds of CPU; a log-in storm must
never stall chat, and must not exhaust memory on a small host."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from importlib import resources

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.config import Settings
from server.errors import InvalidField

log = logging.getLogger("hearth.passwords")

MIN_LENGTH = 10
MAX_LENGTH = 1024  # argon2 has no 72-byte limit; this only bounds request size

# RFC 9106's second recommended option (t=3, m=64 MiB, p=4): the floor the
# security guide sets. A test pins the parameters.
PARAMETERS = profiles.RFC_9106_LOW_MEMORY
# HEARTH_PASSWORD_HASHING=cheapest-for-tests: argon2-cffi's profile "only for
# testing". Test servers sign up thousands of members; hashing each with 64 MiB
# was minutes of the suite's CPU. Log-in redoes such a hash once standard is back.
TEST_PARAMETERS = profiles.CHEAPEST


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("server").joinpath("data/common-passwords-10k.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())


def check_password_rules(password: object) -> str:
    if not isinstance(password, str):
        raise InvalidField("Password must be text.", code="invalid_password")
    if len(password) < MIN_LENGTH:
        raise InvalidField(f"Please use at least {MIN_LENGTH} characters for your password.", code="password_too_short")
    if len(password) > MAX_LENGTH:
        raise InvalidField(f"Passwords can be at most {MAX_LENGTH} characters.", code="password_too_long")
    if password.casefold() in common_passwords():
        raise InvalidField(
            "That password is one of the most common ones, so it's easy to guess. A few random words work well.",
            code="password_common",
        )
    return password  # verified exactly as typed: no trimming, no case folding


class Hasher:
    @classmethod
    def for_settings(cls, settings: Settings) -> "Hasher":
        if settings.password_hashing == "cheapest-for-tests":
            log.warning("HEARTH_PASSWORD_HASHING=cheapest-for-tests: passwords are hashed with test parameters; "
                        "never use this setting where real people sign up")
            return cls(settings.hash_concurrency, TEST_PARAMETERS)
        return cls(settings.hash_concurrency)

    def __init__(self, concurrency: int, parameters: Parameters = PARAMETERS) -> None:
        self._hasher = PasswordHasher.from_parameters(parameters)
        self.concurrency = concurrency  # HEARTH_HASH_CONCURRENCY
        self._slots = asyncio.Semaphore(concurrency)
        # Verified against when the pseudonym does not exist, so a log-in takes
        # the same time whether or not the account exists.
        self._dummy_hash = self._hasher.hash("hearth-dummy-password-for-timing")

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(self._verify, stored_hash, password)

    def _verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(stored_hash or self._dummy_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
