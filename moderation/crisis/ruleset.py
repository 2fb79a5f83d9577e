"""Load, validate and compile rule files.

Rule files are YAML (or JSON, which YAML reads too) with a `version` field.
The shipped files live in `moderation/crisis/rules/`; an admin can add files
without touching the package by listing them in HEARTH_CRISIS_RULES_EXTRA
(separated by os.pathsep). Every problem is reported with the file, the rule
id and what is wrong, because a half-loaded rule set would fail silently in
the one place where silence is dangerous.
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .model import CATEGORIES, SEVERITIES
from .phrases import CompiledPhrase, PhraseError, compile_phrase

SUPPORTED_VERSIONS = (1,)
RULES_DIR = Path(__file__).with_name("rules")
EXTRA_RULES_ENV = "HEARTH_CRISIS_RULES_EXTRA"

AMPLIFIER_KINDS = ("timing", "means", "plan", "farewell")
CUE_KINDS = (
    "negation",      # "not", "never": the danger is denied
    "past",          # "years ago", "used to": the danger is history
    "present",       # "again", "right now": overrides past
    "recovery",      # "sober", "clean": a recovery story around the past
    "reported",      # "she said", "lyrics": someone else's words
    "help_seeking",  # "hotline", "resources": a question about help, asked in a question
    "other_subject", # "you", "he", "people": the phrase is about someone else
    "self_subject",  # "i", "me": the phrase is about the writer
    "second_person", # "you", "your": counted to tell a reply to someone from a self-disclosure
    "hypothetical",  # "what if", "if i ever": not a statement of fact
)
DANGER_CATEGORIES = ("suicidal", "self_harm", "harm_to_others", "medical")
DEFAULT_SCORING: dict[str, float] = {
    "negated": 0.0,
    "past": 0.45,
    "past_with_recovery": 0.25,
    "reported": 0.3,
    "other_subject": 0.3,
    "unattributed": 1.0,     # a subject-less phrase with no subject nearby, in a text mostly about the writer
    "unattributed_reply": 0.3,  # the same, in a text that speaks mostly to "you" (a reply, advice)
    "help_question": 0.4,
    "hypothetical": 0.5,
    "deliberation": 1.0,     # "if I kill myself, ..." about the writer's own death
    "history_with_distress": 0.8,  # a past attempt next to present distress (see detector._history_with_distress)
    "extra_factor": 0.3,     # share of further distinct signals added to the strongest
    "extra_cap": 1.0,
    "stack_factor": 1.0,     # share for further distinct suicidal/self-harm signals next to a suicidal/self-harm one
    "amplifier_cap": 1.5,
    "amplifier_min_signal": 1.5,  # amplifiers only count next to a signal this strong...
    "amplifier_reach": 200,       # ...within this many characters in the same message
    "context_factor": 0.7,   # weight of signals from the author's recent messages
    "context_messages": 5,
}
DEFAULT_THRESHOLDS: dict[str, float] = {"concern": 1.0, "high": 2.0, "imminent": 3.0}
_ID_RE = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$")
_SELF_WORDS = frozenset("i im ive id il me my myself mine myslef meself mself mysef myselv".split())
_TOP_LEVEL = frozenset(("version", "revision", "description", "rules", "amplifiers", "masks",
                        "cues", "scoring", "thresholds", "disable"))


def _names_self(phrase: str) -> bool:
    """True when some required slot is always a first-person word ("i", "myself").

    Only then does the phrase carry its own subject; "feeling suicidal" does
    not, so the detector looks for the subject ("I'm" or "you're") around it.
    """
    for slot in phrase.lower().replace("'", "").replace("\u2019", "").split():
        if slot.startswith("[") or slot.startswith("{") or slot == "...":
            continue
        alternatives = slot.split("|")
        if all(set(alternative.split("_")) & _SELF_WORDS for alternative in alternatives):
            return True
    return False


class RuleFileError(ValueError):
    """A rule file that cannot be used. str() names the file, the rule and the problem."""

    def __init__(self, path: str | Path, problem: str, rule_id: str | None = None) -> None:
        self.path = str(path)
        self.rule_id = rule_id
        self.problem = problem
        where = f"{self.path}: rule {rule_id!r}" if rule_id else self.path
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: str
    kind: str                 # "signal", "amplifier" or "mask"
    category: str             # a category; for amplifiers their kind; "mask" for masks
    weight: float
    about_other: bool = False
    past_tense: bool = False
    targets: frozenset[str] = frozenset()  # amplifiers: categories boosted; masks: categories hidden
    source: str = ""
    min_signal: float | None = None  # amplifiers: the weakest signal they count next to (None: scoring's)


@dataclass(frozen=True, slots=True)
class PhraseMatcher:
    """One phrase of one rule, compiled."""

    rule: CompiledRule
    pattern: re.Pattern[str]
    compact_pattern: re.Pattern[str]
    max_words: int
    explicit_subject: bool  # does the phrase name its own subject ("I", "myself")?


_TRIGGER_CACHE_LIMIT = 100_000


@dataclass(frozen=True, slots=True, eq=False)
class RuleSet:
    rules: tuple[CompiledRule, ...]
    phrases: tuple[PhraseMatcher, ...]
    exact_triggers: Mapping[str, tuple[int, ...]]    # word -> phrase indices
    prefix_triggers: tuple[tuple[str, int], ...]     # (prefix, phrase index)
    compact_triggers: re.Pattern[str]                # any trigger word, for spaced-out tokens
    compact_phrases: Mapping[str, tuple[int, ...]]   # trigger word or prefix -> phrase indices
    cue_words: Mapping[str, tuple[str, ...]]         # one-word cues: word -> cue kinds
    cue_patterns: Mapping[str, re.Pattern[str]]      # longer cues, per kind
    scoring: Mapping[str, float]
    thresholds: Mapping[str, float]
    versions: Mapping[str, int] = field(default_factory=dict)
    rule_index: Mapping[str, CompiledRule] = field(default_factory=dict)
    _trigger_cache: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    def phrases_triggered_by(self, word: str) -> tuple[int, ...]:
        cached = self._trigger_cache.get(word)
        if cached is not None:
            return cached
        found = set(self.exact_triggers.get(word, ()))
        for prefix, index in self.prefix_triggers:
            if word.startswith(prefix):
                found.add(index)
        # Bounded so a flood of unique junk words cannot grow memory without end.
        if len(self._trigger_cache) >= _TRIGGER_CACHE_LIMIT:
            self._trigger_cache.clear()
        result = self._trigger_cache[word] = tuple(sorted(found))
        return result


def _read(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RuleFileError(path, f"cannot read file ({error.strerror or error})") from None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise RuleFileError(path, f"not valid YAML/JSON: {error}") from None
    if not isinstance(data, dict):
        raise RuleFileError(path, "top level must be a mapping with a 'version' field")
    version = data.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise RuleFileError(path, f"'version' must be one of {SUPPORTED_VERSIONS}, got {version!r}")
    unknown = sorted(set(data) - _TOP_LEVEL)
    if unknown:
        raise RuleFileError(path, f"unknown top-level keys {unknown}; allowed: {sorted(_TOP_LEVEL)}")
    return data


def _string_list(value: Any, path: Path, what: str, rule_id: str | None = None) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise RuleFileError(path, f"'{what}' must be a non-empty list of non-empty strings", rule_id)
    return value


def _compile(phrase: str, path: Path, rule_id: str | None) -> CompiledPhrase:
    try:
        return compile_phrase(phrase)
    except PhraseError as error:
        raise RuleFileError(path, str(error), rule_id) from None


def _categories(value: Any, default: Sequence[str], path: Path, rule_id: str, what: str) -> frozenset[str]:
    if value is None:
        return frozenset(default)
    if not isinstance(value, list) or not all(item in CATEGORIES for item in value):
        raise RuleFileError(path, f"'{what}' must be a list of categories from {CATEGORIES}", rule_id)
    return frozenset(value)


class _Builder:
    def __init__(self) -> None:
        self.rules: list[CompiledRule] = []
        self.phrases: list[list[tuple[CompiledPhrase, bool]]] = []  # per rule: (phrase, names its subject)
        self.seen: dict[str, str] = {}
        self.disabled: set[str] = set()
        self.cue_phrases: dict[str, list[str]] = {kind: [] for kind in CUE_KINDS}
        self.scoring = dict(DEFAULT_SCORING)
        self.thresholds = dict(DEFAULT_THRESHOLDS)
        self.versions: dict[str, int] = {}

    def add_file(self, path: Path) -> None:
        data = _read(path)
        self.versions[str(path)] = data["version"]
        for section, kind in (("rules", "signal"), ("amplifiers", "amplifier"), ("masks", "mask")):
            entries = data.get(section, [])
            if not isinstance(entries, list):
                raise RuleFileError(path, f"'{section}' must be a list")
            for entry in entries:
                self._add_rule(path, kind, entry)
        self._add_cues(path, data.get("cues") or {})
        self._add_numbers(path, data.get("scoring") or {}, self.scoring, "scoring")
        self._add_numbers(path, data.get("thresholds") or {}, self.thresholds, "thresholds")
        disable = data.get("disable", [])
        if disable:
            self.disabled.update(_string_list(disable, path, "disable"))

    def _add_rule(self, path: Path, kind: str, entry: Any) -> None:
        if not isinstance(entry, dict):
            raise RuleFileError(path, f"every entry of the {kind} list must be a mapping")
        rule_id = entry.get("id")
        if not isinstance(rule_id, str) or not _ID_RE.match(rule_id):
            raise RuleFileError(path, f"{kind} without a valid 'id' (lower-case words joined by dots), got {rule_id!r}")
        if rule_id in self.seen:
            raise RuleFileError(path, f"duplicate id, first defined in {self.seen[rule_id]}", rule_id)
        self.seen[rule_id] = str(path)
        allowed = {"id", "phrases", "note", "weight", "category", "about", "tense", "kind", "applies_to", "hides",
                   "min_signal"}
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise RuleFileError(path, f"unknown keys {unknown}", rule_id)
        phrases = _string_list(entry.get("phrases"), path, "phrases", rule_id)
        weight = 0.0
        if kind != "mask":
            weight = entry.get("weight")
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 5:
                raise RuleFileError(path, f"'weight' must be a number above 0 and at most 5, got {weight!r}", rule_id)
        category = kind
        targets: frozenset[str] = frozenset()
        if kind == "signal":
            category = entry.get("category")
            if category not in CATEGORIES:
                raise RuleFileError(path, f"'category' must be one of {CATEGORIES}, got {category!r}", rule_id)
        elif kind == "amplifier":
            category = entry.get("kind")
            if category not in AMPLIFIER_KINDS:
                raise RuleFileError(path, f"'kind' must be one of {AMPLIFIER_KINDS}, got {category!r}", rule_id)
            targets = _categories(entry.get("applies_to"), ("suicidal", "self_harm", "harm_to_others"),
                                  path, rule_id, "applies_to")
        else:
            targets = _categories(entry.get("hides"), DANGER_CATEGORIES, path, rule_id, "hides")
        min_signal = entry.get("min_signal")
        if min_signal is not None and (kind != "amplifier" or isinstance(min_signal, bool)
                                       or not isinstance(min_signal, (int, float)) or not 0 < min_signal <= 5):
            raise RuleFileError(path, "'min_signal' is for amplifiers only: a number above 0 and at most 5, "
                                f"got {min_signal!r}", rule_id)
        about = entry.get("about", "self")
        tense = entry.get("tense", "present")
        if about not in ("self", "other"):
            raise RuleFileError(path, f"'about' must be 'self' or 'other', got {about!r}", rule_id)
        if tense not in ("present", "past"):
            raise RuleFileError(path, f"'tense' must be 'present' or 'past', got {tense!r}", rule_id)
        # Abuse at home is by definition done by someone else: no subject check.
        inherent = about == "other" or category == "danger_at_home"
        compiled = [(_compile(phrase, path, rule_id), inherent or _names_self(phrase)) for phrase in phrases]
        self.rules.append(CompiledRule(
            id=rule_id, kind=kind, category=category, weight=float(weight), about_other=about == "other",
            past_tense=tense == "past", targets=targets, source=str(path),
            min_signal=None if min_signal is None else float(min_signal),
        ))
        self.phrases.append(compiled)

    def _add_cues(self, path: Path, cues: Any) -> None:
        if not isinstance(cues, dict):
            raise RuleFileError(path, "'cues' must be a mapping of cue kind to phrase list")
        for kind, phrases in cues.items():
            if kind not in CUE_KINDS:
                raise RuleFileError(path, f"unknown cue kind {kind!r}; allowed: {CUE_KINDS}")
            self.cue_phrases[kind].extend(_string_list(phrases, path, f"cues.{kind}"))

    @staticmethod
    def _add_numbers(path: Path, values: Any, target: dict[str, float], section: str) -> None:
        if not isinstance(values, dict):
            raise RuleFileError(path, f"'{section}' must be a mapping of names to numbers")
        for name, value in values.items():
            if name not in target:
                raise RuleFileError(path, f"unknown {section} entry {name!r}; allowed: {sorted(target)}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise RuleFileError(path, f"{section}.{name} must be a number >= 0, got {value!r}")
            target[name] = float(value)

    def build(self, origin: str) -> RuleSet:
        if not self.rules:
            raise RuleFileError(origin, "no rules loaded")
        missing = sorted(self.disabled - set(self.seen))
        if missing:
            raise RuleFileError(origin, f"'disable' names unknown rule ids {missing}")
        ordered = [self.thresholds[name] for name in SEVERITIES[1:]]
        if ordered != sorted(ordered) or ordered[0] <= 0:
            raise RuleFileError(origin, f"thresholds must be positive and rise with severity, got {self.thresholds}")
        rules: list[CompiledRule] = []
        matchers: list[PhraseMatcher] = []
        exact: dict[str, list[int]] = {}
        prefixes: list[tuple[str, int]] = []
        for rule, phrases in zip(self.rules, self.phrases):
            if rule.id in self.disabled:
                continue
            rules.append(rule)
            for phrase, explicit in phrases:
                index = len(matchers)
                matchers.append(PhraseMatcher(
                    rule=rule, pattern=re.compile("(?<= )" + phrase.pattern),
                    compact_pattern=re.compile(phrase.compact_pattern), max_words=phrase.max_words,
                    explicit_subject=explicit,
                ))
                for word in phrase.triggers.exact:
                    exact.setdefault(word, []).append(index)
                prefixes.extend((prefix, index) for prefix in phrase.triggers.prefixes)
        compact_phrases: dict[str, list[int]] = {}
        for word, ids in exact.items():
            compact_phrases.setdefault(word, []).extend(ids)
        for prefix, index in prefixes:
            compact_phrases.setdefault(prefix, []).append(index)
        # Longest first, so "suicide" wins over "sui" inside a spaced-out word.
        alternatives = sorted(compact_phrases, key=len, reverse=True)
        compact_triggers = re.compile("|".join(re.escape(word) for word in alternatives) or "(?!)")
        cue_words: dict[str, list[str]] = {}
        cue_patterns: dict[str, re.Pattern[str]] = {}
        for kind, phrases_of_kind in self.cue_phrases.items():
            longer: list[str] = []
            for text in phrases_of_kind:
                compiled = _compile(text, Path(origin), f"cues.{kind}")
                if compiled.single_words:
                    for word in compiled.single_words:
                        cue_words.setdefault(word, []).append(kind)
                else:
                    longer.append("(?:" + compiled.pattern + ")")
            if longer:
                cue_patterns[kind] = re.compile("(?<= )(?:" + "|".join(longer) + ")")
        return RuleSet(
            rules=tuple(rules),
            phrases=tuple(matchers),
            exact_triggers={word: tuple(dict.fromkeys(ids)) for word, ids in exact.items()},
            prefix_triggers=tuple(dict.fromkeys(prefixes)),
            compact_triggers=compact_triggers,
            compact_phrases={word: tuple(dict.fromkeys(ids)) for word, ids in compact_phrases.items()},
            cue_words={word: tuple(dict.fromkeys(kinds)) for word, kinds in cue_words.items()},
            cue_patterns=cue_patterns,
            scoring=dict(self.scoring),
            thresholds=dict(self.thresholds),
            versions=dict(self.versions),
            rule_index={rule.id: rule for rule in rules},
        )


def shipped_rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.yaml"))


def extra_rule_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    value = (os.environ if environ is None else environ).get(EXTRA_RULES_ENV, "")
    return [Path(part) for part in value.split(os.pathsep) if part.strip()]


def load_ruleset(paths: Sequence[str | Path] | None = None, extra: Sequence[str | Path] = ()) -> RuleSet:
    """Compile rule files into a RuleSet.

    With no `paths`, the shipped files are used. `extra` files are loaded after
    them: they may add rules, cues and masks, override scoring numbers and
    thresholds, and `disable` shipped rules by id.
    """
    files = [Path(p) for p in (shipped_rule_files() if paths is None else paths)] + [Path(p) for p in extra]
    builder = _Builder()
    for path in files:
        builder.add_file(path)
    return builder.build(", ".join(str(path) for path in files) or "<no files>")


def load_default_ruleset(environ: Mapping[str, str] | None = None) -> RuleSet:
    return load_ruleset(None, extra_rule_files(environ))
