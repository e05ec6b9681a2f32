"""What a staff member's stream carries. Admins see the whole account. Agents see events of
conversations whose ticket is unassigned to a group, in one of their groups, or assigned to
them, plus events that concern no conversation except customers' profiles; bot-only
conversations stay out of their way."""

from dataclasses import dataclass, field

from parlour.outbox.recorder import CommittedEvent
from parlour.realtime.hub import conversation_key


@dataclass
class TicketRouting:
    group_id: str | None
    assignee_id: str | None


@dataclass
class StaffAudience:
    staff_id: str
    is_admin: bool
    group_ids: frozenset[str]
    # Current ticket of each conversation, loaded at connect and kept fresh from ticket events.
    tickets: dict[str, TicketRouting] = field(default_factory=dict)
    # A stream focused on some conversations (hello `conversations`) carries only their events:
    # an agent's device following the tickets it has open pays for nothing else.
    focus: frozenset[str] | None = None

    def keys(self) -> set[str] | None:
        """What the hub indexes this stream by: a focused stream, its conversations; any other
        stream (None) is offered every event of the account."""
        return None if self.focus is None else {conversation_key(c) for c in self.focus}

    def learn(self, event: CommittedEvent) -> None:
        if not event.type.startswith("ticket:") or not event.conversation_id:
            return
        ticket = event.payload.get("ticket")
        # Only a whole ticket says where it is routed: a note names its ticket by id and number
        # alone, and reading its missing group as "no group" would show it to every agent.
        if not isinstance(ticket, dict) or "groupId" not in ticket or "assigneeId" not in ticket:
            return
        self.tickets[event.conversation_id] = TicketRouting(ticket["groupId"], ticket["assigneeId"])

    def __call__(self, event: CommittedEvent) -> bool:
        if self.focus is not None and event.conversation_id not in self.focus:
            return False
        if self.is_admin:
            return True
        if event.conversation_id is None:
            # Customers' profiles (user:*) go to agents through the tickets they may work, not
            # to every agent of the account; the team's statuses go to everyone.
            return not event.type.startswith("user:")
        routing = self.tickets.get(event.conversation_id)
        return routing is not None and self.may_see(routing)

    def may_see(self, routing: TicketRouting) -> bool:
        return (
            self.is_admin
            or routing.assignee_id == self.staff_id
            or routing.group_id is None
            or routing.group_id in self.group_ids
        )
