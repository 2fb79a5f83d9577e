"""Opening a page and logging in, shared by the browser tests."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.support import PASSWORD, ServerProcess


def new_page(browser: Any, server: ServerProcess, width: int = 390, height: int = 800, *,
             timezone_id: str | None = None, accept_dialogs: bool = False) -> Page:
    """A fresh context (no shared cookies) on the server. Page errors are kept in
    `page.errors`; an unexpected dialog counts as one unless `accept_dialogs`."""
    options: dict[str, Any] = {"viewport": {"width": width, "height": height}, "base_url": server.base}
    if timezone_id:
        options["timezone_id"] = timezone_id
    context = browser.new_context(**options)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if accept_dialogs:
        page.on("dialog", lambda dialog: dialog.accept())
    else:
        page.on("dialog", lambda dialog: (errors.append("dialog: " + dialog.message), dialog.dismiss()))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def log_in(page: Page, pseudonym: str, *, until_rooms: bool = True) -> None:
    page.goto("/#/login")
    page.get_by_label("Pseudonym").fill(pseudonym)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    if until_rooms:
        expect(page.get_by_role("heading", name="Rooms")).to_be_visible()
