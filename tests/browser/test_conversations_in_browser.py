"""Private conversations, messaging settings, blocks, the mentor flow and
talk-now (the member's button and the specialists' line) in a real browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import log_in, new_page
from tests.e2e.dm_support import OPEN_DMS, set_policy
from tests.support import Database, ServerProcess, create_staff, sign_up

CRISIS = "I have the pills lined up and tonight is the night"
EUROPE = "Europe & Africa (UTC−1 to +4)"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    # Other help is offered after a short wait here, so the no-one-available path can be seen.
    proc = ServerProcess(Database.fresh(), extra_env={**OPEN_DMS, "HEARTH_TALK_NOW_OFFER_SECONDS": "3"}).start()
    yield proc
    proc.stop()


def _messages(page: Page) -> None:
    page.get_by_role("link", name="Messages").click()
    expect(page.get_by_role("heading", name="Private conversations")).to_be_visible()


def _mentors(page: Page) -> None:
    _messages(page)
    page.get_by_role("link", name="Mentors", exact=True).click()
    expect(page.get_by_role("heading", name="Ask for a mentor")).to_be_visible()


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
    expect(page.get_by_text("Nobody is free this very moment, so we can't promise a time.", exact=False)).to_be_visible()
    # Nobody takes it: other help is offered, and the place in line is kept.
    offer = page.locator(".talk-now .notice")
    expect(offer).to_contain_text("Nobody has picked this up yet")
    expect(offer.get_by_role("button", name="Get help now")).to_be_visible()
    expect(offer.get_by_role("link", name=re.compile("^Join "))).to_be_visible()
    expect(offer.get_by_role("link", name="Read or write in the forum")).to_be_visible()
    expect(offer).to_contain_text("You're still in line")
    expect(page.get_by_text(re.compile("You're number 1 in line"))).to_be_visible()
    page.screenshot(path=str(screenshots / "talk-now-other-help-mobile.png"))
    page.get_by_role("button", name="Leave the line").click()
    expect(page.get_by_role("button", name="Talk to someone now")).to_be_visible()
    assert page.errors == []  # type: ignore[attr-defined]


def test_blocking_and_unblocking_from_settings(browser: Any, server: ServerProcess) -> None:
    member, nuisance = sign_up(server), sign_up(server)
    page = new_page(browser, server)
    log_in(page, member.pseudonym)
    _messages(page)
    page.get_by_role("link", name="Who can message me, and blocked people").click()
    expect(page.get_by_label("Show when I've read messages")).not_to_be_checked()  # read markers start off
    expect(page.get_by_text("You haven't blocked anyone.")).to_be_visible()
    page.get_by_label("Block someone (pseudonym)").fill(nuisance.pseudonym)
    page.get_by_role("button", name="Block", exact=True).click()
    row = page.locator(".block-list li", has_text=nuisance.pseudonym)
    expect(row).to_be_visible()
    assert [b["user"]["pseudonym"] for b in member.get("/api/v1/blocks").json()["blocks"]] == [nuisance.pseudonym]
    assert nuisance.get("/api/v1/blocks").json()["blocks"] == []  # nothing tells them
    # Trying to write, they get the same kind words any "not now" setting gives, and no hint of the block.
    theirs = new_page(browser, server)
    log_in(theirs, nuisance.pseudonym)
    _messages(theirs)
    theirs.get_by_label("Start a conversation with (pseudonym)").fill(member.pseudonym)
    theirs.get_by_role("button", name="Open").click()
    expect(theirs.get_by_role("alert")).to_have_text(
        "This person isn't taking new private conversations right now. You can still talk together in the rooms.")
    row.get_by_role("button", name="Unblock").click()
    expect(page.get_by_text("You haven't blocked anyone.")).to_be_visible()
    assert member.get("/api/v1/blocks").json()["blocks"] == []
    assert page.errors == [] and theirs.errors == []  # type: ignore[attr-defined]


def test_asking_for_a_mentor_accepting_and_closing_kindly(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    mentor, mentee = sign_up(server), sign_up(server)
    pm, pe = new_page(browser, server, accept_dialogs=True), new_page(browser, server, accept_dialogs=True)
    log_in(pm, mentor.pseudonym)
    log_in(pe, mentee.pseudonym)

    _mentors(pm)
    offer_form = pm.locator("form", has=pm.get_by_role("button", name="Volunteer"))
    offer_form.get_by_label("In recovery since").fill("2019-03-01")
    offer_form.get_by_label("Family & friends").check()
    offer_form.get_by_label("Time zone").select_option(label=EUROPE)
    offer_form.get_by_role("button", name="Volunteer").click()
    expect(pm.get_by_text("No requests for you right now.")).to_be_visible()
    expect(pm.get_by_role("heading", name="Talk-now helpers")).to_be_visible()  # mentors can offer to listen, too

    _mentors(pe)
    ask_form = pe.locator("form", has=pe.get_by_role("button", name="Ask for a mentor"))
    ask_form.get_by_label("Focus").select_option(label="Family & friends")
    ask_form.get_by_label("Time zone").select_option(label=EUROPE)
    ask_form.get_by_role("button", name="Ask for a mentor").click()
    expect(pe.get_by_text("Your request is with 1 mentors who fit.", exact=False)).to_be_visible()

    # The request reaches the mentor's page live.
    offer = pm.locator(".card", has_text=f"{mentee.pseudonym} is looking for a mentor (focus: Family & friends)")
    offer.get_by_role("button", name="Accept").click()
    expect(pm.get_by_text(f"You're mentoring {mentee.pseudonym}.")).to_be_visible()
    expect(pe.get_by_text(f"{mentor.pseudonym} is your mentor.")).to_be_visible()
    pe.get_by_role("link", name="Open your conversation").click()
    expect(pe.get_by_role("heading", name=f"With {mentor.pseudonym}")).to_be_visible()
    expect(pe.locator(".room-head .notice")).to_have_text("Mentorship")
    pe.screenshot(path=str(screenshots / "mentorship-conversation-mobile.png"))

    # The mentee closes it; the mentor is told kindly and has room again.
    _mentors(pe)
    pe.get_by_role("button", name="Close this mentorship").click()
    expect(pe.get_by_text(f"{mentor.pseudonym} is your mentor.")).to_have_count(0)
    expect(pm.get_by_role("status").filter(has_text=f"{mentee.pseudonym} has closed your mentorship")).to_be_visible()
    expect(pm.get_by_text(f"You're mentoring {mentee.pseudonym}.")).to_have_count(0)
    assert mentor.get("/api/v1/mentorship").json()["profile"]["active_mentees"] == 0
    assert pm.errors == [] and pe.errors == []  # type: ignore[attr-defined]


def test_the_talk_now_line_sits_below_the_crisis_flags_in_the_console(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    specialist, troubled, waiting = create_staff(server, "specialist"), sign_up(server), sign_up(server)
    assert specialist.post("/api/v1/crisis/oncall", {"on_call": True}).status_code == 200
    board = troubled.get("/api/v1/forum/boards").json()["boards"][0]["id"]
    assert troubled.post(f"/api/v1/forum/boards/{board}/threads", {"title": "Tonight", "body": CRISIS}).status_code == 201
    member_page = new_page(browser, server)
    log_in(member_page, waiting.pseudonym)
    _messages(member_page)
    member_page.get_by_role("button", name="Talk to someone now").click()
    expect(member_page.get_by_text(re.compile("You're number 1 in line"))).to_be_visible()

    page = new_page(browser, server, width=1200)
    log_in(page, specialist.pseudonym)
    page.get_by_role("link", name="Crisis queue").click()
    flag = page.locator(".flag", has_text=troubled.pseudonym)
    helpers = page.locator(".talk-now-helpers")
    expect(flag).to_be_visible()
    expect(helpers.get_by_role("heading", name="Talk-now helpers")).to_be_visible()
    person = helpers.locator(".card", has_text=f"{waiting.pseudonym} is waiting (number 1)")
    expect(person).to_be_visible()
    # Below the flags: after them in the page and lower on the screen (measured together: the list redraws live).
    assert page.evaluate("""() => {
        const flags = document.querySelector('.flag-list'), line = document.querySelector('.talk-now-helpers');
        const [f, l] = [flags.getBoundingClientRect(), line.getBoundingClientRect()];
        return Boolean(flags.compareDocumentPosition(line) & Node.DOCUMENT_POSITION_FOLLOWING)
            && flags.querySelector('.flag') !== null && f.bottom <= l.top;
    }""")
    page.screenshot(path=str(screenshots / "console-talk-now.png"))

    person.get_by_role("button", name="Talk with them").click()
    expect(helpers.get_by_role("status")).to_have_text("Mark yourself available to listen first.")
    helpers.get_by_label("I'm available to listen").check()
    with page.expect_response(lambda r: r.url.endswith("/api/v1/talk-now/availability") and r.request.method == "PUT"):
        helpers.get_by_role("button", name="Save").click()
    person.get_by_role("button", name="Talk with them").click()
    page.wait_for_url(re.compile(r"#/conversations/\d+"))
    expect(member_page.get_by_text(f"{specialist.pseudonym} is here to talk with you.")).to_be_visible()
    member_page.get_by_role("link", name="Open the chat").click()
    expect(member_page.locator(".room-head .notice")).to_have_text("Talk now")
    assert page.errors == [] and member_page.errors == []  # type: ignore[attr-defined]
