"""The AI agent's quiet window: a customer who says nothing more for the account's inactivity
window after a relevant answer counts as resolved by the AI agent (unless anything happened)."""

from typing import Any

from parlour.ai_agent import actions as ai_agent_actions
from parlour.jobs.kinds.base import JobContext

KIND = ai_agent_actions.QUIET_WINDOW_JOB


async def resolve_if_quiet(ctx: JobContext, payload: dict[str, Any]) -> None:
    async with ctx.db.transaction() as session:
        await ai_agent_actions.do_resolve_if_still_quiet(session, payload)
