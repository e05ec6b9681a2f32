"""Built-in integrations (the agent workspace, the AI agent) plug into the switchboard here.

They are domains above the switchboard; each registers a handler for its integration type at
start-up (`parlour.wiring`). A custom integration has no handler: it is reached by webhooks.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.conversations.listeners import MessagePosted
from parlour.conversations.models import Conversation

AGENT_WORKSPACE = "zd:agentWorkspace"
AI_AGENT = "zd:answerBot"
CUSTOM = "custom"


@dataclass(frozen=True)
class ControlGained:
    account: Account
    conversation: Conversation
    metadata: dict[str, Any] | None
    via: str  # passControl | acceptControl


class BuiltinIntegration(Protocol):
    async def on_control_gained(self, session: AsyncSession, gained: ControlGained) -> None: ...

    async def on_message(self, session: AsyncSession, posted: MessagePosted) -> None: ...


_handlers: dict[str, BuiltinIntegration] = {}


def register(integration_type: str, handler: BuiltinIntegration) -> None:
    _handlers[integration_type] = handler


def handler_for(integration_type: str) -> BuiltinIntegration | None:
    return _handlers.get(integration_type)


def is_builtin(integration_type: str) -> bool:
    return integration_type in (AGENT_WORKSPACE, AI_AGENT)
