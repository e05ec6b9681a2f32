"""Close a Solved ticket once the account's delay has passed, unless it was reopened."""

from typing import Any

from parlour.jobs.kinds.base import JobContext
from parlour.tickets import actions as ticket_actions

KIND = ticket_actions.CLOSE_SOLVED_JOB


async def close_solved(ctx: JobContext, payload: dict[str, Any]) -> None:
    async with ctx.db.transaction() as session:
        await ticket_actions.do_close_if_still_solved(
            session, payload["account_id"], payload["ticket_id"], payload["solved_at"]
        )
