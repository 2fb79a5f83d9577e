"""Crisis resources shown to members: deployment-configurable, US defaults."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TypedDict


class Resource(TypedDict):
    name: str
    contact: str
    detail: str


US_DEFAULTS: list[Resource] = [
    {"name": "988 Suicide & Crisis Lifeline", "contact": "Call or text 988",
     "detail": "Free, confidential support, any time of day or night."},
    {"name": "SAMHSA National Helpline", "contact": "1-800-662-4357",
     "detail": "Free, confidential treatment referral and information, 24/7, in English and Spanish."},
    {"name": "Emergency services", "contact": "Call 911",
     "detail": "If you or someone else is in danger right now."},
    {"name": "Overdose", "contact": "Call 911",
     "detail": "Give naloxone (Narcan) if you have it, keep the person breathing and stay with them until help arrives."},
]

SUPPORT_MESSAGE = (
    "We noticed you might be going through something really hard right now. You don't have to carry it alone. "
    "A peer specialist has been told and will reach out to you privately. If you are in danger, please contact one of these now:"
)


class ResourcesError(Exception):
    pass


@lru_cache(maxsize=4)
def load_resources(path: Path | None) -> tuple[Resource, ...]:
    if path is None:
        return tuple(US_DEFAULTS)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ResourcesError(f"{path}: not readable JSON ({error})") from None
    if not isinstance(data, list) or not data:
        raise ResourcesError(f"{path}: must be a non-empty list of resources")
    out: list[Resource] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item.get(k) for k in ("name", "contact")):
            raise ResourcesError(f"{path}: item {i} needs text fields 'name' and 'contact'")
        out.append({"name": item["name"], "contact": item["contact"], "detail": str(item.get("detail", ""))})
    return tuple(out)
