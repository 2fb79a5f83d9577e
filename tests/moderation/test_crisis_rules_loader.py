"""Rule files are validated at load, with errors that name the file, the rule and the problem."""
from __future__ import annotations

from pathlib import Path

import pytest

from moderation.crisis import Detector, RuleFileError, load_default_ruleset, load_ruleset
from moderation.crisis.ruleset import EXTRA_RULES_ENV, shipped_rule_files


def _write(tmp_path: Path, body: str, name: str = "extra.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _error_for(tmp_path: Path, body: str) -> RuleFileError:
    path = _write(tmp_path, body)
    with pytest.raises(RuleFileError) as caught:
        load_ruleset(None, [path])
    assert str(path) in str(caught.value)
    return caught.value


def test_shipped_rules_load_and_carry_versions() -> None:
    ruleset = load_ruleset()
    assert len(shipped_rule_files()) >= 5
    assert all(version == 1 for version in ruleset.versions.values())
    assert len(ruleset.rules) > 20


@pytest.mark.parametrize(("body", "rule_id", "fragment"), [
    ("version: 2\nrules: []\n", None, "'version' must be one of"),
    ("rules: []\n", None, "'version'"),
    ("- just\n- a list\n", None, "top level must be a mapping"),
    ("version: 1\nrulez: []\n", None, "unknown top-level keys ['rulez']"),
    ("version: 1\nrules: {}\n", None, "'rules' must be a list"),
    ("version: 1\nrules:\n  - category: suicidal\n    weight: 2\n    phrases: [x]\n", None, "valid 'id'"),
    ("version: 1\nrules:\n  - id: Bad Id\n    category: suicidal\n    weight: 2\n    phrases: [x]\n", None, "valid 'id'"),
    ("version: 1\nrules:\n  - id: extra.sad\n    category: sadness\n    weight: 2\n    phrases: [x]\n",
     "extra.sad", "'category' must be one of"),
    ("version: 1\nrules:\n  - id: extra.heavy\n    category: suicidal\n    weight: 9\n    phrases: [x]\n",
     "extra.heavy", "'weight' must be a number above 0 and at most 5"),
    ("version: 1\nrules:\n  - id: extra.text\n    category: suicidal\n    weight: high\n    phrases: [x]\n",
     "extra.text", "'weight'"),
    ("version: 1\nrules:\n  - id: extra.empty\n    category: suicidal\n    weight: 2\n    phrases: []\n",
     "extra.empty", "'phrases' must be a non-empty list"),
    ("version: 1\nrules:\n  - id: extra.gap\n    category: suicidal\n    weight: 2\n    phrases: ['... die']\n",
     "extra.gap", "may not start or end with a gap"),
    ("version: 1\nrules:\n  - id: extra.optional\n    category: suicidal\n    weight: 2\n    phrases: ['[very]']\n",
     "extra.optional", "needs at least one word that is not optional"),
    ("version: 1\nrules:\n  - id: extra.brace\n    category: suicidal\n    weight: 2\n    phrases: ['a (b)']\n",
     "extra.brace", "cannot read slot"),
    ("version: 1\nrules:\n  - id: extra.prefix\n    category: suicidal\n    weight: 2\n    phrases: ['k*']\n",
     "extra.prefix", "prefix"),
    ("version: 1\nrules:\n  - id: extra.floor\n    category: suicidal\n    weight: 2\n    min_signal: 1\n    phrases: [x]\n",
     "extra.floor", "'min_signal' is for amplifiers only"),
    ("version: 1\namplifiers:\n  - id: extra.amp\n    kind: means\n    weight: 1\n    min_signal: 0\n    phrases: [x]\n",
     "extra.amp", "'min_signal'"),
    ("version: 1\nrules:\n  - id: extra.typo\n    category: suicidal\n    wieght: 2\n    phrases: [x]\n",
     "extra.typo", "unknown keys ['wieght']"),
    ("version: 1\nrules:\n  - id: suicidal.want_to_die\n    category: suicidal\n    weight: 2\n    phrases: [x]\n",
     "suicidal.want_to_die", "duplicate id, first defined in"),
    ("version: 1\namplifiers:\n  - id: extra.amp\n    kind: loud\n    weight: 1\n    phrases: [x]\n",
     "extra.amp", "'kind' must be one of"),
    ("version: 1\nmasks:\n  - id: extra.mask\n    hides: [everything]\n    phrases: [x]\n",
     "extra.mask", "'hides' must be a list of categories"),
    ("version: 1\ncues:\n  sarcasm: [lol]\n", None, "unknown cue kind 'sarcasm'"),
    ("version: 1\nscoring:\n  negated: -1\n", None, "scoring.negated must be a number >= 0"),
    ("version: 1\nscoring:\n  vibes: 1\n", None, "unknown scoring entry 'vibes'"),
    ("version: 1\ndisable: [no.such.rule]\n", None, "'disable' names unknown rule ids"),
    ("version: 1\nthresholds:\n  high: 5\n", None, "thresholds must be positive and rise with severity"),
    ("version: 1\nrules: [\n", None, "not valid YAML/JSON"),
])
def test_bad_files_give_clear_errors(tmp_path: Path, body: str, rule_id: str | None, fragment: str) -> None:
    error = _error_for(tmp_path, body)
    assert fragment in str(error)
    assert error.rule_id == rule_id


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read file"):
        load_ruleset(None, [tmp_path / "nope.yaml"])


def test_extra_rules_add_and_disable(tmp_path: Path) -> None:
    extra = _write(tmp_path, """
version: 1
rules:
  - id: local.rock_bottom
    category: suicidal
    weight: 2
    note: A phrase our community uses.
    phrases: ["hit|hitting the final bottom"]
disable: [relapse.risk]
""")
    detector = Detector(load_ruleset(None, [extra]))
    assert detector.assess("I'm hitting the final bottom").severity == "high"
    assert detector.assess("the cravings are so bad").severity == "none"


def test_extra_rules_from_environment(tmp_path: Path) -> None:
    extra = _write(tmp_path, "version: 1\nrules:\n  - id: local.word\n    category: relapse\n"
                             "    weight: 1.5\n    phrases: [bluebird]\n")
    ruleset = load_default_ruleset({EXTRA_RULES_ENV: str(extra)})
    assert Detector(ruleset).assess("bluebird").categories == ("relapse",)
    with pytest.raises(RuleFileError):
        load_default_ruleset({EXTRA_RULES_ENV: str(tmp_path / "absent.yaml")})


def test_json_rule_files_work_too(tmp_path: Path) -> None:
    extra = _write(tmp_path, '{"version": 1, "rules": [{"id": "local.json", "category": "medical", '
                             '"weight": 3, "phrases": ["blue lips"]}]}', name="extra.json")
    assert Detector(load_ruleset(None, [extra])).assess("blue lips").severity == "imminent"


def test_shipped_phrases_have_no_slot_written_as_a_multiword_alternative() -> None:
    """Slots are space-separated: "i hate|hate my life" is i + (hate|hate) + my + life, not
    "(i hate) or (hate my life)". A word repeated in a slot or in the next required slot
    is the sign of that mistake; several rules had it and matched far less than meant."""
    import yaml

    problems = []
    for path in shipped_rule_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = [(rule["id"], phrase) for section in ("rules", "amplifiers", "masks")
                   for rule in data.get(section) or [] for phrase in rule["phrases"]]
        entries += [(f"cues.{kind}", phrase) for kind, phrases in (data.get("cues") or {}).items()
                    for phrase in phrases]
        for rule_id, phrase in entries:
            slots = phrase.split()
            for index, slot in enumerate(slots):
                alternatives = slot.split("|")
                if len(alternatives) != len(set(alternatives)):
                    problems.append((path.name, rule_id, phrase))
                following = slots[index + 1] if index + 1 < len(slots) else ""
                if slot.startswith("[") or following.startswith("[") or not following:
                    continue
                if set(alternatives) & set(following.split("|")):
                    problems.append((path.name, rule_id, phrase))
    assert not problems, problems
