"""Settings, read once from HEARTH_* environment variables.

Every setting has a safe default so `hearth serve` works with no set-up; a bad
value stops start-up with a message that names the variable.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A HEARTH_* variable holds a value Hearth cannot use."""


@dataclass(frozen=True)
class Setting:
    env: str
    default: str | None
    help: str


DEFAULT_CLIENT_DIR = Path(__file__).resolve().parent.parent / "client"

# The documented settings table: the README is generated from (and checked against) this.
SETTINGS: tuple[Setting, ...] = (
    Setting("HEARTH_DATA_DIR", "./data", "Folder for the SQLite database and the generated secret key."),
    Setting("HEARTH_DATABASE_URL", None, "SQLAlchemy URL. Default: SQLite via aiosqlite in the data folder. PostgreSQL: postgresql+asyncpg://user@host/db."),
    Setting("HEARTH_REDIS_URL", None, "Redis URL for the broker between processes. Unset: in-process broker (one process only)."),
    Setting("HEARTH_BROKER_PREFIX", "hearth", "Prefix of this deployment's Redis channels, so several deployments can share one Redis."),
    Setting("HEARTH_SECRET_KEY", None, "Secret for keyed hashes (recovery codes). Unset: generated once and kept in the data folder."),
    Setting("HEARTH_HOST", "127.0.0.1", "Address to listen on."),
    Setting("HEARTH_PORT", "8000", "Port to listen on (1-65535)."),
    Setting("HEARTH_ALLOWED_ORIGINS", None, "Comma-separated origins allowed to open the WebSocket and send cookie-authenticated writes. Default: the server's own address."),
    Setting("HEARTH_PUBLIC_URL", None, "The address people use (e.g. https://hearth.example.org). Default: http://HOST:PORT. https turns on Secure cookies and HSTS."),
    Setting("HEARTH_SESSION_IDLE_MINUTES", "30", "A session unused this long ends."),
    Setting("HEARTH_SESSION_MAX_HOURS", "12", "A session ends this long after log-in, used or not."),
    Setting("HEARTH_REMEMBER_DAYS", "30", "Absolute lifetime of a member's 'keep me signed in on this device' session (idle limit 7 days). Staff never get one."),
    Setting("HEARTH_HASH_CONCURRENCY", "2", "Most password hashes computed at once (each takes 64 MiB)."),
    Setting("HEARTH_PASSWORD_HASHING", "standard", "standard: argon2id with RFC 9106's memory-constrained parameters (64 MiB, t=3, p=4). cheapest-for-tests: argon2-cffi's cheapest parameters, for test suites only: a server using them says so in its log at start, and redoes each password's hash with the standard ones at its next log-in once they are back."),
    Setting("HEARTH_WS_MAX_CONNECTIONS_PER_USER", "5", "Open WebSockets one account may hold."),
    Setting("HEARTH_WS_SEND_QUEUE", "1000", "Events queued for one slow WebSocket before it is dropped."),
    Setting("HEARTH_WS_PING_SECONDS", "20", "How often the server pings each WebSocket, and how long it waits for the pong before closing a half-open one (1-300)."),
    Setting("HEARTH_WS_STALL_SECONDS", "30", "A WebSocket whose client has stopped reading for this long is cut off (1-3600)."),
    Setting("HEARTH_REQUEST_TIMEOUT_SECONDS", "10", "A connection must send a whole request's headers, and then its body, within this many seconds (1-300); slower ones are closed."),
    Setting("HEARTH_CLIENT_DIR", None, "Folder of the browser client (index.html, js/, css/). Default: client/ beside server/ in the checkout; the Docker image sets /app/client."),
    Setting("HEARTH_LOG_LEVEL", "info", "debug, info, warning or error."),
    Setting("HEARTH_WS_IMPL", "wsproto", "WebSocket implementation for /ws: wsproto (default: carries the stalled-writer deadline HEARTH_WS_STALL_SECONDS) or websockets-sansio (less CPU per frame, see docs/performance.md, without that deadline)."),
    Setting("HEARTH_ESCALATE_IMMINENT_SECONDS", "60", "An unclaimed imminent crisis flag escalates after this long (and again each time it passes)."),
    Setting("HEARTH_ESCALATE_HIGH_SECONDS", "300", "Escalation deadline for a high flag."),
    Setting("HEARTH_ESCALATE_CONCERN_SECONDS", "1800", "Escalation deadline for a concern flag."),
    Setting("HEARTH_SPECIALIST_MAX_FLAGS", "3", "Most crisis flags one specialist holds at once (care for the carers)."),
    Setting("HEARTH_CRISIS_RULES_EXTRA", None, "Extra crisis-detector rule files (YAML, several separated by ':') loaded after the shipped ones; see docs/moderation.md. A file that is missing or wrong stops start-up."),
    Setting("HEARTH_CRISIS_RESOURCES_FILE", None, "JSON file of crisis resources shown to members: a list of {\"name\", \"contact\", \"detail\"}. Default: US resources (988, SAMHSA, 911)."),
    Setting("HEARTH_SWEEP_SECONDS", "1", "How often each process checks escalation deadlines, missed alerts, follow-ups and the on-call rota."),
    Setting("HEARTH_UNATTENDED_SLOW_SECONDS", "15", "In unattended rooms (nobody on call), the least time between one member's messages in a room."),
    Setting("HEARTH_NEW_ACCOUNT_HOURS", "24", "Accounts younger than this count as new (trust level 0): their first posts are held in unattended rooms, their forum posts carry no links, their chat links are held for a look, and new-account rates apply (0 turns these off)."),
    Setting("HEARTH_METRICS_TOKEN", None, "Bearer token for /metrics. Unset: /metrics answers only requests from this machine (loopback)."),
    Setting("HEARTH_FAULT_INJECT", None, "Test only: 'exit_after_flag_commit' makes the process exit between storing a crisis flag and publishing it."),
    Setting("HEARTH_DM_MIN_ACCOUNT_HOURS", "24", "Trust level 2: an account can open private conversations with members after this many hours (specialists and mentors are exempt; staff can raise or lower a level)."),
    Setting("HEARTH_DM_MIN_MESSAGES", "10", "Trust level 2 also needs this many room messages or forum posts before opening private conversations with members (both thresholds apply)."),
    Setting("HEARTH_MENTOR_MIN_DAYS", "180", "Days in recovery a member needs before volunteering as a mentor."),
    Setting("HEARTH_MENTOR_MAX_MENTEES", "3", "Most active mentees one mentor may have (each mentor may choose fewer)."),
    Setting("HEARTH_TALK_NOW_OFFER_SECONDS", "180", "After this long in the talk-now queue a member is offered crisis resources, the busiest room and the forum."),
    Setting("HEARTH_TALK_NOW_MAX_CHATS", "5", "Most talk-now chats one helper may take at once (each helper may choose fewer)."),
    Setting("HEARTH_MEETING_REMINDER_MINUTES", "15", "How long before a meeting starts its reminder goes out (1-1440 minutes)."),
    Setting("HEARTH_RECOVERY_SWEEP_SECONDS", "60", "How often each process looks for due meeting reminders and quiet check-in streaks (1-3600)."),
    Setting("HEARTH_MEETING_FEED_PUBLIC", "false", "true: the Meeting Guide JSON feed (/api/v1/meetings/meeting-guide.json) is readable without logging in, for meeting finder apps."),
    Setting("HEARTH_FORUM_TITLE_MAX", "150", "Longest forum thread title, in characters."),
    Setting("HEARTH_FORUM_BODY_MAX", "20000", "Longest forum post, in characters of Markdown."),
    Setting("HEARTH_FORUM_THREAD_RATE", "3/10minutes;20/day", "New threads one member may start (limits syntax, ';' between windows), or 'off'."),
    Setting("HEARTH_FORUM_REPLY_RATE", "10/minute;120/hour", "Forum replies and edits one member may post, or 'off'."),
    Setting("HEARTH_SEARCH_RATE", "30/minute", "Searches one member may run, or 'off'."),
    Setting("HEARTH_READ_RATE", "600/minute;6000/hour", "Pages and lists one member may load (every authenticated GET), so nobody can scrape the community; or 'off'."),
    Setting("HEARTH_NEW_ACCOUNT_MAX_LINKS", "0", "Links a new account may put in one forum post (staff are exempt)."),
    Setting("HEARTH_TRUSTED_PROXIES", None, "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For names the client (for rate limits only; never stored). Unset: no proxy is trusted and the connecting address is used."),
    Setting("HEARTH_LOGIN_FAILURE_RATE", "5/minute;20/hour;50/day", "Failed log-ins or recovery attempts for one pseudonym from one address before a pause (the pause grows with each window), or 'off'."),
    Setting("HEARTH_LOGIN_ACCOUNT_FAILURE_RATE", "100/hour", "Failed log-ins or recovery attempts for one pseudonym from all addresses together before a pause, or 'off'."),
    Setting("HEARTH_LOGIN_ADDRESS_FAILURE_RATE", "30/minute;300/hour", "Failed log-ins or recovery attempts from one address, whatever the pseudonym, before a pause, or 'off'."),
    Setting("HEARTH_STAFF_REQUIRE_TOTP", "false", "true: specialists, moderators and admins must set up an authenticator app (TOTP) before they can do anything else."),
    Setting("HEARTH_PRIVATE_MESSAGE_DAYS", "0", "Private messages older than this many days are deleted for good (0 keeps them)."),
    Setting("HEARTH_FLAG_CONTEXT_DAYS", "90", "This many days after a crisis flag is resolved, the words kept with it (excerpts and surrounding messages) are deleted; the outcome and audit stay (0 keeps them)."),
    Setting("HEARTH_MESSAGE_RATE", "30/minute;600/hour", "Chat and private messages one member (trust level 1 and up) may send, or 'off'."),
    Setting("HEARTH_NEW_MEMBER_MESSAGE_RATE", "10/minute;100/hour", "Chat and private messages a new account (trust level 0) may send, or 'off'."),
    Setting("HEARTH_NEW_MEMBER_THREAD_RATE", "3/day", "Forum threads a new account (trust level 0) may start, on top of HEARTH_FORUM_THREAD_RATE, or 'off'."),
    Setting("HEARTH_CONVERSATION_OPEN_RATE", "10/hour;30/day", "New private conversations one member may open, or 'off'."),
    Setting("HEARTH_REPORT_RATE", "10/hour;20/day", "Reports one member may file, or 'off'."),
    Setting("HEARTH_ADDRESS_WRITE_RATE", "600/minute;10000/hour", "Messages, forum posts and new conversations from one network address (the address is a keyed hash in memory or Redis for the window only), or 'off'."),
    Setting("HEARTH_ADDRESS_REPORT_RATE", "60/hour", "Reports from one network address, or 'off'."),
    Setting("HEARTH_HOST_ESCALATE_SECONDS", "1800", "A case about a room with hosts goes to site moderators when no host has taken it within this many seconds."),
    Setting("HEARTH_HOLD_IDENTIFYING", "true", "true: messages and posts with phone numbers, e-mail or street addresses or social handles wait for a moderator; false: they are posted and flagged."),
)

_LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    broker_prefix: str
    secret_key: str
    host: str
    port: int
    allowed_origins: tuple[str, ...]
    public_url: str
    session_idle_minutes: int
    session_max_hours: int
    remember_days: int
    hash_concurrency: int
    ws_max_connections_per_user: int
    ws_send_queue: int
    log_level: str
    escalate_seconds: Mapping[str, int]
    specialist_max_flags: int
    crisis_resources_file: Path | None
    sweep_seconds: float
    unattended_slow_seconds: int
    new_account_hours: int
    fault_inject: str | None
    metrics_token: str | None
    dm_min_account_hours: int = 24
    dm_min_messages: int = 10
    mentor_min_days: int = 180
    mentor_max_mentees: int = 3
    talk_now_offer_seconds: int = 180
    talk_now_max_chats: int = 5
    meeting_reminder_minutes: int = 15
    recovery_sweep_seconds: int = 60
    meeting_feed_public: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)
    forum_title_max: int = 150
    forum_body_max: int = 20000
    forum_thread_rate: str = "3/10minutes;20/day"  # "" means off
    forum_reply_rate: str = "10/minute;120/hour"
    search_rate: str = "30/minute"
    ws_impl: str = "wsproto"
    password_hashing: str = "standard"
    new_account_max_links: int = 0
    trusted_proxies: tuple[str, ...] = ()
    login_failure_rate: str = "5/minute;20/hour;50/day"
    login_account_failure_rate: str = "100/hour"
    login_address_failure_rate: str = "30/minute;300/hour"
    staff_require_totp: bool = False
    private_message_days: int = 0
    flag_context_days: int = 90
    message_rate: str = "30/minute;600/hour"
    new_member_message_rate: str = "10/minute;100/hour"
    new_member_thread_rate: str = "3/day"
    conversation_open_rate: str = "10/hour;30/day"
    report_rate: str = "10/hour;20/day"
    address_write_rate: str = "600/minute;10000/hour"
    address_report_rate: str = "60/hour"
    host_escalate_seconds: int = 1800
    hold_identifying: bool = True
    ws_ping_seconds: int = 20
    ws_stall_seconds: int = 30
    request_timeout_seconds: int = 10
    read_rate: str = "600/minute;6000/hour"
    client_dir: Path = DEFAULT_CLIENT_DIR
    crisis_rules_extra: tuple[Path, ...] = ()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    def redacted(self) -> dict[str, object]:
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "extra"}
        shown["secret_key"] = "***"
        shown["database_url"] = _redact_url(self.database_url)
        shown["redis_url"] = _redact_url(self.redis_url) if self.redis_url else None
        return shown


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _int(env: Mapping[str, str], name: str, default: str, low: int, high: int) -> int:
    raw = env.get(name, default).strip()
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: str) -> bool:
    raw = env.get(name, default).strip().lower()
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    return raw in ("true", "1", "yes")


def _origin(name: str, raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(f"{name} needs origins like https://hearth.example.org, got {raw!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


def _prefix(env: Mapping[str, str]) -> str:
    prefix = env.get("HEARTH_BROKER_PREFIX", "hearth").strip()
    if not prefix or len(prefix) > 64 or not all(ch.isalnum() or ch in "-_." for ch in prefix):
        raise ConfigError(f"HEARTH_BROKER_PREFIX must be 1-64 letters, digits, dots, dashes or underscores, got {prefix!r}")
    return prefix


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices`; the first is the default."""
    value = env.get(name, choices[0]).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _rate(env: Mapping[str, str], name: str, default: str) -> str:
    """A rate in the `limits` syntax ("10/minute;100/hour"), or "" for off."""
    raw = env.get(name, default).strip()
    if raw.lower() in ("off", "none", "unlimited"):
        return ""
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(f"{name} must look like 10/minute or 3/10minutes;20/day (or 'off'), got {raw!r}") from None
    return raw


def _proxies(env: Mapping[str, str]) -> tuple[str, ...]:
    """Trusted proxy addresses or networks, checked here so a typo stops start-up."""
    import ipaddress

    raw = env.get("HEARTH_TRUSTED_PROXIES", "").strip()
    found: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(f"HEARTH_TRUSTED_PROXIES needs addresses or networks like 10.0.0.5 or 10.0.0.0/24, got {item!r}") from None
        found.append(item)
    return tuple(found)


def _client_dir(env: Mapping[str, str]) -> Path:
    raw = env.get("HEARTH_CLIENT_DIR")
    if not raw:
        return DEFAULT_CLIENT_DIR
    folder = Path(raw).expanduser().resolve()
    if not (folder / "index.html").is_file():
        raise ConfigError(f"HEARTH_CLIENT_DIR must be the browser client's folder (with index.html), got {raw!r}")
    return folder


def _crisis_rules_extra(env: Mapping[str, str]) -> tuple[Path, ...]:
    """Extra rule files, compiled once here so a bad one stops start-up naming the variable
    (moderation.crisis compiles them again for the detector it keeps)."""
    if not env.get("HEARTH_CRISIS_RULES_EXTRA", "").strip():
        return ()
    try:
        # Imported only when set: the package compiles the shipped rules on import.
        from moderation.crisis.ruleset import extra_rule_files, load_ruleset

        files = tuple(extra_rule_files(env))
        load_ruleset(None, files)
    except ValueError as error:  # RuleFileError, from the package's own import too
        raise ConfigError(f"HEARTH_CRISIS_RULES_EXTRA: {error}") from None
    return files


def _check_resources(path: Path) -> None:
    """Read the crisis resources now: a bad file must stop start-up, not the first crisis alert."""
    from moderation.resources import ResourcesError, load_resources

    try:
        load_resources(path)
    except ResourcesError as error:
        raise ConfigError(f"HEARTH_CRISIS_RESOURCES_FILE must be a JSON list of {{\"name\", \"contact\", \"detail\"}}: {error}") from None


def _secret_key(env: Mapping[str, str], data_dir: Path) -> str:
    given = env.get("HEARTH_SECRET_KEY")
    if given is not None:
        if len(given) < 32:
            raise ConfigError("HEARTH_SECRET_KEY must be at least 32 characters")
        return given
    key_file = data_dir / "secret.key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created with owner-only permissions before anything is written to it.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_settings(env: Mapping[str, str] | None = None, *, make_secret: Callable[..., str] = _secret_key) -> Settings:
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("HEARTH_DATA_DIR", "./data")).expanduser().resolve()
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(f"HEARTH_DATA_DIR must be a folder, got the file {str(data_dir)!r}")

    database_url = env.get("HEARTH_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'hearth.db'}"
    if not database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ConfigError(
            "HEARTH_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://, "
            f"got {_redact_url(database_url)!r}"
        )
    redis_url = env.get("HEARTH_REDIS_URL") or None
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"HEARTH_REDIS_URL must start with redis://, rediss:// or unix://, got {_redact_url(redis_url)!r}")

    host = env.get("HEARTH_HOST", "127.0.0.1").strip()
    if not host:
        raise ConfigError("HEARTH_HOST must not be empty")
    port = _int(env, "HEARTH_PORT", "8000", 1, 65535)

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    public_url = env.get("HEARTH_PUBLIC_URL") or f"http://{shown_host}:{port}"
    public_origin = _origin("HEARTH_PUBLIC_URL", public_url)

    raw_origins = env.get("HEARTH_ALLOWED_ORIGINS")
    if raw_origins:
        origins = tuple(_origin("HEARTH_ALLOWED_ORIGINS", o) for o in raw_origins.split(",") if o.strip())
    else:
        origins = (public_origin,)
        if shown_host == "127.0.0.1":
            origins += (f"http://localhost:{port}",)

    log_level = env.get("HEARTH_LOG_LEVEL", "info").lower()
    if log_level not in _LOG_LEVELS:
        raise ConfigError(f"HEARTH_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, got {log_level!r}")

    resources = env.get("HEARTH_CRISIS_RESOURCES_FILE")
    if resources:
        _check_resources(Path(resources))
    fault = env.get("HEARTH_FAULT_INJECT") or None
    if fault not in (None, "exit_after_flag_commit"):
        raise ConfigError(f"HEARTH_FAULT_INJECT must be unset or exit_after_flag_commit, got {fault!r}")
    sweep_raw = env.get("HEARTH_SWEEP_SECONDS", "1")
    try:
        sweep = float(sweep_raw)
    except ValueError:
        raise ConfigError(f"HEARTH_SWEEP_SECONDS must be a number of seconds, got {sweep_raw!r}") from None
    if not 0.05 <= sweep <= 60:
        raise ConfigError(f"HEARTH_SWEEP_SECONDS must be between 0.05 and 60, got {sweep}")

    known = {s.env for s in SETTINGS}
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        redis_url=redis_url,
        broker_prefix=_prefix(env),
        secret_key=make_secret(env, data_dir),
        host=host,
        port=port,
        allowed_origins=origins,
        public_url=public_url.rstrip("/"),
        session_idle_minutes=_int(env, "HEARTH_SESSION_IDLE_MINUTES", "30", 1, 60 * 24 * 7),
        session_max_hours=_int(env, "HEARTH_SESSION_MAX_HOURS", "12", 1, 24 * 30),
        remember_days=_int(env, "HEARTH_REMEMBER_DAYS", "30", 1, 90),
        hash_concurrency=_int(env, "HEARTH_HASH_CONCURRENCY", "2", 1, 64),
        ws_max_connections_per_user=_int(env, "HEARTH_WS_MAX_CONNECTIONS_PER_USER", "5", 1, 100),
        ws_send_queue=_int(env, "HEARTH_WS_SEND_QUEUE", "1000", 10, 100_000),
        log_level=log_level,
        ws_impl=_choice(env, "HEARTH_WS_IMPL", ("wsproto", "websockets-sansio")),
        password_hashing=_choice(env, "HEARTH_PASSWORD_HASHING", ("standard", "cheapest-for-tests")),
        escalate_seconds={
            "imminent": _int(env, "HEARTH_ESCALATE_IMMINENT_SECONDS", "60", 1, 86400),
            "high": _int(env, "HEARTH_ESCALATE_HIGH_SECONDS", "300", 1, 86400),
            "concern": _int(env, "HEARTH_ESCALATE_CONCERN_SECONDS", "1800", 1, 7 * 86400),
        },
        specialist_max_flags=_int(env, "HEARTH_SPECIALIST_MAX_FLAGS", "3", 1, 100),
        crisis_resources_file=Path(resources) if resources else None,
        sweep_seconds=sweep,
        unattended_slow_seconds=_int(env, "HEARTH_UNATTENDED_SLOW_SECONDS", "15", 0, 3600),
        new_account_hours=_int(env, "HEARTH_NEW_ACCOUNT_HOURS", "24", 0, 24 * 90),
        fault_inject=fault,
        metrics_token=env.get("HEARTH_METRICS_TOKEN") or None,
        dm_min_account_hours=_int(env, "HEARTH_DM_MIN_ACCOUNT_HOURS", "24", 0, 24 * 365),
        dm_min_messages=_int(env, "HEARTH_DM_MIN_MESSAGES", "10", 0, 100_000),
        mentor_min_days=_int(env, "HEARTH_MENTOR_MIN_DAYS", "180", 0, 36_500),
        mentor_max_mentees=_int(env, "HEARTH_MENTOR_MAX_MENTEES", "3", 1, 50),
        talk_now_offer_seconds=_int(env, "HEARTH_TALK_NOW_OFFER_SECONDS", "180", 0, 3600),
        talk_now_max_chats=_int(env, "HEARTH_TALK_NOW_MAX_CHATS", "5", 1, 50),
        meeting_reminder_minutes=_int(env, "HEARTH_MEETING_REMINDER_MINUTES", "15", 1, 24 * 60),
        recovery_sweep_seconds=_int(env, "HEARTH_RECOVERY_SWEEP_SECONDS", "60", 1, 3600),
        meeting_feed_public=_bool(env, "HEARTH_MEETING_FEED_PUBLIC", "false"),
        extra={k: v for k, v in env.items() if k.startswith("HEARTH_") and k not in known},
        forum_title_max=_int(env, "HEARTH_FORUM_TITLE_MAX", "150", 10, 1000),
        forum_body_max=_int(env, "HEARTH_FORUM_BODY_MAX", "20000", 100, 60_000),
        forum_thread_rate=_rate(env, "HEARTH_FORUM_THREAD_RATE", "3/10minutes;20/day"),
        forum_reply_rate=_rate(env, "HEARTH_FORUM_REPLY_RATE", "10/minute;120/hour"),
        search_rate=_rate(env, "HEARTH_SEARCH_RATE", "30/minute"),
        new_account_max_links=_int(env, "HEARTH_NEW_ACCOUNT_MAX_LINKS", "0", 0, 1000),
        trusted_proxies=_proxies(env),
        login_failure_rate=_rate(env, "HEARTH_LOGIN_FAILURE_RATE", "5/minute;20/hour;50/day"),
        login_account_failure_rate=_rate(env, "HEARTH_LOGIN_ACCOUNT_FAILURE_RATE", "100/hour"),
        login_address_failure_rate=_rate(env, "HEARTH_LOGIN_ADDRESS_FAILURE_RATE", "30/minute;300/hour"),
        staff_require_totp=_bool(env, "HEARTH_STAFF_REQUIRE_TOTP", "false"),
        private_message_days=_int(env, "HEARTH_PRIVATE_MESSAGE_DAYS", "0", 0, 36_500),
        flag_context_days=_int(env, "HEARTH_FLAG_CONTEXT_DAYS", "90", 0, 36_500),
        message_rate=_rate(env, "HEARTH_MESSAGE_RATE", "30/minute;600/hour"),
        new_member_message_rate=_rate(env, "HEARTH_NEW_MEMBER_MESSAGE_RATE", "10/minute;100/hour"),
        new_member_thread_rate=_rate(env, "HEARTH_NEW_MEMBER_THREAD_RATE", "3/day"),
        conversation_open_rate=_rate(env, "HEARTH_CONVERSATION_OPEN_RATE", "10/hour;30/day"),
        report_rate=_rate(env, "HEARTH_REPORT_RATE", "10/hour;20/day"),
        address_write_rate=_rate(env, "HEARTH_ADDRESS_WRITE_RATE", "600/minute;10000/hour"),
        address_report_rate=_rate(env, "HEARTH_ADDRESS_REPORT_RATE", "60/hour"),
        host_escalate_seconds=_int(env, "HEARTH_HOST_ESCALATE_SECONDS", "1800", 1, 7 * 24 * 3600),
        hold_identifying=_bool(env, "HEARTH_HOLD_IDENTIFYING", "true"),
        ws_ping_seconds=_int(env, "HEARTH_WS_PING_SECONDS", "20", 1, 300),
        ws_stall_seconds=_int(env, "HEARTH_WS_STALL_SECONDS", "30", 1, 3600),
        request_timeout_seconds=_int(env, "HEARTH_REQUEST_TIMEOUT_SECONDS", "10", 1, 300),
        read_rate=_rate(env, "HEARTH_READ_RATE", "600/minute;6000/hour"),
        client_dir=_client_dir(env),
        crisis_rules_extra=_crisis_rules_extra(env),
    )
