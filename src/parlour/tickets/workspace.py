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
        # A handoff may name the group to route to (an answer flow's "hand off to a group"); a
        # group deleted since leaves the ticket in no group rather than losing the handoff.
        group_id = metadata.get("groupId")
        if not isinstance(group_id, str) or not await queries.group_exists(
            session, gained.account.id, group_id
        ):
            group_id = None
        ticket = await actions.do_open_ticket(
            session,
            gained.account,
            gained.conversation,
            subject=subject if isinstance(subject, str) else None,
            group_id=group_id,
        )
        # The AI agent's handoff summary: what the customer asked, for the agent who takes over.
        summary = metadata.get("summary")
        if isinstance(summary, str) and summary.strip():
            await actions.do_add_note(
                session,
                ticket,
                text=summary[: actions.MAX_NOTE_LENGTH],
                author_name="AI agent",
                author_type="ai_agent",
            )

    async def on_message(self, session: AsyncSession, posted: MessagePosted) -> None:
        current = await queries.get_current_ticket_brief(session, posted.conversation.id)
        from_customer = posted.message.author_type == "user"
        at = posted.message.received
        if current is not None:
            agent_reply = posted.message.author_subtype == "agent"
            await actions.do_follow_message(
                session, current, from_customer=from_customer, agent_reply=agent_reply, at=at
            )
        elif from_customer:
            text = posted.message.content.get("text")
            ticket = await actions.do_open_ticket(
                session,
                posted.account,
                posted.conversation,
                subject=text[:200] if isinstance(text, str) else None,
            )
            await actions.do_track_waiting(session, ticket, from_customer=True, at=at)
