"""The forum in a real browser: compose with a preview, safe formatting,
content notes folded until revealed, and replies arriving live."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import log_in, new_page
from tests.support import ServerProcess, sign_up


def test_start_a_thread_with_preview_and_see_replies_live(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    alice, bob = sign_up(server), sign_up(server)
    page = new_page(browser, server, width=800)
    log_in(page, alice.pseudonym)
    page.get_by_role("link", name="Forum").click()
    expect(page.get_by_role("heading", name="Forum")).to_be_visible()
    page.get_by_role("link", name=re.compile("Recovery stories")).click()
    page.get_by_role("link", name="Start a thread").click()

    page.get_by_label("Title").fill("Ninety days <b>today</b>")
    body = "It was *hard*.\n\n> one day at a time\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))"
    page.get_by_label("What would you like to share?").fill(body)
    page.get_by_label("relapse").first.check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview em", has_text="hard")).to_be_visible()
    page.screenshot(path=str(screenshots / "forum-compose-preview.png"))
    page.get_by_role("button", name="Post").click()

    heading = page.get_by_role("heading", name="Ninety days <b>today</b>")  # the title is text, not markup
    expect(heading).to_be_visible()
    first = page.locator("li.post").first
    expect(first.get_by_text("Content note: relapse")).to_be_visible()
    expect(first.locator(".post-body")).to_be_hidden()  # folded until the reader chooses
    first.get_by_role("button", name="Show post").click()
    expect(first.locator(".post-body blockquote", has_text="one day at a time")).to_be_visible()
    expect(first.locator(".post-body", has_text="<img src=x onerror=alert(1)>")).to_be_visible()
    assert first.locator(".post-body img, .post-body script, .post-body [onerror]").count() == 0
    assert first.locator('.post-body a[href^="javascript"]').count() == 0

    thread_id = int(page.url.rsplit("/", 1)[1])
    reply = bob.post(f"/api/v1/forum/threads/{thread_id}/replies", {"body": "Proud of you, **truly**."})
    assert reply.status_code == 201
    expect(page.locator(".post-body strong", has_text="truly")).to_be_visible()  # arrived live over the socket
    page.get_by_role("button", name=re.compile("I relate")).last.click()
    expect(page.get_by_role("button", name="I relate (1)")).to_be_visible()
    page.screenshot(path=str(screenshots / "forum-thread.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]
