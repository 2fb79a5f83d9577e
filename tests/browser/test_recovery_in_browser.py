"""The recovery tools and meeting mode in a real browser: the day counter and
its milestone moment, the check-in form and its SVG chart, goals, and a meeting
the host runs while a member raises a hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import log_in, new_page
from tests.support import ServerProcess, create_staff, sign_up




def test_day_counter_milestone_check_in_chart_and_goal(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    member = sign_up(server)
    page = new_page(browser, server, 390, 900, timezone_id="America/New_York", accept_dialogs=True)
    log_in(page, member.pseudonym)
    page.get_by_role("link", name="My recovery").click()
    expect(page.get_by_role("heading", name="Day counts")).to_be_visible()
    page.get_by_role("button", name="Use this device's time zone (America/New_York)").click()
    expect(page.get_by_text("Days are counted in your time zone: America/New_York.")).to_be_visible()
    page.get_by_label("What you are counting (optional)").fill("Alcohol")
    page.get_by_label("First day").fill((datetime.now(ZoneInfo("America/New_York")).date() - timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Start counting").click()
    expect(page.locator("#main .milestone-title")).to_have_text("You reached 7 days!")
    expect(page.locator(".big-number strong")).to_have_text("7")
    page.screenshot(path=str(screenshots / "recovery-milestone-mobile.png"), full_page=True)
    page.get_by_role("button", name="Share it in Wins & milestones").click()
    expect(page.locator("#main .milestone-title")).to_have_count(0)
    # The post is a normal message in the Wins room.
    wins = next(r for r in member.get("/api/v1/rooms").json()["rooms"] if r["slug"] == "wins-milestones")
    history = member.get(f"/api/v1/rooms/{wins['id']}/messages").json()["messages"]
    assert "7 days" in history[0]["body"]
    # Check in: the chart draws the point.
    page.get_by_label("4").check()
    page.get_by_label("A note for yourself (only you can see this)").fill("<b>not markup</b>")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("1-day check-in streak")).to_be_visible()
    expect(page.locator("svg.trend circle.mood-line")).to_have_count(1)
    expect(page.get_by_label("A note for yourself (only you can see this)")).to_have_value("<b>not markup</b>")
    page.get_by_placeholder("A new goal").fill("Call my sponsor")
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_role("heading", name="Call my sponsor")).to_be_visible()
    page.screenshot(path=str(screenshots / "recovery-checkin-mobile.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]


def test_meeting_mode_host_gives_the_floor_to_a_raised_hand(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    mod, host, member = create_staff(server, "moderator"), sign_up(server), sign_up(server)
    meeting = mod.post("/api/v1/meetings", {"room_id": 2, "title": "Evening share", "day": 0, "time": "23:30",
                                            "host": host.pseudonym}).json()["meeting"]
    hp, mp = new_page(browser, server, 390, 900, timezone_id="America/New_York", accept_dialogs=True), new_page(browser, server, 390, 900, timezone_id="America/New_York", accept_dialogs=True)
    log_in(hp, host.pseudonym)
    log_in(mp, member.pseudonym)
    mp.get_by_role("link", name="Meetings").click()
    expect(mp.get_by_role("link", name="Evening share")).to_be_visible()
    # 23:30 UTC on Sundays reads as Sunday evening in New York.
    expect(mp.get_by_text("Sundays at 1")).to_be_visible()
    mp.screenshot(path=str(screenshots / "meetings-mobile.png"), full_page=True)
    hp.goto(f"/#/meetings/{meeting['id']}")
    mp.goto(f"/#/meetings/{meeting['id']}")
    expect(mp.get_by_text("This meeting isn't running right now.")).to_be_visible()
    expect(mp.get_by_text("Sundays at 1")).to_be_visible()  # the device's zone, not UTC
    hp.get_by_role("button", name="Open the meeting").click()
    mp.get_by_role("button", name="Raise my hand to share").click()
    expect(hp.locator("ol.hands li")).to_have_count(1)
    hp.get_by_role("button", name="Give the floor to the next person").click()
    expect(mp.get_by_text("You have the floor. Take your time.")).to_be_visible()
    expect(hp.get_by_text(f"Sharing now: {member.pseudonym}")).to_be_visible()
    mp.screenshot(path=str(screenshots / "meeting-mode-mobile.png"), full_page=True)
    mp.get_by_role("button", name="I'm done sharing").click()
    expect(hp.get_by_text("Nobody has the floor.")).to_be_visible()
    hp.get_by_role("button", name="Close the meeting").click()
    expect(mp.get_by_text("This meeting isn't running right now.")).to_be_visible()
    assert hp.errors == [] and mp.errors == []  # type: ignore[attr-defined]
