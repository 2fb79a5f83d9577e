"""axe-core (vendored) run in the page on the main views: no serious or critical
violations. Also keyboard use and colour schemes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import log_in, new_page
from tests.support import ServerProcess, create_staff, sign_up

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    # evaluate() runs through DevTools, so the page's CSP (no inline script) stays as it is.
    page.evaluate(AXE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_main_views_have_no_serious_violations(browser: Any, server: ServerProcess) -> None:
    member, specialist = sign_up(server), create_staff(server, "specialist")
    for scheme in ("light", "dark"):
        page = new_page(browser, server)
        page.emulate_media(color_scheme=scheme)
        page.goto("/#/signup")
        expect(page.get_by_role("heading", name="Join Hearth")).to_be_visible()
        assert serious_violations(page) == [], f"signup ({scheme})"
        log_in(page, member.pseudonym)
        assert serious_violations(page) == [], f"rooms ({scheme})"
        page.get_by_role("link", name=re.compile("Welcome")).click()
        expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
        page.get_by_label("Write a message").fill(f"hello, accessible {scheme} world")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.locator(".message:not(.pending)", has_text=f"hello, accessible {scheme} world")).to_be_visible()
        assert serious_violations(page) == [], f"room ({scheme})"
        page.locator("#help-now").click()
        assert serious_violations(page) == [], f"help dialog ({scheme})"
        page.context.close()
    staff = new_page(browser, server, width=1200)
    log_in(staff, specialist.pseudonym)
    staff.get_by_role("link", name="Crisis queue").click()
    expect(staff.get_by_role("heading", name="Crisis queue")).to_be_visible()
    assert serious_violations(staff) == [], "console"
    staff.get_by_role("link", name="Settings").click()
    expect(staff.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    assert serious_violations(staff) == [], "settings"


def test_keyboard_only_sign_in_and_send(browser: Any, server: ServerProcess) -> None:
    member = sign_up(server)
    page = new_page(browser, server)
    page.goto("/#/login")
    expect(page.get_by_label("Pseudonym")).to_be_focused()  # the pseudonym field has focus on arrival
    page.keyboard.type(member.pseudonym)
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery staple")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Rooms")).to_be_visible()
    page.get_by_role("link", name=re.compile("Alcohol")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Alcohol")).to_be_visible()
    page.get_by_label("Write a message").focus()
    page.keyboard.type("typed without a mouse")
    page.keyboard.press("Enter")
    expect(page.locator(".message:not(.pending) .body", has_text="typed without a mouse")).to_be_visible()


def test_new_messages_are_announced_politely(browser: Any, server: ServerProcess) -> None:
    reader, writer = sign_up(server), sign_up(server)
    page = new_page(browser, server)
    log_in(page, reader.pseudonym)
    page.get_by_role("link", name=re.compile("Opioids")).click()
    expect(page.get_by_role("heading", name="Opioids")).to_be_visible()
    assert page.locator("#announcer").get_attribute("aria-live") == "polite"

    import asyncio

    async def say() -> None:
        sock = await writer.socket()
        await sock.join(7)
        await sock.say(7, "hello from the other side")
        await sock.close()

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # Playwright's own loop runs on this thread
        pool.submit(lambda: asyncio.run(say())).result()
    # Discreet by default: announced, but without the writer's name or words.
    expect(page.locator("#announcer")).to_contain_text("New message")
    assert writer.pseudonym not in page.locator("#announcer").inner_text()
    assert "hello from the other side" not in page.title() and writer.pseudonym not in page.title()
