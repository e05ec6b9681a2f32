"""What a customer's stream carries: their own conversations' public events, nothing internal
(no tickets, switchboard moves, other customers or notes)."""

from dataclasses import dataclass, field

from parlour.outbox.recorder import CommittedEvent
from parlour.realtime.hub import conversation_key, user_key

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
    # Bumped whenever conversation_ids changes: the hub then files the stream under its new keys.
    version: int = 0

    def keys(self) -> set[str]:
        """What the hub indexes this stream by: the customer's own events and their conversations."""
        return {user_key(self.user_id)} | {conversation_key(c) for c in self.conversation_ids}

    def __call__(self, event: CommittedEvent) -> bool:
        if event.type not in CUSTOMER_EVENT_TYPES:
            return False
        if event.type in ("conversation:create", "conversation:join") and event.user_id == self.user_id:
            if event.conversation_id and event.conversation_id not in self.conversation_ids:
                self.conversation_ids.add(event.conversation_id)
                self.version += 1
            return True
        if event.type == "conversation:leave" and event.user_id == self.user_id:
            if event.conversation_id in self.conversation_ids:
                self.conversation_ids.discard(event.conversation_id)
                self.version += 1
            return True
        return event.conversation_id in self.conversation_ids
