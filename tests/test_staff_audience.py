"""What an agent's stream learns from ticket events decides what it carries afterwards."""

from datetime import UTC, datetime
from typing import Any

from parlour.outbox.recorder import CommittedEvent
from parlour.workspace.audience import StaffAudience, TicketRouting


def _event(
    seq: int, type_: str, payload: dict[str, Any], conversation_id: str | None = "c1"
) -> CommittedEvent:
    return CommittedEvent(
        id=seq,
        account_id="a1",
        seq=seq,
        conversation_id=conversation_id,
        user_id="u1",
        type=type_,
        payload=payload,
        created_at=datetime(2026, 11, 25, tzinfo=UTC),
    )


def test_a_note_does_not_open_another_groups_conversation_to_an_agent() -> None:
    agent = StaffAudience("s1", False, frozenset({"g-sales"}), {"c1": TicketRouting("g-billing", None)})
    message = _event(1, "conversation:message", {"message": {}})
    assert not agent(message)

    note = _event(2, "ticket:note", {"note": {"body": "card 4242"}, "ticket": {"id": "t1", "number": 1}})
    agent.learn(note)
    assert not agent(note)
    assert not agent(_event(3, "conversation:message", {"message": {}}))


def test_a_transfer_to_the_agents_group_opens_the_conversation_and_away_closes_it() -> None:
    agent = StaffAudience("s1", False, frozenset({"g-sales"}), {"c1": TicketRouting("g-billing", None)})
    to_sales = {"ticket": {"id": "t1", "groupId": "g-sales", "assigneeId": None}}
    agent.learn(_event(1, "ticket:updated", to_sales))
    assert agent(_event(2, "conversation:message", {"message": {}}))
    to_billing = {"ticket": {"id": "t1", "groupId": "g-billing", "assigneeId": "s9"}}
    agent.learn(_event(3, "ticket:updated", to_billing))
    assert not agent(_event(4, "conversation:message", {"message": {}}))


def test_customer_profiles_outside_any_conversation_reach_admins_only() -> None:
    agent = StaffAudience("s1", False, frozenset({"g-sales"}))
    admin = StaffAudience("s2", True, frozenset())
    profile = _event(1, "user:update", {"user": {"email": "ada@example.com"}}, conversation_id=None)
    status = _event(2, "staff:status", {"staff": {"id": "s2", "status": "away"}}, conversation_id=None)
    assert (agent(profile), admin(profile)) == (False, True)
    assert (agent(status), admin(status)) == (True, True)
