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
        # The common case changes nothing (a customer's next message while they already wait for
        # an answer), so the decision is taken on three columns and the ticket is loaded only
        # when it changes.
        current = await queries.get_current_ticket_brief(session, posted.conversation.id)
        from_customer = posted.message.author_type == "user"
        if not from_customer:
            if current is not None and posted.message.author_subtype == "agent" and current.waiting_since:
                await self._track(session, current.id, from_customer=False, posted=posted)
            return
        if current is None:
            text = posted.message.content.get("text")
            ticket = await actions.do_open_ticket(
                session,
                posted.account,
                posted.conversation,
                subject=text[:200] if isinstance(text, str) else None,
            )
            await actions.do_track_waiting(session, ticket, from_customer=True, at=posted.message.received)
        elif current.status == "solved" or current.waiting_since is None:
            await self._track(session, current.id, from_customer=True, posted=posted)

    async def _track(
        self, session: AsyncSession, ticket_id: str, *, from_customer: bool, posted: MessagePosted
    ) -> None:
        ticket = await queries.get_ticket_by_id(session, ticket_id)
        if ticket is None:
            return
        if from_customer:
            await actions.do_reopen_on_customer_reply(session, ticket)
        at = posted.message.received
        await actions.do_track_waiting(session, ticket, from_customer=from_customer, at=at)
