"""`check_text`: every automatic flag for one text, with no I/O and in time linear in its length."""
from __future__ import annotations

from collections.abc import Sequence

from .drug_sales import find_drug_sales
from .finding import Finding
from .folded import FoldedText
from .identifying import find_identifying
from .links import find_links
from .watched import WatchedWord, find_watched


def check_text(text: str, *, is_new_account: bool = False, watched: Sequence[WatchedWord] = ()) -> list[Finding]:
    """Findings for a chat message, private message, forum post or profile, ordered by where they start."""
    if not text or text.isspace():
        return []
    view = FoldedText(text)
    findings = find_identifying(view)
    sales = find_drug_sales(view)
    if sales is not None:
        findings.append(sales)
    if is_new_account:
        findings.extend(find_links(view))
    if watched:
        findings.extend(find_watched(view, watched))
    findings.sort(key=lambda item: (item.start, item.end, item.kind))
    return findings
