"""Personal goals with steps and progress; a goal is private unless the member
shares it with their accountability partners."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.accounts import Auth
from server.actions.recovery_profile import flag
from server.errors import Conflict, InvalidField, NotFound
from server.models import utcnow
from server.models.recovery import Goal, GoalStep
from server.services import Hearth
from server.text import clean_body, clean_line

MAX_GOALS = 50
MAX_STEPS = 30


def _title(value: object, field: str = "title") -> str:
    return clean_line(value, field=field, min_chars=1, max_chars=120)


def _notes(data: dict[str, Any]) -> str:
    return clean_body(data["notes"], field="notes", max_chars=2000) if data.get("notes") else ""


def goal_out(goal: Goal, steps: list[GoalStep]) -> dict[str, Any]:
    done_steps = sum(1 for s in steps if s.done_at)
    if goal.done_at:
        progress = 100
    else:
        progress = round(100 * done_steps / len(steps)) if steps else 0
    return {
        "id": goal.id, "title": goal.title, "notes": goal.notes, "shared": goal.shared,
        "done": goal.done_at is not None, "created_at": goal.created_at.isoformat(),
        "done_at": goal.done_at.isoformat() if goal.done_at else None, "progress": progress,
        "steps": [{"id": s.id, "title": s.title, "done": s.done_at is not None} for s in steps],
    }


async def _steps(session: AsyncSession, goal_ids: list[int]) -> dict[int, list[GoalStep]]:
    out: dict[int, list[GoalStep]] = {i: [] for i in goal_ids}
    if goal_ids:
        for step in await session.scalars(select(GoalStep).where(GoalStep.goal_id.in_(goal_ids)).order_by(GoalStep.position, GoalStep.id)):
            out[step.goal_id].append(step)
    return out


async def goals_of(session: AsyncSession, user_id: int, *, shared_only: bool) -> list[dict[str, Any]]:
    query = select(Goal).where(Goal.user_id == user_id).order_by(Goal.done_at.is_not(None), Goal.id)
    if shared_only:
        query = query.where(Goal.shared.is_(True))
    goals = list(await session.scalars(query))
    steps = await _steps(session, [g.id for g in goals])
    return [goal_out(g, steps[g.id]) for g in goals]


async def _own_goal(session: AsyncSession, auth: Auth, goal_id: object) -> Goal:
    """The one access check for goals: only their owner changes them; NotFound otherwise."""
    if not isinstance(goal_id, int) or isinstance(goal_id, bool):
        raise NotFound()
    goal = await session.get(Goal, goal_id)
    if goal is None or goal.user_id != auth.user.id:
        raise NotFound()
    return goal


async def _own_step(session: AsyncSession, auth: Auth, goal_id: object, step_id: object) -> tuple[Goal, GoalStep]:
    goal = await _own_goal(session, auth, goal_id)
    step = await session.get(GoalStep, step_id) if isinstance(step_id, int) and not isinstance(step_id, bool) else None
    if step is None or step.goal_id != goal.id:
        raise NotFound()
    return goal, step


async def _one(session: AsyncSession, goal: Goal) -> dict[str, Any]:
    await session.flush()
    return goal_out(goal, (await _steps(session, [goal.id]))[goal.id])


async def list_goals(h: Hearth, auth: Auth) -> list[dict[str, Any]]:
    async with h.db.read() as session:
        return await goals_of(session, auth.user.id, shared_only=False)


async def create_goal(h: Hearth, auth: Auth, data: dict[str, Any]) -> dict[str, Any]:
    title, notes = _title(data.get("title")), _notes(data)
    shared = flag(data, "shared", False)
    raw_steps = data.get("steps", [])
    if not isinstance(raw_steps, list) or len(raw_steps) > MAX_STEPS:
        raise InvalidField(f"steps must be a list of up to {MAX_STEPS} short titles.")
    steps = [_title(s, "step") for s in raw_steps]
    async with h.transaction() as tx:
        count = await tx.session.scalar(select(func.count()).select_from(Goal).where(Goal.user_id == auth.user.id)) or 0
        if count >= MAX_GOALS:
            raise Conflict(f"You can keep up to {MAX_GOALS} goals. Remove a finished one first.", code="too_many")
        goal = Goal(user_id=auth.user.id, title=title, notes=notes, shared=bool(shared), created_at=utcnow())
        tx.session.add(goal)
        await tx.session.flush()
        for position, step in enumerate(steps):
            tx.session.add(GoalStep(goal_id=goal.id, position=position, title=step))
        return await _one(tx.session, goal)


async def update_goal(h: Hearth, auth: Auth, goal_id: object, data: dict[str, Any]) -> dict[str, Any]:
    title = _title(data["title"]) if "title" in data else None
    notes = _notes(data) if "notes" in data else None
    shared, done = flag(data, "shared"), flag(data, "done")
    async with h.transaction() as tx:
        goal = await _own_goal(tx.session, auth, goal_id)
        if title is not None:
            goal.title = title
        if notes is not None:
            goal.notes = notes
        if shared is not None:
            goal.shared = shared
        if done is not None:
            goal.done_at = (goal.done_at or utcnow()) if done else None
        return await _one(tx.session, goal)


async def delete_goal(h: Hearth, auth: Auth, goal_id: object) -> None:
    async with h.transaction() as tx:
        await tx.session.delete(await _own_goal(tx.session, auth, goal_id))


async def add_step(h: Hearth, auth: Auth, goal_id: object, data: dict[str, Any]) -> dict[str, Any]:
    title = _title(data.get("title"), "title")
    async with h.transaction() as tx:
        goal = await _own_goal(tx.session, auth, goal_id)
        count = await tx.session.scalar(select(func.count()).select_from(GoalStep).where(GoalStep.goal_id == goal.id)) or 0
        if count >= MAX_STEPS:
            raise Conflict(f"A goal can have up to {MAX_STEPS} steps.", code="too_many")
        tx.session.add(GoalStep(goal_id=goal.id, position=count, title=title))
        return await _one(tx.session, goal)


async def update_step(h: Hearth, auth: Auth, goal_id: object, step_id: object, data: dict[str, Any]) -> dict[str, Any]:
    title = _title(data["title"]) if "title" in data else None
    done = flag(data, "done")
    async with h.transaction() as tx:
        goal, step = await _own_step(tx.session, auth, goal_id, step_id)
        if title is not None:
            step.title = title
        if done is not None:
            step.done_at = (step.done_at or utcnow()) if done else None
        return await _one(tx.session, goal)


async def delete_step(h: Hearth, auth: Auth, goal_id: object, step_id: object) -> dict[str, Any]:
    async with h.transaction() as tx:
        goal, step = await _own_step(tx.session, auth, goal_id, step_id)
        await tx.session.delete(step)
        return await _one(tx.session, goal)
