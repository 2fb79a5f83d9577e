"""Frames for reading forum threads live: subscribe_thread, unsubscribe_thread.

Thread events are shaped per reader before they are sent, so each socket gets
one `ThreadReader` as its hub subscriber for `thread:{id}` channels: it leaves
out replies by members the reader blocked, hides posts under content notes the
reader chose to hide, and shows members a removal where moderators see a post
marked hidden. Notifications for followed threads need nothing here: they
arrive on the socket's own `user:{id}` channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from server.actions import forum
from server.actions.forum import Viewer
from server.errors import BadRequest, NotFound
from server.hub import Delivery
from server.ws_handlers.base import Handler, int_field, reply

if TYPE_CHECKING:
    from server.ws import Connection

MAX_THREADS_PER_SOCKET = 20


class ThreadReader:
    def __init__(self, conn: Connection, viewer: Viewer) -> None:
        self.conn = conn
        self.viewer = viewer
        self.threads: set[int] = set()

    # ---- called by the hub ------------------------------------------------
    def deliver(self, delivery: Delivery) -> None:
        frame = self._shape(delivery.event)
        if frame is not None:
            self.conn.send_frame(frame)

    def resync(self) -> None:
        # The broker was away: replies may have been missed. The client reloads
        # the thread after the last post it has (REST, cursor) and carries on.
        for thread_id in sorted(self.threads):
            self.conn.send_frame({"type": "thread_resync", "thread_id": thread_id})

    # ---- per-reader shaping -----------------------------------------------
    def _shape(self, event: dict[str, Any]) -> dict[str, Any] | None:
        kind = event.get("type")
        viewer = self.viewer
        if event.get("author_id") in viewer.blocked:
            return None
        if kind in ("forum_post", "forum_post_edited"):
            return {**_public(event), "post": self._post(event["post"])}
        if kind == "forum_post_hidden":
            if viewer.moderator:
                return _public(event)
            if event.get("hidden"):
                return {"type": "forum_post_removed", "thread_id": event["thread_id"], "post_id": event["post_id"], "reason": "hidden"}
            return {"type": "forum_post", "thread_id": event["thread_id"], "post": self._post(event["post"])}
        if kind == "forum_thread_updated":
            thread = dict(event["thread"])
            if thread.pop("hidden", False) and not viewer.moderator:
                return {"type": "forum_thread_removed", "thread_id": event["thread_id"]}
            if viewer.moderator:
                thread["hidden"] = event["thread"].get("hidden", False)
            return {**event, "thread": thread}
        return _public(event)

    def _post(self, post: dict[str, Any]) -> dict[str, Any]:
        if self.viewer.muted_notes.intersection(post.get("content_notes", ())) and not post.get("deleted"):
            return {**post, "body_html": None, "muted_by_note": True}
        return post


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "author_id"}


_readers: WeakKeyDictionary[Connection, ThreadReader] = WeakKeyDictionary()


async def _reader(conn: Connection) -> ThreadReader:
    viewer = await forum.reader_view(conn.h, conn.auth)  # fresh blocks and note choices on every subscribe
    reader = _readers.get(conn)
    if reader is None:
        reader = _readers[conn] = ThreadReader(conn, viewer)

        async def cleanup() -> None:
            await conn.h.hub.unsubscribe_all(reader)
            _readers.pop(conn, None)

        conn.on_close.append(cleanup)
    reader.viewer = viewer
    return reader


async def subscribe_thread(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    thread_id = await forum.check_thread_readable(conn.h, conn.auth, frame.get("thread_id"))
    reader = await _reader(conn)
    if thread_id not in reader.threads and len(reader.threads) >= MAX_THREADS_PER_SOCKET:
        raise BadRequest(f"One connection can follow at most {MAX_THREADS_PER_SOCKET} threads live.", code="too_many_threads")
    reader.threads.add(thread_id)
    await conn.h.hub.subscribe(f"thread:{thread_id}", reader)
    conn.send_frame(reply({"type": "thread_subscribed", "thread_id": thread_id}, ref))


async def unsubscribe_thread(conn: Connection, frame: dict[str, Any], ref: object) -> None:
    thread_id = int_field(frame, "thread_id")
    reader = _readers.get(conn)
    if reader is None or thread_id not in reader.threads:
        raise NotFound("You are not following that thread live.")
    reader.threads.discard(thread_id)  # type: ignore[arg-type]
    await conn.h.hub.unsubscribe(f"thread:{thread_id}", reader)
    conn.send_frame(reply({"type": "thread_unsubscribed", "thread_id": thread_id}, ref))


HANDLERS: dict[str, Handler] = {"subscribe_thread": subscribe_thread, "unsubscribe_thread": unsubscribe_thread}
