"""One module per job kind; `HANDLERS` maps each kind name to its idempotent handler."""

from parlour.jobs.kinds import ai_agent, tickets, webhooks
from parlour.jobs.kinds.base import Handler

HANDLERS: dict[str, Handler] = {
    webhooks.KIND: webhooks.deliver,
    tickets.KIND: tickets.close_solved,
    ai_agent.KIND: ai_agent.resolve_if_quiet,
}

__all__ = ["HANDLERS", "Handler"]
