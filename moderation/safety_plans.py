"""A member's own safety plan: warning signs, coping steps, people and places,
reasons to keep going. Shared with the specialist holding their open flag,
and only then (see moderation.flags.view_flag)."""

from __future__ import annotations

from typing import Any

from moderation.flags import safety_plan_out
from server.actions.accounts import Auth
from server.errors import InvalidField
from server.models import SafetyPlan
from server.services import Hearth
from server.text import clean_text

FIELDS = ("warning_signs", "coping_steps", "people_and_places", "reasons_to_keep_going")
MAX_CHARS = 2000


async def get_plan(h: Hearth, auth: Auth) -> dict[str, Any] | None:
    async with h.db.read() as session:
        plan = await session.get(SafetyPlan, auth.user.id)
    return safety_plan_out(plan) if plan else None


async def save_plan(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, str] = {}
    for name in FIELDS:
        value = data.get(name, "")
        if not isinstance(value, str):
            raise InvalidField(f"{name} must be text.")
        value = clean_text(value).strip()
        if len(value) > MAX_CHARS:
            raise InvalidField(f"{name} can be at most {MAX_CHARS} characters.")
        values[name] = value
    async with h.transaction() as tx:
        plan = await tx.session.get(SafetyPlan, auth.user.id)
        if plan is None:
            plan = SafetyPlan(user_id=auth.user.id)
            tx.session.add(plan)
        for name, value in values.items():
            setattr(plan, name, value)
        plan.updated_at = h.clock()
        await tx.session.flush()
        return safety_plan_out(plan)
