"""Automatic flags: identifying details, drug sales, new accounts' links, watched words, repeats.

Pure and I/O-free at check time: patterns compile when this package is
imported and the server passes in the watched words it loaded. Separate from
crisis flags (moderation.crisis), which never hold or hide a message.
See docs/moderation.md.
"""
from __future__ import annotations

from .checker import check_text
from .duplicates import NearDuplicateTracker
from .edits import REMOVED, apply_replacements, redact_identifying
from .finding import ACTION_RANK, ACTIONS, KINDS, Finding
from .identifying import RESOURCE_NUMBERS
from .links import RESOURCE_DOMAINS
from .watched import WatchedWord, WatchedWordError

__all__ = [
    "ACTIONS", "ACTION_RANK", "KINDS", "REMOVED", "RESOURCE_DOMAINS", "RESOURCE_NUMBERS", "Finding",
    "NearDuplicateTracker", "WatchedWord", "WatchedWordError", "apply_replacements", "check_text",
    "redact_identifying",
]
