"""The agent workspace as a switchboard integration: when it gains control it opens a ticket;
while it has control, customer messages keep a ticket open (a reply reopens a Solved one, and
the first message after a close or an ended session starts a new one)."""

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.conversations.listeners import MessagePosted
from parlour.switchboard.builtin import ControlGained
from parlour.tickets import actions, queries


class AgentWorkspace:
    async def on_control_gained(self, session: AsyncSession, gained: ControlGained) -> None:
        metadata = gained.metadata or {}
        subject = metadata.get("subject")
        await actions.do_open_ticket(
            session,
            gained.account,
            gained.conversation,
            subject=subject if isinstance(subject, str) else None,
        )

    async def on_message(self, session: AsyncSession, posted: MessagePosted) -> None:
        if posted.message.author_type != "user":
            return
        ticket = await queries.get_current_ticket(session, posted.conversation.id)
        if ticket is None:
            text = posted.message.content.get("text")
            await actions.do_open_ticket(
                session,
                posted.account,
                posted.conversation,
                subject=text[:200] if isinstance(text, str) else None,
            )
        else:
            await actions.do_reopen_on_customer_reply(session, ticket)
