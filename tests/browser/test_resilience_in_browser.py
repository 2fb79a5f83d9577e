"""The client survives a killed and restarted server: nothing typed is lost or doubled."""

from __future__ import annotations

import json
import re
import signal
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import log_in, new_page
from tests.support import Database, ServerProcess, sign_up


def test_messages_written_while_the_server_is_down_arrive_once(browser: Any) -> None:
    database = Database.fresh()
    server = ServerProcess(database).start()
    try:
        alice, bob = sign_up(server), sign_up(server)
        pa, pb = new_page(browser, server), new_page(browser, server)
        sent_by_bob: list[dict[str, Any]] = []  # every frame Bob's client sends, on every socket
        pb.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent_by_bob.append(json.loads(payload))))
        for page, member in ((pa, alice), (pb, bob)):
            log_in(page, member.pseudonym)
            page.get_by_role("link", name=re.compile("Stimulants")).click()
            expect(page.get_by_role("heading", name="Stimulants")).to_be_visible()
        pa.get_by_label("Write a message").fill("before the crash")
        pa.get_by_role("button", name="Send", exact=True).click()
        expect(pb.locator(".message .body", has_text="before the crash")).to_be_visible()

        server.stop(signal.SIGKILL)
        expect(pa.locator("#status")).to_contain_text(re.compile("Reconnecting|offline"))
        pa.get_by_label("Write a message").fill("written while the server was down")
        pa.get_by_role("button", name="Send", exact=True).click()
        expect(pa.locator(".message.pending", has_text="written while the server was down")).to_be_visible()

        server = ServerProcess(database, port=server.port).start()
        for page in (pa, pb):
            expect(page.locator(".message:not(.pending) .body", has_text="written while the server was down")).to_have_count(1, timeout=40_000)
            expect(page.locator(".message .body", has_text="before the crash")).to_have_count(1)
        pa.reload()
        expect(pa.locator(".message .body", has_text="written while the server was down")).to_have_count(1)
        history = alice.get("/api/v1/rooms/8/messages").json()["messages"]
        stored = [m for m in history if m["body"] == "written while the server was down"]
        assert len(stored) == 1
        # Bob's client resumed the room from the last seq it had seen, not from scratch.
        joins = [frame for frame in sent_by_bob if frame.get("type") == "join" and frame.get("room_id") == 8]
        before = next(m for m in history if m["body"] == "before the crash")
        assert "after_seq" not in joins[0] and joins[-1]["after_seq"] == before["seq"], joins
    finally:
        server.stop()
