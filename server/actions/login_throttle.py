"""Brute-force throttling for log-in and recovery codes (SECURITY-GUIDE C10).

Only failures count, in three sets of windows (settings, `limits` syntax):

- one pseudonym from one address (`HEARTH_LOGIN_FAILURE_RATE`, default
  5/minute;20/hour;50/day): a guesser is slowed down, and the pause grows with
  each window it fills;
- one pseudonym from every address (`HEARTH_LOGIN_ACCOUNT_FAILURE_RATE`, 100/hour,
  ASVS 4.0.3 2.2.1): a distributed guesser gets no more than that;
- one address whatever the pseudonym (`HEARTH_LOGIN_ADDRESS_FAILURE_RATE`):
  credential stuffing across many accounts.

Nothing is ever locked for good: every window moves on, so the real owner logs
in after the pause, and from another address at once unless a guesser spread
over many addresses filled the account-wide window. A correct log-in clears its
own pseudonym-and-address window. The pseudonym is counted as typed (its
uniqueness key), so unknown names are throttled exactly like real ones and the
429 says nothing about whether an account exists.

Keys are keyed hashes (HMAC with the deployment's secret): neither the address
nor the pseudonym is kept in the rate-limit store (memory or Redis)."""

from __future__ import annotations

import hashlib
import hmac

from server.errors import RateLimited
from server.services import Hearth

DETAIL = ("There have been too many attempts to sign in to this account for now. "
          "Please wait a little and try again; your account is safe.")


def _key(h: Hearth, kind: str, value: str) -> str:
    return hmac.new(h.settings.secret_key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def _windows(h: Hearth, name_key: str, address: str | None) -> list[tuple[str, str, str]]:
    s = h.settings
    windows = [("login_fail_account", s.login_account_failure_rate, _key(h, "account", name_key))]
    if address:
        windows.append(("login_fail_pair", s.login_failure_rate, _key(h, "pair", f"{name_key}|{address}")))
        windows.append(("login_fail_address", s.login_address_failure_rate, _key(h, "address", address)))
    return windows


async def check(h: Hearth, name_key: str, address: str | None) -> None:
    """Refuse (429 with Retry-After) before any password work when over a window."""
    waits = [await h.limits.retry_after(name, spec, who) for name, spec, who in _windows(h, name_key, address)]
    longest = max((w for w in waits if w is not None), default=None)
    if longest is not None:
        raise RateLimited(longest, DETAIL)


async def failed(h: Hearth, name_key: str, address: str | None) -> None:
    for name, spec, who in _windows(h, name_key, address):
        await h.limits.hit(name, spec, who)


async def succeeded(h: Hearth, name_key: str, address: str | None) -> None:
    if address:
        await h.limits.clear("login_fail_pair", h.settings.login_failure_rate, _key(h, "pair", f"{name_key}|{address}"))
