"""A community's translation: a page whose <html lang> names another language
loads that catalogue, shows its words, and keeps English for keys it lacks."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import Route, expect

from tests.browser.pages import new_page
from tests.support import ServerProcess

TRANSLATION = {
    "safety.helpNow": "Obtenir de l'aide",
    "auth.loginTitle": "Bon retour parmi nous",
    "auth.pseudonym": "Pseudonyme",
    "help.title": "Vous n'êtes pas seul·e",
}


def test_a_translated_catalogue_replaces_the_english_words(browser: Any, server: ServerProcess) -> None:
    page = new_page(browser, server)

    def french_page(route: Route) -> None:
        html = route.fetch().text().replace('<html lang="en">', '<html lang="fr">')
        assert 'lang="fr"' in html
        route.fulfill(body=html, content_type="text/html")

    requested: list[str] = []
    page.route(f"{server.base}/", french_page)
    page.route("**/static/i18n/fr.json", lambda route: (requested.append(route.request.url),
                                                        route.fulfill(body=json.dumps(TRANSLATION), content_type="application/json")))
    page.goto("/#/login")
    expect(page.get_by_role("heading", name="Bon retour parmi nous")).to_be_visible()
    expect(page.get_by_label("Pseudonyme")).to_be_visible()
    expect(page.get_by_role("button", name="Obtenir de l'aide")).to_be_visible()  # the page's own words too
    expect(page.get_by_label("Password")).to_be_visible()  # not translated: English stays
    page.get_by_role("button", name="Obtenir de l'aide").click()
    expect(page.get_by_role("dialog")).to_contain_text("Vous n'êtes pas seul·e")
    assert len(requested) == 1
    assert page.errors == []  # type: ignore[attr-defined]


def test_english_needs_no_second_catalogue(browser: Any, server: ServerProcess) -> None:
    page = new_page(browser, server)
    catalogues: list[str] = []
    page.on("request", lambda request: catalogues.append(request.url) if "/i18n/" in request.url else None)
    page.goto("/#/login")
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert [url.rsplit("/", 1)[1] for url in catalogues] == ["en.json"]
