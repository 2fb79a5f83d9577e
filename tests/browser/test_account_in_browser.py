"""The account page in a real browser: sessions, setting up an authenticator app
and logging in with its code, and leaving Hearth."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from server.accounts.totp import code_at
from tests.browser.pages import log_in, new_page
from tests.support import PASSWORD, ServerProcess, create_staff, http, sign_up




def test_staff_set_up_an_authenticator_and_then_log_in_with_its_code(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    guide = create_staff(server, "specialist")
    page = new_page(browser, server, 390, 900)
    log_in(page, guide.pseudonym, until_rooms=False)
    expect(page.get_by_role("heading", name="Rooms")).to_be_visible()
    page.goto("/#/settings/account")
    expect(page.get_by_role("heading", name="Where I'm signed in")).to_be_visible()
    expect(page.get_by_text("This device")).to_be_visible()
    page.locator("#factor-password").fill(PASSWORD)
    page.get_by_role("button", name="Set it up").click()
    secret = page.locator(".account code").first.inner_text()
    page.locator("#factor-code").fill(code_at(secret, time.time()))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("On. You'll need a code")).to_be_visible()
    page.screenshot(path=str(screenshots / "account-mobile.png"), full_page=True)
    page.get_by_role("button", name="Log out").click()
    log_in(page, guide.pseudonym, until_rooms=False)
    code = page.get_by_label("Code from your authenticator app")
    expect(code).to_be_visible()
    code.fill(code_at(secret, time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Rooms")).to_be_visible()
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_member_leaves_and_their_words_go(browser: Any, server: ServerProcess) -> None:
    member = sign_up(server)
    page = new_page(browser, server, 390, 900)
    log_in(page, member.pseudonym, until_rooms=False)
    expect(page.get_by_role("heading", name="Rooms")).to_be_visible()
    page.goto("/#/settings/account")
    page.get_by_label("Remove my messages and posts").check()
    page.locator("#leave-password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is gone.")).to_be_visible()
    assert member.get("/api/v1/me").status_code == 401
    assert page.errors == []  # type: ignore[attr-defined]


def test_a_session_ended_from_another_device_sends_this_one_to_log_in_at_once(browser: Any, server: ServerProcess) -> None:
    member = sign_up(server)  # the API client is the member's other device
    page = new_page(browser, server)
    log_in(page, member.pseudonym)
    # The first socket must be open before we start counting, or its own opening counts as a knock.
    expect(page.locator("body[data-connection=online]")).to_have_count(1)
    sockets: list[Any] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    this_device = next(s["id"] for s in member.get("/api/v1/me/sessions").json()["sessions"] if not s["current"])
    ended = http.delete(f"{server.base}/api/v1/me/sessions/{this_device}", headers=member.headers)
    assert ended.status_code == 200, ended.text
    expect(page.get_by_text("Your session has ended. Please log in again.")).to_be_visible()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.wait_for_timeout(1500)  # longer than the first reconnect back-off
    assert sockets == []  # it did not knock again on a door that is closed for good
    assert page.errors == []  # type: ignore[attr-defined]
