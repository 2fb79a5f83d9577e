"""Session tokens and recovery codes: random, shown once, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

RECOVERY_CODE_COUNT = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (0/o, 1/l/i)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def hash_session_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(15))  # ~74 bits
        codes.append(f"{raw[:5]}-{raw[5:10]}-{raw[10:]}")
    return codes


def normalise_recovery_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{cleaned[:5]}-{cleaned[5:10]}-{cleaned[10:]}"


def hash_recovery_code(secret_key: str, code: str) -> str:
    # Keyed so a stolen database alone can't test guesses offline.
    return hmac.new(secret_key.encode(), normalise_recovery_code(code).encode(), hashlib.sha256).hexdigest()
