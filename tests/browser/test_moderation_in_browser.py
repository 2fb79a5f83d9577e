"""Moderation in a real browser: a member reports a message, a moderator hides it
from the queue and it disappears from the other members' screens; the author
reads why and appeals; an admin edits watched words and reads the audit log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.pages import log_in, new_page
from tests.support import Database, ServerProcess, create_staff, sign_up


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh()).start()
    yield proc
    proc.stop()




def test_a_hidden_message_disappears_from_members_screens(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    author, reader = sign_up(server), sign_up(server)
    moderator = create_staff(server, "moderator")
    pa, pr, pm = (new_page(browser, server, 1100, 900) for _ in range(3))
    log_in(pa, author.pseudonym)
    log_in(pr, reader.pseudonym)
    log_in(pm, moderator.pseudonym)
    for page in (pa, pr):
        page.get_by_role("link", name=re.compile("Early recovery")).click()
        expect(page.get_by_role("heading", name="Early recovery")).to_be_visible()
    pa.get_by_label("Write a message").fill("nobody here actually cares about you")
    pa.get_by_role("button", name="Send").click()
    cruel = pr.locator(".message", has_text="nobody here actually cares about you")
    expect(cruel).to_be_visible()

    cruel.get_by_role("button", name="Report").click()
    form = pr.get_by_role("form", name="Tell the moderators")
    form.get_by_label("What's wrong?").select_option("harassment")
    form.get_by_role("button", name="Send report").click()
    expect(pr.get_by_role("status")).to_contain_text("won't know it was you")

    pm.get_by_role("link", name="Review queue").click()
    expect(pm.get_by_role("heading", name="Review queue")).to_be_visible()
    row = pm.locator("li.case", has_text="nobody here actually cares about you")
    expect(row).to_be_visible()
    pm.screenshot(path=str(screenshots / "moderation-queue.png"))
    row.get_by_role("link", name="Open").click()
    act = pm.get_by_role("form", name="Act")
    act.get_by_label("Action").select_option("hide")
    act.get_by_label("Why (the member is told this)").fill("Words like that hurt people who are struggling.")
    act.get_by_role("button", name="Act").click()
    expect(pm.locator(".case-status")).to_have_text("Closed · Hide")
    pm.screenshot(path=str(screenshots / "moderation-case.png"))

    expect(pr.locator(".message", has_text="nobody here actually cares about you")).to_have_count(0)
    expect(pa.locator(".message", has_text="nobody here actually cares about you")).to_be_visible()  # the author keeps a copy

    pa.get_by_role("link", name="Notices").click()
    notice = pa.locator(".notice-item", has_text="Words like that hurt people who are struggling.")
    expect(notice).to_be_visible()
    assert reader.pseudonym not in pa.locator("main").inner_text()
    notice.get_by_role("button", name="Appeal this decision").click()
    pa.get_by_label("Why should a moderator look again? A different moderator will decide.").fill("I was quoting my old self-talk.")
    pa.get_by_role("button", name="Send appeal").click()
    expect(pa.get_by_role("status")).to_contain_text("different moderator")
    pr.get_by_role("link", name="Notices").click()
    expect(pr.locator(".my-reports")).to_contain_text("hid it from the community")
    for page in (pa, pr, pm):
        assert page.errors == []  # type: ignore[attr-defined]


def test_admin_edits_watched_words_and_reads_the_audit_log(browser: Any, server: ServerProcess, screenshots: Path) -> None:
    admin = create_staff(server, "admin")
    page = new_page(browser, server, 1100, 900)
    log_in(page, admin.pseudonym)
    page.goto("/#/moderation/words")
    expect(page.get_by_role("heading", name="Watched words")).to_be_visible()
    page.get_by_label("Word or phrase").fill("bluelight")
    page.get_by_label("What happens").select_option("block")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".watched-words li", has_text="bluelight")).to_be_visible()
    page.screenshot(path=str(screenshots / "moderation-words.png"))
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.locator("table.audit tbody tr", has_text="watched_word_added")).to_be_visible()
    assert page.errors == []  # type: ignore[attr-defined]
