"""Private conversations, messaging settings and talk-now in a real browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import log_in, new_page
from tests.e2e.dm_support import OPEN_DMS, set_policy
from tests.support import Database, ServerProcess, sign_up


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env=OPEN_DMS).start()
    yield proc
    proc.stop()


def _messages(page: Page) -> None:
    page.get_by_role("link", name="Messages").click()
    expect(page.get_by_role("heading", name="Private conversations")).to_be_visible()


def test_two_members_talk_privately_with_typing_and_unread(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    alice, bob = sign_up(server), sign_up(server)
    set_policy(bob, "anyone")
    pa, pb = new_page(browser, server), new_page(browser, server)
    log_in(pa, alice.pseudonym)
    log_in(pb, bob.pseudonym)
    _messages(pa)
    expect(pa.get_by_text("Staff don't read them")).to_be_visible()  # the privacy promise, in plain words
    pa.get_by_label("Start a conversation with (pseudonym)").fill(bob.pseudonym)
    pa.get_by_role("button", name="Open").click()
    expect(pa.get_by_role("heading", name=f"With {bob.pseudonym}")).to_be_visible()
    expect(pa.locator(".room-head")).not_to_contain_text("null")
    pa.get_by_label("Write a message").fill("Hi, it's me <b>not bold</b>")
    pa.get_by_role("button", name="Send").click()
    expect(pa.locator(".message .body", has_text="Hi, it's me <b>not bold</b>")).to_be_visible()

    _messages(pb)
    expect(pb.locator(".room-link", has_text=alice.pseudonym)).to_contain_text("1 new")
    pb.locator(".room-link", has_text=alice.pseudonym).click()
    expect(pb.locator(".message .body", has_text="Hi, it's me <b>not bold</b>")).to_be_visible()
    pb.get_by_label("Write a message").press_sequentially("typing")
    expect(pa.get_by_text(f"{bob.pseudonym} is typing…")).to_be_visible()
    pb.keyboard.press("Enter")
    expect(pa.locator(".message .body", has_text="typing")).to_be_visible()
    pa.screenshot(path=str(screenshots / "conversation-mobile.png"))
    assert pa.errors == [] and pb.errors == []  # type: ignore[attr-defined]


def test_settings_and_talk_now(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    member = sign_up(server)
    page = new_page(browser, server)
    log_in(page, member.pseudonym)
    _messages(page)
    page.get_by_role("link", name="Who can message me, and blocked people").click()
    expect(page.get_by_role("heading", name="Private messages")).to_be_visible()
    expect(page.get_by_label("People I share a room with")).to_be_checked()
    page.get_by_label("Nobody").check()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    assert member.get("/api/v1/me/messaging").json()["messaging"]["who_can_message"] == "nobody"
    page.screenshot(path=str(screenshots / "messaging-settings-mobile.png"))

    _messages(page)
    page.get_by_role("button", name="Talk to someone now").click()
    expect(page.get_by_text(re.compile("You're number 1 in line"))).to_be_visible()
    page.get_by_role("button", name="Leave the line").click()
    expect(page.get_by_role("button", name="Talk to someone now")).to_be_visible()
    assert page.errors == []  # type: ignore[attr-defined]
