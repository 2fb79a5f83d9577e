"""Bulk set-up for large benchmarks: members, sessions, extra rooms and private
conversations written straight into the benchmark server's database with the
server's own models.

Why not sign up over HTTP: every sign-up computes one argon2id hash (64 MiB,
~0.1 s of CPU), so 5,000 members would take many minutes of set-up and spike
the server's peak memory before the measurement starts. Seeded members share
ONE real argon2 hash (computed once, with the server's parameters), and each
gets its own session token, hashed like a log-in's. Sign-up's own cost is
measured separately (`signup_cost`) and reported as a set-up cost.

Runs as a child process with the server's environment:
    python -m bench.seed MEMBERS EXTRA_ROOMS DM_PAIRS PREFIX  -> JSON on stdout
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
from datetime import timedelta


async def seed(members: int, extra_rooms: int, dm_pairs: int, prefix: str) -> dict[str, object]:
    from argon2 import PasswordHasher

    from server.accounts.passwords import PARAMETERS
    from server.accounts.pseudonyms import pseudonym_key, pseudonym_skeleton
    from server.accounts.tokens import hash_session_token, new_session_token
    from server.config import load_settings
    from server.db import Database
    from server.models import Conversation, ConversationMember, Room, Session, User
    from server.models.base import utcnow

    settings = load_settings()
    db = Database(settings)
    shared_hash = PasswordHasher.from_parameters(PARAMETERS).hash("benchmark passphrase 42")
    now = utcnow()
    out_members: list[dict[str, object]] = []
    rooms: list[int] = []
    dms: list[dict[str, int]] = []
    try:
        async with db.write() as session:
            users = []
            for i in range(members):
                name = f"{prefix}{i}x{secrets.token_hex(3)}"
                users.append(User(pseudonym=name, pseudonym_key=pseudonym_key(name), pseudonym_skeleton=pseudonym_skeleton(name),
                                  password_hash=shared_hash, role="member", created_at=now - timedelta(days=30)))
            session.add_all(users)
            await session.flush()
            for user in users:
                token = new_session_token()
                session.add(Session(user_id=user.id, token_hash=hash_session_token(token), remember=False, created_at=now,
                                    last_used_at=now, expires_at=now + timedelta(hours=settings.session_max_hours)))
                out_members.append({"id": user.id, "pseudonym": user.pseudonym, "token": token})
            new_rooms = [Room(kind="topic", slug=f"bench-{prefix.lower()}-{r}", name=f"Bench room {r}", description="",
                              rules="", position=100 + r, last_seq=0, created_at=now) for r in range(extra_rooms)]
            session.add_all(new_rooms)
            await session.flush()
            rooms = [r.id for r in new_rooms]
            # Private conversations between neighbours (2k, 2k+1): the same rows open_pair writes.
            for p in range(min(dm_pairs, members // 2)):
                a, b = users[2 * p], users[2 * p + 1]
                room = Room(kind="direct", slug=None, name="Private conversation", description="", rules="", position=0,
                            last_seq=0, created_at=now)
                session.add(room)
                await session.flush()
                session.add(Conversation(room_id=room.id, user_low=min(a.id, b.id), user_high=max(a.id, b.id), purpose="direct",
                                         created_at=now))
                session.add_all(ConversationMember(room_id=room.id, user_id=u.id, last_read_seq=0, joined_at=now) for u in (a, b))
                dms.append({"room": room.id, "a": 2 * p, "b": 2 * p + 1})
    finally:
        await db.close()
    return {"members": out_members, "rooms": rooms, "dms": dms}


def main() -> int:
    members, extra_rooms, dm_pairs, prefix = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    print(json.dumps(asyncio.run(seed(members, extra_rooms, dm_pairs, prefix))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
