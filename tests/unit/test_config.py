import re
from pathlib import Path

import pytest

from server.config import SETTINGS, ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"HEARTH_DATA_DIR": str(tmp_path), **extra}


def test_defaults_are_safe_and_complete(tmp_path: Path) -> None:
    settings = load_settings(_env(tmp_path))
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'hearth.db'}"
    assert settings.redis_url is None
    assert settings.host == "127.0.0.1" and settings.port == 8000
    assert settings.allowed_origins == ("http://127.0.0.1:8000", "http://localhost:8000")
    assert not settings.secure_cookies


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_settings(_env(tmp_path)).secret_key
    assert len(first) >= 32
    assert load_settings(_env(tmp_path)).secret_key == first
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


# A value each setting must refuse. "{file}" is an ordinary file, "{folder}" an empty folder.
BAD_VALUES: dict[str, list[str]] = {
    "HEARTH_DATA_DIR": ["{file}"],
    "HEARTH_DATABASE_URL": ["mysql://root@localhost/x", "postgresql://user@host/db"],
    "HEARTH_REDIS_URL": ["http://localhost:6379"],
    "HEARTH_BROKER_PREFIX": ["has spaces", "x" * 65],
    "HEARTH_SECRET_KEY": ["short"],
    "HEARTH_HOST": ["   "],
    "HEARTH_PORT": ["eighty", "70000", "0"],
    "HEARTH_ALLOWED_ORIGINS": ["not a url", "https://ok.example/path"],
    "HEARTH_PUBLIC_URL": ["hearth.example.org", "ftp://hearth.example.org"],
    "HEARTH_SESSION_IDLE_MINUTES": ["0", "half an hour"],
    "HEARTH_SESSION_MAX_HOURS": ["0", "721"],
    "HEARTH_REMEMBER_DAYS": ["91"],
    "HEARTH_HASH_CONCURRENCY": ["-1", "0", "65"],
    "HEARTH_WS_MAX_CONNECTIONS_PER_USER": ["0"],
    "HEARTH_WS_SEND_QUEUE": ["5"],
    "HEARTH_WS_PING_SECONDS": ["0", "301"],
    "HEARTH_WS_STALL_SECONDS": ["0"],
    "HEARTH_REQUEST_TIMEOUT_SECONDS": ["0", "ten"],
    "HEARTH_CLIENT_DIR": ["{folder}", "/no/such/folder"],
    "HEARTH_LOG_LEVEL": ["loud"],
    "HEARTH_WS_IMPL": ["tornado"],
    "HEARTH_ESCALATE_IMMINENT_SECONDS": ["0"],
    "HEARTH_ESCALATE_HIGH_SECONDS": ["soon"],
    "HEARTH_ESCALATE_CONCERN_SECONDS": ["0"],
    "HEARTH_SPECIALIST_MAX_FLAGS": ["0"],
    "HEARTH_CRISIS_RULES_EXTRA": ["/no/such/rules.yaml", "{file}"],
    "HEARTH_CRISIS_RESOURCES_FILE": ["/no/such/resources.json", "{file}"],
    "HEARTH_SWEEP_SECONDS": ["soon", "0", "61"],
    "HEARTH_UNATTENDED_SLOW_SECONDS": ["-1"],
    "HEARTH_NEW_ACCOUNT_HOURS": ["-1"],
    "HEARTH_FAULT_INJECT": ["explode"],
    "HEARTH_DM_MIN_ACCOUNT_HOURS": ["-1"],
    "HEARTH_DM_MIN_MESSAGES": ["ten"],
    "HEARTH_MENTOR_MIN_DAYS": ["-1"],
    "HEARTH_MENTOR_MAX_MENTEES": ["0"],
    "HEARTH_TALK_NOW_OFFER_SECONDS": ["3601"],
    "HEARTH_TALK_NOW_MAX_CHATS": ["0"],
    "HEARTH_MEETING_REMINDER_MINUTES": ["0"],
    "HEARTH_RECOVERY_SWEEP_SECONDS": ["0"],
    "HEARTH_MEETING_FEED_PUBLIC": ["maybe"],
    "HEARTH_FORUM_TITLE_MAX": ["5"],
    "HEARTH_FORUM_BODY_MAX": ["99"],
    "HEARTH_FORUM_THREAD_RATE": ["lots"],
    "HEARTH_FORUM_REPLY_RATE": ["10/fortnight"],
    "HEARTH_SEARCH_RATE": ["fast"],
    "HEARTH_READ_RATE": ["600"],
    "HEARTH_NEW_ACCOUNT_MAX_LINKS": ["-1"],
    "HEARTH_TRUSTED_PROXIES": ["proxy.example", "10.0.0.0/33"],
    "HEARTH_LOGIN_FAILURE_RATE": ["5/fortnight"],
    "HEARTH_LOGIN_ACCOUNT_FAILURE_RATE": ["many"],
    "HEARTH_LOGIN_ADDRESS_FAILURE_RATE": ["many"],
    "HEARTH_STAFF_REQUIRE_TOTP": ["sometimes"],
    "HEARTH_PRIVATE_MESSAGE_DAYS": ["-1"],
    "HEARTH_FLAG_CONTEXT_DAYS": ["forever"],
    "HEARTH_MESSAGE_RATE": ["lots"],
    "HEARTH_NEW_MEMBER_MESSAGE_RATE": ["lots"],
    "HEARTH_NEW_MEMBER_THREAD_RATE": ["lots"],
    "HEARTH_CONVERSATION_OPEN_RATE": ["lots"],
    "HEARTH_REPORT_RATE": ["lots"],
    "HEARTH_ADDRESS_WRITE_RATE": ["lots"],
    "HEARTH_ADDRESS_REPORT_RATE": ["lots"],
    "HEARTH_HOST_ESCALATE_SECONDS": ["0"],
    "HEARTH_HOLD_IDENTIFYING": ["perhaps"],
    "HEARTH_PASSWORD_HASHING": ["cheap", "md5"],
}
# Settings that take any text, so no value is wrong.
ANY_VALUE = {"HEARTH_METRICS_TOKEN"}


def test_every_setting_has_a_bad_value_checked() -> None:
    assert set(BAD_VALUES) | ANY_VALUE == {s.env for s in SETTINGS}


@pytest.mark.parametrize("name, value", [(name, value) for name, values in BAD_VALUES.items() for value in values])
def test_bad_values_stop_start_up_naming_the_variable(tmp_path: Path, name: str, value: str) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("not what was asked for\n")
    value = value.replace("{file}", str(tmp_path / "file")).replace("{folder}", str(tmp_path / "folder"))
    env = {"HEARTH_DATA_DIR": str(tmp_path / "data"), name: value}
    with pytest.raises(ConfigError) as error:
        load_settings(env)
    assert name in str(error.value)


def test_client_folder_crisis_rules_and_resources_are_read_when_good(tmp_path: Path) -> None:
    rules = tmp_path / "local.yaml"
    rules.write_text("version: 1\n")
    resources = tmp_path / "resources.json"
    resources.write_text('[{"name": "Samaritans", "contact": "116 123", "detail": "Any time."}]')
    settings = load_settings(_env(tmp_path, HEARTH_CLIENT_DIR=str(ROOT / "client"), HEARTH_CRISIS_RULES_EXTRA=str(rules),
                                  HEARTH_CRISIS_RESOURCES_FILE=str(resources)))
    assert settings.client_dir == ROOT / "client" and settings.crisis_rules_extra == (rules,)
    assert load_settings(_env(tmp_path)).client_dir == ROOT / "client"


def test_allowed_origins_and_public_url(tmp_path: Path) -> None:
    settings = load_settings(_env(tmp_path, HEARTH_ALLOWED_ORIGINS="https://a.example, https://B.example",
                                  HEARTH_PUBLIC_URL="https://a.example"))
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.secure_cookies


def test_the_readme_settings_table_is_the_one_generated_from_settings() -> None:
    from scripts.settings_table import table

    assert table() in (ROOT / "README.md").read_text(), "run scripts/settings_table.py to rewrite the README table"


def test_every_variable_the_code_reads_is_a_setting_and_every_setting_is_read() -> None:
    known = {s.env for s in SETTINGS}
    sources = [*(ROOT / "server").rglob("*.py"), *(ROOT / "moderation").rglob("*.py"), ROOT / "Dockerfile"]
    named = {name for path in sources for name in re.findall(r"HEARTH_[A-Z][A-Z0-9_]*", path.read_text())}
    assert named - known == set(), "read by the code but missing from SETTINGS (and so the README)"
    config = (ROOT / "server" / "config.py").read_text()
    reading = config[config.index("_LOG_LEVELS = "):]  # the code after the SETTINGS table
    assert {name for name in known if f'"{name}"' not in reading} == set(), "documented but never read"


@pytest.mark.parametrize("name, value", [("HEARTH_PORT", "nope"), ("HEARTH_CRISIS_RULES_EXTRA", "/no/such/rules.yaml")])
def test_serve_refuses_bad_configuration(tmp_path: Path, name: str, value: str) -> None:
    import subprocess
    import sys

    # The crisis rules are read when their module is imported: the check must come first.
    result = subprocess.run([sys.executable, "-m", "server", "serve"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "HEARTH_DATA_DIR": str(tmp_path), name: value})
    assert result.returncode == 2
    assert result.stderr.startswith(f"hearth: configuration error: {name}") and "Traceback" not in result.stderr
