"""The access-control matrix: every REST operation (and, in test_access_matrix.py,
every frame) x every role, with what each role must get.

Outcomes: "ok" means the request got past authentication and authorisation
(any answer but 401, 403, 404 or a 5xx: a 400 for a deliberately dull body
still proves the door was open); 401, 403 and 404 must be exactly that status.
404 is the answer wherever existence must not leak: an object that is not
yours is "not found", exactly like one that never existed.

Suspended and banned members hold the session they had before the moderator acted: it
was ended, so every door that needs a session answers them 401, like a stranger's; the
public ones (sign-up, log-in, the appeal from the log-in page) stay open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.access_world import ROLES, SANCTIONED, World
from tests.support import PASSWORD

Outcome = str | int
STAFF = ("specialist", "moderator", "admin")
MANAGERS = ("moderator", "admin")
MEMBERS = ("owner", "other", "mentor", "host")  # no staff role; the host hosts room 2
LOGGED_IN = tuple(r for r in ROLES if r != "anonymous" and r not in SANCTIONED)
SHUT: dict[str, Outcome] = {"anonymous": 401, **{r: 401 for r in SANCTIONED}}  # no live session


def everyone() -> dict[str, Outcome]:
    return {r: "ok" for r in ROLES}


def self_service() -> dict[str, Outcome]:
    """Any signed-in person, on their own things."""
    return {**SHUT, **{r: "ok" for r in LOGGED_IN}}


def owned(*also: str) -> dict[str, Outcome]:
    """The owner's object: everyone else (staff included) gets 404, as for a missing one."""
    # `also` may name people outside the matrix's roles (the owner's friend): they are set up, not probed.
    return {**SHUT, **{r: 404 for r in LOGGED_IN}, "owner": "ok", **{r: "ok" for r in also if r in ROLES}}


def roles(*allowed: str, denied: Outcome = 403) -> dict[str, Outcome]:
    return {**SHUT, **{r: denied for r in LOGGED_IN}, **{r: "ok" for r in allowed}}


@dataclass
class Case:
    method: str
    path: str  # the OpenAPI path
    expect: dict[str, Outcome]
    params: dict[str, str] = field(default_factory=dict)  # path parameter -> World.ids key (or a literal after "=")
    query: dict[str, str] = field(default_factory=dict)  # the same, for query parameters
    body_ids: dict[str, str] = field(default_factory=dict)  # body field -> World.ids key
    body: dict[str, Any] | None = None
    note: str = ""
    fresh_session: bool = False  # the call ends the session it is made with
    last: tuple[str, ...] = ()  # roles whose call changes the object: they go last, in this order

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.note}]" if self.note else "")

    def roles_in_order(self) -> list[str]:
        return [r for r in ROLES if r not in self.last] + [r for r in self.last if r in ROLES]


def url_for(world: World, case: Case) -> str:
    path = case.path
    for name, source in case.params.items():
        value = source[1:] if source.startswith("=") else world.ids[source]
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, path
    if case.query:
        path += "?" + "&".join(f"{k}={v[1:] if v.startswith('=') else world.ids[v]}" for k, v in case.query.items())
    return path


def request_for(client: httpx.Client, world: World, case: Case, role: str) -> httpx.Response:
    token = world.fresh_token(role) if case.fresh_session else world.token(role)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = case.body if case.body is not None else ({} if case.method in ("POST", "PUT", "PATCH") else None)
    if isinstance(body, dict):  # "{role}" in a value: each role its own (log-in throttling counts per name)
        name = world.people[role].pseudonym if role in world.people else "Nobody"  # "{pseudonym}": the role's own
        body = {k: v.replace("{role}", role).replace("{pseudonym}", name) if isinstance(v, str) else v for k, v in body.items()}
    if case.body_ids:
        body = {**(body or {}), **{k: world.ids[v] for k, v in case.body_ids.items()}}
    return client.request(case.method, url_for(world, case), json=body, headers=headers)


A = "/api/v1"
MOD = f"{A}/moderation"
ME = f"{A}/me/recovery"
F = f"{A}/forum"
ROOM, CONV, TOPIC = {"room_id": "conversation"}, {"conversation_id": "conversation"}, {"room_id": "=2"}

CASES: list[Case] = [
    # accounts
    Case("POST", f"{A}/auth/signup", everyone(), body={"pseudonym": "x", "password": "short"}),
    Case("POST", f"{A}/auth/login", {r: 401 for r in ROLES}, body={"pseudonym": "Nobody{role}", "password": "wrong password"},
         note="public: a wrong log-in is the same 401 for anyone"),
    Case("POST", f"{A}/auth/recover", {r: 401 for r in ROLES}, body={"pseudonym": "Nobody{role}", "recovery_code": "x", "new_password": "whatever it is"},
         note="public: the same 401 for anyone"),
    Case("GET", f"{A}/auth/suggestions", everyone()),
    Case("GET", f"{A}/openapi.json", everyone()),
    Case("GET", f"{A}/resources", everyone()),
    Case("GET", f"{A}/me", self_service()),
    Case("POST", f"{A}/me/password", self_service(), body={"current_password": PASSWORD, "new_password": "short"},
         note="a too-short new password: past the door, nothing changes"),
    Case("POST", f"{A}/me/recovery-codes", self_service()),
    Case("POST", f"{A}/auth/logout", self_service(), fresh_session=True),
    Case("GET", f"{A}/me/sessions", self_service()),
    Case("DELETE", f"{A}/me/sessions/{{session_id}}", owned(), {"session_id": "owner_session"}, last=("owner",)),
    Case("DELETE", f"{A}/me/sessions/others", self_service(), note="this session stays"),
    Case("GET", f"{A}/me/second-factor", self_service()),
    Case("POST", f"{A}/me/second-factor", self_service(), body={"password": PASSWORD}, note="starts a set-up nobody confirms"),
    Case("POST", f"{A}/me/second-factor/confirm", self_service(), body={"code": "000000"}),
    Case("DELETE", f"{A}/me/second-factor", self_service(), body={"password": PASSWORD, "code": "000000"}, note="none to turn off"),
    Case("GET", f"{A}/me/export", self_service()),
    Case("DELETE", f"{A}/me", self_service(), body={"password": PASSWORD}, note="no choice for the messages: refused, nothing changes"),
    Case("POST", f"{A}/admin/roles", roles("admin"), body={"role": "member"}, body_ids={"pseudonym": "other_pseudonym"},
         note="to the role they have"),
    # rooms and messages
    Case("GET", f"{A}/rooms", self_service()),
    Case("POST", f"{A}/rooms", roles(*MANAGERS), body={"slug": "matrix-room", "name": "Matrix"}),
    Case("GET", f"{A}/rooms/{{room_id}}", owned("friend"), ROOM, note="private conversation"),
    Case("GET", f"{A}/rooms/{{room_id}}", self_service(), TOPIC, note="topic room"),
    Case("PATCH", f"{A}/rooms/{{room_id}}", roles(*MANAGERS), TOPIC, body={"description": "Welcome."}, note="topic room"),
    Case("PATCH", f"{A}/rooms/{{room_id}}", roles(denied=403) | {"moderator": 404, "admin": 404}, ROOM, body={"description": "Mine."},
         note="private conversation: managers can't reach it"),
    Case("GET", f"{A}/rooms/{{room_id}}/messages", owned("friend"), ROOM, note="private conversation"),
    Case("GET", f"{A}/rooms/{{room_id}}/messages", self_service(), TOPIC, note="topic room"),
    Case("POST", f"{A}/messages/{{message_id}}/hide", roles(*STAFF), {"message_id": "message_to_hide"}, body={"hidden": False}),
    Case("POST", f"{A}/messages/{{message_id}}/hide", roles(denied=404) | {r: 403 for r in MEMBERS},
         {"message_id": "private_message"}, body={"hidden": True}, note="private message: staff can't reach it"),
    Case("PUT", f"{A}/messages/{{message_id}}/reactions/{{kind}}", self_service(), {"message_id": "message", "kind": "=hug"}),
    Case("DELETE", f"{A}/messages/{{message_id}}/reactions/{{kind}}", self_service(), {"message_id": "message", "kind": "=hug"}),
    Case("PUT", f"{A}/messages/{{message_id}}/reactions/{{kind}}", owned("friend"), {"message_id": "private_message", "kind": "=hug"},
         note="private message"),
    Case("DELETE", f"{A}/messages/{{message_id}}/reactions/{{kind}}", owned("friend"), {"message_id": "private_message", "kind": "=hug"},
         note="private message"),
    Case("POST", f"{A}/messages/{{message_id}}/release", roles(*STAFF), {"message_id": "message"}),
    # forum
    Case("GET", f"{F}/boards", self_service()),
    Case("POST", f"{F}/boards", roles(*MANAGERS), body={"slug": "matrix-board", "name": "Matrix board"}),
    Case("PATCH", f"{F}/boards/{{board_id}}", roles(*MANAGERS), {"board_id": "board"}, body={"description": "Boards."}),
    Case("GET", f"{F}/boards/{{board_id}}/threads", self_service(), {"board_id": "board"}),
    Case("POST", f"{F}/boards/{{board_id}}/threads", self_service(), {"board_id": "board"}, body={"title": "", "body": ""}),
    Case("GET", f"{F}/threads/{{thread_id}}", self_service(), {"thread_id": "thread"}),
    Case("POST", f"{F}/threads/{{thread_id}}/replies", self_service(), {"thread_id": "thread"}, body={"body": ""}),
    Case("POST", f"{F}/threads/{{thread_id}}/read", self_service(), {"thread_id": "thread"}, body={"post_id": 1}),
    Case("PUT", f"{F}/threads/{{thread_id}}/follow", self_service(), {"thread_id": "thread"}),
    Case("DELETE", f"{F}/threads/{{thread_id}}/follow", self_service(), {"thread_id": "thread"}),
    Case("POST", f"{F}/threads/{{thread_id}}/pin", roles(*MANAGERS), {"thread_id": "thread"}, body={"pinned": False}),
    Case("POST", f"{F}/threads/{{thread_id}}/lock", roles(*MANAGERS), {"thread_id": "thread"}, body={"locked": False}),
    Case("POST", f"{F}/threads/{{thread_id}}/move", roles(*MANAGERS), {"thread_id": "thread"}, body={"board_id": 1}),
    Case("GET", f"{F}/posts/{{post_id}}", self_service(), {"post_id": "post"}),
    Case("PATCH", f"{F}/posts/{{post_id}}", roles("owner"), {"post_id": "reply"}, body={"body": "Still here, edited."}),
    Case("POST", f"{F}/posts/{{post_id}}/hide", roles(*MANAGERS), {"post_id": "reply"}, body={"hidden": False}),
    Case("PUT", f"{F}/posts/{{post_id}}/reactions/{{kind}}", self_service(), {"post_id": "post", "kind": "=relate"}),
    Case("DELETE", f"{F}/posts/{{post_id}}/reactions/{{kind}}", self_service(), {"post_id": "post", "kind": "=relate"}),
    Case("POST", f"{F}/preview", self_service(), body={"body": "hello"}),
    Case("GET", f"{F}/preferences", self_service()),
    Case("PUT", f"{F}/preferences", self_service(), body={"hidden_note_kinds": []}),
    Case("GET", f"{A}/search", self_service(), query={"q": "=hello"}),
    # crisis response
    Case("GET", f"{A}/crisis/flags", roles(*STAFF)),
    Case("GET", f"{A}/crisis/flags/{{flag_id}}", roles(*STAFF), {"flag_id": "flag"}),
    Case("POST", f"{A}/crisis/flags/{{flag_id}}/notes", roles(*STAFF), {"flag_id": "flag"}, body={"body": ""}),
    Case("POST", f"{A}/crisis/flags/{{flag_id}}/handover", roles(*STAFF), {"flag_id": "flag"}, body={"to": "", "note": ""}),
    Case("POST", f"{A}/crisis/flags/{{flag_id}}/resolve", roles(*STAFF), {"flag_id": "flag"}, body={"outcome": "other"}),
    Case("POST", f"{A}/crisis/flags/{{flag_id}}/support", roles("specialist"), {"flag_id": "flag"}, note="specialists only"),
    Case("POST", f"{A}/crisis/flags/{{flag_id}}/claim", roles(*STAFF), {"flag_id": "flag"}, last=("specialist",)),
    Case("GET", f"{A}/crisis/stats", roles(*STAFF)),
    Case("GET", f"{A}/crisis/false-alarms", roles(*MANAGERS)),
    Case("GET", f"{A}/crisis/oncall", roles(*STAFF)),
    Case("POST", f"{A}/crisis/oncall", roles(*STAFF), body={"on_call": True}),
    Case("GET", f"{A}/crisis/rota", roles(*STAFF)),
    Case("PUT", f"{A}/crisis/rota", roles("admin"), body={"slots": None}),
    Case("POST", f"{A}/concerns", self_service(), body_ids={"message_id": "message"}, note="about a message in a topic room"),
    Case("POST", f"{A}/concerns", roles(denied=404) | {"owner": "ok"}, body_ids={"message_id": "private_message"},
         note="about a private message: only its participants know it"),
    Case("GET", f"{A}/me/safety-plan", self_service()),
    Case("PUT", f"{A}/me/safety-plan", self_service(), body={"warning_signs": "Not sleeping."}),
    # conversations and blocks
    Case("GET", f"{A}/conversations", self_service()),
    Case("POST", f"{A}/conversations", self_service(), body={"pseudonym": ""}),
    Case("GET", f"{A}/conversations/{{conversation_id}}", owned("friend"), CONV),
    Case("POST", f"{A}/conversations/{{conversation_id}}/read", owned("friend"), CONV, body={"seq": 1}),
    Case("GET", f"{A}/me/messaging", self_service()),
    Case("PUT", f"{A}/me/messaging", self_service(), body={}),
    Case("GET", f"{A}/blocks", self_service()),
    Case("POST", f"{A}/blocks", self_service(), body={"pseudonym": ""}),
    Case("DELETE", f"{A}/blocks/{{user_id}}", owned(), {"user_id": "blocked_user"}, note="only the owner blocked them", last=("owner",)),
    # mentors and talk-now
    Case("GET", f"{A}/mentorship", self_service()),
    Case("PUT", f"{A}/mentorship/profile", self_service(), body={}),
    Case("POST", f"{A}/mentorship/requests", self_service(), body={}),
    Case("GET", f"{A}/mentorship/inbox", self_service()),
    Case("POST", f"{A}/mentorship/inbox/{{item_id}}/decline", roles("mentor", denied=404), {"item_id": "mentor_request"}, last=("mentor",),
         note="offered to the mentor only"),
    Case("POST", f"{A}/mentorship/inbox/{{item_id}}/accept", roles(denied=404), {"item_id": "mentor_request"},
         note="declined: offered to nobody now"),
    Case("POST", f"{A}/mentorship/assign", roles("specialist"), body={"mentee": "", "mentor": ""}),
    Case("POST", f"{A}/mentorship/{{item_id}}/end", roles("mentor", denied=404), {"item_id": "mentorship"}, last=("mentor",),
         note="between the friend and the mentor"),
    Case("DELETE", f"{A}/mentorship/requests/{{item_id}}", owned(), {"item_id": "mentor_request"}, last=("owner",)),
    Case("GET", f"{A}/talk-now", self_service()),
    Case("GET", f"{A}/talk-now/queue", roles("specialist", "mentor")),
    Case("GET", f"{A}/talk-now/availability", roles("specialist", "mentor")),
    Case("PUT", f"{A}/talk-now/availability", roles("specialist", "mentor"), body={"available": True}),
    Case("POST", f"{A}/talk-now/{{request_id}}/take", roles("specialist", "mentor"), {"request_id": "talk"}, last=("mentor", "specialist"),
         note="the mentor takes it first"),
    Case("POST", f"{A}/talk-now/{{request_id}}/end", owned("mentor"), {"request_id": "talk"}, last=("owner",)),
    Case("POST", f"{A}/talk-now", self_service(), last=("owner",)),
    Case("DELETE", f"{A}/talk-now", self_service()),
    Case("DELETE", f"{A}/mentorship/profile", self_service(), last=("mentor",)),
    # recovery tools: a member's own
    Case("GET", f"{ME}/profile", self_service()),
    Case("PUT", f"{ME}/profile", self_service(), body={"timezone": "UTC"}),
    Case("GET", f"{ME}/day-counts", self_service()),
    Case("POST", f"{ME}/day-counts", self_service(), body={"label": ""}),
    Case("PATCH", f"{ME}/day-counts/{{counter_id}}", owned(), {"counter_id": "counter"}, body={"label": "Days clean"}),
    Case("POST", f"{ME}/day-counts/{{counter_id}}/starts", owned(), {"counter_id": "counter"}, body={"start_date": "1999-01-01"}),
    Case("POST", f"{ME}/day-counts/{{counter_id}}/milestones/{{key}}/seen", owned(), {"counter_id": "counter", "key": "milestone_key"}),
    Case("POST", f"{ME}/day-counts/{{counter_id}}/milestones/{{key}}/share", owned(), {"counter_id": "counter", "key": "milestone_key"}),
    Case("GET", f"{ME}/check-ins", self_service()),
    Case("POST", f"{ME}/check-ins", self_service(), body={"mood": 9}),
    Case("GET", f"{ME}/goals", self_service()),
    Case("POST", f"{ME}/goals", self_service(), body={"title": ""}),
    Case("PATCH", f"{ME}/goals/{{goal_id}}", owned(), {"goal_id": "goal"}, body={"title": "Walk every day"}),
    Case("POST", f"{ME}/goals/{{goal_id}}/steps", owned(), {"goal_id": "goal"}, body={"title": "Find a route"}),
    Case("PATCH", f"{ME}/goals/{{goal_id}}/steps/{{step_id}}", owned(), {"goal_id": "goal", "step_id": "step"}, body={"done": True}),
    Case("GET", f"{ME}/partners", self_service()),
    Case("POST", f"{ME}/partners", self_service(), body={"pseudonym": ""}),
    Case("POST", f"{ME}/partners/{{partnership_id}}/accept", roles("mentor", denied=404), {"partnership_id": "partnership_pending"},
         last=("mentor",), note="only the one who was asked"),
    Case("GET", f"{ME}/partners/{{partnership_id}}/view", owned("friend"), {"partnership_id": "partnership"}),
    Case("GET", f"{ME}/early-warning", self_service()),
    Case("POST", f"{ME}/early-warning/consents", self_service(), body={"pseudonym": ""}),
    Case("GET", f"{ME}/notices", self_service()),
    Case("GET", f"{ME}/export", self_service()),
    # shared views and meetings
    Case("GET", f"{A}/recovery/wins", self_service()),
    Case("POST", f"{A}/recovery/wins/{{milestone_id}}/cheer", self_service(), {"milestone_id": "milestone"}),
    Case("DELETE", f"{A}/recovery/wins/{{milestone_id}}/cheer", self_service(), {"milestone_id": "milestone"}),
    Case("GET", f"{A}/recovery/badges", self_service(), query={"users": "owner_id"}),
    Case("GET", f"{A}/meetings", self_service()),
    Case("POST", f"{A}/meetings", roles(*MANAGERS), body={"room_id": 2}),
    Case("GET", f"{A}/meetings.ics", self_service()),
    Case("GET", f"{A}/meetings/meeting-guide.json", self_service(), note="HEARTH_MEETING_FEED_PUBLIC off"),
    Case("POST", f"{A}/meetings/meeting-guide", roles(*MANAGERS), body={"room_id": 2, "meetings": []}),
    Case("GET", f"{A}/meetings/{{meeting_id}}", self_service(), {"meeting_id": "meeting"}),
    Case("GET", f"{A}/meetings/{{meeting_id}}.ics", self_service(), {"meeting_id": "meeting"}),
    Case("PATCH", f"{A}/meetings/{{meeting_id}}", roles(*MANAGERS), {"meeting_id": "meeting"}, body={"notes": "Bring tea."}),
    Case("PUT", f"{A}/meetings/{{meeting_id}}/reminder", self_service(), {"meeting_id": "meeting"}, body={"on": False}),
    # moderation: a member's own reports, notices, trust and appeals
    Case("POST", f"{A}/reports", self_service(), body={"kind": "message", "reason": "nothing"}, note="a dull body: 400"),
    Case("POST", f"{A}/reports", roles(denied=404) | {"owner": "ok"}, body={"kind": "message", "reason": "spam"},
         body_ids={"id": "private_message"}, note="a private message: only its participants know it (the owner's own: 400)"),
    Case("GET", f"{A}/reports/mine", self_service()),
    Case("GET", f"{A}/me/notices", self_service()),
    Case("POST", f"{A}/me/notices/read", self_service()),
    Case("GET", f"{A}/me/trust", self_service()),
    Case("GET", f"{A}/me/hosting", self_service()),
    Case("GET", f"{A}/appeals/mine", self_service()),
    Case("POST", f"{A}/appeals", owned(), body={"body": "Please look again."}, body_ids={"action_id": "owner_action"}, last=("owner",),
         note="a warning to the owner: nobody else's to appeal, staff included"),
    Case("POST", f"{A}/auth/appeal", {r: 404 for r in ROLES} | {"anonymous": 401, "suspended": "ok", "banned": "ok"},
         body={"pseudonym": "{pseudonym}", "password": PASSWORD, "body": "I'd like another look, please."},
         note="public, with each role's own name and password: only the suspended and banned have something to appeal"),
    # moderation: the review queue and its cases (moderators, and a room's hosts for its cases)
    Case("GET", f"{MOD}/cases", roles("host", *MANAGERS)),
    Case("GET", f"{MOD}/cases/{{case_id}}", roles("host", *MANAGERS, denied=404), {"case_id": "case"}, note="a message in room 2"),
    Case("GET", f"{MOD}/cases/{{case_id}}", roles(*MANAGERS, denied=404), {"case_id": "case_elsewhere"},
         note="a member reported: not a room's, so not the host's"),
    Case("POST", f"{MOD}/cases/{{case_id}}/claim", roles("host", *MANAGERS, denied=404), {"case_id": "case"}, last=("host",),
         note="the moderator claims it first; the admin and the host then get 409"),
    Case("POST", f"{MOD}/cases/{{case_id}}/release", roles("host", *MANAGERS, denied=404), {"case_id": "case"}, last=("moderator",),
         note="only the holder gives it back (409 for the others)"),
    Case("POST", f"{MOD}/cases/{{case_id}}/actions", roles("host", *MANAGERS, denied=404), {"case_id": "case"},
         body={"action": "warn", "reason": "Please be kind.", "resolve": False}, last=("host",), note="warn, case left open"),
    Case("POST", f"{MOD}/cases/{{case_id}}/claim", roles(*MANAGERS, denied=404), {"case_id": "case_elsewhere"},
         last=("moderator", "admin")),
    Case("POST", f"{MOD}/cases/{{case_id}}/actions", roles(*MANAGERS, denied=404), {"case_id": "case_elsewhere"},
         body={"action": "dismiss"}, last=("admin", "moderator"),
         note="the admin may act on the case the moderator holds (dismiss closes it: the moderator then gets 409)"),
    # moderation: members as staff see them
    Case("GET", f"{MOD}/members/{{member_id}}", roles(*MANAGERS), {"member_id": "nuisance_id"}),
    Case("POST", f"{MOD}/members/{{member_id}}/actions", roles(*MANAGERS), {"member_id": "nuisance_id"}, body={"action": "warn"},
         note="no reason: 400, nothing done"),
    Case("GET", f"{MOD}/members/{{member_id}}/notes", roles(*MANAGERS), {"member_id": "nuisance_id"}),
    Case("POST", f"{MOD}/members/{{member_id}}/notes", roles(*MANAGERS), {"member_id": "nuisance_id"}, body={"body": ""}),
    Case("PUT", f"{MOD}/members/{{member_id}}/trust", roles(*MANAGERS), {"member_id": "nuisance_id"}, body={"level": 9}),
    Case("PUT", f"{MOD}/members/{{member_id}}/trust", roles(*MANAGERS) | {"moderator": 404, "admin": 404},
         {"member_id": "=0"}, body={"level": 1, "reason": "x"}, note="a member id that never existed"),
    Case("POST", f"{MOD}/actions/{{action_id}}/lift", roles(*MANAGERS), {"action_id": "mute_action"}, note="no reason: 400"),
    Case("GET", f"{MOD}/appeals", roles(*MANAGERS)),
    Case("POST", f"{MOD}/appeals/{{appeal_id}}/decide", roles("admin") | {"moderator": 403}, {"appeal_id": "appeal"},
         body={"decision": "upheld", "note": "The warning stays."}, last=("admin",),
         note="the moderator who warned may not decide it (403 own_decision)"),
    # moderation: rooms' hosts and pauses
    Case("GET", f"{MOD}/rooms/{{room_id}}/hosts", self_service(), TOPIC),
    Case("GET", f"{MOD}/rooms/{{room_id}}/hosts", roles(denied=404), ROOM, note="a private conversation has no hosts: 404"),
    Case("POST", f"{MOD}/rooms/{{room_id}}/hosts", roles(*MANAGERS), TOPIC, body={"pseudonym": ""}),
    Case("POST", f"{MOD}/rooms/{{room_id}}/pause", roles("host", *MANAGERS, denied=404), TOPIC, body={"minutes": 0},
         note="room 2, which the host hosts; minutes 0: 400"),
    Case("POST", f"{MOD}/rooms/{{room_id}}/pause", roles(*MANAGERS, denied=404), {"room_id": "=4"}, body={"minutes": 0},
         note="room 4: not the host's"),
    Case("POST", f"{MOD}/rooms/{{room_id}}/pause", roles(denied=404), ROOM, body={"minutes": 0}, note="a private conversation"),
    Case("DELETE", f"{MOD}/rooms/{{room_id}}/pause", roles("host", denied=404), TOPIC, last=("host", "moderator", "admin"),
         note="the host ends room 2's pause; then there is none for the managers"),
    Case("DELETE", f"{MOD}/rooms/{{room_id}}/pause", roles("admin", denied=404), {"room_id": "=4"}, last=("admin", "moderator"),
         note="the admin ends room 4's; then there is none for the moderator"),
    # moderation: watched words (read: moderators; change: admins) and the audit log (admins)
    Case("GET", f"{MOD}/watched-words", roles(*MANAGERS)),
    Case("POST", f"{MOD}/watched-words", roles("admin"), body={}),
    Case("PATCH", f"{MOD}/watched-words/{{word_id}}", roles("admin"), {"word_id": "word"}, body={"action": "flag"}),
    Case("GET", f"{MOD}/audit", roles("admin")),
    # Destructive ones last: each denied role first, then the one allowed.
    Case("DELETE", f"{MOD}/watched-words/{{word_id}}", roles("admin"), {"word_id": "word"}, last=("admin",)),
    Case("DELETE", f"{MOD}/rooms/{{room_id}}/hosts/{{user_id}}", roles("moderator") | {"admin": 404},
         {"room_id": "=4", "user_id": "host_to_remove"}, last=("moderator", "admin"), note="the moderator removes the friend; then gone"),
    Case("DELETE", f"{ME}/goals/{{goal_id}}/steps/{{step_id}}", owned(), {"goal_id": "goal", "step_id": "step"}, last=("owner",)),
    Case("DELETE", f"{ME}/goals/{{goal_id}}", owned(), {"goal_id": "goal"}, last=("owner",)),
    Case("DELETE", f"{ME}/check-ins/{{day}}", owned(), {"day": "day"}, last=("owner",)),
    Case("DELETE", f"{ME}/early-warning/consents/{{consent_id}}", owned(), {"consent_id": "consent"}, last=("owner",)),
    Case("DELETE", f"{ME}/partners/{{partnership_id}}", owned("friend"), {"partnership_id": "partnership"}, last=("owner",)),
    Case("DELETE", f"{ME}/day-counts/{{counter_id}}", owned(), {"counter_id": "counter"}, last=("owner",)),
    Case("DELETE", f"{F}/posts/{{post_id}}", roles("owner"), {"post_id": "reply"}, last=("owner",)),
    Case("DELETE", f"{A}/meetings/{{meeting_id}}", roles("moderator") | {"admin": 404}, {"meeting_id": "meeting"}, last=("moderator", "admin"),
         note="the moderator deletes it; then it is gone for the admin too"),
    Case("DELETE", ME, self_service()),
]
