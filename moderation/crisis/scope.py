"""Decide whether a matched phrase is a present danger or something else.

A phrase like "kill myself" means very different things in "I want to kill
myself", "I'd never kill myself", "two years ago I tried to kill myself" and
"she said 'I'll kill myself'". The scope is judged on the sentence (or clause)
around the match, so a denial or a story in one sentence never hides a present
danger in the next one.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .normalize import CLAUSE_BREAK, QUESTION_END, SENTENCE_END, Tokens
from .ruleset import CompiledRule, RuleSet

NEGATION_WINDOW = 3      # words before a phrase that a "not" can reach
SUBJECT_WINDOW = 8       # words before a subject-less phrase searched for its subject
HYPOTHETICAL_WINDOW = 3
_NEGATION_STOPPERS = frozenset(("how", "why", "what", "whether", "if", "when", "because", "that"))
_QUOTES = '"\u201c\u201d'
_SENTENCE_ENDS = (SENTENCE_END, QUESTION_END)


@dataclass(slots=True)
class ScopeJudge:
    text: str
    tokens: Tokens
    ruleset: RuleSet
    _cue_ends: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def _token_index(self, position: int) -> int:
        # offsets are sorted; a binary search keeps long posts linear overall.
        offsets = self.tokens.offsets
        low, high = 0, len(offsets) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if offsets[middle] <= position:
                low = middle
            else:
                high = middle - 1
        return low

    def cue_hits(self, kind: str) -> list[tuple[int, int]]:
        """Token ranges (first, last) where cues of `kind` occur; computed once per text."""
        hits = self._cue_ends.get(kind)
        if hits is None:
            hits = []
            pattern = self.ruleset.cues.get(kind)
            if pattern is not None:
                for match in pattern.finditer(self.tokens.joined):
                    hits.append((self._token_index(match.start()), self._token_index(match.end() - 2)))
            self._cue_ends[kind] = hits
        return hits

    def _any_cue(self, kind: str, low: int, high: int) -> bool:
        return any(low <= first and last <= high for first, last in self.cue_hits(kind))

    def _sentence(self, first: int, last: int) -> tuple[int, int]:
        words = self.tokens.words
        start = first
        while start > 0 and words[start - 1] not in _SENTENCE_ENDS:
            start -= 1
        end = last
        while end < len(words) - 1 and words[end] not in _SENTENCE_ENDS:
            end += 1
        return start, end

    def _clause(self, first: int, last: int, sentence_start: int, sentence_end: int) -> tuple[int, int]:
        words = self.tokens.words
        start = first
        while start > sentence_start and words[start - 1] != CLAUSE_BREAK:
            start -= 1
        end = last
        while end < sentence_end and words[end] != CLAUSE_BREAK:
            end += 1
        return start, end

    def _inside_quotes(self, first: int) -> bool:
        start = self.tokens.spans[first][0]
        before = sum(self.text.count(quote, 0, start) for quote in _QUOTES)
        return before % 2 == 1

    def _subject(self, first: int, clause_start: int) -> str:
        """'self', 'other' or '' for the nearest subject before a subject-less phrase."""
        low = max(clause_start, first - SUBJECT_WINDOW)
        nearest_self = max((last for f, last in self.cue_hits("self_subject") if low <= f and last < first), default=-1)
        nearest_other = max((last for f, last in self.cue_hits("other_subject") if low <= f and last < first), default=-1)
        if nearest_self == nearest_other == -1:
            return ""
        return "other" if nearest_other > nearest_self else "self"

    def _negated(self, first: int, clause_start: int) -> bool:
        words = self.tokens.words
        for cue_first, cue_last in self.cue_hits("negation"):
            if max(clause_start, first - NEGATION_WINDOW) <= cue_first and cue_last < first:
                # "I don't understand why killing myself is wrong": a question
                # word between the "not" and the phrase ends the negation.
                if not any(word in _NEGATION_STOPPERS for word in words[cue_last + 1:first]):
                    return True
        return False

    def judge(self, rule: CompiledRule, first: int, last: int, explicit_subject: bool,
              scoring: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
        """Return (factor applied to the rule's weight, names of the scopes found)."""
        sentence_start, sentence_end = self._sentence(first, last)
        clause_start, clause_end = self._clause(first, last, sentence_start, sentence_end)
        scopes: list[str] = []
        factor = 1.0
        if self._negated(first, clause_start):
            return scoring["negated"], ("negated",)
        if rule.past_tense or self._any_cue("past", sentence_start, sentence_end):
            # "Now" reaches only its own clause: in "two years ago I tried, today
            # I'm sober" the "today" says nothing about the attempt.
            if not self._any_cue("present", clause_start, clause_end):
                recovered = bool(self.cue_hits("recovery"))
                factor *= scoring["past_with_recovery"] if recovered else scoring["past"]
                scopes.append("past_with_recovery" if recovered else "past")
        if self._inside_quotes(first) or self._any_cue("reported", sentence_start, first - 1):
            factor *= scoring["reported"]
            scopes.append("reported")
        if not explicit_subject:
            subject = self._subject(first, clause_start)
            if subject == "other":
                factor *= scoring["other_subject"]
                scopes.append("other_subject")
            elif not subject:
                factor *= scoring["unattributed"]
                scopes.append("unattributed")
        if self.tokens.words[sentence_end] == QUESTION_END and self._any_cue("help_seeking", sentence_start, sentence_end):
            factor *= scoring["help_question"]
            scopes.append("help_question")
        if self._any_cue("hypothetical", max(clause_start, first - HYPOTHETICAL_WINDOW), first - 1):
            factor *= scoring["hypothetical"]
            scopes.append("hypothetical")
        return factor, tuple(scopes)
