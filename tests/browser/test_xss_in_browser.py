"""Stored payloads in a real browser (C12): a room, a forum thread, the crisis
console and its flag page full of xss-payloads.txt lines, the OWASP vectors and
our `window.__xss` sentinels render as text: no dialog, no script error, no CSP
violation, and the sentinel stays unset."""

from __future__ import annotations

import asyncio
import random
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import log_in, new_page
from tests.e2e.injection_corpus import SENTINELS, owasp_vectors, packed, require_data, xss_payloads
from tests.support import ServerProcess, create_staff, sign_up

CRISIS = "I have the pills lined up and tonight is the night"


def _payloads() -> tuple[str, ...]:
    return SENTINELS + owasp_vectors() + tuple(random.Random(7).sample(xss_payloads(), 400))


def _watch(page: Page) -> list[str]:
    problems: list[str] = page.errors  # type: ignore[attr-defined]  # page errors and dialogs
    # Console errors count (a CSP violation is one), except the 401 of asking "who am I?" before logging in.
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    return problems


def _inert(page: Page, problems: list[str]) -> None:
    page.wait_for_timeout(300)  # any onerror/onload handler would have run by now
    assert page.evaluate("() => window.__xss") is None
    assert page.evaluate("() => document.querySelectorAll('main script, main iframe, main object, main embed, main svg').length") == 0
    assert page.evaluate("() => [...document.querySelectorAll('main *')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length") == 0
    assert page.evaluate("() => [...document.querySelectorAll('main a[href]')].filter(a => !/^(https?:|#)/.test(a.getAttribute('href'))).length") == 0
    assert problems == [], problems[:5]


def test_stored_payloads_render_as_text_everywhere(browser: Any, server: ServerProcess) -> None:
    require_data()
    author, reader = sign_up(server), sign_up(server)
    specialist = create_staff(server, "specialist")
    assert specialist.post("/api/v1/crisis/oncall", json={"on_call": True}).status_code == 200
    chunks = list(packed(_payloads(), 4000))

    async def seed() -> None:
        sock = await author.socket()
        await sock.join(4)
        for chunk in chunks:
            await sock.say(4, chunk)
        await sock.join(3)
        await sock.say(3, f"{CRISIS} {SENTINELS[0]}")
        await sock.close()

    with ThreadPoolExecutor(1) as pool:  # Playwright's loop owns this thread
        pool.submit(asyncio.run, seed()).result()
    thread = author.post("/api/v1/forum/boards/1/threads", json={"title": SENTINELS[0], "body": "\n\n".join(SENTINELS)}).json()
    for chunk in packed(_payloads(), 20000):
        assert author.post(f"/api/v1/forum/threads/{thread['thread']['id']}/replies", json={"body": chunk}).status_code == 201

    page = new_page(browser, server, width=1000)
    problems = _watch(page)
    log_in(page, reader.pseudonym)
    page.goto("/#/rooms/4")
    expect(page.locator(".message .body", has_text="window.__xss=1").first).to_be_visible()
    _inert(page, problems)

    page.goto(f"/#/forum/threads/{thread['thread']['id']}")
    expect(page.get_by_role("heading", name=SENTINELS[0])).to_be_visible()  # the title, as text
    expect(page.locator(".post-body", has_text="window.__xss=1").first).to_be_visible()
    _inert(page, problems)

    staff = new_page(browser, server, width=1200)
    staff_problems = _watch(staff)
    log_in(staff, specialist.pseudonym)
    staff.goto("/#/console")
    flag = staff.locator(".flag", has_text=author.pseudonym)
    expect(flag).to_be_visible()
    _inert(staff, staff_problems)
    flag.get_by_role("link").first.click()
    expect(staff.get_by_text(re.compile("pills lined up")).first).to_be_visible()
    _inert(staff, staff_problems)
