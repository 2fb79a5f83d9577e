"""The write-path rules around the automatic flags (what is held, refused, or
only flagged, and where), the moderation settings, and the address key."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from moderation.autoflags import WatchedWord, check_text
from moderation.screening import Blocked, judge
from server.config import ConfigError, load_settings
from server.ratelimit import address_key


def _h(hold_identifying: bool = True) -> SimpleNamespace:
    return SimpleNamespace(settings=SimpleNamespace(hold_identifying=hold_identifying))


BLOCK = WatchedWord(id="w1", pattern="bluelight", action="block", message="Please leave that word out.")
REPLACE = WatchedWord(id="w2", pattern="junkie", action="replace", replacement="person in recovery")


def _judge(text: str, *, place: str = "room", edit: bool = False, new: bool = False, hold_identifying: bool = True,
           watched: tuple[WatchedWord, ...] = ()):  # type: ignore[no-untyped-def]
    return judge(_h(hold_identifying), text, check_text(text, is_new_account=new, watched=watched),  # type: ignore[arg-type]
                 place=place, edit=edit, new_account=new)


def test_identifying_details_are_held_with_a_gentle_notice() -> None:
    verdict = _judge("call me at 555-0134")
    assert verdict.hold and verdict.notice and "moderator" in verdict.notice
    assert [f.kind for f in verdict.findings] == ["identifying"]
    assert not _judge("I have 555 days").hold and not _judge("I have 555 days").findings


def test_operators_can_flag_identifying_details_instead_of_holding() -> None:
    verdict = _judge("call me at 555-0134", hold_identifying=False)
    assert not verdict.hold and [f.action for f in verdict.findings] == ["flag"]


def test_block_refuses_with_the_admins_words_and_replace_rewrites() -> None:
    with pytest.raises(Blocked) as refused:
        _judge("anyone into bluelight", watched=(BLOCK,))
    assert refused.value.detail == "Please leave that word out." and refused.value.status == 422
    verdict = _judge("I was a junkie", watched=(REPLACE,))
    assert verdict.text == "I was a person in recovery" and not verdict.findings and not verdict.hold


def test_a_crisis_message_is_never_blocked_or_held() -> None:
    verdict = _judge("I want to die tonight, bluelight, I'm at 123 Main Street", watched=(BLOCK,))
    assert not verdict.hold
    assert {f.action for f in verdict.findings} == {"flag"}  # a person still looks


def test_private_conversations_keep_only_block_and_replace() -> None:
    verdict = _judge("my number is 555-0134, selling oxy", place="conversation")
    assert not verdict.hold and not verdict.findings
    with pytest.raises(Blocked):
        _judge("bluelight", place="conversation", watched=(BLOCK,))


def test_edits_are_flagged_not_held_and_links_matter_only_for_new_accounts() -> None:
    assert [f.action for f in _judge("text me 555-0134", edit=True).findings] == ["flag"]
    assert not _judge("see cheap-pills.shop").findings
    assert _judge("see cheap-pills.shop", new=True).hold


@pytest.mark.parametrize("name,value", [
    ("HEARTH_MESSAGE_RATE", "lots"), ("HEARTH_REPORT_RATE", "5 per fortnight"), ("HEARTH_ADDRESS_WRITE_RATE", "x/y"),
    ("HEARTH_HOST_ESCALATE_SECONDS", "0"), ("HEARTH_HOLD_IDENTIFYING", "maybe"),
])
def test_bad_moderation_settings_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_SECRET_KEY": "k" * 40, name: value})


def test_rates_can_be_turned_off(tmp_path: Path) -> None:
    settings = load_settings({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_SECRET_KEY": "k" * 40, "HEARTH_ADDRESS_WRITE_RATE": "off"})
    assert settings.address_write_rate == "" and settings.report_rate == "10/hour;20/day"


def test_an_address_becomes_a_keyed_hash_before_any_limiter_sees_it() -> None:
    key = address_key("secret-one", "203.0.113.77")
    assert "203" not in key and "113" not in key and key == address_key("secret-one", "203.0.113.77")
    assert key != address_key("secret-two", "203.0.113.77") and key != address_key("secret-one", "203.0.113.78")
