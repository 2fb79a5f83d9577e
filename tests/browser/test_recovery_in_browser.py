"""The recovery tools and meeting mode in a real browser: the day counter and
its milestone moment, the check-in form and its SVG chart over 7/30/90 days,
goals, the day-count badge beside a pseudonym in a room, support on a shared
milestone in Wins, accountability partners and early-warning consent, the
meeting list with its format, and a meeting the host runs while a member
raises a hand."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.browser.pages import log_in, new_page
from tests.support import Member, ServerProcess, create_staff, sign_up

ME = "/api/v1/me/recovery"


def utc_days_ago(days: int) -> str:
    return (datetime.now(timezone.utc).date() - timedelta(days=days)).isoformat()


def open_recovery(page: Page) -> None:
    # The main menu's link: a live notice may carry one of the same name.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My recovery").click()
    expect(page.get_by_role("heading", name="Day counts")).to_be_visible()


def open_room(page: Page, name: str) -> None:
    page.goto("/#/rooms")
    page.get_by_role("link", name=re.compile(name)).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def test_day_counter_milestone_check_in_chart_and_goal(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    member = sign_up(server)
    page = new_page(browser, server, 390, 900, timezone_id="America/New_York", accept_dialogs=True)
    log_in(page, member.pseudonym)
    open_recovery(page)
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
    # Steps and progress: one step of one, done, is the whole goal.
    goal = page.locator(".goal", has_text="Call my sponsor")
    goal.get_by_placeholder("Add a step").fill("Save the number")
    goal.get_by_role("button", name="Add", exact=True).click()
    expect(goal.get_by_text("0% done")).to_be_visible()
    goal.get_by_label("Save the number").check()
    expect(page.locator(".goal", has_text="Call my sponsor").get_by_text("100% done")).to_be_visible()
    page.screenshot(path=str(screenshots / "recovery-checkin-mobile.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]


def test_meeting_mode_host_gives_the_floor_to_a_raised_hand(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    mod, host, member = create_staff(server, "moderator"), sign_up(server), sign_up(server)
    meeting = mod.post("/api/v1/meetings", {"room_id": 2, "title": "Evening share", "day": 0, "time": "23:30",
                                            "host": host.pseudonym, "types": ["O", "D", "XYZ"]}).json()["meeting"]
    hp, mp = new_page(browser, server, 390, 900, timezone_id="America/New_York", accept_dialogs=True), new_page(browser, server, 390, 900, timezone_id="America/New_York", accept_dialogs=True)
    log_in(hp, host.pseudonym)
    log_in(mp, member.pseudonym)
    mp.get_by_role("link", name="Meetings").click()
    expect(mp.get_by_role("link", name="Evening share")).to_be_visible()
    # 23:30 UTC on Sundays reads as Sunday evening in New York.
    expect(mp.get_by_text("Sundays at 1")).to_be_visible()
    # The format in words; a code outside the spec is shown as it is.
    card = mp.locator(".meeting", has_text="Evening share")
    expect(card.locator(".meeting-format")).to_have_text("Format: Open, Discussion, XYZ")
    expect(card.get_by_text(f"Host: {host.pseudonym}")).to_be_visible()
    mp.screenshot(path=str(screenshots / "meetings-mobile.png"), full_page=True)
    hp.goto(f"/#/meetings/{meeting['id']}")
    mp.goto(f"/#/meetings/{meeting['id']}")
    expect(mp.get_by_text("This meeting isn't running right now.")).to_be_visible()
    expect(mp.get_by_text("Sundays at 1")).to_be_visible()  # the device's zone, not UTC
    expect(mp.locator(".meeting-format")).to_have_text("Format: Open, Discussion, XYZ")
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


def test_shared_day_count_shows_as_a_badge_beside_the_pseudonym_and_wins_get_support(
        browser: Any, server: ServerProcess, screenshots: Path) -> None:
    alice, bob = sign_up(server), sign_up(server)
    counter = alice.post(f"{ME}/day-counts", {"label": "Alcohol", "start_date": utc_days_ago(10)}).json()["day_count"]
    pa, pb = new_page(browser, server), new_page(browser, server)
    log_in(pa, alice.pseudonym)
    log_in(pb, bob.pseudonym)
    # Private by default: in the room her pseudonym stands alone.
    open_room(pa, "Early recovery")
    pa.get_by_label("Write a message").fill("Ten days today.")
    pa.get_by_role("button", name="Send").click()
    open_room(pb, "Early recovery")
    hers = pb.locator(".message", has_text="Ten days today.")
    expect(hers).to_be_visible()
    expect(hers.locator(".day-badge")).to_have_count(0)
    # She chooses to show it, on her recovery page.
    open_recovery(pa)
    with pa.expect_response(lambda r: r.url.endswith(f"{ME}/day-counts/{counter['id']}") and r.request.method == "PATCH"):
        pa.get_by_label("Show a small badge beside my pseudonym").check()
    pb.reload()
    expect(hers.locator(".day-badge")).to_have_text("Alcohol: 10 days")
    expect(pb.locator(".message", has_text="Ten days today.").locator(".author")).to_have_text(alice.pseudonym)
    pb.screenshot(path=str(screenshots / "room-day-badge-mobile.png"), full_page=True)
    # Her 7-day milestone in Wins: others send support from the room, and it counts as a cheer.
    shared = alice.post(f"{ME}/day-counts/{counter['id']}/milestones/7d/share", {}).json()
    open_room(pb, "Wins & milestones")
    post = pb.locator(f".message[data-id=\"{shared['message']['id']}\"]")
    expect(post.locator(".day-badge")).to_have_text("Alcohol: 10 days")
    post.get_by_role("button", name=re.compile("^Support")).click()
    expect(post.locator(".reaction.on .count")).to_have_text("1")
    wins = [w for w in alice.get("/api/v1/recovery/wins").json()["wins"] if w["milestone_id"] == shared["milestone_id"]]
    assert wins[0]["cheers"] == 1
    # She stops sharing: the badge goes.
    alice.patch(f"{ME}/day-counts/{counter['id']}", {"shared": False})
    pb.reload()
    expect(post).to_be_visible()
    expect(post.locator(".day-badge")).to_have_count(0)
    assert pa.errors == [] and pb.errors == []  # type: ignore[attr-defined]


def check_in_days(m: Member, scores: list[tuple[int, int]]) -> None:
    for back, (mood, craving) in zip(range(len(scores) - 1, -1, -1), scores):
        r = m.post(f"{ME}/check-ins", {"day": utc_days_ago(back), "mood": mood, "craving": craving, "note": "just for me"})
        assert r.status_code == 200, r.text


def test_partners_agree_see_each_others_check_ins_and_either_stops(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    alice, bob = sign_up(server), sign_up(server)
    check_in_days(bob, [(3, 4), (4, 2), (4, 1)])
    bob.post(f"{ME}/goals", {"title": "Walk after dinner", "shared": True})
    bob.post(f"{ME}/goals", {"title": "A goal only bob sees"})
    pa, pb = new_page(browser, server), new_page(browser, server)
    log_in(pa, alice.pseudonym)
    log_in(pb, bob.pseudonym)
    open_recovery(pa)
    pa.get_by_placeholder("Their pseudonym", exact=True).fill(bob.pseudonym)
    pa.get_by_role("button", name="Ask to be partners").click()
    expect(pa.locator(".partner", has_text=bob.pseudonym)).to_contain_text("waiting for an answer")
    # Nothing to see until bob agrees.
    expect(pa.get_by_role("button", name="See their check-ins and goals")).to_have_count(0)
    open_recovery(pb)
    asking = pb.locator(".partner", has_text=alice.pseudonym)
    expect(asking).to_contain_text("would like to be your accountability partner")
    asking.get_by_role("button", name="Accept").click()
    expect(pb.get_by_role("button", name="Stop being partners")).to_be_visible()
    # Bob's chart: the range buttons redraw it over 7, 30 or 90 days.
    for span in ("7", "90", "30"):
        pb.get_by_role("button", name=span, exact=True).click()
        expect(pb.get_by_role("heading", name=f"Your last {span} days")).to_be_visible()
        expect(pb.get_by_role("button", name=span, exact=True)).to_have_attribute("aria-pressed", "true")
        expect(pb.locator(".checkin-form ~ svg.trend circle.mood-line")).to_have_count(3)
    # Bob allows alice, now his partner, to be told early; the form names who it went to.
    pb.get_by_placeholder("Their pseudonym (your mentor, a partner or a specialist)").fill(alice.pseudonym)
    pb.get_by_role("button", name="Allow").click()
    expect(pb.locator(".recovery-part", has_text="Early warning").get_by_text(alice.pseudonym)).to_be_visible()
    # Alice sees his check-ins (never his notes) and only the goal he shared.
    pa.reload()
    pa.get_by_role("button", name="See their check-ins and goals").click()
    view = pa.locator(".partner-view")
    expect(view.locator("svg.trend circle.mood-line")).to_have_count(3)
    expect(view.get_by_role("heading", name="Walk after dinner")).to_be_visible()
    expect(view.get_by_text("A goal only bob sees")).to_have_count(0)
    expect(pa.get_by_text("just for me")).to_have_count(0)
    pa.screenshot(path=str(screenshots / "partner-view-mobile.png"), full_page=True)
    # Alice, who asked, can stop too; bob's consent to her lapses with it.
    pa.get_by_role("button", name="Stop being partners").click()
    expect(pa.get_by_text("No partners yet.")).to_be_visible()
    pb.reload()
    expect(pb.get_by_text("No partners yet.")).to_be_visible()
    expect(pb.locator(".recovery-part", has_text="Early warning").get_by_text(alice.pseudonym)).to_have_count(0)
    assert pa.errors == [] and pb.errors == []  # type: ignore[attr-defined]
