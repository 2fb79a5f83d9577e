"""The whole human path of a report, in real browsers, one context per person:

member A posts in a room; member B reports it; a moderator takes the case from
the review queue and warns A with a reason; A reads the notice in plain words
and appeals it once; the moderator who acted cannot decide the appeal, a second
moderator does; A hears the decision and B hears what came of the report, and
nobody is told who reported or who acted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import log_in, new_page
from tests.support import Database, ServerProcess, create_staff, sign_up

POST = "honestly nobody in this room wants to hear your excuses again"
WARNING = "Please speak to people the way you'd want to be spoken to on a hard day."
APPEAL = "I was frustrated with myself, not with anyone here. I'm sorry it read that way."
DECISION = "It's good that you reflected. The reminder stays, and you're welcome here."


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh()).start()
    yield proc
    proc.stop()




def _decide_by_hand(page: Page, appeal_id: int) -> list[Any]:
    """What the server says when this moderator asks to decide, bypassing the screen."""
    return page.evaluate(  # type: ignore[no-any-return]
        """async (id) => {
          const response = await fetch(`/api/v1/moderation/appeals/${id}/decide`, {
            method: "POST", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ decision: "overturned", note: "my own call, undone by me" }) });
          return [response.status, (await response.json()).error?.code];
        }""", appeal_id)


def test_report_warning_appeal_and_outcomes(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    author, reporter = sign_up(server), sign_up(server)
    first, second = create_staff(server, "moderator"), create_staff(server, "moderator")
    pa, pb, pm = (new_page(browser, server, 1000, 760) for _ in range(3))
    log_in(pa, author.pseudonym)
    log_in(pb, reporter.pseudonym)
    log_in(pm, first.pseudonym)

    # A posts; B sees it and reports it from the message itself.
    for page in (pa, pb):
        page.get_by_role("link", name=re.compile("Early recovery")).click()
        expect(page.get_by_role("heading", name="Early recovery")).to_be_visible()
    pa.get_by_label("Write a message").fill(POST)
    pa.get_by_role("button", name="Send").click()
    message = pb.locator(".message", has_text=POST)
    expect(message).to_be_visible()
    message.get_by_role("button", name="Report").click()
    form = pb.get_by_role("form", name="Tell the moderators")
    form.get_by_label("What's wrong?").select_option("harassment")
    form.get_by_label(re.compile("Anything a moderator should know")).fill("This felt like it was aimed at me.")
    form.get_by_role("button", name="Send report").click()
    expect(pb.get_by_role("status")).to_contain_text("the person won't know it was you")
    pb.get_by_role("link", name="Notices").click()
    mine = pb.locator(".my-reports li")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Harassment or bullying")
    expect(mine).to_contain_text("A moderator will look at this soon.")

    # The first moderator: the queue, the case, take it, warn A with a reason.
    pm.get_by_role("link", name="Review queue").click()
    expect(pm.get_by_role("heading", name="Review queue")).to_be_visible()
    row = pm.locator("li.case", has_text=POST)
    expect(row).to_be_visible()
    expect(row).to_contain_text("Harassment or bullying")
    pm.screenshot(path=str(screenshots / "report-queue.png"))
    row.get_by_role("link", name="Open").click()
    view = pm.locator(".case-view")
    expect(view.locator(".item-body")).to_have_text(POST)
    expect(view.get_by_role("heading", level=1)).to_have_text(f"Harassment or bullying · {author.pseudonym}")
    expect(view.locator(".case-status")).to_have_text("Open")
    expect(view).to_contain_text("This felt like it was aimed at me.")
    view.get_by_role("button", name="Take this").click()
    expect(view.locator(".case-status")).to_have_text("Claimed · with you")
    expect(view.get_by_role("button", name="Take this")).to_have_count(0)
    expect(view.get_by_role("button", name="Give back")).to_be_visible()
    assert not re.search(r"\bnull\b|\bundefined\b", view.inner_text())  # no missing part written out as a word
    act = pm.get_by_role("form", name="Act")
    act.get_by_label("Action").select_option("warn")
    act.get_by_label("Why (the member is told this)").fill(WARNING)
    pm.set_viewport_size({"width": 1000, "height": 1100})  # the whole case in one picture
    pm.evaluate("window.scrollTo(0, 0)")
    pm.screenshot(path=str(screenshots / "report-case.png"))
    act.get_by_role("button", name="Act").click()
    expect(view.locator(".case-status")).to_have_text("Closed · Warn")
    expect(pm.get_by_role("form", name="Act")).to_have_count(0)

    # A reads the warning in plain words, without who reported or who acted, and appeals once.
    pa.get_by_role("link", name="Notices").click()
    warning = pa.locator(".notice-item", has_text=WARNING)
    expect(warning).to_contain_text(f"A moderator is reminding you of the community guidelines: {WARNING}")
    page_text = pa.locator("main").inner_text()
    assert reporter.pseudonym not in page_text and first.pseudonym not in page_text
    warning.get_by_role("button", name="Appeal this decision").click()
    warning.get_by_label("Why should a moderator look again? A different moderator will decide.").fill(APPEAL)
    warning.get_by_role("button", name="Send appeal").click()
    expect(warning.get_by_role("status")).to_have_text("Your appeal was sent. A different moderator will look at it.")
    expect(warning.get_by_role("button", name="Appeal this decision")).to_have_count(0)
    pa.reload()  # and after coming back, still once only, with where it stands
    warning = pa.locator(".notice-item", has_text=WARNING)
    expect(warning.locator(".appeal-state")).to_have_text(
        "You appealed this. A different moderator will look at it and you'll hear back here.")
    expect(warning.get_by_role("button", name="Appeal this decision")).to_have_count(0)

    # B has been told what came of the report, in plain words and without names.
    expect(mine).to_contain_text("A moderator looked at it and reminded the person of the community guidelines.")
    expect(pb.locator(".notices .notice-item", has_text="reminded the person")).to_be_visible()
    page_text = pb.locator("main").inner_text()
    for name in (first.pseudonym, second.pseudonym, author.pseudonym):
        assert name not in page_text

    # The moderator who warned A cannot decide the appeal, on screen or by asking the server.
    pm.get_by_role("link", name="Appeals").click()
    expect(pm.get_by_role("heading", name="Appeals")).to_be_visible()
    appeal = pm.locator("li.appeal", has_text=APPEAL)
    expect(appeal.locator(".not-yours")).to_have_text("You made this decision: another moderator decides the appeal.")
    expect(appeal.get_by_role("button")).to_have_count(0)
    appeal_id = int(appeal.get_attribute("data-id") or "0")
    assert _decide_by_hand(pm, appeal_id) == [403, "own_decision"]

    # A second moderator decides it, and must leave A a note.
    p2 = new_page(browser, server, 1000, 760)
    log_in(p2, second.pseudonym)
    p2.get_by_role("link", name="Review queue").click()
    p2.get_by_role("link", name="Appeals").click()
    appeal = p2.locator("li.appeal", has_text=APPEAL)
    expect(appeal).to_contain_text(f"Warn · {author.pseudonym} · {WARNING}")
    expect(appeal).to_contain_text(f"decision by {first.pseudonym}")
    appeal.get_by_role("button", name="Keep the decision").click()
    expect(appeal.get_by_role("alert")).to_have_text("Please write a short note for the member: they will read it.")
    appeal.get_by_label("A note for the member").fill(DECISION)
    p2.screenshot(path=str(screenshots / "appeal-decide.png"))
    appeal.get_by_role("button", name="Keep the decision").click()
    expect(p2.get_by_role("status")).to_have_text("Done. The decision stays, and the member has been told, with your note.")
    expect(p2.locator("li.appeal")).to_have_count(0)
    expect(p2.locator("ul.appeals")).to_contain_text("No appeals waiting.")
    p2.get_by_label("Show", exact=True).select_option("upheld")
    expect(p2.locator("li.appeal", has_text=APPEAL)).to_contain_text(f"Decision kept · {DECISION}")
    pm.reload()  # the first moderator's list is empty now too
    expect(pm.locator("li.appeal", has_text=APPEAL)).to_have_count(0)

    # A hears the decision on the open Notices page, in plain words, without names.
    decided = pa.locator(".notice-item", has_text=DECISION)
    expect(decided).to_have_text(re.compile(
        re.escape(f"We looked at your appeal carefully and the decision stays. A note from the moderator: {DECISION}")))
    expect(decided.get_by_role("button", name="Appeal this decision")).to_have_count(0)
    expect(pa.locator(".notice-item", has_text=WARNING).locator(".appeal-state")).to_have_text(
        "You appealed this and a moderator has decided: see the newer notice above.")
    page_text = pa.locator("main").inner_text()
    for name in (reporter.pseudonym, first.pseudonym, second.pseudonym):
        assert name not in page_text

    for page in (pa, pb, pm, p2):
        assert page.errors == []  # type: ignore[attr-defined]
