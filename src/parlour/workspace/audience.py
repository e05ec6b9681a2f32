"""What a staff member's stream carries. Admins see the whole account. Agents see events of
conversations whose ticket is unassigned to a group, in one of their groups, or assigned to
them, plus events that concern no conversation; bot-only conversations stay out of their way."""

from dataclasses import dataclass, field

from parlour.outbox.recorder import CommittedEvent


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

    def learn(self, event: CommittedEvent) -> None:
        if event.type.startswith("ticket:") and event.conversation_id:
            ticket = event.payload.get("ticket", {})
            self.tickets[event.conversation_id] = TicketRouting(
                ticket.get("groupId"), ticket.get("assigneeId")
            )

    def __call__(self, event: CommittedEvent) -> bool:
        if self.focus is not None and event.conversation_id not in self.focus:
            return False
        if self.is_admin or event.conversation_id is None:
            return True
        routing = self.tickets.get(event.conversation_id)
        return routing is not None and self.may_see(routing)

    def may_see(self, routing: TicketRouting) -> bool:
        return (
            self.is_admin
            or routing.assignee_id == self.staff_id
            or routing.group_id is None
            or routing.group_id in self.group_ids
        )
