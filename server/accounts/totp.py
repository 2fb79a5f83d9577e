"""Time-based one-time codes (RFC 6238) for a second factor, with pyotp.

Pure: a secret, its otpauth:// address for an authenticator app, and a check
that returns the time step a code belongs to, so the caller can refuse a code
that was already used (replay) by storing the last step."""

from __future__ import annotations

import time

import pyotp

from server.text import is_whole_number

ISSUER = "Hearth"
DIGITS = 6
INTERVAL = 30
# One step either side: clocks on phones drift, and a code typed at the end of
# its 30 seconds arrives in the next step.
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, RFC 4226's recommended length


def provisioning_uri(secret: str, pseudonym: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(name=pseudonym, issuer_name=ISSUER)


def matching_step(secret: str, code: object, *, after_step: int = 0, now: float | None = None) -> int | None:
    """The time step `code` is valid for (within the drift), or None. A step at
    or before `after_step` (already used) never matches."""
    if not isinstance(code, str):
        return None
    cleaned = "".join(ch for ch in code if not ch.isspace())
    if len(cleaned) != DIGITS or not is_whole_number(cleaned):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    moment = time.time() if now is None else now
    current = int(moment // INTERVAL)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after_step and pyotp.utils.strings_equal(totp.at(step * INTERVAL), cleaned):
            return step
    return None


def code_at(secret: str, moment: float) -> str:
    """The code an authenticator shows at `moment` (tests and the CLI use it)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).at(moment)
