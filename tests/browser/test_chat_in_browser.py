"""Members use the real client in a real browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import log_in, new_page
from tests.support import PASSWORD, ServerProcess, sign_up, unique_name




def test_sign_up_shows_recovery_codes_once_then_rooms(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    page = new_page(browser, server)
    page.goto("/#/signup")
    expect(page.get_by_role("heading", name="Join Hearth")).to_be_visible()
    expect(page.locator(".suggestions .chip").first).to_be_visible()
    page.screenshot(path=str(screenshots / "signup-mobile.png"))
    name = unique_name("Tide")
    page.get_by_label("Pseudonym").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ol.codes li")
    expect(codes).to_have_count(10)
    proceed = page.get_by_role("button", name="Continue")
    expect(proceed).to_be_disabled()
    page.screenshot(path=str(screenshots / "recovery-codes-mobile.png"))
    page.get_by_label("I have saved my recovery codes").check()
    proceed.click()
    expect(page.get_by_role("link", name=re.compile("Welcome"))).to_be_visible()
    page.screenshot(path=str(screenshots / "rooms-mobile.png"))
    assert page.errors == []  # type: ignore[attr-defined]


def test_two_members_chat_live_and_history_survives_a_reload(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    alice, bob = sign_up(server), sign_up(server)
    pa, pb = new_page(browser, server), new_page(browser, server)
    log_in(pa, alice.pseudonym)
    log_in(pb, bob.pseudonym)
    for page in (pa, pb):
        page.get_by_role("link", name=re.compile("Early recovery")).click()
        expect(page.get_by_role("heading", name="Early recovery")).to_be_visible()

    pa.get_by_label("Write a message").fill("Day 3. Hard, but I'm here <3")
    pa.get_by_role("button", name="Send").click()
    expect(pb.locator(".message .body", has_text="Day 3. Hard, but I'm here <3")).to_be_visible()
    pb.get_by_label("Write a message").fill("Proud of you. One hour at a time.")
    pb.keyboard.press("Enter")
    expect(pa.locator(".message .body", has_text="Proud of you. One hour at a time.")).to_be_visible()
    pa.screenshot(path=str(screenshots / "room-mobile.png"))

    pa.reload()
    expect(pa.locator(".message .body", has_text="Day 3. Hard, but I'm here <3")).to_have_count(1)
    expect(pa.locator(".message .body", has_text="Proud of you. One hour at a time.")).to_have_count(1)
    assert pa.errors == [] and pb.errors == []  # type: ignore[attr-defined]


def test_message_text_is_never_markup(browser: Any, server: ServerProcess) -> None:
    member = sign_up(server)
    page = new_page(browser, server)
    log_in(page, member.pseudonym)
    page.get_by_role("link", name=re.compile("Alcohol")).click()
    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    page.get_by_label("Write a message").fill(payload)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".message:not(.pending) .body", has_text="<img src=x")).to_be_visible()
    assert page.evaluate("window.__xss") is None
    assert page.locator(".messages img, .messages script").count() == 0
    assert page.errors == []  # type: ignore[attr-defined]


def test_quick_exit_leaves_nothing_to_go_back_to(browser: Any, server: ServerProcess) -> None:
    member = sign_up(server)
    page = new_page(browser, server)
    # The neutral site is outside this machine's reach: answer it locally.
    page.context.route("https://www.weather.gov/**", lambda route: route.fulfill(body="<title>Weather</title>ok", content_type="text/html"))
    page.goto("about:blank")
    log_in(page, member.pseudonym)
    page.get_by_role("link", name=re.compile("Opioids")).click()
    expect(page.get_by_role("heading", name="Opioids")).to_be_visible()
    page.get_by_role("link", name=re.compile("All rooms")).click()
    expect(page.get_by_role("heading", name="Rooms")).to_be_visible()
    page.get_by_role("button", name="Quick exit").click()
    page.wait_for_url("https://www.weather.gov/**")
    page.go_back()
    assert page.url == "about:blank"  # every Hearth entry is gone from history


def test_escape_three_times_is_a_quick_exit(browser: Any, server: ServerProcess) -> None:
    page = new_page(browser, server)
    page.context.route("https://www.weather.gov/**", lambda route: route.fulfill(body="ok", content_type="text/html"))
    page.goto("/#/login")
    for _ in range(3):
        page.keyboard.press("Escape")
    page.wait_for_url("https://www.weather.gov/**")


def test_get_help_now_opens_resources_and_no_horizontal_scroll_at_360(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    page = new_page(browser, server, width=360)
    page.goto("/#/login")
    page.get_by_role("button", name="Get help now").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("988")
    expect(dialog).to_contain_text("1-800-662-4357")
    page.screenshot(path=str(screenshots / "help-360.png"))
    page.get_by_role("button", name="Close").click()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_reply_and_support_reaction(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    alice, bob = sign_up(server), sign_up(server)
    pa, pb = new_page(browser, server), new_page(browser, server)
    for page, member in ((pa, alice), (pb, bob)):
        log_in(page, member.pseudonym)
        page.get_by_role("link", name=re.compile("Wins")).click()
        expect(page.get_by_role("heading", name=re.compile("Wins"))).to_be_visible()
    pa.get_by_label("Write a message").fill("60 days today!")
    pa.get_by_role("button", name="Send").click()
    theirs = pb.locator(".message", has_text="60 days today!")
    expect(theirs).to_be_visible()
    theirs.get_by_role("button", name=re.compile("Proud of you")).click()
    theirs.get_by_role("button", name="Reply").click()
    pb.get_by_label("Write a message").fill(f"So happy for you @{alice.pseudonym}")
    pb.get_by_role("button", name="Send").click()
    mine = pa.locator(".message", has_text="60 days today!")
    expect(mine.get_by_role("button", name=re.compile("Proud of you 1"))).to_be_visible()
    reply = pa.locator(".message.mentions-me", has_text="So happy for you")
    expect(reply.locator(".in-reply")).to_contain_text("60 days today!")
    pa.screenshot(path=str(screenshots / "room-reactions-mobile.png"))
    assert pa.errors == [] and pb.errors == []  # type: ignore[attr-defined]


def test_settings_theme_and_safety_plan(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    member = sign_up(server)
    page = new_page(browser, server)
    log_in(page, member.pseudonym)
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Theme").select_option("dark")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_label("My reasons to keep going").fill("My sister, and the sea.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.screenshot(path=str(screenshots / "settings-dark-mobile.png"))
    assert member.get("/api/v1/me/safety-plan").json()["safety_plan"]["reasons_to_keep_going"] == "My sister, and the sea."
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background != "rgb(251, 250, 247)"
