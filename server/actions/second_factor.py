"""The second factor: an authenticator app (TOTP), which any account can add and
staff can be required to use (`HEARTH_STAFF_REQUIRE_TOTP`).

Enrolment shows the secret once (as an otpauth:// address for the app), and
counts only after the member typed a code from it. At log-in an enrolled
account needs a current code, or one of its recovery codes (the way back when
the phone is lost). Each code works once: the accepted time step is stored
with a conditional UPDATE, so a replay fails on any number of processes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts import totp
from server.accounts.tokens import hash_recovery_code
from server.errors import Conflict, HearthError, InvalidField
from server.models import RecoveryCode, User, utcnow
from server.models.accounts import STAFF_ROLES
from server.models.second_factor import TotpCredential
from server.services import Hearth

if TYPE_CHECKING:
    from server.actions.accounts import Auth


class SecondFactorRequired(HearthError):
    """The password was right; the account also needs its second factor."""

    status = 401
    code = "second_factor_required"
    detail = "Enter the 6-digit code from your authenticator app, or one of your recovery codes."


class SecondFactorFailed(HearthError):
    status = 401
    code = "second_factor_failed"
    detail = "That code didn't work. Check that your phone's clock is right and try the newest code, or use a recovery code."


async def confirmed(session: AsyncSession, user_id: int) -> TotpCredential | None:
    return await session.scalar(select(TotpCredential).where(TotpCredential.user_id == user_id, TotpCredential.confirmed_at.is_not(None)))


def must_enrol(h: Hearth, user: User) -> bool:
    return h.settings.staff_require_totp and user.role in STAFF_ROLES


async def missing(h: Hearth, session: AsyncSession, user: User) -> bool:
    """Staff who must use a second factor and have none yet: they may only enrol."""
    return must_enrol(h, user) and await confirmed(session, user.id) is None


async def use_at_log_in(h: Hearth, session: AsyncSession, user: User, code: object, recovery_code: object) -> None:
    """Inside the log-in transaction: require and spend the second factor, if the account has one."""
    credential = await confirmed(session, user.id)
    if credential is None:
        return
    if isinstance(code, str) and code.strip():
        step = totp.matching_step(credential.secret, code, after_step=credential.last_step)
        if step is not None:
            won = await session.execute(update(TotpCredential).where(
                TotpCredential.user_id == user.id, TotpCredential.last_step < step).values(last_step=step))
            if won.rowcount == 1:  # type: ignore[attr-defined]
                return
        raise SecondFactorFailed()
    if isinstance(recovery_code, str) and recovery_code.strip() and len(recovery_code) <= 64:
        used = await session.execute(
            update(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == hash_recovery_code(h.settings.secret_key, recovery_code),
                   RecoveryCode.used_at.is_(None))
            .values(used_at=utcnow()))
        if used.rowcount == 1:  # type: ignore[attr-defined]
            return
        raise SecondFactorFailed("That recovery code didn't work, or it was already used.")
    raise SecondFactorRequired()


async def status(h: Hearth, auth: Auth) -> dict[str, Any]:
    async with h.db.read() as session:
        row = await session.get(TotpCredential, auth.user.id)
    return {
        "enabled": row is not None and row.confirmed_at is not None,
        "pending": row is not None and row.confirmed_at is None,
        "required": must_enrol(h, auth.user),
    }


async def _check_password(h: Hearth, auth: Auth, password: object) -> None:
    from server.actions.accounts import LoginFailed

    if not isinstance(password, str) or len(password) > 1024 or not await h.hasher.verify(auth.user.password_hash, password):
        raise LoginFailed("Your password isn't right.", code="wrong_password")


async def start(h: Hearth, auth: Auth, password: object) -> dict[str, str]:
    """A new secret, shown this once. Replaces an unconfirmed one; an app already
    in use must be turned off first (so a stolen session can't swap it quietly)."""
    await _check_password(h, auth, password)
    secret = totp.new_secret()
    async with h.transaction() as tx:
        row = await tx.session.get(TotpCredential, auth.user.id)
        if row is not None and row.confirmed_at is not None:
            raise Conflict("An authenticator app is already set up. Turn it off first to set up a new one.", code="already_enabled")
        if row is None:
            tx.session.add(TotpCredential(user_id=auth.user.id, secret=secret, created_at=utcnow(), last_step=0))
        else:
            row.secret, row.created_at, row.last_step = secret, utcnow(), 0
    return {"secret": secret, "otpauth_uri": totp.provisioning_uri(secret, auth.user.pseudonym)}


async def confirm(h: Hearth, auth: Auth, code: object) -> dict[str, Any]:
    async with h.transaction() as tx:
        row = await tx.session.get(TotpCredential, auth.user.id)
        if row is None or row.confirmed_at is not None:
            raise Conflict("There is no authenticator set-up waiting to be confirmed. Start again.", code="nothing_pending")
        step = totp.matching_step(row.secret, code, after_step=row.last_step)
        if step is None:
            raise InvalidField("That code didn't match. Check the app shows Hearth, that your phone's clock is right, and try the newest code.",
                               code="second_factor_failed")
        row.confirmed_at, row.last_step = utcnow(), step
    return await status(h, auth)


async def turn_off(h: Hearth, auth: Auth, password: object, code: object) -> dict[str, Any]:
    if must_enrol(h, auth.user):
        raise Conflict("Staff accounts here must keep a second factor. To move to a new phone, ask an admin to reset it.",
                       code="second_factor_required")
    await _check_password(h, auth, password)
    async with h.transaction() as tx:
        row = await confirmed(tx.session, auth.user.id)
        if row is not None and totp.matching_step(row.secret, code, after_step=row.last_step) is None:
            raise SecondFactorFailed()
        await tx.session.execute(delete(TotpCredential).where(TotpCredential.user_id == auth.user.id))
    return await status(h, auth)


async def reset(h: Hearth, pseudonym: str) -> User:
    """Admin, from the command line: remove an account's authenticator (a lost phone
    and no recovery codes left). Their sessions end; they set up a new one at log-in."""
    from server.accounts.pseudonyms import pseudonym_key
    from server.actions.accounts import end_sessions_in

    async with h.transaction() as tx:
        user = await tx.session.scalar(select(User).where(User.pseudonym_key == pseudonym_key(pseudonym)))
        if user is None:
            raise InvalidField(f"No account is called {pseudonym!r}.", code="not_found")
        await tx.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
        await end_sessions_in(tx, user.id, "second_factor_reset")
    return user
