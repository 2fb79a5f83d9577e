"""The OpenAPI 3.1 description of every REST endpoint, served at /api/v1/openapi.json.

Written by hand from one table (`OPERATIONS`) so it says what the endpoints
promise: who may call them, the body fields they read, and the top-level shape
of each success. `tests/unit/test_openapi.py` keeps it true in both directions
(every route described, every described path routed) and schemathesis checks
live responses against it (`tests/e2e/test_schemathesis.py`).

Every error, whatever the status, is the one error envelope (`default`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server import jsonutil

Schema = dict[str, Any]

API = "/api/v1"


# ---- schema helpers -------------------------------------------------------------------

def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: tuple[str, ...] = (), **props: Schema) -> Schema:
    """An object with these typed properties (more may come: clients ignore what they don't know)."""
    schema: Schema = {"type": "object", "properties": props}
    if required:
        schema["required"] = list(required)
    return schema


def arr(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
ANY_OBJ: Schema = {"type": "object"}
ID: Schema = {"type": "integer", "minimum": 0}
DATE: Schema = {"type": "string", "format": "date"}
OK = obj(("ok",), ok={"const": True})

COMPONENTS: dict[str, Schema] = {
    "Error": obj(("error",), error=obj(("code", "detail"), code=STR, detail=STR, retry_after=STR)),
    "User": obj(("id", "pseudonym", "role"), id=INT, pseudonym=STR, role=STR),
    "Author": nullable(obj(("id", "pseudonym"), id=INT, pseudonym=STR)),
    "Room": obj(("id", "slug", "name", "description"), id=INT, slug=STR, name=STR, description=STR, rules=STR,
                archived=BOOL, last_seq=INT),
    "Message": obj(("id", "room_id", "seq", "author", "body", "created_at", "deleted"), id=INT, room_id=INT, seq=INT,
                   version=INT, client_id=nullable(STR), author=ref("Author"), body=nullable(STR), created_at=STR,
                   edited_at=nullable(STR), deleted=BOOL),
    "Board": obj(("id", "slug", "name"), id=INT, slug=STR, name=STR, description=STR, position=INT, archived=BOOL),
    "Thread": obj(("id", "board_id", "title", "author"), id=INT, board_id=INT, title=STR, author=ref("Author"),
                  reply_count=INT, pinned=BOOL, locked=BOOL, content_notes=arr(STR)),
    "Post": obj(("id", "thread_id", "author", "body_html", "deleted"), id=INT, thread_id=INT, author=ref("Author"),
                body_html=nullable(STR), deleted=BOOL, content_notes=arr(STR)),
    "Conversation": obj(("id", "purpose", "with"), id=INT, purpose=STR, last_seq=INT, unread=INT),
    "Flag": obj(("id", "status", "severity"), id=INT, status=STR, severity=STR),
    "Meeting": obj(("id", "room_id", "title", "day", "time"), id=INT, room_id=INT, title=STR, day=INT, time=STR),
    "DayCount": obj(("id", "label", "shared", "current_days", "total_days"), id=INT, label=STR, shared=BOOL,
                    current_days=INT, total_days=INT),
    "Goal": obj(("id", "title"), id=INT, title=STR, shared=BOOL, done=BOOL),
    "Partnership": obj(("id",), id=INT),
    "SafetyPlan": obj(("warning_signs", "coping_steps", "people_and_places", "reasons_to_keep_going")),
}


# ---- the operations ---------------------------------------------------------------------

@dataclass(frozen=True)
class Op:
    method: str
    path: str
    summary: str
    tag: str
    ok: int = 200
    response: Schema | None = None  # None: no body (204)
    body: Schema | None = None  # a JSON object body (its fields are all optional to the schema)
    query: dict[str, Schema] = field(default_factory=dict)
    public: bool = False
    content_type: str = "application/json"


def _o(method: str, path: str, summary: str, tag: str, ok: int = 200, response: Schema | None = ANY_OBJ, **kw: Any) -> Op:
    return Op(method, path, summary, tag, ok, response, **kw)


ME = f"{API}/me/recovery"
FORUM = f"{API}/forum"
LIMIT_100: Schema = {"type": "integer", "minimum": 1, "maximum": 100}
ZONE: Schema = {"type": "string", "description": "an IANA time zone such as America/New_York"}
SESSION = obj(("user", "token"), user=ref("User"), token=STR)

MOD = f"{API}/moderation"

# Moderation (issue 8): reports, notices, appeals, trust for members; cases, actions,
# hosts, pauses, watched words and the audit log for moderators and admins.
MODERATION_OPERATIONS: tuple[Op, ...] = (
    _o("POST", f"{API}/reports", "Report a message, post or member", "moderation", 201,
       obj(("report",), report=ANY_OBJ, duplicate=BOOL),
       body=obj(kind={"type": "string", "enum": ["message", "post", "member"]}, id=ID,
                reason={"type": "string", "enum": ["harassment", "drugs", "identifying", "spam", "other"]}, text=STR)),
    _o("GET", f"{API}/reports/mine", "What happened to my reports", "moderation", response=obj(("reports",), reports=arr(ANY_OBJ))),
    _o("GET", f"{API}/me/notices", "Notices about actions on my account", "moderation", response=obj(("notices",), notices=arr(ANY_OBJ))),
    _o("POST", f"{API}/me/notices/read", "Mark my notices read", "moderation", response=OK),
    _o("GET", f"{API}/me/trust", "My trust level", "moderation", response=obj(("trust",), trust=ANY_OBJ)),
    _o("GET", f"{API}/me/hosting", "Rooms I host", "moderation", response=obj(("room_ids",), room_ids=arr(INT))),
    _o("POST", f"{API}/appeals", "Appeal an action once", "moderation", 201, obj(("appeal",), appeal=ANY_OBJ),
       body=obj(action_id=ID, body=STR)),
    _o("GET", f"{API}/appeals/mine", "My appeals", "moderation", response=obj(("appeals",), appeals=arr(ANY_OBJ))),
    _o("POST", f"{API}/auth/appeal", "Appeal a suspension or ban from the log-in page", "moderation", 201,
       obj(("appeal",), appeal=ANY_OBJ), body=obj(pseudonym=STR, password=STR, body=STR), public=True),
    _o("GET", f"{MOD}/cases", "The review queue (moderators)", "moderation", response=obj(("cases",), cases=arr(ANY_OBJ)),
       query={"status": STR, "source": STR, "reason": STR, "place": STR, "tier": STR, "room_id": STR, "mine": STR, "limit": STR}),
    _o("GET", f"{MOD}/cases/{{case_id}}", "One case", "moderation", response=obj(("case",), case=ANY_OBJ)),
    _o("POST", f"{MOD}/cases/{{case_id}}/claim", "Claim a case", "moderation", response=obj(("case",), case=ANY_OBJ)),
    _o("POST", f"{MOD}/cases/{{case_id}}/release", "Give a case back", "moderation", response=obj(("case",), case=ANY_OBJ)),
    _o("POST", f"{MOD}/cases/{{case_id}}/actions", "Act on a case", "moderation",
       body=obj(action=STR, reason=STR, resolve=BOOL, minutes=INT, scope=STR, room_id=INT, slow_seconds=INT, quiet_new=BOOL)),
    _o("GET", f"{MOD}/members/{{member_id}}", "A member's record (staff)", "moderation"),
    _o("POST", f"{MOD}/members/{{member_id}}/actions", "Act on a member", "moderation", 201, obj(("action",), action=ANY_OBJ),
       body=obj(action=STR, reason=STR, minutes=INT, scope=STR, room_id=INT)),
    _o("GET", f"{MOD}/members/{{member_id}}/notes", "Staff notes on a member", "moderation", response=obj(("notes",), notes=arr(ANY_OBJ))),
    _o("POST", f"{MOD}/members/{{member_id}}/notes", "Add a staff note", "moderation", 201, obj(("note",), note=ANY_OBJ), body=obj(body=STR)),
    _o("PUT", f"{MOD}/members/{{member_id}}/trust", "Raise or lower a trust level", "moderation", response=obj(("trust",), trust=ANY_OBJ),
       body=obj(level=INT, reason=STR)),
    _o("POST", f"{MOD}/actions/{{action_id}}/lift", "Lift an action", "moderation", response=obj(("action",), action=ANY_OBJ),
       body=obj(reason=STR)),
    _o("GET", f"{MOD}/appeals", "Appeals to decide", "moderation", response=obj(("appeals",), appeals=arr(ANY_OBJ)), query={"status": STR}),
    _o("POST", f"{MOD}/appeals/{{appeal_id}}/decide", "Decide an appeal (another moderator)", "moderation",
       response=obj(("appeal",), appeal=ANY_OBJ), body=obj(decision=STR, note=STR)),
    _o("GET", f"{MOD}/rooms/{{room_id}}/hosts", "A room's hosts", "moderation", response=obj(("hosts",), hosts=arr(ANY_OBJ))),
    _o("POST", f"{MOD}/rooms/{{room_id}}/hosts", "Add a host", "moderation", 201, obj(("host",), host=ANY_OBJ), body=obj(pseudonym=STR)),
    _o("DELETE", f"{MOD}/rooms/{{room_id}}/hosts/{{user_id}}", "Remove a host", "moderation", 204, None),
    _o("POST", f"{MOD}/rooms/{{room_id}}/pause", "Pause a room (slow or quiet mode)", "moderation", 201, obj(("action",), action=ANY_OBJ),
       body=obj(minutes=INT, slow_seconds=INT, quiet_new=BOOL, reason=STR)),
    _o("DELETE", f"{MOD}/rooms/{{room_id}}/pause", "End a pause", "moderation", 204, None),
    _o("GET", f"{MOD}/watched-words", "Watched words", "moderation", response=obj(("watched_words",), watched_words=arr(ANY_OBJ))),
    _o("POST", f"{MOD}/watched-words", "Add a watched word", "moderation", 201, obj(("watched_word",), watched_word=ANY_OBJ),
       body=obj(pattern=STR, action=STR, replacement=STR, message=STR, whole_word=BOOL, key=STR)),
    _o("PATCH", f"{MOD}/watched-words/{{word_id}}", "Change a watched word", "moderation",
       response=obj(("watched_word",), watched_word=ANY_OBJ), body=obj(pattern=STR, action=STR, replacement=STR, message=STR, whole_word=BOOL)),
    _o("DELETE", f"{MOD}/watched-words/{{word_id}}", "Remove a watched word", "moderation", 204, None),
    _o("GET", f"{MOD}/audit", "The audit log (admins)", "moderation",
       query={"actor": STR, "action": STR, "target_kind": STR, "target_id": INT, "target": STR, "since": STR, "until": STR,
              "before": INT, "limit": {"type": "integer", "minimum": 1, "maximum": 200}}),
)

OPERATIONS: tuple[Op, ...] = (
    # accounts and sessions
    _o("POST", f"{API}/auth/signup", "Create an account (pseudonym and password only)", "accounts", 201,
       obj(("user", "token", "recovery_codes"), user=ref("User"), token=STR, recovery_codes=arr(STR)),
       body=obj(pseudonym=STR, password=STR), public=True),
    _o("POST", f"{API}/auth/login", "Log in", "accounts", response=SESSION,
       body=obj(pseudonym=STR, password=STR, remember=BOOL), public=True),
    _o("POST", f"{API}/auth/recover", "Set a new password with a recovery code", "accounts", response=SESSION,
       body=obj(pseudonym=STR, recovery_code=STR, new_password=STR), public=True),
    _o("POST", f"{API}/auth/logout", "End this session", "accounts", response=OK),
    _o("GET", f"{API}/auth/suggestions", "Pseudonym ideas", "accounts", response=obj(("suggestions",), suggestions=arr(STR)), public=True),
    _o("GET", f"{API}/me", "Who am I", "accounts",
       response=obj(("user", "session", "recovery_codes_left"), user=ref("User"), session=ANY_OBJ, recovery_codes_left=INT)),
    _o("POST", f"{API}/me/password", "Change my password (ends my other sessions)", "accounts", response=OK,
       body=obj(current_password=STR, new_password=STR)),
    _o("POST", f"{API}/me/recovery-codes", "A new set of recovery codes", "accounts", 201,
       obj(("recovery_codes",), recovery_codes=arr(STR))),
    _o("GET", f"{API}/openapi.json", "This document", "meta", public=True),
    _o("GET", f"{API}/me/sessions", "My live sessions", "accounts", response=obj(("sessions",), sessions=arr(ANY_OBJ))),
    _o("DELETE", f"{API}/me/sessions/others", "End every session but this one", "accounts", response=OK),
    _o("DELETE", f"{API}/me/sessions/{{session_id}}", "End one of my sessions", "accounts", response=OK),
    _o("GET", f"{API}/me/second-factor", "My authenticator app", "accounts"),
    _o("POST", f"{API}/me/second-factor", "Start setting up an authenticator app", "accounts", 201,
       obj(("secret", "otpauth_uri"), secret=STR, otpauth_uri=STR), body=obj(password=STR)),
    _o("POST", f"{API}/me/second-factor/confirm", "Confirm the authenticator app with a code", "accounts", body=obj(code=STR)),
    _o("DELETE", f"{API}/me/second-factor", "Turn the authenticator app off", "accounts", body=obj(password=STR, code=STR)),
    _o("GET", f"{API}/me/export", "Everything Hearth holds about me", "accounts"),
    _o("DELETE", f"{API}/me", "Leave Hearth (my messages kept as a former member's, or removed)", "accounts",
       response=obj(("deleted",), deleted=BOOL), body=obj(password=STR, messages={"type": "string", "enum": ["keep", "remove"]}, totp_code=STR)),
    _o("POST", f"{API}/admin/roles", "Change someone's role (admins)", "accounts", response=obj(("user",), user=ref("User")),
       body=obj(pseudonym=STR, role=STR)),
    # rooms and messages
    _o("GET", f"{API}/rooms", "Topic rooms", "rooms", response=obj(("rooms",), rooms=arr(ref("Room"))),
       query={"archived": {"type": "string", "enum": ["true", "false"]}}),
    _o("POST", f"{API}/rooms", "Create a room (moderators)", "rooms", 201, obj(("room",), room=ref("Room")),
       body=obj(slug=STR, name=STR, description=STR, rules=STR)),
    _o("GET", f"{API}/rooms/{{room_id}}", "A room (or one of my conversations)", "rooms", response=obj(("room",), room=ref("Room"))),
    _o("PATCH", f"{API}/rooms/{{room_id}}", "Change a room (moderators)", "rooms", response=obj(("room",), room=ref("Room")),
       body=obj(name=STR, slug=STR, description=STR, rules=STR, position=INT, archived=BOOL)),
    _o("GET", f"{API}/rooms/{{room_id}}/messages", "History, newest first", "rooms",
       response=obj(("messages",), messages=arr(ref("Message"))),
       query={"before": ID, "after": ID, "limit": LIMIT_100}),
    _o("POST", f"{API}/messages/{{message_id}}/hide", "Hide or show a message (staff)", "moderation",
       response=obj(("message",), message=ref("Message")), body=obj(hidden=BOOL, reason=STR)),
    _o("PUT", f"{API}/messages/{{message_id}}/reactions/{{kind}}", "React to a message", "rooms"),
    _o("DELETE", f"{API}/messages/{{message_id}}/reactions/{{kind}}", "Take a reaction back", "rooms"),
    _o("POST", f"{API}/messages/{{message_id}}/release", "Let a held message into its room (staff)", "moderation",
       response=obj(("message",), message=ref("Message"))),
    # forum and search
    _o("GET", f"{FORUM}/boards", "Boards (archived ones too for moderators who ask)", "forum",
       response=obj(("boards",), boards=arr(ref("Board"))), query={"archived": {"type": "string", "enum": ["true", "false"]}}),
    _o("POST", f"{FORUM}/boards", "Create a board (moderators)", "forum", 201, obj(("board",), board=ref("Board")),
       body=obj(slug=STR, name=STR, description=STR, position=INT)),
    _o("PATCH", f"{FORUM}/boards/{{board_id}}", "Change or archive a board (moderators)", "forum",
       response=obj(("board",), board=ref("Board")), body=obj(slug=STR, name=STR, description=STR, position=INT, archived=BOOL)),
    _o("GET", f"{FORUM}/boards/{{board_id}}/threads", "A page of a board's threads", "forum",
       response=obj(("board", "threads", "next_cursor"), board=ref("Board"), pinned=arr(ref("Thread")), threads=arr(ref("Thread")),
                    next_cursor=nullable(STR)),
       query={"cursor": STR, "limit": LIMIT_100}),
    _o("POST", f"{FORUM}/boards/{{board_id}}/threads", "Start a thread", "forum", 201,
       obj(("thread", "post"), thread=ref("Thread"), post=ref("Post")), body=obj(title=STR, body=STR, content_notes=arr(STR))),
    _o("GET", f"{FORUM}/threads/{{thread_id}}", "A page of a thread's posts", "forum",
       response=obj(("thread", "posts", "next_cursor"), thread=ref("Thread"), posts=arr(ref("Post")), next_cursor=nullable(STR),
                    has_more=BOOL, following=BOOL, board=ref("Board")),
       query={"cursor": STR, "limit": LIMIT_100}),
    _o("POST", f"{FORUM}/threads/{{thread_id}}/replies", "Reply", "forum", 201, obj(("post",), post=ref("Post")),
       body=obj(body=STR, content_notes=arr(STR))),
    _o("POST", f"{FORUM}/threads/{{thread_id}}/read", "Mark read up to a post", "forum",
       response=obj(("last_read_post_id",), last_read_post_id=nullable(INT)), body=obj(post_id=INT)),
    _o("PUT", f"{FORUM}/threads/{{thread_id}}/follow", "Follow a thread", "forum", response=obj(("following",), following=BOOL)),
    _o("DELETE", f"{FORUM}/threads/{{thread_id}}/follow", "Stop following a thread", "forum", response=obj(("following",), following=BOOL)),
    _o("POST", f"{FORUM}/threads/{{thread_id}}/pin", "Pin or unpin (moderators)", "forum", response=obj(("thread",), thread=ref("Thread")),
       body=obj(pinned=BOOL)),
    _o("POST", f"{FORUM}/threads/{{thread_id}}/lock", "Lock or unlock (moderators)", "forum", response=obj(("thread",), thread=ref("Thread")),
       body=obj(locked=BOOL)),
    _o("POST", f"{FORUM}/threads/{{thread_id}}/move", "Move to another board (moderators)", "forum",
       response=obj(("thread",), thread=ref("Thread")), body=obj(board_id=INT)),
    _o("GET", f"{FORUM}/posts/{{post_id}}", "A post in full", "forum", response=obj(("post",), post=ref("Post"))),
    _o("PATCH", f"{FORUM}/posts/{{post_id}}", "Edit my post", "forum", response=obj(("post",), post=ref("Post")),
       body=obj(body=STR, title=STR, content_notes=arr(STR))),
    _o("DELETE", f"{FORUM}/posts/{{post_id}}", "Delete my post", "forum", response=obj(("post",), post=ref("Post"))),
    _o("POST", f"{FORUM}/posts/{{post_id}}/hide", "Hide or show a post (moderators)", "forum", response=obj(("post",), post=ref("Post")),
       body=obj(hidden=BOOL)),
    _o("PUT", f"{FORUM}/posts/{{post_id}}/reactions/{{kind}}", "React", "forum",
       response=obj(("post_id", "reactions", "my_reactions"), post_id=INT, reactions=ANY_OBJ, my_reactions=arr(STR))),
    _o("DELETE", f"{FORUM}/posts/{{post_id}}/reactions/{{kind}}", "Take a reaction back", "forum",
       response=obj(("post_id", "reactions", "my_reactions"), post_id=INT, reactions=ANY_OBJ, my_reactions=arr(STR))),
    _o("POST", f"{FORUM}/preview", "Render a post without saving it", "forum",
       response=obj(("body_html", "links"), body_html=STR, links=INT), body=obj(body=STR)),
    _o("GET", f"{FORUM}/preferences", "My content-note preferences", "forum",
       response=obj(("hidden_note_kinds", "content_notes"), hidden_note_kinds=arr(STR), content_notes=arr(STR))),
    _o("PUT", f"{FORUM}/preferences", "Set my content-note preferences", "forum",
       response=obj(("hidden_note_kinds", "content_notes"), hidden_note_kinds=arr(STR), content_notes=arr(STR)),
       body=obj(hidden_note_kinds=arr(STR))),
    _o("GET", f"{API}/search", "Search the forum and topic rooms", "forum",
       response=obj(("query", "results"), query=STR, results=arr(ANY_OBJ)),
       query={"q": STR, "scope": {"type": "string", "enum": ["all", "forum", "rooms"]}, "limit": {"type": "integer", "minimum": 1, "maximum": 50}}),
    # crisis response
    _o("GET", f"{API}/resources", "Crisis resources (anyone)", "crisis", response=obj(("message", "resources"), message=STR, resources=arr(ANY_OBJ)),
       public=True),
    _o("GET", f"{API}/crisis/flags", "The crisis queue (staff)", "crisis", response=obj(("flags",), flags=arr(ref("Flag"))),
       query={"status": {"type": "string", "enum": ["active", "open", "claimed", "resolved"]}}),
    _o("GET", f"{API}/crisis/flags/{{flag_id}}", "A flag in full (staff)", "crisis", response=obj(("flag",), flag=ref("Flag"))),
    _o("POST", f"{API}/crisis/flags/{{flag_id}}/claim", "Claim a flag (staff)", "crisis", response=obj(("flag",), flag=ref("Flag"))),
    _o("POST", f"{API}/crisis/flags/{{flag_id}}/notes", "Add a note (staff)", "crisis", 201, obj(("note",), note=ANY_OBJ),
       body=obj(body=STR, kind={"type": "string", "enum": ["note", "debrief"]})),
    _o("POST", f"{API}/crisis/flags/{{flag_id}}/handover", "Hand a flag over (holder)", "crisis", response=obj(("flag",), flag=ref("Flag")),
       body=obj(to=STR, note=STR)),
    _o("POST", f"{API}/crisis/flags/{{flag_id}}/resolve", "Resolve with a reason (staff)", "crisis", response=obj(("flag",), flag=ref("Flag")),
       body=obj(outcome=STR, note=STR)),
    _o("POST", f"{API}/crisis/flags/{{flag_id}}/support", "Open a support conversation (holder)", "crisis", 201,
       obj(("conversation",), conversation=ref("Conversation"))),
    _o("GET", f"{API}/crisis/stats", "Crisis figures (staff)", "crisis"),
    _o("GET", f"{API}/crisis/false-alarms", "Resolved false alarms (moderators)", "crisis", response=obj(("flags",), flags=arr(ANY_OBJ))),
    _o("GET", f"{API}/crisis/oncall", "My on-call state (staff)", "crisis", response=obj(("on_call",), on_call=BOOL)),
    _o("POST", f"{API}/crisis/oncall", "Go on or off call (staff)", "crisis", response=obj(("on_call",), on_call=BOOL),
       body=obj(on_call=BOOL)),
    _o("GET", f"{API}/crisis/rota", "The on-call rota (staff)", "crisis", response=obj(("slots",), slots=arr(ANY_OBJ))),
    _o("PUT", f"{API}/crisis/rota", "Replace the rota (admins)", "crisis", response=obj(("slots",), slots=arr(ANY_OBJ)),
       body=obj(slots=arr(obj(pseudonym=STR, weekday=INT, start_minute=INT, end_minute=INT)))),
    _o("POST", f"{API}/concerns", "I'm worried about someone", "crisis", 202, obj(("message",), message=STR),
       body=obj(member_id=INT, message_id=INT)),
    _o("GET", f"{API}/me/safety-plan", "My safety plan", "crisis", response=obj(("safety_plan",), safety_plan=nullable(ANY_OBJ))),
    _o("PUT", f"{API}/me/safety-plan", "Save my safety plan", "crisis", response=obj(("safety_plan",), safety_plan=ANY_OBJ),
       body=obj(warning_signs=STR, coping_steps=STR, people_and_places=STR, reasons_to_keep_going=STR)),
    # private conversations and blocks
    _o("GET", f"{API}/conversations", "My conversations", "conversations",
       response=obj(("conversations",), conversations=arr(ref("Conversation")))),
    _o("POST", f"{API}/conversations", "Open a conversation with someone", "conversations",
       response=obj(("conversation",), conversation=ref("Conversation")), body=obj(pseudonym=STR, purpose=STR)),
    _o("GET", f"{API}/conversations/{{conversation_id}}", "One of my conversations", "conversations",
       response=obj(("conversation",), conversation=ref("Conversation"))),
    _o("POST", f"{API}/conversations/{{conversation_id}}/read", "Mark read", "conversations",
       response=obj(("last_read_seq",), last_read_seq=nullable(INT)), body=obj(seq=INT)),
    _o("GET", f"{API}/me/messaging", "Who may message me", "conversations", response=obj(("messaging",), messaging=ANY_OBJ)),
    _o("PUT", f"{API}/me/messaging", "Set who may message me", "conversations", response=obj(("messaging",), messaging=ANY_OBJ),
       body=obj(who_can_message=STR, read_markers=BOOL)),
    _o("GET", f"{API}/blocks", "People I blocked", "conversations", response=obj(("blocks",), blocks=arr(ANY_OBJ))),
    _o("POST", f"{API}/blocks", "Block someone", "conversations", 201, obj(("block",), block=ANY_OBJ), body=obj(pseudonym=STR)),
    _o("DELETE", f"{API}/blocks/{{user_id}}", "Unblock", "conversations", response=OK),
    # mentors and talk-now
    _o("GET", f"{API}/mentorship", "My mentoring", "mentors"),
    _o("PUT", f"{API}/mentorship/profile", "Volunteer as a mentor", "mentors", response=obj(("profile",), profile=ANY_OBJ),
       body=obj(recovery_since=DATE, focus=arr(STR), tz_band=STR, languages=arr(STR), max_mentees=INT)),
    _o("DELETE", f"{API}/mentorship/profile", "Stop volunteering", "mentors", response=OK),
    _o("POST", f"{API}/mentorship/requests", "Ask for a mentor", "mentors", 201, obj(("request",), request=ANY_OBJ),
       body=obj(focus=STR, tz_band=STR, language=STR)),
    _o("DELETE", f"{API}/mentorship/requests/{{item_id}}", "Cancel my request", "mentors", response=OK),
    _o("GET", f"{API}/mentorship/inbox", "Requests offered to me (mentors)", "mentors", response=obj(("requests",), requests=arr(ANY_OBJ))),
    _o("POST", f"{API}/mentorship/inbox/{{item_id}}/accept", "Accept a request", "mentors", response=obj(("mentorship",), mentorship=ANY_OBJ)),
    _o("POST", f"{API}/mentorship/inbox/{{item_id}}/decline", "Decline a request", "mentors", response=OK),
    _o("POST", f"{API}/mentorship/assign", "Pair a mentee with a mentor (specialists)", "mentors", 201,
       obj(("mentorship",), mentorship=ANY_OBJ), body=obj(mentee=STR, mentor=STR)),
    _o("POST", f"{API}/mentorship/{{item_id}}/end", "End a mentorship", "mentors", response=obj(("mentorship",), mentorship=ANY_OBJ)),
    _o("GET", f"{API}/talk-now", "My talk-now request", "talk-now", response=obj(("request",), request=nullable(ANY_OBJ))),
    _o("POST", f"{API}/talk-now", "Ask to talk to someone now", "talk-now", 201, obj(("request",), request=ANY_OBJ)),
    _o("DELETE", f"{API}/talk-now", "Leave the queue", "talk-now", response=OK),
    _o("GET", f"{API}/talk-now/queue", "The queue (helpers)", "talk-now", response=obj(("queue",), queue=arr(ANY_OBJ))),
    _o("GET", f"{API}/talk-now/availability", "My availability (helpers)", "talk-now", response=obj(("availability",), availability=ANY_OBJ)),
    _o("PUT", f"{API}/talk-now/availability", "Set my availability (helpers)", "talk-now",
       response=obj(("availability",), availability=ANY_OBJ), body=obj(available=BOOL, max_chats=INT)),
    _o("POST", f"{API}/talk-now/{{request_id}}/take", "Take a request (helpers)", "talk-now", response=obj(("request",), request=ANY_OBJ)),
    _o("POST", f"{API}/talk-now/{{request_id}}/end", "End a talk-now chat", "talk-now", response=OK),
    # recovery tools (the member's own)
    _o("GET", f"{ME}/profile", "My time zone", "recovery", response=obj(("profile",), profile=ANY_OBJ)),
    _o("PUT", f"{ME}/profile", "Set my time zone", "recovery", response=obj(("profile",), profile=ANY_OBJ), body=obj(timezone=ZONE)),
    _o("GET", f"{ME}/day-counts", "My day counts", "recovery", response=obj(("day_counts",), day_counts=arr(ref("DayCount")))),
    _o("POST", f"{ME}/day-counts", "Start a day count", "recovery", 201, obj(("day_count",), day_count=ref("DayCount")),
       body=obj(label=STR, start_date=DATE, shared=BOOL)),
    _o("PATCH", f"{ME}/day-counts/{{counter_id}}", "Change a day count", "recovery", response=obj(("day_count",), day_count=ref("DayCount")),
       body=obj(label=STR, start_date=DATE, shared=BOOL)),
    _o("DELETE", f"{ME}/day-counts/{{counter_id}}", "Delete a day count", "recovery", 204, None),
    _o("POST", f"{ME}/day-counts/{{counter_id}}/starts", "A new start", "recovery", 201, obj(("day_count",), day_count=ref("DayCount")),
       body=obj(start_date=DATE)),
    _o("POST", f"{ME}/day-counts/{{counter_id}}/milestones/{{key}}/seen", "Mark a milestone seen", "recovery",
       response=obj(("day_count",), day_count=ref("DayCount"))),
    _o("POST", f"{ME}/day-counts/{{counter_id}}/milestones/{{key}}/share", "Share a milestone in Wins", "recovery", 201,
       obj(("milestone_id", "message"), milestone_id=INT, message=ref("Message")), body=obj(note=STR, include_label=BOOL)),
    _o("GET", f"{ME}/check-ins", "My check-ins", "recovery", query={"days": {"type": "integer", "enum": [7, 30, 90]}}),
    _o("POST", f"{ME}/check-ins", "Check in", "recovery", response=obj(("check_in", "streak"), check_in=ANY_OBJ, streak=INT),
       body=obj(mood=INT, craving=INT, sleep_hours=NUM, note=STR, day=DATE)),
    _o("DELETE", f"{ME}/check-ins/{{day}}", "Delete a check-in", "recovery", 204, None),
    _o("GET", f"{ME}/goals", "My goals", "recovery", response=obj(("goals",), goals=arr(ref("Goal")))),
    _o("POST", f"{ME}/goals", "Set a goal", "recovery", 201, obj(("goal",), goal=ref("Goal")),
       body=obj(title=STR, notes=STR, shared=BOOL, steps=arr(STR))),
    _o("PATCH", f"{ME}/goals/{{goal_id}}", "Change a goal", "recovery", response=obj(("goal",), goal=ref("Goal")),
       body=obj(title=STR, notes=STR, shared=BOOL, done=BOOL)),
    _o("DELETE", f"{ME}/goals/{{goal_id}}", "Delete a goal", "recovery", 204, None),
    _o("POST", f"{ME}/goals/{{goal_id}}/steps", "Add a step", "recovery", 201, obj(("goal",), goal=ref("Goal")), body=obj(title=STR)),
    _o("PATCH", f"{ME}/goals/{{goal_id}}/steps/{{step_id}}", "Change a step", "recovery", response=obj(("goal",), goal=ref("Goal")),
       body=obj(title=STR, done=BOOL)),
    _o("DELETE", f"{ME}/goals/{{goal_id}}/steps/{{step_id}}", "Delete a step", "recovery", response=obj(("goal",), goal=ref("Goal"))),
    _o("GET", f"{ME}/partners", "My accountability partners", "recovery", response=obj(("partners",), partners=arr(ref("Partnership")))),
    _o("POST", f"{ME}/partners", "Ask someone to be my partner", "recovery", 201, obj(("partnership",), partnership=ref("Partnership")),
       body=obj(pseudonym=STR)),
    _o("POST", f"{ME}/partners/{{partnership_id}}/accept", "Accept a partner request", "recovery",
       response=obj(("partnership",), partnership=ref("Partnership"))),
    _o("DELETE", f"{ME}/partners/{{partnership_id}}", "End a partnership", "recovery", 204, None),
    _o("GET", f"{ME}/partners/{{partnership_id}}/view", "What my partner shares with me", "recovery",
       response=obj(("partner",), partner=ANY_OBJ), query={"days": {"type": "integer", "enum": [7, 30, 90]}}),
    _o("GET", f"{ME}/early-warning", "Early-warning consents and what was sent", "recovery",
       response=obj(("consents", "shared"), consents=arr(ANY_OBJ), shared=arr(ANY_OBJ))),
    _o("POST", f"{ME}/early-warning/consents", "Let someone get early-warning notices", "recovery", 201,
       obj(("consent",), consent=ANY_OBJ), body=obj(pseudonym=STR, share_scores=BOOL)),
    _o("DELETE", f"{ME}/early-warning/consents/{{consent_id}}", "Withdraw a consent", "recovery", 204, None),
    _o("GET", f"{ME}/notices", "Notices about members who chose me", "recovery", response=obj(("notices",), notices=arr(ANY_OBJ))),
    _o("GET", f"{ME}/export", "Export my recovery data", "recovery"),
    _o("DELETE", ME, "Erase my recovery data", "recovery", 204, None),
    # recovery tools (shared views)
    _o("GET", f"{API}/recovery/wins", "Shared milestones", "recovery", response=obj(("wins",), wins=arr(ANY_OBJ)),
       query={"limit": LIMIT_100}),
    _o("POST", f"{API}/recovery/wins/{{milestone_id}}/cheer", "Cheer a milestone (the support reaction on its Wins message)", "recovery",
       response=obj(("milestone_id", "cheers", "cheered_by_me"), milestone_id=INT, cheers=INT, cheered_by_me=BOOL)),
    _o("DELETE", f"{API}/recovery/wins/{{milestone_id}}/cheer", "Take a cheer (support reaction) back", "recovery",
       response=obj(("milestone_id", "cheers", "cheered_by_me"), milestone_id=INT, cheers=INT, cheered_by_me=BOOL)),
    _o("GET", f"{API}/recovery/badges", "Day-count badges of people I share a room with", "recovery",
       response=obj(("badges",), badges=ANY_OBJ), query={"users": {"type": "string", "pattern": "^[0-9]+(,[0-9]+)*$"}}),
    # meetings
    _o("GET", f"{API}/meetings", "Meetings, soonest first", "meetings", response=obj(("meetings",), meetings=arr(ref("Meeting"))),
       query={"room_id": ID, "tz": ZONE}),
    _o("POST", f"{API}/meetings", "Schedule a meeting (moderators)", "meetings", 201, obj(("meeting",), meeting=ref("Meeting")),
       body=obj(room_id=INT, title=STR, day=INT, time=STR, timezone=ZONE, duration_minutes=INT, types=arr(STR), notes=STR, host=STR)),
    _o("GET", f"{API}/meetings.ics", "Meetings as a calendar", "meetings", response=STR, query={"room_id": ID},
       content_type="text/calendar"),
    _o("GET", f"{API}/meetings/meeting-guide.json", "Meeting Guide feed", "meetings", response={"type": "array"}),
    _o("POST", f"{API}/meetings/meeting-guide", "Import a Meeting Guide feed (moderators)", "meetings",
       response=obj(("created", "updated", "skipped"), created=arr(STR), updated=arr(STR), skipped=arr(ANY_OBJ)),
       body=obj(room_id=INT, timezone=ZONE, meetings=arr(ANY_OBJ))),
    _o("GET", f"{API}/meetings/{{meeting_id}}", "A meeting and its live state", "meetings",
       response=obj(("meeting", "state"), meeting=ref("Meeting"), state=ANY_OBJ), query={"tz": ZONE}),
    _o("PATCH", f"{API}/meetings/{{meeting_id}}", "Change a meeting (moderators)", "meetings", response=obj(("meeting",), meeting=ref("Meeting")),
       body=obj(title=STR, day=INT, time=STR, timezone=ZONE, duration_minutes=INT, notes=STR)),
    _o("DELETE", f"{API}/meetings/{{meeting_id}}", "Cancel a meeting (moderators)", "meetings", 204, None),
    _o("PUT", f"{API}/meetings/{{meeting_id}}/reminder", "Remind me of a meeting", "meetings",
       response=obj(("meeting_id", "remind_me"), meeting_id=INT, remind_me=BOOL), body=obj(on=BOOL)),
    _o("GET", f"{API}/meetings/{{meeting_id}}.ics", "One meeting as a calendar", "meetings", response=STR, content_type="text/calendar"),
)

_PATH_PARAMS: dict[str, Schema] = {
    "kind": {"type": "string", "description": "a reaction: relate or support on posts; support, relate, proud or hug on messages"},
    "key": {"type": "string", "description": "a milestone key such as 1d, 30d, 1y"},
    "day": DATE,
}


def _path_parameters(path: str) -> list[Schema]:
    import re

    return [{"name": name, "in": "path", "required": True, "schema": _PATH_PARAMS.get(name, ID)}
            for name in re.findall(r"{(\w+)}", path)]


OPERATIONS = OPERATIONS + MODERATION_OPERATIONS


def _operation(op: Op) -> Schema:
    out: Schema = {
        "operationId": f"{op.method.lower()}_{op.path[len(API):].strip('/').replace('/', '_').replace('{', '').replace('}', '').replace('.', '_').replace('-', '_') or 'root'}",
        "summary": op.summary,
        "tags": [op.tag],
        "responses": {"default": {"description": "Any error: one envelope, a stable code and a plain message",
                                  "content": {"application/json": {"schema": ref("Error")}}}},
    }
    params = _path_parameters(op.path) + [{"name": k, "in": "query", "required": False, "schema": v} for k, v in op.query.items()]
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {"required": False, "content": {"application/json": {"schema": op.body}}}
    ok: Schema = {"description": "Done"}
    if op.response is not None:
        ok["content"] = {op.content_type: {"schema": op.response}}
    out["responses"][str(op.ok)] = ok
    if op.public:
        out["security"] = []
    return out


def document() -> Schema:
    paths: dict[str, dict[str, Schema]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hearth",
            "version": "1",
            "description": "Anonymous peer-support chat and forum for people in recovery. Live chat is the WebSocket "
                           "at /ws (docs/protocol.md). Anything that is missing or not yours is 404.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The token from sign-up or log-in"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "hearth_session",
                           "description": "__Host-hearth_session over https; writes must be same-origin"},
            },
        },
    }


_CACHED: bytes | None = None


def document_bytes() -> bytes:
    global _CACHED
    if _CACHED is None:
        _CACHED = jsonutil.dumps_bytes(document())
    return _CACHED
