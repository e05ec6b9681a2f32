"""In-transaction reactions to a posted message, registered by the domains above this one.

The switchboard must see every message (to give control to the default integration and to hand
it to the active one) in the same transaction that stores it, but it sits above conversations in
the import graph. Domains above register here at start-up (`parlour.wiring`), so the order of
calls is explicit and the graph stays acyclic.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.conversations.models import Conversation, Message


@dataclass(frozen=True)
class MessagePosted:
    account: Account
    conversation: Conversation
    message: Message


MessageListener = Callable[[AsyncSession, MessagePosted], Awaitable[None]]

_listeners: list[MessageListener] = []


def on_message(listener: MessageListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


async def notify(session: AsyncSession, posted: MessagePosted) -> None:
    for listener in _listeners:
        await listener(session, posted)
