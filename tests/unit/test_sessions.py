"""Session lifetimes, recovery and revocation against a real database."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from server.actions import accounts
from server.errors import InvalidField, NotAuthenticated
from server.models import RecoveryCode, Session, User
from server.services import Hearth
from tests.support import PASSWORD, unique_name


async def _age_session(h: Hearth, token: str, *, idle: timedelta = timedelta(0), age: timedelta = timedelta(0)) -> None:
    from server.accounts.tokens import hash_session_token

    async with h.transaction() as tx:
        session = await tx.session.scalar(select(Session).where(Session.token_hash == hash_session_token(token)))
        assert session is not None
        session.last_used_at = session.last_used_at - idle
        session.expires_at = session.expires_at - age


async def test_idle_session_expires(hearth: Hearth) -> None:
    _user, token, _codes = await accounts.sign_up(hearth, unique_name(), PASSWORD)
    assert (await accounts.authenticate(hearth, token)).user.pseudonym
    await _age_session(hearth, token, idle=timedelta(minutes=hearth.settings.session_idle_minutes + 1))
    with pytest.raises(NotAuthenticated) as ended:
        await accounts.authenticate(hearth, token)
    assert ended.value.code == "session_expired"


async def test_absolute_expiry_holds_even_when_active(hearth: Hearth) -> None:
    _user, token, _codes = await accounts.sign_up(hearth, unique_name(), PASSWORD)
    await _age_session(hearth, token, age=timedelta(hours=hearth.settings.session_max_hours, seconds=1))
    with pytest.raises(NotAuthenticated):
        await accounts.authenticate(hearth, token)


async def test_remembered_member_session_outlives_the_idle_limit_but_staff_never_get_one(hearth: Hearth) -> None:
    name = unique_name()
    await accounts.sign_up(hearth, name, PASSWORD)
    _user, token = await accounts.log_in(hearth, name, PASSWORD, remember=True)
    await _age_session(hearth, token, idle=timedelta(hours=2))
    assert (await accounts.authenticate(hearth, token)).session.remember
    staff, _ = await accounts.create_user(hearth, unique_name("Guide"), PASSWORD, "specialist")
    _staff, staff_token = await accounts.log_in(hearth, staff.pseudonym, PASSWORD, remember=True)
    assert not (await accounts.authenticate(hearth, staff_token)).session.remember


async def test_logout_revokes(hearth: Hearth) -> None:
    _user, token, _codes = await accounts.sign_up(hearth, unique_name(), PASSWORD)
    auth = await accounts.authenticate(hearth, token)
    await accounts.log_out(hearth, auth)
    with pytest.raises(NotAuthenticated):
        await accounts.authenticate(hearth, token)


async def test_recovery_code_resets_password_once_and_ends_other_sessions(hearth: Hearth) -> None:
    name = unique_name()
    _user, old_token, codes = await accounts.sign_up(hearth, name, PASSWORD)
    _user, new_token = await accounts.recover(hearth, name, codes[3], "a brand new passphrase")
    with pytest.raises(NotAuthenticated):
        await accounts.authenticate(hearth, old_token)
    assert await accounts.authenticate(hearth, new_token)
    with pytest.raises(accounts.LoginFailed):
        await accounts.recover(hearth, name, codes[3], "another new passphrase")  # used up
    with pytest.raises(accounts.LoginFailed):
        await accounts.log_in(hearth, name, PASSWORD)
    assert await accounts.log_in(hearth, name, "a brand new passphrase")
    assert await accounts.remaining_recovery_codes(hearth, _user.id) == 9


async def test_recovery_codes_are_stored_hashed(hearth: Hearth) -> None:
    user, _token, codes = await accounts.sign_up(hearth, unique_name(), PASSWORD)
    async with hearth.db.read() as session:
        stored = set(await session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
        password_hash = await session.scalar(select(User.password_hash).where(User.id == user.id))
    assert len(stored) == 10 and not stored & set(codes)
    assert password_hash and PASSWORD not in password_hash


async def test_unknown_pseudonym_and_wrong_password_fail_the_same_way(hearth: Hearth) -> None:
    name = unique_name()
    await accounts.sign_up(hearth, name, PASSWORD)
    with pytest.raises(accounts.LoginFailed) as wrong:
        await accounts.log_in(hearth, name, "not the password")
    with pytest.raises(accounts.LoginFailed) as unknown:
        await accounts.log_in(hearth, unique_name(), "not the password")
    assert wrong.value.to_dict() == unknown.value.to_dict()


async def test_login_rehashes_when_parameters_were_weaker(hearth: Hearth) -> None:
    from argon2 import PasswordHasher

    user, _token, _codes = await accounts.sign_up(hearth, unique_name(), PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with hearth.transaction() as tx:
        await tx.session.execute(update(User).where(User.id == user.id).values(password_hash=weak))
    await accounts.log_in(hearth, user.pseudonym, PASSWORD)
    async with hearth.db.read() as session:
        stored = await session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored and stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


async def test_staff_look_alikes_are_refused_at_sign_up(hearth: Hearth) -> None:
    await accounts.create_user(hearth, "RiverGuide", PASSWORD, "specialist")
    for imitation in ("R1verGuide", "River Guide", "RiverGulde", "rivergu1de"):
        with pytest.raises(InvalidField):
            await accounts.sign_up(hearth, imitation, PASSWORD)


async def test_set_role_changes_the_role(hearth: Hearth) -> None:
    user, _t, _c = await accounts.sign_up(hearth, unique_name(), PASSWORD)
    changed = await accounts.set_role(hearth, user.pseudonym, "moderator")
    assert changed.role == "moderator"
    with pytest.raises(InvalidField):
        await accounts.set_role(hearth, user.pseudonym, "overlord")


async def test_frames_on_a_socket_are_use_and_keep_an_active_session_alive(hearth: Hearth) -> None:
    from server.ws import Connection

    idle = timedelta(minutes=hearth.settings.session_idle_minutes)
    _user, token, _codes = await accounts.sign_up(hearth, unique_name(), PASSWORD)
    auth = await accounts.authenticate(hearth, token)
    # The member opened the socket 29 minutes ago and has chatted on it ever since.
    await _age_session(hearth, token, idle=idle - timedelta(minutes=1))
    auth.session.last_used_at -= idle - timedelta(minutes=1)
    conn = Connection(hearth, None, auth)  # type: ignore[arg-type]  # no socket needed to handle a frame
    await conn._handle_text('{"type": "ping", "ref": 1}')
    assert conn.queue.get_nowait() == '{"type":"pong","ref":1}'
    await _age_session(hearth, token, idle=timedelta(minutes=2))  # two more minutes pass
    assert (await accounts.authenticate(hearth, token)).session.id == auth.session.id


async def test_a_frame_after_the_idle_limit_does_not_bring_the_session_back(hearth: Hearth) -> None:
    from server.ws import CLOSE_POLICY, Connection

    idle = timedelta(minutes=hearth.settings.session_idle_minutes)
    _user, token, _codes = await accounts.sign_up(hearth, unique_name(), PASSWORD)
    auth = await accounts.authenticate(hearth, token)
    await _age_session(hearth, token, idle=idle + timedelta(minutes=1))
    auth.session.last_used_at -= idle + timedelta(minutes=1)
    conn = Connection(hearth, None, auth)  # type: ignore[arg-type]
    await conn._handle_text('{"type": "ping"}')
    error, close = conn.queue.get_nowait(), conn.queue.get_nowait()
    assert '"code":"session_expired"' in error  # type: ignore[operator]
    assert (close.code, close.reason) == (CLOSE_POLICY, "session_expired")  # type: ignore[union-attr]
    with pytest.raises(NotAuthenticated):
        await accounts.authenticate(hearth, token)
