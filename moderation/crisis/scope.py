"""Decide whether a matched phrase is a present danger or something else.

A phrase like "kill myself" means very different things in "I want to kill
myself", "I'd never kill myself", "two years ago I tried to kill myself" and
"she said 'I'll kill myself'". The scope is judged on the sentence (or clause)
around the match, so a denial or a story in one sentence never hides a present
danger in the next one.

Everything here is computed once per text in linear passes and then looked up
with binary searches, so a 100 kB paste costs about ten times a 10 kB one.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping

from .normalize import CLAUSE_BREAK, QUESTION_END, SENTENCE_END, Tokens, normalize_word
from .ruleset import CUE_KINDS, CompiledRule, RuleSet

NEGATION_WINDOW = 3      # words before a phrase that a "not" can reach
SUBJECT_WINDOW = 8       # words before a subject-less phrase searched for its subject
HYPOTHETICAL_WINDOW = 3
TOPIC_LIST_WINDOW = 6    # tokens back from a phrase to the "talk about" of the list it is in


def _words(*words: str) -> frozenset[str]:
    """Word lists normalised like message tokens: "feeling" is the token "feling"."""
    return frozenset(normalize_word(word) for word in words)


# "I don't understand why killing myself is wrong": a question word between the
# "not" and the phrase ends the negation.
_NEGATION_STOPPERS = _words("how", "why", "what", "whether", "if", "when", "because", "that",
                            # "she doesn't know I'm suicidal": the "not" is about the knowing.
                            "know", "knows", "knew", "realize", "realizes", "realise", "realises", "notice",
                            "notices", "noticed")
# "without you I want to die": "without" denies only what follows it directly.
_NEAR_NEGATIONS = _words("without")
_QUOTE_RE = re.compile('["\u201c\u201d]')
# The text of a Markdown link names what it links to: "[I Wish I Was Dead - a band](https://...)"
# is a song title, reported like a quote.
_LINK_TEXT_RE = re.compile(r"\[([^\[\]\n]{1,300})\]\((?:https?:|www\.|/)")
_SENTENCE_ENDS = (SENTENCE_END, QUESTION_END)
# "if I kill myself, ..." said of the writer's own death is deliberation, scored
# apart from hypotheticals ("what if", "imagine", "if you ...").
_DELIBERATION_CATEGORIES = frozenset(("suicidal", "self_harm"))
_DELIBERATION_MIN_WEIGHT = 1.5
_FIRST_PERSON = _words("i", "im", "id")
_AGAIN = _words("again")
# Words with which the writer turns from what others said to their own view.
_CONTRAST_WORDS = _words("but", "yet", "though", "although", "however", "honestly", "personally")
_GENERIC_OPENERS = _words("when", "whenever", "while")
_GENERIC_STATES = _words("feeling", "being", "getting", "so")
_TOPIC_PREPOSITIONS = _words("about", "on", "regarding")
# Not "read" or "research": reading up on suicide methods is preparation, not a topic.
_TOPIC_VERBS = _words("talk", "talking", "talked", "speak", "speaking", "discuss", "discussing", "write",
                     "writing", "article", "articles", "stigma", "awareness", "education")
_LIST_JOINERS = _words("and", "or", "nor")
_SELF_WORDS = _words("i", "im", "ive", "id", "il", "me", "my", "myself", "mine")
_HYPOTHETICAL_BEFORE_IF = _words("what", "even", "as", "only")
_HYPOTHETICAL_AFTER_IF_I = _words("ever", "were", "was", "had", "wanted", "want", "could", "would", "did")


class _Hits:
    """Cue occurrences of one kind, sorted by their first token."""

    __slots__ = ("firsts", "lasts")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans.sort()
        self.firsts = [first for first, _ in spans]
        self.lasts = [last for _, last in spans]

    def __len__(self) -> int:
        return len(self.firsts)

    def any_within(self, low: int, high: int) -> bool:
        index = bisect_left(self.firsts, low)
        while index < len(self.firsts) and self.firsts[index] <= high:
            if self.lasts[index] <= high:
                return True
            index += 1
        return False

    def nearest(self, first: int, last: int, low: int, high: int) -> int | None:
        """Token distance from [first, last] to the closest cue inside [low, high]; O(log n)."""
        best: int | None = None
        index = bisect_left(self.firsts, first)
        # The cue starting just before the phrase, and the one starting at or after it.
        for candidate in (index - 1, index):
            if 0 <= candidate < len(self.firsts):
                cue_first, cue_last = self.firsts[candidate], self.lasts[candidate]
                if cue_first < low or cue_last > high:
                    continue
                gap = first - cue_last if cue_last < first else cue_first - last if cue_first > last else 0
                best = gap if best is None else min(best, gap)
        return best

    def within(self, low: int, high: int) -> list[tuple[int, int]]:
        index = bisect_left(self.firsts, low)
        found = []
        while index < len(self.firsts) and self.firsts[index] <= high:
            if self.lasts[index] <= high:
                found.append((self.firsts[index], self.lasts[index]))
            index += 1
        return found


class ScopeJudge:
    """Judges the matches of one text; build one per text."""

    def __init__(self, text: str, tokens: Tokens, ruleset: RuleSet) -> None:
        self.text = text
        self.tokens = tokens
        self.ruleset = ruleset
        self._hits: dict[str, _Hits] | None = None
        self._bounds: tuple[list[int], list[int], list[int], list[int]] | None = None
        self._quotes: list[int] | None = None
        self._line_starts: list[int] | None = None
        self._link_texts: list[int] | None = None  # start, end, start, end, ... of link texts
        self._word_hits: dict[frozenset[str], _Hits] = {}

    # -- per-text tables, built on first use ------------------------------------

    def _token_index(self, position: int) -> int:
        return max(0, bisect_left(self.tokens.offsets, position + 1) - 1)

    def hits(self, kind: str) -> _Hits:
        if self._hits is None:
            spans: dict[str, list[tuple[int, int]]] = {name: [] for name in CUE_KINDS}
            cue_words = self.ruleset.cue_words
            for position, word in enumerate(self.tokens.words):
                for name in cue_words.get(word, ()):
                    spans[name].append((position, position))
            for name, pattern in self.ruleset.cue_patterns.items():
                for match in pattern.finditer(self.tokens.joined):
                    spans[name].append((self._token_index(match.start()), self._token_index(match.end() - 2)))
            self._hits = {name: _Hits(found) for name, found in spans.items()}
        return self._hits[kind]

    def _sentence_and_clause_bounds(self) -> tuple[list[int], list[int], list[int], list[int]]:
        if self._bounds is None:
            words = self.tokens.words
            count = len(words)
            sentence_start, clause_start = [0] * count, [0] * count
            sentence_end, clause_end = [count - 1] * count, [count - 1] * count
            current_sentence = current_clause = 0
            for index, word in enumerate(words):
                sentence_start[index], clause_start[index] = current_sentence, current_clause
                if word in _SENTENCE_ENDS:
                    current_sentence = current_clause = index + 1
                elif word == CLAUSE_BREAK:
                    current_clause = index + 1
            current_sentence = current_clause = count - 1
            for index in range(count - 1, -1, -1):
                word = words[index]
                if word in _SENTENCE_ENDS:
                    current_sentence = current_clause = index
                elif word == CLAUSE_BREAK:
                    current_clause = index
                sentence_end[index], clause_end[index] = current_sentence, current_clause
            self._bounds = (sentence_start, sentence_end, clause_start, clause_end)
        return self._bounds

    def _inside_quotes(self, first: int) -> bool:
        start = self.tokens.spans[first][0]
        if self._quotes is None:
            self._quotes = [match.start() for match in _QUOTE_RE.finditer(self.text)]
            self._line_starts = [0] + [match.end() for match in re.finditer("\n", self.text)]
        if bisect_left(self._quotes, start) % 2 == 1:
            return True
        if self._link_texts is None:
            self._link_texts = [bound for match in _LINK_TEXT_RE.finditer(self.text) for bound in match.span(1)]
        if bisect_left(self._link_texts, start + 1) % 2 == 1:
            return True
        # A line starting with ">" quotes someone else (e-mail and Markdown style).
        assert self._line_starts is not None
        line_start = self._line_starts[bisect_left(self._line_starts, start + 1) - 1]
        return self.text.startswith(">", line_start) or self.text.startswith("&gt;", line_start)

    def _reported(self, sentence_start: int, first: int) -> bool:
        """A reporting word ("said", "lyrics") earlier in the sentence, with the writer
        not taking the word back in between: "she said it gets better, but I want to
        die" and "my therapist told me to journal but honestly I want to die" are the
        writer's own words after the "but"."""
        cues = self.hits("reported").within(sentence_start, first - 1)
        if not cues:
            return False
        after = max(last for _, last in cues) + 1
        return not self._positions(_CONTRAST_WORDS).any_within(after, first - 1)

    def _speaks_to_reader(self) -> bool:
        return len(self.hits("second_person")) > len(self.hits("self_subject"))

    # -- the scope checks --------------------------------------------------------

    def _subject(self, first: int, clause_start: int) -> str:
        """'self', 'other' or '' for the nearest subject before a subject-less phrase."""
        low = max(clause_start, first - SUBJECT_WINDOW)
        nearest_self = max((last for _, last in self.hits("self_subject").within(low, first - 1)), default=-1)
        nearest_other = max((last for _, last in self.hits("other_subject").within(low, first - 1)), default=-1)
        if nearest_self == nearest_other == -1:
            return ""
        return "other" if nearest_other > nearest_self else "self"

    def _negated(self, first: int, clause_start: int) -> bool:
        words = self.tokens.words
        for cue_first, cue_last in self.hits("negation").within(max(clause_start, first - NEGATION_WINDOW), first - 1):
            # "if I don't end my life, ..." is a condition, not a denial.
            conditional = "if" in words[max(0, cue_first - 2):cue_first]
            between = words[cue_last + 1:first]
            if words[cue_last] in _NEAR_NEGATIONS and any(word in _FIRST_PERSON for word in between):
                continue
            if not conditional and not any(word in _NEGATION_STOPPERS for word in between):
                return True
        return False

    def _in_the_past(self, rule: CompiledRule, first: int, last: int, sentence_start: int, sentence_end: int,
                     clause_start: int, clause_end: int) -> bool:
        present = self.hits("present")
        past = self.hits("past")
        # "Now" reaches only its own clause: in "two years ago I tried, today
        # I'm sober" the "today" says nothing about the attempt. Within one
        # clause the time word nearest the phrase decides: "I overdosed 5 years
        # ago and now I'm clean" is history, "I overdosed last night" is not.
        if present.any_within(clause_start, clause_end):
            # "Again" says the history is repeating, wherever it stands in the clause.
            if self._positions(_AGAIN).any_within(clause_start, clause_end):
                return False
            return self._nearest_time_is_past(first, last, clause_start, clause_end)
        if rule.past_tense:
            return True
        if not past.any_within(sentence_start, sentence_end):
            return False
        # "I used to want to die, and lately I want to die": the time word
        # nearest before the phrase decides.
        last_past = max((last for _, last in past.within(sentence_start, first - 1)), default=-1)
        last_present = max((last for _, last in present.within(sentence_start, first - 1)), default=-1)
        return last_past >= last_present

    def _positions(self, words: frozenset[str]) -> _Hits:
        """Where any of `words` occurs in the text, built once per word list."""
        found = self._word_hits.get(words)
        if found is None:
            found = self._word_hits[words] = _Hits(
                [(index, index) for index, word in enumerate(self.tokens.words) if word in words])
        return found

    def _nearest_time_is_past(self, first: int, last: int, low: int, high: int) -> bool:
        nearest_present = self.hits("present").nearest(first, last, low, high)
        nearest_past = self.hits("past").nearest(first, last, low, high)
        if nearest_past is None:
            return False
        # A tie ("a few days ago" holds the past word "ago") counts as present.
        return nearest_present is not None and nearest_past < nearest_present

    def judge(self, rule: CompiledRule, first: int, last: int, explicit_subject: bool,
              scoring: Mapping[str, float]) -> tuple[float, tuple[str, ...]]:
        """Return (factor applied to the rule's weight, names of the scopes found)."""
        sentence_starts, sentence_ends, clause_starts, clause_ends = self._sentence_and_clause_bounds()
        sentence_start, sentence_end = sentence_starts[first], sentence_ends[last]
        clause_start, clause_end = clause_starts[first], clause_ends[last]
        if self._negated(first, clause_start):
            return scoring["negated"], ("negated",)
        scopes: list[str] = []
        factor = 1.0
        if self._in_the_past(rule, first, last, sentence_start, sentence_end, clause_start, clause_end):
            recovered = len(self.hits("recovery")) > 0
            factor *= scoring["past_with_recovery"] if recovered else scoring["past"]
            scopes.append("past_with_recovery" if recovered else "past")
        if self._inside_quotes(first) or self._reported(sentence_start, first):
            factor *= scoring["reported"]
            scopes.append("reported")
        # A phrase whose alternatives may or may not name the subject ("im|feel ... suicidal")
        # names it when the words matched start with "I".
        if not explicit_subject and self.tokens.words[first] not in _FIRST_PERSON:
            subject = self._subject(first, clause_start)
            if not subject and self._generic_opener(first):
                # "when feeling suicidal, we tend to ...": anyone, at any time.
                factor *= scoring["hypothetical"]
                scopes.append("generic")
            elif subject == "other":
                factor *= scoring["other_subject"]
                scopes.append("other_subject")
            elif not subject:
                # With no subject in reach, the text as a whole decides: advice
                # to "you" is about the reader, a self-disclosure about the writer.
                if self._speaks_to_reader():
                    factor *= scoring["unattributed_reply"]
                    scopes.append("unattributed_reply")
                elif scoring["unattributed"] != 1.0:
                    factor *= scoring["unattributed"]
                    scopes.append("unattributed")
        if self.tokens.words[sentence_end] == QUESTION_END and self.hits("help_seeking").any_within(
                sentence_start, sentence_end):
            factor *= scoring["help_question"]
            scopes.append("help_question")
        hypothetical = self.hits("hypothetical").within(max(clause_start, first - HYPOTHETICAL_WINDOW), first - 1)
        if hypothetical:
            # Only for the writer's own death or harm itself: "if I believed there
            # was no hope" is a condition, not hopelessness.
            if rule.category in _DELIBERATION_CATEGORIES and rule.weight >= _DELIBERATION_MIN_WEIGHT and all(
                    self._deliberation(cue_first, cue_last) for cue_first, cue_last in hypothetical):
                # "if I kill myself, my mom would..." weighs the writer's own
                # death: that is thinking about it, not a hypothetical.
                factor *= scoring["deliberation"]
                scopes.append("deliberation")
            else:
                factor *= scoring["hypothetical"]
                scopes.append("hypothetical")
        return factor, tuple(scopes)

    def _generic_opener(self, first: int) -> bool:
        """True after "when" / "while" (or "when feeling", "when being"): a state of anyone;
        and for a topic named after "talk about", "stigma about" ("it takes courage to talk
        about suicidal thoughts"), unless the phrase itself says "my"."""
        words = self.tokens.words
        if self._named_as_topic(first):
            return True
        before = first - 1
        if before >= 0 and words[before] in _GENERIC_STATES:
            before -= 1
        return before >= 0 and words[before] in _GENERIC_OPENERS

    def _named_as_topic(self, first: int) -> bool:
        """True right after "talk about", and for a later item of the same list
        ("talk about depression, suicidal thoughts and self-harm"), unless the writer says "my" or "I"."""
        words = self.tokens.words
        if words[first] in _SELF_WORDS:
            return False
        listed = False
        # position: where the topic would start; it needs "talk about" (two words) before it.
        for position in range(first, max(2, first - TOPIC_LIST_WINDOW) - 1, -1):
            if position < first:
                word = words[position]
                if word in _SELF_WORDS or word in _SENTENCE_ENDS:
                    return False
                listed = listed or word in _LIST_JOINERS
            if words[position - 1] in _TOPIC_PREPOSITIONS and words[position - 2] in _TOPIC_VERBS:
                return position == first or listed
        return False

    def _deliberation(self, cue_first: int, cue_last: int) -> bool:
        """True for a bare "if I ..." (not "what if", "even if", "if I ever", "if I were")."""
        words = self.tokens.words
        if cue_first != cue_last or words[cue_first] != "if":
            return False
        before = words[cue_first - 1] if cue_first > 0 else ""
        after = words[cue_first + 1:cue_first + 3]
        return (before not in _HYPOTHETICAL_BEFORE_IF and len(after) == 2 and after[0] in _FIRST_PERSON
                and after[1] not in _HYPOTHETICAL_AFTER_IF_I)
