"""Rate limits: refused with a Retry-After once over any window; settings an operator can change or turn off."""

from __future__ import annotations

import pytest

from server.config import ConfigError, load_settings
from server.errors import RateLimited
from server.ratelimit import RateLimits


async def test_over_the_limit_is_refused_with_retry_after() -> None:
    limits = RateLimits(None, "unit")
    for _ in range(2):
        await limits.check("reply", "2/minute;5/hour", 7)
    with pytest.raises(RateLimited) as refused:
        await limits.check("reply", "2/minute;5/hour", 7)
    assert 1 <= refused.value.retry_after <= 60
    assert refused.value.headers["Retry-After"] == str(refused.value.retry_after)
    await limits.check("reply", "2/minute;5/hour", 8)  # someone else is not affected
    await limits.check("search", "2/minute", 7)  # nor is another limit


async def test_a_refusal_uses_up_no_other_window() -> None:
    limits = RateLimits(None, "unit")
    await limits.check("t", "1/minute;2/hour", 1)
    for _ in range(3):
        with pytest.raises(RateLimited):
            await limits.check("t", "1/minute;2/hour", 1)
    stats = await limits._limiter.get_window_stats(limits._items("1/minute;2/hour")[1], "t", "1")
    assert stats.remaining == 1


async def test_empty_spec_means_no_limit() -> None:
    limits = RateLimits(None, "unit")
    for _ in range(50):
        await limits.check("x", "", 1)


def _env(**extra: str) -> dict[str, str]:
    return {"HEARTH_DATA_DIR": "/tmp/hearth-unit", "HEARTH_SECRET_KEY": "k" * 40, **extra}


def test_rate_settings_parse_and_can_be_turned_off() -> None:
    settings = load_settings(_env(HEARTH_FORUM_REPLY_RATE="off", HEARTH_SEARCH_RATE="5/second"))
    assert settings.forum_reply_rate == "" and settings.search_rate == "5/second"
    assert settings.forum_thread_rate == "3/10minutes;20/day"


@pytest.mark.parametrize("name, value", [
    ("HEARTH_FORUM_REPLY_RATE", "lots"),
    ("HEARTH_FORUM_THREAD_RATE", "3 per fortnight"),
    ("HEARTH_FORUM_BODY_MAX", "5"),
    ("HEARTH_NEW_ACCOUNT_MAX_LINKS", "-1"),
])
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env(**{name: value}))
    assert name in str(error.value)
