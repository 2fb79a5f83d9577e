"""The forum in a real browser: compose with a preview, safe formatting,
content notes folded until revealed, and replies arriving live."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import log_in, new_page
from tests.support import ServerProcess, create_staff, sign_up


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


def test_edits_hidden_note_kinds_moderator_tools_and_search(browser: Any, server: ServerProcess) -> None:
    alice, bob, moderator = sign_up(server), sign_up(server), create_staff(server, "moderator")
    key = f"lighthouse{secrets.token_hex(3)}"
    thread = bob.post("/api/v1/forum/boards/4/threads", {
        "title": "The night I slipped", "body": f"I drank again after the {key} meeting.", "content_notes": ["relapse"]}).json()["thread"]

    page = new_page(browser, server, width=900)
    log_in(page, alice.pseudonym)
    page.get_by_role("link", name="Forum").click()
    page.get_by_text("Content notes you'd rather not see").click()  # a member's own choice, kept on the server
    page.locator('input[name="hidden_note_kinds"][value="relapse"]').check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#announcer", has_text="Saved.")).to_have_count(1)
    assert alice.get("/api/v1/forum/preferences").json()["hidden_note_kinds"] == ["relapse"]

    page.goto(f"/#/forum/threads/{thread['id']}")
    first = page.locator("li.post").first
    expect(first.get_by_text("You chose to hide posts about relapse.")).to_be_visible()
    expect(first.get_by_text(key)).to_have_count(0)  # the words never reached the page
    first.get_by_role("button", name="Show anyway").click()
    expect(first.locator(".post-body", has_text=key)).to_be_visible()

    # A reply, then an edit: the post says "edited", for the author and, live, for others.
    watcher = new_page(browser, server, width=900)
    log_in(watcher, moderator.pseudonym)
    watcher.goto(f"/#/forum/threads/{thread['id']}")
    page.get_by_label("What would you like to share?").fill("Thank you for telling us. Tomorow is a new day.")
    page.get_by_role("button", name="Reply").click()
    mine = page.locator("li.post.mine", has_text="Tomorow")
    expect(mine).to_be_visible()
    expect(mine.locator(".edited")).to_have_count(0)
    mine.get_by_role("button", name="Edit").click()
    page.locator("li.post.mine textarea").fill("Thank you for telling us. Tomorrow is a new day.")
    page.locator("li.post.mine").get_by_role("button", name="Save").click()
    edited = page.locator("li.post.mine", has_text="Tomorrow is a new day")
    expect(edited.locator(".edited")).to_have_text("edited")
    seen = watcher.locator("li.post", has_text="Tomorrow is a new day")
    expect(seen.locator(".edited")).to_have_text("edited")

    # The moderator hides the reply (it leaves the author's page live) and moves the thread.
    reply_id = int(seen.get_attribute("data-id") or 0)
    seen.get_by_role("button", name="Hide").click()
    expect(seen.locator(".badges", has_text="hidden from members")).to_be_visible()
    expect(page.locator(f'li.post[data-id="{reply_id}"]')).to_have_count(0)
    watcher.get_by_label("Board to move this thread to").select_option(label="Recovery stories")
    watcher.get_by_role("button", name="Move").click()
    expect(watcher.locator("#announcer", has_text="Moved to Recovery stories.")).to_have_count(1)
    assert alice.get(f"/api/v1/forum/threads/{thread['id']}").json()["thread"]["board_id"] == 2

    # Search from the forum page: the word is marked in the snippet.
    page.goto("/#/forum")
    page.get_by_role("searchbox", name="Search the forum and rooms").fill(key)
    page.get_by_role("button", name="Search").click()
    hit = page.locator(".search-results li", has_text="The night I slipped")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("You chose to hide posts about relapse.")  # no snippet under a hidden kind
    bob_page = new_page(browser, server, width=900)
    log_in(bob_page, bob.pseudonym)
    bob_page.goto(f"/#/forum/search?q={key}")
    expect(bob_page.locator(".search-results mark", has_text=key)).to_be_visible()
    for each in (page, watcher, bob_page):
        assert each.errors == []  # type: ignore[attr-defined]
