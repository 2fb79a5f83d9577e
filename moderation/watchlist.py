"""Watched words that admins configure, each with its action (flag, hold, block, replace).

Every process keeps the compiled list in memory. A change is written, audited
and then announced on the `moderation:watchlist` channel; each process (this
one included) drops its copy when it hears it, and also whenever the broker
reconnects (an announcement may have been missed), and reloads on next use."""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import select

from moderation import audit
from moderation.autoflags import WatchedWord, WatchedWordError
from server.actions.accounts import Auth
from server.errors import Conflict, Forbidden, InvalidField, NotFound
from server.hub import Delivery
from server.models import WatchedWordRow
from server.services import Hearth

CHANNEL = "moderation:watchlist"
MAX_WORDS = 2000


class _Cache:
    def __init__(self) -> None:
        self.words: tuple[WatchedWord, ...] | None = None
        self.subscribed = False

    # hub subscriber: any change (or a missed one) empties the cache
    def deliver(self, delivery: Delivery) -> None:
        self.words = None

    def resync(self) -> None:
        self.words = None


_caches: "weakref.WeakKeyDictionary[Hearth, _Cache]" = weakref.WeakKeyDictionary()


def _word(row: WatchedWordRow) -> WatchedWord:
    return WatchedWord(id=row.key, pattern=row.pattern, action=row.action, replacement=row.replacement,
                       message=row.message, whole_word=row.whole_word)


async def current(h: Hearth) -> tuple[WatchedWord, ...]:
    cache = _caches.get(h)
    if cache is None:
        cache = _caches[h] = _Cache()
    if not cache.subscribed:
        h.hub.register(cache)
        await h.hub.subscribe(CHANNEL, cache)
        cache.subscribed = True
    if cache.words is None:
        async with h.db.read() as session:
            rows = await session.scalars(select(WatchedWordRow).order_by(WatchedWordRow.id))
            words: list[WatchedWord] = []
            for row in rows:
                try:
                    words.append(_word(row))
                except WatchedWordError:
                    continue  # validated on the way in; a row that no longer compiles is skipped, not fatal
        cache.words = tuple(words)
    return cache.words


def row_out(row: WatchedWordRow) -> dict[str, Any]:
    return {"id": row.id, "key": row.key, "pattern": row.pattern, "action": row.action, "replacement": row.replacement,
            "message": row.message, "whole_word": row.whole_word, "created_at": row.created_at.isoformat(),
            "created_by": row.created_by}


def _require_admin(auth: Auth) -> None:
    if auth.user.role != "admin":
        raise Forbidden("Only admins can change watched words.")


async def list_words(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    if auth.user.role not in ("moderator", "admin"):
        raise Forbidden("Only moderators and admins can see watched words.")
    async with h.db.read() as session:
        return [row_out(r) for r in await session.scalars(select(WatchedWordRow).order_by(WatchedWordRow.pattern))]


def _validated(data: dict[str, Any], key: str) -> WatchedWord:
    fields = {k: data[k] for k in ("pattern", "action", "replacement", "message", "whole_word") if k in data and data[k] is not None}
    if isinstance(fields.get("pattern"), str):
        fields["pattern"] = fields["pattern"].strip()
    try:
        return WatchedWord(id=key, **fields)
    except (WatchedWordError, TypeError) as error:
        raise InvalidField(f"That watched word can't be used: {error}.") from None


async def add_word(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    _require_admin(auth)
    pattern = data.get("pattern")
    if not isinstance(pattern, str):
        raise InvalidField("pattern must be the word or phrase to watch for.")
    key = data.get("key") if isinstance(data.get("key"), str) and data.get("key") else pattern.strip().casefold()[:64]
    word = _validated(data, str(key))
    now = h.clock()
    async with h.transaction() as tx:
        if await tx.session.scalar(select(WatchedWordRow.id).where(WatchedWordRow.key == word.id)) is not None:
            raise Conflict("That word is already on the list: change or remove it instead.", code="already_watched")
        count = len(list(await tx.session.scalars(select(WatchedWordRow.id))))
        if count >= MAX_WORDS:
            raise Conflict(f"The list holds at most {MAX_WORDS} words.", code="too_many_words")
        row = WatchedWordRow(key=word.id, pattern=word.pattern, action=word.action, replacement=word.replacement,
                             message=word.message, whole_word=word.whole_word, created_at=now, created_by=auth.user.pseudonym)
        tx.session.add(row)
        await tx.session.flush()
        audit.record(tx.session, auth.user, "watched_word_added", target_kind="watched_word", target_id=row.id, at=now,
                     pattern=row.pattern, word_action=row.action)
        tx.emit(CHANNEL, {"type": "watchlist_changed"})
        return row_out(row)


async def change_word(h: Hearth, auth: Auth, word_id: object, data: dict[str, Any]) -> dict[str, Any]:
    _require_admin(auth)
    now = h.clock()
    async with h.transaction() as tx:
        row = await tx.session.get(WatchedWordRow, word_id) if isinstance(word_id, int) else None
        if row is None:
            raise NotFound()
        merged = {"pattern": row.pattern, "action": row.action, "replacement": row.replacement, "message": row.message,
                  "whole_word": row.whole_word, **{k: v for k, v in data.items() if k != "key"}}
        word = _validated(merged, row.key)
        row.pattern, row.action, row.replacement, row.message, row.whole_word = (
            word.pattern, word.action, word.replacement, word.message, word.whole_word)
        audit.record(tx.session, auth.user, "watched_word_changed", target_kind="watched_word", target_id=row.id, at=now,
                     pattern=row.pattern, word_action=row.action)
        tx.emit(CHANNEL, {"type": "watchlist_changed"})
        return row_out(row)


async def remove_word(h: Hearth, auth: Auth, word_id: object) -> None:
    _require_admin(auth)
    async with h.transaction() as tx:
        row = await tx.session.get(WatchedWordRow, word_id) if isinstance(word_id, int) else None
        if row is None:
            raise NotFound()
        audit.record(tx.session, auth.user, "watched_word_removed", target_kind="watched_word", target_id=row.id,
                     at=h.clock(), pattern=row.pattern, word_action=row.action)
        await tx.session.delete(row)
        tx.emit(CHANNEL, {"type": "watchlist_changed"})
