"""Match rules, judge their scope, and turn what is left into an assessment."""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from .model import NO_CONCERN, SEVERITIES, Assessment, Evidence
from .normalize import Tokens, tokenize
from .ruleset import CompiledRule, RuleSet
from .scope import ScopeJudge


MAX_EVIDENCE = 64


@dataclass(frozen=True, slots=True)
class _Match:
    rule: CompiledRule
    first: int  # token indices, inclusive
    last: int
    explicit_subject: bool = True


def _token_index(tokens: Tokens, position: int) -> int:
    return max(0, bisect_left(tokens.offsets, position + 1) - 1)


def _find_matches(tokens: Tokens, ruleset: RuleSet) -> list[_Match]:
    """Run only the phrases whose trigger word occurs, only around where it occurs."""
    windows: dict[int, list[int]] = {}
    triggered_by = ruleset.phrases_triggered_by
    for position, word in enumerate(tokens.words):
        for index in triggered_by(word):
            windows.setdefault(index, []).append(position)
    found: dict[tuple[str, int, int], _Match] = {}
    joined = tokens.joined
    offsets = tokens.offsets
    last_token = len(offsets) - 1
    for index, positions in windows.items():
        phrase = ruleset.phrases[index]
        for low, high in _merged_windows(positions, phrase.max_words, last_token):
            end = offsets[high] + len(tokens.words[high]) + 1
            for match in phrase.pattern.finditer(joined, offsets[low], end):
                first = _token_index(tokens, match.start())
                last = _token_index(tokens, match.end() - 2)
                key = (phrase.rule.id, first, last)
                if key not in found:
                    found[key] = _Match(phrase.rule, first, last, phrase.explicit_subject)
    # Words typed letter by letter ("k i l l m y s e l f") became one token;
    # look for trigger words inside it, then try those phrases' compact forms.
    for position in tokens.spaced:
        word = tokens.words[position]
        candidates = {index for hit in ruleset.compact_triggers.findall(word)
                      for index in ruleset.compact_phrases.get(hit, ())}
        for index in sorted(candidates):
            phrase = ruleset.phrases[index]
            if phrase.rule.kind != "mask" and phrase.compact_pattern.search(word):
                key = (phrase.rule.id, position, position)
                found.setdefault(key, _Match(phrase.rule, position, position, phrase.explicit_subject))
    return list(found.values())


def _merged_windows(positions: list[int], reach: int, last_token: int) -> list[tuple[int, int]]:
    """Token ranges to search: every match holding a trigger at p lies in [p - reach + 1, p + reach - 1].

    Overlapping ranges are merged and searched once, so each token is scanned a
    bounded number of times. (Skipping a trigger whose start was inside an
    earlier range missed "I want to talk about how I want to die": the first
    range ended before "die".)
    """
    merged: list[tuple[int, int]] = []
    for position in positions:
        low, high = max(0, position - reach + 1), min(last_token, position + reach - 1)
        if merged and low <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def _hiding_mask(match: _Match, masks: list[_Match], firsts: list[int], longest: int) -> _Match | None:
    """The idiom mask overlapping `match` that hides its category, if any."""
    index = bisect_left(firsts, match.first - longest)
    while index < len(masks) and masks[index].first <= match.last:
        mask = masks[index]
        if mask.last >= match.first and match.rule.category in mask.rule.targets:
            return mask
        index += 1
    return None


def _without_parts_of_past_events(matches: list[_Match]) -> list[_Match]:
    """Drop present-tense signals that are words of a past event's phrase.

    "kill myself" inside "I tried to kill myself" is the attempt being told,
    not a second, present wish: the attempt's rule and its tense judge it.
    """
    events = [m for m in matches if m.rule.kind == "signal" and m.rule.past_tense]
    if not events:
        return matches
    return [m for m in matches
            if m.rule.kind != "signal" or m.rule.past_tense
            or not any(e.first <= m.first and m.last <= e.last and e.rule.category == m.rule.category
                       for e in events)]


def find_evidence(text: str, ruleset: RuleSet, context_index: int | None = None) -> list[Evidence]:
    """All evidence in one text, weights already adjusted for scope and idiom."""
    tokens = tokenize(text)
    if not tokens.words:
        return []
    matches = _find_matches(tokens, ruleset)
    if not matches:
        return []
    matches = _without_parts_of_past_events(matches)
    masks = sorted((m for m in matches if m.rule.kind == "mask"), key=lambda m: m.first)
    mask_firsts = [mask.first for mask in masks]
    longest_mask = max((mask.last - mask.first for mask in masks), default=0)
    judge = ScopeJudge(text, tokens, ruleset)
    scoring = ruleset.scoring
    evidence: list[Evidence] = []
    for match in matches:
        rule = match.rule
        if rule.kind == "mask":
            continue
        hiding = _hiding_mask(match, masks, mask_firsts, longest_mask)
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
    ranked = sorted((item for item in _history_with_distress(evidence, ruleset) if item.weight > 0),
                    key=lambda item: item.weight, reverse=True)
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
    # Distinct kinds of suicidal or self-harm language stack more than other
    # mixes: hopelessness, burden, self-hatred, a past attempt told next to
    # them are risk factors that add up (C-SSRS), while one kind said three
    # ways still counts once (one rule, one count).
    strongest_distress = signals[0].category in _DISTRESS_CATEGORIES
    extra = sum(s.weight * (scoring["stack_factor"] if strongest_distress and s.category in _DISTRESS_CATEGORIES
                            else scoring["extra_factor"]) for s in signals[1:])
    score = signals[0].weight + min(scoring["extra_cap"], extra)
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


def _history_with_distress(evidence: Sequence[Evidence], ruleset: RuleSet) -> Sequence[Evidence]:
    """A past attempt told next to present distress counts nearly in full.

    An attempt told as history is a risk factor, not a present danger, and
    scope lowers it. Next to present suicidal or self-harm language of the
    writer's own (hopelessness included) the two stack: a previous attempt is
    the strongest known risk factor for the next one (C-SSRS lifetime attempt
    plus current ideation). Recovery stories ("glad I survived", "sober") keep
    their lower weight.
    """
    factor = ruleset.scoring["history_with_distress"]
    history = [item for item in evidence if set(item.scope) <= {"past", "context"} and "past" in item.scope and item.category in _DISTRESS_CATEGORIES
               and ruleset.rule_index[item.rule].past_tense and item.kind == "signal"]
    if not history:
        return evidence
    present = any(item.kind == "signal" and item.category in _DISTRESS_CATEGORIES and item.weight >= 1.0
                  and not ruleset.rule_index[item.rule].past_tense and not _HISTORY_BLOCKING & set(item.scope)
                  for item in evidence)
    if not present:
        return evidence
    raised = {id(item) for item in history}
    return [Evidence(rule=item.rule, category=item.category, phrase=item.phrase, start=item.start, end=item.end,
                     weight=max(item.weight, item.base_weight * factor), base_weight=item.base_weight,
                     kind=item.kind, scope=item.scope + ("with_present_distress",),
                     context_index=item.context_index)
            if id(item) in raised else item for item in evidence]


_DISTRESS_CATEGORIES = frozenset(("suicidal", "self_harm"))
_HISTORY_BLOCKING = frozenset(("past", "past_with_recovery", "negated", "reported", "other_subject",
                               "unattributed_reply", "hypothetical", "help_question"))


def _amplifies(amplifier: Evidence, signals: Sequence[Evidence], ruleset: RuleSet) -> bool:
    rule = _rule_by_id(ruleset, amplifier.rule)
    targets = rule.targets
    scoring = ruleset.scoring
    least = scoring["amplifier_min_signal"] if rule.min_signal is None else rule.min_signal
    # Next to a concern-level signal, a means word inside the very phrase it
    # would raise ("I have a gun") is not a second fact: it raises only other
    # signals. (Stronger phrases keep their own means: "buying a rope".)
    # Such a signal is raised only by means in the same message, near it.
    usual = scoring["amplifier_min_signal"]
    reach = scoring["amplifier_reach"]
    return any(s.category in targets and s.weight >= least
               and (_near(amplifier, s, reach) if s.weight >= usual else
                    amplifier.context_index == s.context_index and not _same_span(amplifier, s)
                    and abs(amplifier.start - s.start) <= reach)
               for s in signals)


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
        # Long pastes can match thousands of times; the strongest items explain the result.
        ordered = tuple(sorted(evidence, key=lambda item: (item.context_index is not None, -item.weight, item.start))
                        [:MAX_EVIDENCE])
        return Assessment(severity=severity, categories=categories, evidence=ordered, score=round(score, 4))


def _scaled(item: Evidence, factor: float) -> Evidence:
    return Evidence(
        rule=item.rule, category=item.category, phrase=item.phrase, start=item.start, end=item.end,
        weight=item.weight * factor, base_weight=item.base_weight, kind=item.kind,
        scope=item.scope + ("context",), context_index=item.context_index,
    )
