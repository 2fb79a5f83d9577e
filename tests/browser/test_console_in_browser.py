"""The crisis path in real browsers: member, on-call specialist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import log_in, new_page
from tests.support import ServerProcess, create_staff, sign_up


def test_a_crisis_message_alerts_the_specialist_who_claims_it(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    specialist = create_staff(server, "specialist")
    person = sign_up(server)
    staff_page = new_page(browser, server, width=1200)
    log_in(staff_page, specialist.pseudonym)
    staff_page.get_by_role("link", name="Crisis queue").click()
    expect(staff_page.get_by_role("heading", name="Crisis queue")).to_be_visible()
    staff_page.get_by_label("I'm on call").check()
    expect(staff_page.get_by_text("You're off call")).to_be_hidden()

    member_page = new_page(browser, server)
    log_in(member_page, person.pseudonym)
    member_page.get_by_role("link", name=re.compile("Cravings")).click()
    member_page.get_by_label("Write a message").fill("I have the pills lined up and tonight is the night")
    member_page.get_by_role("button", name="Send").click()

    # The member gets a private, warm panel with resources; their message stays.
    panel = member_page.locator("#care-panel")
    expect(panel).to_contain_text("988")
    expect(member_page.locator(".message .body", has_text="pills lined up")).to_be_visible()
    member_page.screenshot(path=str(screenshots / "member-care-panel.png"))

    flag = staff_page.locator(".flag", has_text=person.pseudonym)
    expect(flag).to_be_visible()
    expect(flag.locator("mark").first).to_be_visible()  # evidence highlighted
    staff_page.screenshot(path=str(screenshots / "console-queue.png"))
    flag.get_by_role("button", name="Take this").click()
    expect(staff_page.get_by_role("heading", name=re.compile(person.pseudonym))).to_be_visible()
    expect(staff_page.get_by_text(re.compile(f"with {specialist.pseudonym}"))).to_be_visible()
    staff_page.screenshot(path=str(screenshots / "console-flag.png"))

    # The specialist opens a support chat straight from the flag; the member sees it.
    staff_page.get_by_role("button", name="Open support chat").click()
    staff_page.wait_for_url(re.compile(r"#/conversations/\d+"))
    staff_page.get_by_label("Write a message").fill("Hi, I'm a peer specialist. I'm here with you right now.")
    staff_page.get_by_role("button", name="Send", exact=True).click()
    member_page.get_by_role("link", name="Messages").click()
    member_page.get_by_role("link", name=re.compile(specialist.pseudonym)).first.click()
    expect(member_page.locator(".message .body", has_text="I'm here with you right now")).to_be_visible()
    member_page.screenshot(path=str(screenshots / "member-support-chat.png"))
    assert staff_page.errors == [] and member_page.errors == []  # type: ignore[attr-defined]


def test_members_have_no_console(browser: Any, server: ServerProcess) -> None:
    person = sign_up(server)
    page = new_page(browser, server)
    log_in(page, person.pseudonym)
    expect(page.get_by_role("link", name="Crisis queue")).to_have_count(0)


def test_admin_manages_rooms_roles_and_the_rota(browser: Any, server: ServerProcess) -> None:
    admin, future = create_staff(server, "admin"), sign_up(server)
    page = new_page(browser, server, width=1200)
    log_in(page, admin.pseudonym)
    page.get_by_role("link", name="Community").click()
    page.get_by_label("Short name for links").fill("gambling-support")
    page.get_by_label("Name", exact=True).fill("Gambling")
    page.get_by_role("button", name="Create room").click()
    expect(page.locator(".admin-rooms input[value='Gambling']")).to_have_count(1)
    page.get_by_label("Pseudonym").fill(future.pseudonym)
    page.get_by_label("Role").select_option("specialist")
    page.get_by_role("button", name="Set role").click()
    # The roles form's own "Done." (the rooms form above says it too, for the new room)
    expect(page.locator("form:has(#role-what)").get_by_text("Done.")).to_be_visible()
    assert future.get("/api/v1/me").json()["user"]["role"] == "specialist"
    page.get_by_role("button", name="Add slot").click()
    page.locator(".rota-table .who").last.fill(future.pseudonym)
    page.get_by_role("button", name="Save rota").click()
    slots = admin.get("/api/v1/crisis/rota").json()["slots"]
    for _ in range(50):
        if slots:
            break
        page.wait_for_timeout(100)
        slots = admin.get("/api/v1/crisis/rota").json()["slots"]
    assert slots[0]["pseudonym"] == future.pseudonym and slots[0]["start_minute"] == 18 * 60
    page.get_by_role("link", name="Crisis queue").click()
    expect(page.get_by_role("heading", name="Figures")).to_be_visible()
    expect(page.locator(".rota")).to_contain_text(future.pseudonym)
    assert page.errors == []  # type: ignore[attr-defined]
