"""Forum boards managed from the Community page: an admin creates, edits,
orders and archives a board in the browser, and a member sees each change."""

from __future__ import annotations

import re
import secrets
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import log_in, new_page
from tests.support import ServerProcess, create_staff, sign_up


def test_admin_creates_a_board_and_a_member_sees_it_in_the_forum(browser: Any, server: ServerProcess) -> None:
    admin, member = create_staff(server, "admin"), sign_up(server)
    suffix = secrets.token_hex(3)
    name = f"Sober parenting {suffix}"
    page = new_page(browser, server, width=1200)
    log_in(page, admin.pseudonym)
    page.get_by_role("link", name="Community").click()
    expect(page.get_by_role("heading", name="Forum boards")).to_be_visible()
    page.get_by_label("Short name for the board's link").fill(f"parenting-{suffix}")
    page.get_by_label("Board name", exact=True).fill(name)
    page.get_by_label("Board description", exact=True).fill("Raising children while staying well.")
    page.get_by_role("button", name="Create board").click()
    name_field = page.get_by_label(f"Board name: {name}")
    expect(name_field).to_have_value(name)

    # The description is edited in place, and the new board moves up one place.
    page.get_by_label(f"Board description: {name}").fill("Raising children while we recover, together.")
    name_field.locator("xpath=..").get_by_role("button", name="Save").click()
    expect(page.get_by_label(f"Board description: {name}")).to_have_value("Raising children while we recover, together.")
    boards = admin.get("/api/v1/forum/boards").json()["boards"]
    assert [b["name"] for b in boards][-1] == name
    page.get_by_role("button", name=f"Move up: {name}").click()
    expect(page.get_by_role("button", name=f"Move down: {name}")).to_be_visible()
    boards = admin.get("/api/v1/forum/boards").json()["boards"]
    assert [b["name"] for b in boards][-2] == name
    assert [b["position"] for b in boards] == sorted(b["position"] for b in boards)
    assert page.errors == []  # type: ignore[attr-defined]

    reader = new_page(browser, server)
    log_in(reader, member.pseudonym)
    expect(reader.get_by_role("link", name="Community")).to_have_count(0)
    reader.get_by_role("link", name="Forum").click()
    link = reader.get_by_role("link", name=re.compile(re.escape(name)))
    expect(link).to_contain_text("Raising children while we recover, together.")
    link.click()
    expect(reader.get_by_role("heading", name=name)).to_be_visible()
    assert member.patch(f"/api/v1/forum/boards/{boards[-2]['id']}", {"name": "Mine now"}).status_code == 403
    assert reader.errors == []  # type: ignore[attr-defined]


def test_an_archived_board_leaves_the_list_and_its_threads_stay_readable(browser: Any, server: ServerProcess) -> None:
    moderator, member = create_staff(server, "moderator"), sign_up(server)
    name = f"Old announcements {secrets.token_hex(3)}"
    board = moderator.post("/api/v1/forum/boards", {"slug": f"old-{secrets.token_hex(3)}", "name": name}).json()["board"]
    thread = member.post(f"/api/v1/forum/boards/{board['id']}/threads", {"title": "Still worth reading", "body": "Hello."}).json()["thread"]

    page = new_page(browser, server, width=1200)
    log_in(page, moderator.pseudonym)  # moderators manage boards too (roles and the rota stay with admins)
    page.get_by_role("link", name="Community").click()
    expect(page.get_by_role("heading", name="Roles")).to_have_count(0)
    page.get_by_role("button", name=f"Archive: {name}").click()
    expect(page.get_by_role("button", name=f"Restore: {name}")).to_be_visible()
    assert [b for b in moderator.get("/api/v1/forum/boards?archived=true").json()["boards"] if b["id"] == board["id"]][0]["archived"]
    assert page.errors == []  # type: ignore[attr-defined]

    reader = new_page(browser, server)
    log_in(reader, member.pseudonym)
    reader.get_by_role("link", name="Forum").click()
    expect(reader.get_by_role("link", name=re.compile("Recovery stories"))).to_be_visible()
    expect(reader.get_by_role("link", name=re.compile(re.escape(name)))).to_have_count(0)
    reader.goto(f"/#/forum/boards/{board['id']}")
    expect(reader.get_by_text("This board is archived.")).to_be_visible()
    expect(reader.get_by_role("link", name="Start a thread")).to_be_hidden()
    reader.get_by_role("link", name=re.compile("Still worth reading")).click()
    expect(reader.get_by_role("heading", name="Still worth reading")).to_be_visible()
    expect(reader.get_by_text("This thread is in an archived board")).to_be_visible()
    expect(reader.get_by_role("button", name="Reply")).to_have_count(0)
    assert thread["id"] == int(reader.url.rsplit("/", 1)[1])
    assert reader.errors == []  # type: ignore[attr-defined]
