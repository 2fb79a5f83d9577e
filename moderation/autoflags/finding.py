"""What a check found: one `Finding` per thing a moderator might want to look at."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

Kind = Literal["identifying", "drug_sales", "link", "watched_word", "duplicate"]
Action = Literal["flag", "hold", "block", "replace"]

KINDS: Final = ("identifying", "drug_sales", "link", "watched_word", "duplicate")
ACTIONS: Final = ("flag", "hold", "block", "replace")
# How much an action interrupts the author, lowest first; used to pick the
# message's overall outcome when several findings disagree.
ACTION_RANK: Final = {"flag": 0, "replace": 1, "hold": 2, "block": 3}
WHOLE_MESSAGE: Final = -1

IDENTIFYING_NOTICE: Final = (
    "To keep you safe, we hold messages with phone numbers, emails, addresses or social handles for a quick "
    "look by a moderator. Hearth works best when nobody can find you outside it."
)
DRUG_SALES_NOTICE: Final = (
    "A moderator will take a quick look at this message before it's shared. Hearth is a place for support, "
    "so we check anything that might read as buying or selling. If you're struggling right now, you're welcome "
    "to say so here."
)
LINK_NOTICE: Final = (
    "Links from new accounts wait for a quick look by a moderator. It's nothing personal: it keeps spam away "
    "while you settle in, and it stops after your first days here."
)
HELD_NOTICE: Final = "A moderator will take a quick look at this message before it's shared."
BLOCKED_NOTICE: Final = (
    "This message wasn't sent because it includes words this community has asked us to keep out. "
    "You're welcome to say it another way."
)
DUPLICATE_NOTICE: Final = (
    "This looks like the same message a few times in a row, so we've held the latest copy for a moderator. "
    "Your earlier ones are still there, and people will see them."
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One automatic flag. `start`/`end` index the original text, or are -1 for the whole message."""

    kind: Kind
    subkind: str
    action: Action
    severity: int
    start: int
    end: int
    detail: str
    author_notice: str | None = None
    # Only for "replace": what the matched span becomes (see apply_replacements).
    replacement: str | None = None

    @property
    def whole_message(self) -> bool:
        return self.start == WHOLE_MESSAGE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
