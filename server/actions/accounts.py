"""Sign-up, log-in, sessions, recovery codes and roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.passwords import check_password_rules
from server.accounts.pseudonyms import check_pseudonym, pseudonym_key, pseudonym_skeleton
from server.accounts.tokens import hash_recovery_code, hash_session_token, new_recovery_codes, new_session_token
from server.errors import Conflict, Forbidden, HearthError, InvalidField, NotAuthenticated
from server.models import RecoveryCode, Session, User, utcnow
from server.models.accounts import ROLES, STAFF_ROLES
from server.services import Hearth, Tx
from server.actions import login_throttle, second_factor

# How often a session's last-use time is written: enough for idle expiry, few writes.
TOUCH_EVERY = timedelta(minutes=1)
REMEMBER_IDLE = timedelta(days=7)


class LoginFailed(HearthError):
    status = 401
    code = "login_failed"
    # One message for "no such pseudonym" and "wrong password": nothing to enumerate.
    detail = "That pseudonym and password don't match. Please try again."


@dataclass(frozen=True)
class Auth:
    user: User
    session: Session
    # Staff required to use a second factor who have not set one up: they may
    # only reach their account page and enrol (see require_auth).
    second_factor_missing: bool = False
    # The caller's network address, for per-address rate limits only: it stays in
    # memory with this request or socket and is never stored or logged.
    address: str | None = None


def user_out(user: User) -> dict[str, object]:
    return {"id": user.id, "pseudonym": user.pseudonym, "role": user.role}


async def _staff_skeletons(session: AsyncSession) -> set[str]:
    rows = await session.scalars(select(User.pseudonym_skeleton).where(User.role.in_(STAFF_ROLES)))
    return set(rows)


async def _check_new_pseudonym(session: AsyncSession, raw: object) -> str:
    name = check_pseudonym(raw)
    if pseudonym_skeleton(name) in await _staff_skeletons(session):
        raise InvalidField("That name looks too much like a staff member's. Please choose another.", code="pseudonym_reserved")
    taken = await session.scalar(select(User.id).where(User.pseudonym_key == pseudonym_key(name)))
    if taken is not None:
        raise Conflict("That pseudonym is taken. Try one of the suggestions, or add a word.", code="pseudonym_taken")
    return name


def _new_session(h: Hearth, user: User, *, remember: bool) -> tuple[Session, str]:
    token = new_session_token()
    now = utcnow()
    remember = remember and user.role not in STAFF_ROLES
    lifetime = timedelta(days=h.settings.remember_days) if remember else timedelta(hours=h.settings.session_max_hours)
    session = Session(
        user_id=user.id, token_hash=hash_session_token(token), remember=remember,
        created_at=now, last_used_at=now, expires_at=now + lifetime,
    )
    return session, token


async def sign_up(h: Hearth, pseudonym: object, password: object, *, role: str = "member") -> tuple[User, str, list[str]]:
    password = check_password_rules(password)
    async with h.db.read() as session:
        await _check_new_pseudonym(session, pseudonym)
    password_hash = await h.hasher.hash(password)  # slow: outside any transaction
    codes = new_recovery_codes()
    try:
        async with h.transaction() as tx:
            name = await _check_new_pseudonym(tx.session, pseudonym)
            user = User(
                pseudonym=name, pseudonym_key=pseudonym_key(name), pseudonym_skeleton=pseudonym_skeleton(name),
                password_hash=password_hash, role=role, created_at=utcnow(),
            )
            tx.session.add(user)
            await tx.session.flush()
            tx.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(h.settings.secret_key, c)) for c in codes)
            login, token = _new_session(h, user, remember=False)
            tx.session.add(login)
    except IntegrityError:
        raise Conflict("That pseudonym is taken. Try one of the suggestions, or add a word.", code="pseudonym_taken") from None
    return user, token, codes


async def log_in(h: Hearth, pseudonym: object, password: object, *, remember: bool = False, address: str | None = None,
                 totp_code: object = None, recovery_code: object = None) -> tuple[User, str]:
    """`address` is the client's (for throttling only, never stored). An account
    with an authenticator app also needs `totp_code` or a `recovery_code`."""
    if not isinstance(pseudonym, str) or not isinstance(password, str) or len(password) > 1024 or len(pseudonym) > 256:
        raise InvalidField("Please enter your pseudonym and password.")
    name_key = pseudonym_key(pseudonym.strip())
    await login_throttle.check(h, name_key, address)
    async with h.db.read() as session:
        user = await session.scalar(select(User).where(User.pseudonym_key == name_key))
    # Verify against a dummy hash when there is no such user: same time either way.
    if not await h.hasher.verify(user.password_hash if user else None, password) or user is None:
        await login_throttle.failed(h, name_key, address)
        raise LoginFailed()
    new_hash = await h.hasher.hash(password) if h.hasher.needs_rehash(user.password_hash) else None
    try:
        async with h.transaction() as tx:
            await _check_not_suspended(tx.session, user)
            await second_factor.use_at_log_in(h, tx.session, user, totp_code, recovery_code)
            if new_hash:
                await tx.session.execute(update(User).where(User.id == user.id).values(password_hash=new_hash))
            login, token = _new_session(h, user, remember=remember)
            tx.session.add(login)
    except second_factor.SecondFactorFailed:
        await login_throttle.failed(h, name_key, address)  # codes are guessable too: same throttle
        raise
    await login_throttle.succeeded(h, name_key, address)
    return user, token


async def _check_not_suspended(session: AsyncSession, user: User) -> None:
    """Suspended and banned accounts can't log in; they are told why and until when.

    Checked in the transaction that makes the new session, with the member's row
    locked: a suspension or ban locks it too before ending every session, so either
    this check sees it or the ban ends the session made here (before, a log-in that
    checked just before a ban and stored its session just after kept a live one)."""
    from moderation.sanctions import check_may_log_in

    await session.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))
    await check_may_log_in(session, user, utcnow())


def _session_ended(tx: Tx, user_id: int, reason: str, session_id: int | None = None) -> None:
    # Open sockets of that session (or of every session when None) close at once.
    tx.emit(f"user:{user_id}", {"type": "session_ended", "session_id": session_id, "reason": reason})


async def log_out(h: Hearth, auth: Auth) -> None:
    async with h.transaction() as tx:
        await tx.session.execute(update(Session).where(Session.id == auth.session.id).values(revoked_at=utcnow()))
        _session_ended(tx, auth.user.id, "logged_out", auth.session.id)


async def end_sessions_in(tx: Tx, user_id: int, reason: str, keep: int | None = None) -> None:
    """End every session of a member (but `keep`) inside `tx`: none of their
    tokens works after commit, and each of their open sockets closes (1008,
    `reason`) on every process once the event is published. Used by password
    change and recovery, account deletion, and bans."""
    query = update(Session).where(Session.user_id == user_id, Session.revoked_at.is_(None))
    if keep is not None:
        query = query.where(Session.id != keep)
    await tx.session.execute(query.values(revoked_at=utcnow()))
    if keep is None:
        _session_ended(tx, user_id, reason)
    else:
        tx.emit(f"user:{user_id}", {"type": "session_ended", "session_id": None, "keep_session_id": keep, "reason": reason})


async def end_sessions(h: Hearth, user_id: int, reason: str) -> None:
    """The reusable action: end all of a member's sessions and close their sockets now."""
    async with h.transaction() as tx:
        await end_sessions_in(tx, user_id, reason)


_revoke_all_sessions = end_sessions_in


RECOVER_FAILED = "That pseudonym and recovery code don't match, or the code was already used."


async def recover(h: Hearth, pseudonym: object, code: object, new_password: object, *, address: str | None = None,
                  totp_code: object = None) -> tuple[User, str]:
    """Reset a password with a one-time recovery code; every other session ends.
    An account with an authenticator app also needs a current code from it."""
    if not isinstance(pseudonym, str) or not isinstance(code, str) or len(code) > 64 or len(pseudonym) > 256:
        raise InvalidField("Please enter your pseudonym and one of your recovery codes.")
    password = check_password_rules(new_password)
    name_key = pseudonym_key(pseudonym.strip())
    await login_throttle.check(h, name_key, address)
    password_hash = await h.hasher.hash(password)  # hashed even on failure: same timing
    code_hash = hash_recovery_code(h.settings.secret_key, code)
    try:
        async with h.transaction() as tx:
            user = await tx.session.scalar(select(User).where(User.pseudonym_key == name_key))
            used = None
            if user is not None:
                used = await tx.session.execute(
                    update(RecoveryCode)
                    .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == code_hash, RecoveryCode.used_at.is_(None))
                    .values(used_at=utcnow())
                )
            if user is None or used is None or used.rowcount != 1:  # type: ignore[attr-defined]
                raise LoginFailed(RECOVER_FAILED)
            await _check_not_suspended(tx.session, user)  # a suspended or banned account stays out this way too
            if await second_factor.confirmed(tx.session, user.id) is not None:
                if totp_code is None:
                    raise second_factor.SecondFactorRequired("This account uses an authenticator app: enter its current code too.")
                await second_factor.use_at_log_in(h, tx.session, user, totp_code, None)
            user.password_hash = password_hash
            await end_sessions_in(tx, user.id, "password_changed")
            login, token = _new_session(h, user, remember=False)
            tx.session.add(login)
    except (LoginFailed, second_factor.SecondFactorFailed):
        await login_throttle.failed(h, name_key, address)
        raise
    await login_throttle.succeeded(h, name_key, address)
    return user, token


async def change_password(h: Hearth, auth: Auth, current: object, new_password: object) -> None:
    if not isinstance(current, str) or len(current) > 1024 or not await h.hasher.verify(auth.user.password_hash, current):
        raise LoginFailed("Your current password isn't right.")
    password_hash = await h.hasher.hash(check_password_rules(new_password))
    async with h.transaction() as tx:
        await tx.session.execute(update(User).where(User.id == auth.user.id).values(password_hash=password_hash))
        await end_sessions_in(tx, auth.user.id, "password_changed", keep=auth.session.id)


async def remaining_recovery_codes(h: Hearth, user_id: int) -> int:
    async with h.db.read() as session:
        rows = await session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)))
        return len(list(rows))


async def new_recovery_code_set(h: Hearth, auth: Auth) -> list[str]:
    codes = new_recovery_codes()
    async with h.transaction() as tx:
        await tx.session.execute(
            update(RecoveryCode).where(RecoveryCode.user_id == auth.user.id, RecoveryCode.used_at.is_(None)).values(used_at=utcnow())
        )
        tx.session.add_all(RecoveryCode(user_id=auth.user.id, code_hash=hash_recovery_code(h.settings.secret_key, c)) for c in codes)
    return codes


def session_is_live(h: Hearth, session: Session, now: datetime) -> bool:
    if session.revoked_at is not None or now >= session.expires_at:
        return False
    idle = REMEMBER_IDLE if session.remember else timedelta(minutes=h.settings.session_idle_minutes)
    return now < session.last_used_at + idle


async def authenticate(h: Hearth, token: str | None, *, touch: bool = True) -> Auth:
    if not token or len(token) > 128:
        raise NotAuthenticated()
    async with h.db.read() as db:
        row = (
            await db.execute(
                select(Session, User).join(User, User.id == Session.user_id).where(Session.token_hash == hash_session_token(token))
            )
        ).first()
    if row is None:
        raise NotAuthenticated()
    session, user = row
    now = utcnow()
    if not session_is_live(h, session, now):
        raise NotAuthenticated("Your session has ended. Please log in again.", code="session_expired")
    if touch and now - session.last_used_at >= TOUCH_EVERY:
        async with h.transaction() as tx:
            await tx.session.execute(update(Session).where(Session.id == session.id).values(last_used_at=now))
        session.last_used_at = now
    if second_factor.must_enrol(h, user):
        async with h.db.read() as db:
            return Auth(user, session, second_factor_missing=await second_factor.missing(h, db, user))
    return Auth(user, session)


async def session_still_live(h: Hearth, session_id: int, role: str | None = None) -> bool:
    """Still live, and (when `role` is given) the member still has that role: a
    change made where no event reaches this process (another process on SQLite,
    the command line) still ends the socket at the next check."""
    async with h.db.read() as db:
        row = (await db.execute(select(Session, User.role).join(User, User.id == Session.user_id).where(Session.id == session_id))).first()
    if row is None:
        return False
    session, current_role = row
    return session_is_live(h, session, utcnow()) and (role is None or current_role == role)


async def note_socket_use(h: Hearth, session: Session) -> bool:
    """A frame from the member is use: restart the session's idle clock (written at
    most once a minute), unless the session has ended meanwhile. False when it has."""
    now = utcnow()
    if now - session.last_used_at < TOUCH_EVERY:
        return True
    async with h.transaction() as tx:
        stored = await tx.session.get(Session, session.id)
        if stored is None or not session_is_live(h, stored, now):
            return False
        stored.last_used_at = now
    session.last_used_at = now
    return True


async def create_user(h: Hearth, pseudonym: str, password: str, role: str) -> tuple[User, list[str]]:
    if role not in ROLES:
        raise InvalidField(f"Role must be one of: {', '.join(ROLES)}.")
    user, _token, codes = await sign_up(h, pseudonym, password, role=role)
    return user, codes


async def set_role(h: Hearth, pseudonym: str, role: str) -> User:
    if role not in ROLES:
        raise InvalidField(f"Role must be one of: {', '.join(ROLES)}.")
    async with h.transaction() as tx:
        user = await tx.session.scalar(select(User).where(User.pseudonym_key == pseudonym_key(pseudonym)))
        if user is None:
            raise InvalidField(f"No account is called {pseudonym!r}.", code="not_found")
        from moderation import audit

        audit.record(tx.session, None, "role_set", target_kind="member", target_id=user.id, target_pseudonym=user.pseudonym,
                     reason="set from the server console", before=user.role, after=role)
        user.role = role
        # Open sockets carry the old rights: close them so they reconnect with the new ones.
        _session_ended(tx, user.id, "role_changed")
    return user


async def change_role(h: Hearth, auth: Auth, pseudonym: object, role: object) -> User:
    """Admins change roles from the browser (the command line uses set_role)."""
    if auth.user.role != "admin":
        raise Forbidden("Only admins can change roles.")
    if not isinstance(pseudonym, str) or not isinstance(role, str):
        raise InvalidField("Send the pseudonym and the new role.")
    if pseudonym_key(pseudonym) == auth.user.pseudonym_key and role != "admin":
        raise InvalidField("Ask another admin to change your own role, so Hearth is never left without one.")
    return await set_role(h, pseudonym, role)
