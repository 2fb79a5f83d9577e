"""Limits an operator sets: lengths, posting and search rates, links from new accounts."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.e2e.forum_support import run_sql, sql_ago, start_thread
from tests.support import Database, ServerProcess, create_staff, sign_up

LIMITS = {
    "HEARTH_FORUM_TITLE_MAX": "40",
    "HEARTH_FORUM_BODY_MAX": "300",
    "HEARTH_FORUM_THREAD_RATE": "2/hour",
    "HEARTH_FORUM_REPLY_RATE": "3/minute",
    "HEARTH_SEARCH_RATE": "4/minute",
    "HEARTH_NEW_ACCOUNT_HOURS": "24",
    "HEARTH_NEW_ACCOUNT_MAX_LINKS": "0",
}


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    proc = ServerProcess(Database.fresh(), extra_env=LIMITS).start()
    yield proc
    proc.stop()


def test_title_and_body_lengths_follow_the_settings(server: ServerProcess) -> None:
    member = sign_up(server)
    long_title = member.post("/api/v1/forum/boards/1/threads", {"title": "t" * 41, "body": "fine"})
    assert long_title.status_code == 400 and "40" in long_title.json()["error"]["detail"]
    long_body = member.post("/api/v1/forum/boards/1/threads", {"title": "fine title", "body": "b" * 301})
    assert long_body.status_code == 400 and long_body.json()["error"]["code"] == "too_long"


def test_posting_too_fast_gets_429_with_retry_after(server: ServerProcess) -> None:
    member, other = sign_up(server), sign_up(server)
    thread_id = start_thread(member, title="Rate limited")["thread"]["id"]
    start_thread(member, title="Second thread")
    third = member.post("/api/v1/forum/boards/1/threads", {"title": "Third thread", "body": "x"})
    assert third.status_code == 429 and third.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(third.headers["Retry-After"]) <= 3600

    for i in range(3):
        assert member.post(f"/api/v1/forum/threads/{thread_id}/replies", {"body": f"reply {i}"}).status_code == 201
    refused = member.post(f"/api/v1/forum/threads/{thread_id}/replies", {"body": "one too many"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["detail"]
    # The refusal stored nothing, and other members are not held back.
    bodies = [p["body_html"] for p in member.get(f"/api/v1/forum/threads/{thread_id}").json()["posts"]]
    assert "<p>one too many</p>\n" not in bodies
    assert other.post(f"/api/v1/forum/threads/{thread_id}/replies", {"body": "my turn"}).status_code == 201


def test_search_rate(server: ServerProcess) -> None:
    member = sign_up(server)
    for _ in range(4):
        assert member.get("/api/v1/search", params={"q": "hello"}).status_code == 200
    refused = member.get("/api/v1/search", params={"q": "hello"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_new_accounts_cannot_post_links_yet(server: ServerProcess) -> None:
    newcomer, staff = sign_up(server), create_staff(server, "moderator")
    body = "Have a look at [this guide](https://example.org/guide)."
    refused = newcomer.post("/api/v1/forum/boards/1/threads", {"title": "A helpful link", "body": body})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "new_account_links"
    assert "24 hours" in refused.json()["error"]["detail"]
    preview = newcomer.post("/api/v1/forum/preview", {"body": body})
    assert preview.status_code == 403  # the compose preview warns before posting
    # Words that only look like links are fine.
    start_thread(newcomer, title="No links here", body="search for example dot org")
    # Staff are trusted from the start.
    start_thread(staff, title="Resources", body=body)
    # After the new-account period, links are fine.
    run_sql(server, f"UPDATE users SET created_at = {sql_ago(server, 2 * 86400)} WHERE id = :id", {"id": newcomer.user["id"]})
    assert newcomer.post("/api/v1/forum/boards/1/threads", {"title": "Now with a link", "body": body}).status_code == 201
