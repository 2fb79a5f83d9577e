"""A real Chromium (Debian's package) driven by Playwright against a real server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

BROWSER = os.environ.get("HEARTH_TEST_BROWSER", "/usr/bin/chromium")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
LAUNCH_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(BROWSER).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI but {BROWSER} is missing (.ci/run installs it)")
        pytest.skip(f"no Chromium at {BROWSER}; install Debian's chromium or set HEARTH_TEST_BROWSER")
    from playwright.sync_api import expect, sync_playwright

    # Generous waits: CI machines are small and busy; tests assert behaviour, not speed.
    expect.set_options(timeout=20_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=BROWSER, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
