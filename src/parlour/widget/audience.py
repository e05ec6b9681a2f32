"""What a customer's stream carries: their own conversations' public events, nothing internal
(no tickets, switchboard moves, other customers or notes)."""

from dataclasses import dataclass, field

from parlour.outbox.recorder import CommittedEvent

CUSTOMER_EVENT_TYPES = frozenset(
    {
        "conversation:create",
        "conversation:remove",
        "conversation:join",
        "conversation:leave",
        "conversation:message",
        "conversation:read",
        "conversation:typing",
        "conversation:messages:deleted",
    }
)


@dataclass
class CustomerAudience:
    user_id: str
    conversation_ids: set[str] = field(default_factory=set)

    def __call__(self, event: CommittedEvent) -> bool:
        if event.type not in CUSTOMER_EVENT_TYPES:
            return False
        if event.type in ("conversation:create", "conversation:join") and event.user_id == self.user_id:
            if event.conversation_id:
                self.conversation_ids.add(event.conversation_id)
            return True
        if event.type == "conversation:leave" and event.user_id == self.user_id:
            self.conversation_ids.discard(event.conversation_id or "")
            return True
        return event.conversation_id in self.conversation_ids
