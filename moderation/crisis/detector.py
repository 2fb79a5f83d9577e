"""Match rules, judge their scope, and turn what is left into an assessment."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import NO_CONCERN, SEVERITIES, Assessment, Evidence
from .normalize import Tokens, tokenize
from .ruleset import CompiledRule, RuleSet
from .scope import ScopeJudge


@dataclass(frozen=True, slots=True)
class _Match:
    rule: CompiledRule
    first: int  # token indices, inclusive
    last: int
    explicit_subject: bool = True


def _token_index(tokens: Tokens, position: int) -> int:
    offsets = tokens.offsets
    low, high = 0, len(offsets) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if offsets[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low


def _find_matches(tokens: Tokens, ruleset: RuleSet) -> list[_Match]:
    candidates: set[int] = set()
    triggered_by = ruleset.rules_triggered_by
    for word in tokens.words:
        found = triggered_by(word)
        if found:
            candidates.update(found)
    matches: list[_Match] = []
    rules = ruleset.rules
    joined = tokens.joined
    for index in sorted(candidates):
        rule = rules[index]
        for match in rule.pattern.finditer(joined):
            explicit = rule.explicit_subject[(match.lastindex or 1) - 1] if rule.explicit_subject else True
            matches.append(_Match(rule, _token_index(tokens, match.start()), _token_index(tokens, match.end() - 2),
                                  explicit))
    # Words typed letter by letter ("k i l l m y s e l f") became one token;
    # rare enough that trying every rule's compact form on them is cheap.
    for index in tokens.spaced:
        word = tokens.words[index]
        for rule in rules:
            if rule.kind != "mask" and rule.compact_pattern.search(word):
                matches.append(_Match(rule, index, index))
    return matches


def _overlaps(a: _Match, b: _Match) -> bool:
    return a.first <= b.last and b.first <= a.last


def find_evidence(text: str, ruleset: RuleSet, context_index: int | None = None) -> list[Evidence]:
    """All evidence in one text, weights already adjusted for scope and idiom."""
    tokens = tokenize(text)
    if not tokens.words:
        return []
    matches = _find_matches(tokens, ruleset)
    if not matches:
        return []
    masks = [m for m in matches if m.rule.kind == "mask"]
    judge = ScopeJudge(text, tokens, ruleset)
    scoring = ruleset.scoring
    evidence: list[Evidence] = []
    for match in matches:
        rule = match.rule
        if rule.kind == "mask":
            continue
        hiding = next((mask for mask in masks if rule.category in mask.rule.targets and _overlaps(mask, match)), None)
        if hiding is not None:
            factor, scopes = 0.0, (f"idiom:{hiding.rule.id}",)
        else:
            factor, scopes = judge.judge(rule, match.first, match.last, match.explicit_subject, scoring)
        start = tokens.spans[match.first][0]
        end = tokens.spans[match.last][1]
        evidence.append(Evidence(
            rule=rule.id, category=rule.category, phrase=text[start:end], start=start, end=end,
            weight=rule.weight * factor, base_weight=rule.weight, kind=rule.kind, scope=scopes,
            context_index=context_index,
        ))
    return evidence


def _severity_for(score: float, ruleset: RuleSet) -> str:
    severity = SEVERITIES[0]
    for name in SEVERITIES[1:]:
        if score >= ruleset.thresholds[name]:
            severity = name
    return severity


def score_evidence(evidence: Sequence[Evidence], ruleset: RuleSet) -> tuple[float, tuple[str, ...]]:
    """Combine evidence into (score, categories ordered by weight).

    The strongest signal sets the level; further distinct signals add a
    damped share (several mild signals together are worth more than one, but
    ten mentions of the same word are not ten times the danger). Amplifiers
    (means, timing, plan, farewell) count only next to a real signal of a
    category they apply to, so "tonight" alone is nothing.
    """
    scoring = ruleset.scoring
    amplifiers: dict[str, list[Evidence]] = {}
    signals: list[Evidence] = []
    seen_rules: set[str] = set()
    ranked = sorted((item for item in evidence if item.weight > 0), key=lambda item: item.weight, reverse=True)
    for item in ranked:
        if item.kind != "signal":
            amplifiers.setdefault(item.category, []).append(item)
            continue
        # One rule counts once, and a weaker match inside a stronger one's span
        # ("suicide" inside "commit suicide") adds nothing.
        if item.rule in seen_rules or any(_same_span(item, kept) for kept in signals):
            continue
        seen_rules.add(item.rule)
        signals.append(item)
    if not signals:
        return 0.0, ()
    score = signals[0].weight + min(scoring["extra_cap"], scoring["extra_factor"] * sum(s.weight for s in signals[1:]))
    boost = 0.0
    for same_kind in amplifiers.values():
        # Each kind (means, timing, ...) counts once: its strongest instance near a signal.
        boost += max((amplifier.weight for amplifier in same_kind
                      if _amplifies(amplifier, signals, ruleset)), default=0.0)
    score += min(scoring["amplifier_cap"], boost)
    categories: list[str] = []
    for item in signals:
        if item.category not in categories:
            categories.append(item.category)
        if _rule_by_id(ruleset, item.rule).about_other and "concern_for_other" not in categories:
            categories.append("concern_for_other")
    return score, tuple(categories)


def _amplifies(amplifier: Evidence, signals: Sequence[Evidence], ruleset: RuleSet) -> bool:
    targets = _rule_by_id(ruleset, amplifier.rule).targets
    scoring = ruleset.scoring
    return any(s.category in targets and s.weight >= scoring["amplifier_min_signal"]
               and _near(amplifier, s, scoring["amplifier_reach"]) for s in signals)


def _near(amplifier: Evidence, signal: Evidence, reach: float) -> bool:
    # In one long post "pills" three paragraphs away says nothing about the
    # sentence that matched; across messages (context) nearness is the point.
    if amplifier.context_index != signal.context_index:
        return True
    return abs(amplifier.start - signal.start) <= reach


def _same_span(a: Evidence, b: Evidence) -> bool:
    return a.context_index == b.context_index and a.start < b.end and b.start < a.end


def _rule_by_id(ruleset: RuleSet, rule_id: str) -> CompiledRule:
    return ruleset.rule_index[rule_id]


class Detector:
    """Assess texts against one compiled rule set. Pure: no I/O after construction."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset

    def assess(self, text: str, context: Sequence[str] = ()) -> Assessment:
        ruleset = self.ruleset
        evidence = find_evidence(text, ruleset)
        if not any(item.weight > 0 for item in evidence):
            # Context only escalates something present now; a calm message
            # after distressing ones was already assessed when they were sent.
            if not evidence:
                return NO_CONCERN
            return Assessment(severity="none", evidence=tuple(evidence), score=0.0)
        score, categories = score_evidence(evidence, ruleset)
        recent = list(context)[-int(ruleset.scoring["context_messages"]):] if context else []
        if recent:
            offset = len(context) - len(recent)
            factor = ruleset.scoring["context_factor"]
            earlier: list[Evidence] = []
            for position, message in enumerate(recent):
                for item in find_evidence(message, ruleset, context_index=offset + position):
                    if item.weight > 0:
                        earlier.append(_scaled(item, factor))
            if earlier:
                combined_score, combined_categories = score_evidence(evidence + earlier, ruleset)
                if combined_score > score:
                    score, categories = combined_score, combined_categories
                    evidence = evidence + earlier
        severity = _severity_for(score, ruleset)
        if severity == "none":
            categories = ()
        ordered = tuple(sorted(evidence, key=lambda item: (item.context_index is not None, -item.weight, item.start)))
        return Assessment(severity=severity, categories=categories, evidence=ordered, score=round(score, 4))


def _scaled(item: Evidence, factor: float) -> Evidence:
    return Evidence(
        rule=item.rule, category=item.category, phrase=item.phrase, start=item.start, end=item.end,
        weight=item.weight * factor, base_weight=item.base_weight, kind=item.kind,
        scope=item.scope + ("context",), context_index=item.context_index,
    )
