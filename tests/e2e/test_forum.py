"""The forum over real HTTP and WebSockets against a real server process."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.e2e.dm_support import delete
from tests.e2e.forum_support import block, forum_server, reply_to, start_thread, thread_posts, word
from tests.support import Member, ServerProcess, create_staff, http, sign_up


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    yield from forum_server()


@pytest.fixture(scope="module")
def moderator(server: ServerProcess) -> Member:
    return create_staff(server, "moderator")


def _new_board(moderator: Member) -> dict[str, object]:
    response = moderator.post("/api/v1/forum/boards", {"slug": word("b"), "name": "A quiet board", "description": "For tests."})
    assert response.status_code == 201, response.text
    return response.json()["board"]  # type: ignore[no-any-return]


# ---- boards ---------------------------------------------------------------------------

def test_boards_are_listed_in_order_and_managed_by_moderators_only(server: ServerProcess, moderator: Member) -> None:
    member = sign_up(server)
    boards = member.get("/api/v1/forum/boards").json()["boards"]
    assert [b["slug"] for b in boards[:3]] == ["introductions", "stories", "questions"]
    assert all(b["description"] for b in boards)

    refused = member.post("/api/v1/forum/boards", {"slug": "mine", "name": "Mine"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"

    board = _new_board(moderator)
    moved = moderator.patch(f"/api/v1/forum/boards/{board['id']}", {"position": -1, "description": "First now."})
    assert moved.status_code == 200 and moved.json()["board"]["description"] == "First now."
    assert member.get("/api/v1/forum/boards").json()["boards"][0]["id"] == board["id"]

    assert moderator.post("/api/v1/forum/boards", {"slug": board["slug"], "name": "Again"}).status_code == 409
    assert moderator.post("/api/v1/forum/boards", {"slug": "Not A Slug", "name": "x y"}).status_code == 400
    assert moderator.patch("/api/v1/forum/boards/99999", {"name": "Nowhere"}).status_code == 404
    assert member.patch(f"/api/v1/forum/boards/{board['id']}", {"name": "Taken over"}).status_code == 403


def test_an_archived_board_stays_readable_takes_nothing_new_and_leaves_the_members_list(
        server: ServerProcess, moderator: Member) -> None:
    member, admin = sign_up(server), create_staff(server, "admin")
    board, other = _new_board(moderator), _new_board(moderator)
    thread = start_thread(member, board["id"], title="Before the archive")["thread"]
    elsewhere = start_thread(member, other["id"], title="Elsewhere")["thread"]

    assert member.patch(f"/api/v1/forum/boards/{board['id']}", {"archived": True}).status_code == 403
    assert moderator.patch(f"/api/v1/forum/boards/{board['id']}", {"archived": "yes"}).status_code == 400
    archived = moderator.patch(f"/api/v1/forum/boards/{board['id']}", {"archived": True})
    assert archived.status_code == 200 and archived.json()["board"]["archived"] is True

    # Members no longer see it listed, even if they ask for archived boards; moderators do when they ask.
    assert board["id"] not in [b["id"] for b in member.get("/api/v1/forum/boards").json()["boards"]]
    assert board["id"] not in [b["id"] for b in member.get("/api/v1/forum/boards?archived=true").json()["boards"]]
    assert board["id"] not in [b["id"] for b in moderator.get("/api/v1/forum/boards").json()["boards"]]
    listed = {b["id"]: b for b in moderator.get("/api/v1/forum/boards?archived=true").json()["boards"]}
    assert listed[board["id"]]["archived"] is True and listed[other["id"]]["archived"] is False

    # Its threads stay readable, and say where they live.
    page = member.get(f"/api/v1/forum/boards/{board['id']}/threads").json()
    assert page["board"]["archived"] is True and [t["id"] for t in page["threads"]] == [thread["id"]]
    opened = member.get(f"/api/v1/forum/threads/{thread['id']}").json()
    assert opened["board"] == {**page["board"], "archived": True} and len(opened["posts"]) == 1

    # Nothing new: no thread, no reply (not from moderators either), no thread moved in.
    for who in (member, moderator):
        refused = who.post(f"/api/v1/forum/boards/{board['id']}/threads", {"title": "One more", "body": "Hello."})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "board_archived"
        refused = who.post(f"/api/v1/forum/threads/{thread['id']}/replies", {"body": "Still here?"})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "board_archived"
    moved = moderator.post(f"/api/v1/forum/threads/{elsewhere['id']}/move", {"board_id": board["id"]})
    assert moved.status_code == 403 and moved.json()["error"]["code"] == "board_archived"
    assert len(thread_posts(member, thread["id"])) == 1

    # Restored, it takes replies again; both changes are in the audit log.
    assert moderator.patch(f"/api/v1/forum/boards/{board['id']}", {"archived": False}).json()["board"]["archived"] is False
    assert board["id"] in [b["id"] for b in member.get("/api/v1/forum/boards").json()["boards"]]
    reply_to(member, thread["id"], "Glad this is open again.")
    actions = [e["action"] for e in admin.get(f"/api/v1/moderation/audit?target_kind=board&target_id={board['id']}").json()["entries"]]
    assert actions == ["restore_board", "archive_board", "create_board"]


def test_everything_needs_a_session(server: ServerProcess) -> None:
    for path in ("/api/v1/forum/boards", "/api/v1/forum/boards/1/threads", "/api/v1/search?q=hello"):
        assert http.get(server.base + path).status_code == 401


# ---- threads, replies, edits, deletes ---------------------------------------------------

def test_thread_with_title_body_and_replies(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    created = start_thread(alice, 2, title="  My   first  year  ", body="It was *hard*.\n\n- day one\n- day two")
    thread, opening = created["thread"], created["post"]
    assert thread["title"] == "My first year"  # titles are plain text on one line
    assert opening["body_html"] == "<p>It was <em>hard</em>.</p>\n<ul>\n<li>day one</li>\n<li>day two</li>\n</ul>\n"
    assert opening["is_opening"] and opening["source"] == "It was *hard*.\n\n- day one\n- day two"

    answer = reply_to(bob, thread["id"], "> It was hard\n\nIt gets **easier**.")
    assert answer["body_html"] == "<blockquote>\n<p>It was hard</p>\n</blockquote>\n<p>It gets <strong>easier</strong>.</p>\n"

    page = alice.get(f"/api/v1/forum/threads/{thread['id']}").json()
    assert [p["id"] for p in page["posts"]] == [opening["id"], answer["id"]]
    assert page["thread"]["reply_count"] == 1 and page["following"] is True  # authors follow their threads
    assert "source" not in page["posts"][1]  # only the author gets their Markdown back
    assert page["posts"][1]["author"]["pseudonym"] == bob.pseudonym

    html_title = start_thread(alice, 2, title="<b>not bold</b>")["thread"]
    assert html_title["title"] == "<b>not bold</b>"  # plain text: the client shows it as text


@pytest.mark.parametrize("payload, code", [
    ({"title": "ok title", "body": ""}, "empty"),
    ({"title": "ok title", "body": 5}, "invalid"),
    ({"title": "no", "body": "body"}, "invalid"),
    ({"title": "x" * 151, "body": "body"}, "invalid"),
    ({"title": "ok title", "body": "x" * 20001}, "too_long"),
    ({"title": "ok title", "body": "body", "content_notes": ["spoilers"]}, "unknown_content_note"),
    ({"title": "ok title", "body": "body", "content_notes": "relapse"}, "invalid"),
])
def test_bad_posts_get_a_clear_400_and_change_nothing(server: ServerProcess, payload: dict[str, object], code: str) -> None:
    member = sign_up(server)
    board = 3
    before = member.get(f"/api/v1/forum/boards/{board}/threads?limit=100").json()["threads"]
    response = member.post(f"/api/v1/forum/boards/{board}/threads", payload)
    assert response.status_code == 400 and response.json()["error"]["code"] == code, response.text
    assert response.json()["error"]["detail"]
    assert member.get(f"/api/v1/forum/boards/{board}/threads?limit=100").json()["threads"] == before


def test_missing_things_are_404(server: ServerProcess) -> None:
    member = sign_up(server)
    assert member.post("/api/v1/forum/boards/9999/threads", {"title": "hello there", "body": "x"}).status_code == 404
    assert member.get("/api/v1/forum/threads/9999").status_code == 404
    assert member.post("/api/v1/forum/threads/9999/replies", {"body": "x"}).status_code == 404
    assert member.patch("/api/v1/forum/posts/9999", {"body": "x"}).status_code == 404
    for bad in ("cursor=abc", "cursor=-5", "limit=0", "limit=101", "limit=x"):
        assert member.get(f"/api/v1/forum/boards/1/threads?{bad}").status_code == 400, bad


def test_edit_shows_edited_and_only_the_author_may(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    created = start_thread(alice, title="Before the edit", body="first words")
    post_id, thread_id = created["post"]["id"], created["thread"]["id"]
    assert created["post"]["edited_at"] is None

    edited = alice.patch(f"/api/v1/forum/posts/{post_id}", {"body": "second *words*", "title": "After the edit", "content_notes": ["grief"]})
    assert edited.status_code == 200, edited.text
    post = edited.json()["post"]
    assert post["body_html"] == "<p>second <em>words</em></p>\n" and post["edited_at"] and post["content_notes"] == ["grief"]
    page = bob.get(f"/api/v1/forum/threads/{thread_id}").json()
    assert page["thread"]["title"] == "After the edit" and page["posts"][0]["edited_at"]

    hijack = bob.patch(f"/api/v1/forum/posts/{post_id}", {"body": "mine now"})
    assert hijack.status_code == 403
    reply = reply_to(bob, thread_id)
    assert bob.patch(f"/api/v1/forum/posts/{reply['id']}", {"title": "replies have none"}).status_code == 400
    assert bob.patch(f"/api/v1/forum/posts/{reply['id']}", {}).status_code == 400


def test_delete_removes_the_words_and_deleting_the_first_post_withdraws_the_thread(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    created = start_thread(alice, 4, title="Withdraw me later")
    thread_id = created["thread"]["id"]
    reply = reply_to(bob, thread_id, "something I regret")

    response = http.delete(server.base + f"/api/v1/forum/posts/{reply['id']}", headers=bob.headers)
    assert response.status_code == 200 and response.json()["post"]["deleted"] is True
    shown = [p for p in thread_posts(alice, thread_id) if p["id"] == reply["id"]][0]
    assert shown["deleted"] is True and shown["body_html"] is None  # "removed", so the thread still reads
    assert alice.get(f"/api/v1/forum/threads/{thread_id}").json()["thread"]["reply_count"] == 0
    assert http.delete(server.base + f"/api/v1/forum/posts/{created['post']['id']}", headers=bob.headers).status_code == 403

    response = http.delete(server.base + f"/api/v1/forum/posts/{created['post']['id']}", headers=alice.headers)
    assert response.status_code == 200
    assert alice.get(f"/api/v1/forum/threads/{thread_id}").status_code == 404
    listed = [t["id"] for t in bob.get("/api/v1/forum/boards/4/threads?limit=100").json()["threads"]]
    assert thread_id not in listed


# ---- moderators: pin, lock, move, hide ----------------------------------------------------

def test_locked_threads_refuse_replies(server: ServerProcess, moderator: Member) -> None:
    alice, bob = sign_up(server), sign_up(server)
    created = start_thread(alice, title="Locked later")
    thread_id = created["thread"]["id"]
    assert bob.post(f"/api/v1/forum/threads/{thread_id}/lock", {"locked": True}).status_code == 403

    locked = moderator.post(f"/api/v1/forum/threads/{thread_id}/lock", {"locked": True})
    assert locked.status_code == 200 and locked.json()["thread"]["locked"] is True
    refused = bob.post(f"/api/v1/forum/threads/{thread_id}/replies", {"body": "one more"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "thread_locked"
    assert "locked" in refused.json()["error"]["detail"]
    assert alice.patch(f"/api/v1/forum/posts/{created['post']['id']}", {"body": "sneaky edit"}).status_code == 403
    assert len(thread_posts(bob, thread_id)) == 1  # nothing was added
    assert bob.get(f"/api/v1/forum/threads/{thread_id}").json()["thread"]["locked"] is True

    assert moderator.post(f"/api/v1/forum/threads/{thread_id}/lock", {"locked": "yes"}).status_code == 400
    moderator.post(f"/api/v1/forum/threads/{thread_id}/lock", {"locked": False})
    reply_to(bob, thread_id, "open again")


def test_pin_and_move(server: ServerProcess, moderator: Member) -> None:
    member = sign_up(server)
    board, other = _new_board(moderator), _new_board(moderator)
    first = start_thread(member, board["id"], title="Pin me")["thread"]
    start_thread(member, board["id"], title="Newer thread")
    pinned = moderator.post(f"/api/v1/forum/threads/{first['id']}/pin", {"pinned": True})
    assert pinned.status_code == 200 and pinned.json()["thread"]["pinned"] is True
    page = member.get(f"/api/v1/forum/boards/{board['id']}/threads").json()
    assert [t["id"] for t in page["pinned"]] == [first["id"]]
    assert first["id"] not in [t["id"] for t in page["threads"]]
    assert member.post(f"/api/v1/forum/threads/{first['id']}/pin", {"pinned": False}).status_code == 403

    assert member.post(f"/api/v1/forum/threads/{first['id']}/move", {"board_id": other["id"]}).status_code == 403
    assert moderator.post(f"/api/v1/forum/threads/{first['id']}/move", {"board_id": 99999}).status_code == 404
    moved = moderator.post(f"/api/v1/forum/threads/{first['id']}/move", {"board_id": other["id"]})
    assert moved.status_code == 200 and moved.json()["thread"]["board_id"] == other["id"]
    assert [t["id"] for t in member.get(f"/api/v1/forum/boards/{other['id']}/threads").json()["pinned"]] == [first["id"]]
    assert member.get(f"/api/v1/forum/boards/{board['id']}/threads").json()["pinned"] == []


def test_hidden_posts_vanish_for_members_and_stay_visible_to_moderators(server: ServerProcess, moderator: Member) -> None:
    alice, bob = sign_up(server), sign_up(server)
    created = start_thread(alice, title="Some replies get hidden")
    thread_id = created["thread"]["id"]
    keep, hide = reply_to(bob, thread_id, "kind words"), reply_to(bob, thread_id, "something against the rules")
    assert alice.post(f"/api/v1/forum/posts/{hide['id']}/hide", {"hidden": True}).status_code == 403

    hidden = moderator.post(f"/api/v1/forum/posts/{hide['id']}/hide", {"hidden": True})
    assert hidden.status_code == 200 and hidden.json()["post"]["hidden"] is True
    for member in (alice, bob):  # even its author no longer sees it
        assert [p["id"] for p in thread_posts(member, thread_id)] == [created["post"]["id"], keep["id"]]
        assert member.get(f"/api/v1/forum/posts/{hide['id']}").status_code == 404
    assert alice.get(f"/api/v1/forum/threads/{thread_id}").json()["thread"]["reply_count"] == 1
    seen = {p["id"]: p for p in thread_posts(moderator, thread_id)}
    assert seen[hide["id"]]["hidden"] is True and seen[hide["id"]]["body_html"] == "<p>something against the rules</p>\n"
    assert seen[keep["id"]]["hidden"] is False

    # Hiding the first post hides the whole thread.
    moderator.post(f"/api/v1/forum/posts/{created['post']['id']}/hide", {"hidden": True})
    assert alice.get(f"/api/v1/forum/threads/{thread_id}").status_code == 404
    assert thread_id not in [t["id"] for t in alice.get("/api/v1/forum/boards/1/threads?limit=100").json()["threads"]]
    assert moderator.get(f"/api/v1/forum/threads/{thread_id}").json()["thread"]["hidden"] is True
    assert bob.post(f"/api/v1/forum/threads/{thread_id}/replies", {"body": "hello?"}).status_code == 404

    moderator.post(f"/api/v1/forum/posts/{created['post']['id']}/hide", {"hidden": False})
    moderator.post(f"/api/v1/forum/posts/{hide['id']}/hide", {"hidden": False})
    assert len(thread_posts(alice, thread_id)) == 3


# ---- content notes ------------------------------------------------------------------------

def test_content_notes_show_and_a_member_can_always_hide_some_kinds(server: ServerProcess) -> None:
    author, reader = sign_up(server), sign_up(server)
    created = start_thread(author, 4, title="A hard night", body="I slipped last night.", content_notes=["relapse"])
    thread_id = created["thread"]["id"]
    plain = reply_to(author, thread_id, "No note on this one.")

    page = reader.get(f"/api/v1/forum/threads/{thread_id}").json()
    assert page["thread"]["content_notes"] == ["relapse"]
    first = page["posts"][0]
    assert first["content_notes"] == ["relapse"] and first["muted_by_note"] is False and first["body_html"]

    prefs = reader.get("/api/v1/forum/preferences").json()
    assert prefs["hidden_note_kinds"] == [] and "relapse" in prefs["content_notes"]
    saved = http.put(server.base + "/api/v1/forum/preferences", headers=reader.headers, json={"hidden_note_kinds": ["relapse", "self-harm"]})
    assert saved.status_code == 200 and saved.json()["hidden_note_kinds"] == ["relapse", "self-harm"]
    bad = http.put(server.base + "/api/v1/forum/preferences", headers=reader.headers, json={"hidden_note_kinds": ["everything"]})
    assert bad.status_code == 400

    posts = {p["id"]: p for p in thread_posts(reader, thread_id)}
    assert posts[created["post"]["id"]]["muted_by_note"] is True and posts[created["post"]["id"]]["body_html"] is None
    assert posts[plain["id"]]["muted_by_note"] is False and posts[plain["id"]]["body_html"]
    # Asked for on purpose ("show it anyway"), the post comes in full.
    full = reader.get(f"/api/v1/forum/posts/{created['post']['id']}").json()["post"]
    assert full["body_html"] == "<p>I slipped last night.</p>\n" and full["muted_by_note"] is False
    # The author's own view is not affected by another member's choice.
    assert thread_posts(author, thread_id)[0]["body_html"]


# ---- reading: pages, unread, reactions -----------------------------------------------------

def test_thread_pages_are_stable_while_new_replies_arrive(server: ServerProcess) -> None:
    alice, bob = sign_up(server), sign_up(server)
    thread_id = start_thread(alice, title="A long conversation")["thread"]["id"]
    for i in range(14):
        reply_to(bob if i % 2 else alice, thread_id, f"reply {i}")
    seen: list[int] = []
    page = alice.get(f"/api/v1/forum/threads/{thread_id}?limit=5").json()
    seen += [p["id"] for p in page["posts"]]
    for i in range(14, 20):  # people keep writing while the reader pages
        reply_to(bob, thread_id, f"reply {i}")
        page = alice.get(f"/api/v1/forum/threads/{thread_id}?limit=5&cursor={page['next_cursor']}").json()
        seen += [p["id"] for p in page["posts"]]
    while page["has_more"]:
        page = alice.get(f"/api/v1/forum/threads/{thread_id}?limit=5&cursor={page['next_cursor']}").json()
        seen += [p["id"] for p in page["posts"]]
    assert alice.get(f"/api/v1/forum/threads/{thread_id}?cursor={page['next_cursor']}").json()["posts"] == []
    everything = [p["id"] for p in thread_posts(alice, thread_id)]
    assert len(everything) == 21
    assert seen == everything  # every post once, in order, none skipped


def test_board_pages_sort_by_latest_activity_and_never_repeat_a_thread(server: ServerProcess, moderator: Member) -> None:
    member = sign_up(server)
    board = _new_board(moderator)
    ids = [start_thread(member, board["id"], title=f"Thread number {i}")["thread"]["id"] for i in range(9)]
    base = f"/api/v1/forum/boards/{board['id']}/threads?limit=4"
    page1 = member.get(base).json()
    assert [t["id"] for t in page1["threads"]] == ids[::-1][:4]

    reply_to(member, ids[0], "the oldest thread gets a reply")  # moves to the top, above the cursor
    newest = start_thread(member, board["id"], title="Brand new thread")["thread"]["id"]

    seen = [t["id"] for t in page1["threads"]]
    cursor = page1["next_cursor"]
    while cursor:
        reply_to(member, ids[7], "a thread already seen gets a reply while the reader pages")
        page = member.get(f"{base}&cursor={cursor}").json()
        seen += [t["id"] for t in page["threads"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen))  # no thread twice
    assert set(ids[1:]) <= set(seen)  # nothing that stayed put was skipped
    fresh = [t["id"] for t in member.get(base.replace("limit=4", "limit=20")).json()["threads"]]
    assert fresh[:3] == [ids[7], newest, ids[0]]  # latest activity first


def test_unread_markers(server: ServerProcess, moderator: Member) -> None:
    alice, bob = sign_up(server), sign_up(server)
    board = _new_board(moderator)
    thread = start_thread(alice, board["id"], title="Unread markers")["thread"]

    def listed(member: Member) -> dict[str, object]:
        return member.get(f"/api/v1/forum/boards/{board['id']}/threads").json()["threads"][0]  # type: ignore[no-any-return]

    assert listed(alice)["unread"] is False  # one's own post is read
    assert listed(bob)["unread"] is True
    first = reply_to(alice, thread["id"], "one")
    second = reply_to(alice, thread["id"], "two")
    posts = {p["id"]: p for p in thread_posts(bob, thread["id"])}
    assert posts[first["id"]]["unread"] is True
    read = bob.post(f"/api/v1/forum/threads/{thread['id']}/read", {"post_id": first["id"]})
    assert read.status_code == 200 and read.json()["last_read_post_id"] == first["id"]
    posts = {p["id"]: p for p in thread_posts(bob, thread["id"])}
    assert posts[first["id"]]["unread"] is False and posts[second["id"]]["unread"] is True
    assert listed(bob)["unread"] is True
    bob.post(f"/api/v1/forum/threads/{thread['id']}/read", {"post_id": second["id"]})
    assert listed(bob)["unread"] is False
    # Marks never move backwards.
    assert bob.post(f"/api/v1/forum/threads/{thread['id']}/read", {"post_id": first["id"]}).json()["last_read_post_id"] == second["id"]
    assert bob.post(f"/api/v1/forum/threads/{thread['id']}/read", {"post_id": "x"}).status_code == 400


def test_reactions_show_counts_and_never_who(server: ServerProcess) -> None:
    alice, bob, carol = sign_up(server), sign_up(server), sign_up(server)
    post = start_thread(alice, title="React to me")["post"]
    url = f"/api/v1/forum/posts/{post['id']}/reactions"
    for member in (bob, carol):
        response = http.put(server.base + f"{url}/relate", headers=member.headers)
        assert response.status_code == 200
    again = http.put(server.base + f"{url}/relate", headers=bob.headers).json()  # idempotent
    assert again["reactions"] == {"relate": 2, "support": 0} and again["my_reactions"] == ["relate"]
    http.put(server.base + f"{url}/support", headers=bob.headers)
    shown = thread_posts(alice, post["thread_id"])[0]
    assert shown["reactions"] == {"relate": 2, "support": 1} and shown["my_reactions"] == []
    assert "pseudonym" not in str(shown["reactions"])
    taken_back = http.delete(server.base + f"{url}/relate", headers=carol.headers).json()
    assert taken_back["reactions"]["relate"] == 1 and taken_back["my_reactions"] == []
    assert http.put(server.base + f"{url}/angry", headers=bob.headers).status_code == 400


def test_blocked_members_posts_are_left_out_for_the_blocker(server: ServerProcess, moderator: Member) -> None:
    reader, blocked, other = sign_up(server), sign_up(server), sign_up(server)
    board = _new_board(moderator)
    theirs = start_thread(blocked, board["id"], title="By the blocked member")["thread"]
    mine = start_thread(other, board["id"], title="By someone else")["thread"]
    from_blocked = reply_to(blocked, mine["id"], "unwelcome words")
    block(reader, blocked)

    listed = [t["id"] for t in reader.get(f"/api/v1/forum/boards/{board['id']}/threads").json()["threads"]]
    assert listed == [mine["id"]]
    assert reader.get(f"/api/v1/forum/threads/{theirs['id']}").status_code == 404
    assert from_blocked["id"] not in [p["id"] for p in thread_posts(reader, mine["id"])]
    # Everyone else still sees them; the blocked member is never told.
    assert from_blocked["id"] in [p["id"] for p in thread_posts(other, mine["id"])]
    assert len(other.get(f"/api/v1/forum/boards/{board['id']}/threads").json()["threads"]) == 2
    # Unblocking brings their words back.
    assert delete(reader, f"/api/v1/blocks/{blocked.user['id']}").status_code == 200
    assert from_blocked["id"] in [p["id"] for p in thread_posts(reader, mine["id"])]
    assert reader.get(f"/api/v1/forum/threads/{theirs['id']}").status_code == 200


def test_preview_renders_exactly_what_would_be_posted(server: ServerProcess) -> None:
    member = sign_up(server)
    body = "**bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    preview = member.post("/api/v1/forum/preview", {"body": body})
    assert preview.status_code == 200
    posted = start_thread(member, title="Previewed first", body=body)["post"]
    assert preview.json()["body_html"] == posted["body_html"]
    assert "<img" not in posted["body_html"] and "href" not in posted["body_html"]
    assert member.post("/api/v1/forum/preview", {"body": ""}).status_code == 400


def test_reading_to_the_end_clears_unread_even_when_the_last_reply_is_not_shown(server: ServerProcess, moderator: Member) -> None:
    author, reader, blocked = sign_up(server), sign_up(server), sign_up(server)
    board = _new_board(moderator)
    thread = start_thread(author, board["id"], title="Ends with hidden words")["thread"]
    kept = reply_to(author, thread["id"], "kind words")
    hidden = reply_to(blocked, thread["id"], "words a moderator hides")
    moderator.post(f"/api/v1/forum/posts/{hidden['id']}/hide", {"hidden": True})
    other = start_thread(author, board["id"], title="Ends with a blocked member's reply")["thread"]
    from_blocked = reply_to(blocked, other["id"], "words the reader blocked")
    block(reader, blocked)

    for thread_id, last_shown, not_shown in ((thread["id"], kept["id"], hidden["id"]), (other["id"], None, from_blocked["id"])):
        page = reader.get(f"/api/v1/forum/threads/{thread_id}").json()
        shown = [p["id"] for p in page["posts"]]
        assert not_shown not in shown and (last_shown is None or shown[-1] == last_shown)
        # What the client does after the last page: mark read up to the last post it was shown.
        read = reader.post(f"/api/v1/forum/threads/{thread_id}/read", {"post_id": int(page["next_cursor"])})
        assert read.status_code == 200
    listed = {t["id"]: t for t in reader.get(f"/api/v1/forum/boards/{board['id']}/threads").json()["threads"]}
    assert listed[thread["id"]]["unread"] is False and listed[other["id"]]["unread"] is False

    # A reply after that, which the reader can see, makes the thread unread again.
    reply_to(author, thread["id"], "one more, for everyone")
    listed = {t["id"]: t for t in reader.get(f"/api/v1/forum/boards/{board['id']}/threads").json()["threads"]}
    assert listed[thread["id"]]["unread"] is True
