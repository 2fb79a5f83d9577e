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


@pytest.mark.parametrize(
    "name, value",
    [
        ("HEARTH_PORT", "eighty"),
        ("HEARTH_PORT", "70000"),
        ("HEARTH_DATABASE_URL", "mysql://root@localhost/x"),
        ("HEARTH_REDIS_URL", "http://localhost:6379"),
        ("HEARTH_ALLOWED_ORIGINS", "not a url"),
        ("HEARTH_ALLOWED_ORIGINS", "https://ok.example/path"),
        ("HEARTH_SECRET_KEY", "short"),
        ("HEARTH_SESSION_IDLE_MINUTES", "0"),
        ("HEARTH_LOG_LEVEL", "loud"),
        ("HEARTH_BROKER_PREFIX", "has spaces"),
        ("HEARTH_HASH_CONCURRENCY", "-1"),
        ("HEARTH_WS_IMPL", "tornado"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env(tmp_path, **{name: value}))
    assert name in str(error.value)


def test_allowed_origins_and_public_url(tmp_path: Path) -> None:
    settings = load_settings(_env(tmp_path, HEARTH_ALLOWED_ORIGINS="https://a.example, https://B.example",
                                  HEARTH_PUBLIC_URL="https://a.example"))
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
    assert settings.secure_cookies


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, f"{setting.env} is missing from the README settings table"


def test_serve_refuses_bad_configuration(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "server", "serve"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "HEARTH_DATA_DIR": str(tmp_path), "HEARTH_PORT": "nope"})
    assert result.returncode == 2
    assert "HEARTH_PORT" in result.stderr
