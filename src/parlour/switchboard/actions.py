"""The only writers of the switchboard, and the four control actions.

State per conversation: one active switchboard integration (or none before the first message),
at most one pending (offered) one; every other integration is in standby.
"""

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.conversations import actions as conversation_actions
from parlour.conversations.listeners import MessagePosted
from parlour.conversations.models import Conversation
from parlour.lib import clock, ids
from parlour.lib.errors import BadRequest
from parlour.lib.metadata import check_metadata
from parlour.outbox.recorder import record
from parlour.switchboard import builtin, events, queries
from parlour.switchboard.errors import (
    AlreadyActive,
    AmbiguousTarget,
    InUse,
    NameTaken,
    NoNextIntegration,
    NoSwitchboard,
    NotActive,
    NotPending,
    SwitchboardDisabled,
    SwitchboardExists,
    SwitchboardIntegrationNotFound,
    UnknownTarget,
)
from parlour.switchboard.models import Integration, Switchboard, SwitchboardIntegration

NEXT = "next"


async def do_create_switchboard(session: AsyncSession, account: Account) -> Switchboard:
    if await queries.get_switchboard(session, account.id) is not None:
        raise SwitchboardExists()
    switchboard = Switchboard(
        id=ids.new_id(),
        account_id=account.id,
        enabled=True,
        default_switchboard_integration_id=None,
        created_at=clock.now(),
    )
    session.add(switchboard)
    await session.flush()
    return switchboard


async def do_update_switchboard(
    session: AsyncSession, switchboard: Switchboard, *, enabled: bool | None, default_id: str | None
) -> Switchboard:
    if default_id is not None:
        await queries.get_switchboard_integration_or_raise(session, switchboard, default_id)
        switchboard.default_switchboard_integration_id = default_id
    if enabled is not None:
        switchboard.enabled = enabled
    await session.flush()
    return switchboard


async def do_delete_switchboard(session: AsyncSession, switchboard: Switchboard) -> None:
    """Integrations stay; conversations lose their switchboard state (everyone gets every event)."""
    await _clear_state(session, switchboard.account_id, None)
    await session.delete(switchboard)
    await session.flush()


async def _clear_state(session: AsyncSession, account_id: str, sbi_id: str | None) -> None:
    for column in (
        Conversation.active_switchboard_integration_id,
        Conversation.pending_switchboard_integration_id,
    ):
        query = update(Conversation).where(Conversation.account_id == account_id)
        query = query.where(column.is_not(None) if sbi_id is None else column == sbi_id)
        await session.execute(query.values({column.key: None}))


async def _check_link(
    session: AsyncSession, account: Account, integration_id: str | None, integration_type: str | None
) -> tuple[str | None, str]:
    if bool(integration_id) == bool(integration_type):
        raise BadRequest(
            "Give exactly one of integrationId (custom integrations) or integrationType (built-in)"
        )
    if integration_id:
        integration = await queries.get_integration_or_raise(session, account.id, integration_id)
        return integration.id, integration.type
    if integration_type is None or not builtin.is_builtin(integration_type):
        raise BadRequest(
            f"integrationType must be {builtin.AGENT_WORKSPACE} or {builtin.AI_AGENT}; "
            "link custom integrations by integrationId"
        )
    return None, integration_type


async def do_create_switchboard_integration(
    session: AsyncSession,
    account: Account,
    switchboard: Switchboard,
    *,
    name: str,
    integration_id: str | None = None,
    integration_type: str | None = None,
    deliver_standby_events: bool = True,
    next_id: str | None = None,
    message_history_count: int | None = None,
) -> SwitchboardIntegration:
    existing = await queries.list_switchboard_integrations(session, switchboard.id)
    if any(sbi.name == name for sbi in existing):
        raise NameTaken()
    if next_id is not None and all(sbi.id != next_id for sbi in existing):
        raise SwitchboardIntegrationNotFound(
            "nextSwitchboardIntegrationId names no integration of this switchboard"
        )
    linked_id, linked_type = await _check_link(session, account, integration_id, integration_type)
    sbi = SwitchboardIntegration(
        id=ids.new_id(),
        account_id=account.id,
        switchboard_id=switchboard.id,
        name=name,
        integration_id=linked_id,
        integration_type=linked_type,
        deliver_standby_events=deliver_standby_events,
        next_switchboard_integration_id=next_id,
        message_history_count=message_history_count,
        created_at=clock.now(),
    )
    session.add(sbi)
    await session.flush()
    return sbi


async def do_update_switchboard_integration(
    session: AsyncSession,
    account: Account,
    switchboard: Switchboard,
    sbi: SwitchboardIntegration,
    *,
    fields: dict[str, Any],
) -> SwitchboardIntegration:
    """`fields` holds only what the caller set (API names)."""
    others = [
        s for s in await queries.list_switchboard_integrations(session, switchboard.id) if s.id != sbi.id
    ]
    if "name" in fields:
        if any(s.name == fields["name"] for s in others):
            raise NameTaken()
        sbi.name = fields["name"]
    if "integrationId" in fields or "integrationType" in fields:
        sbi.integration_id, sbi.integration_type = await _check_link(
            session, account, fields.get("integrationId"), fields.get("integrationType")
        )
    if "deliverStandbyEvents" in fields:
        sbi.deliver_standby_events = fields["deliverStandbyEvents"]
    if "nextSwitchboardIntegrationId" in fields:
        next_id = fields["nextSwitchboardIntegrationId"]
        if next_id is not None and all(s.id != next_id for s in others):
            raise SwitchboardIntegrationNotFound(
                "nextSwitchboardIntegrationId names no other integration of this switchboard"
            )
        sbi.next_switchboard_integration_id = next_id
    if "messageHistoryCount" in fields:
        sbi.message_history_count = fields["messageHistoryCount"]
    await session.flush()
    return sbi


async def do_delete_switchboard_integration(
    session: AsyncSession, switchboard: Switchboard, sbi: SwitchboardIntegration
) -> None:
    if switchboard.default_switchboard_integration_id == sbi.id:
        raise InUse("This is the default switchboard integration: choose another default first")
    others = await queries.list_switchboard_integrations(session, switchboard.id)
    if any(s.next_switchboard_integration_id == sbi.id for s in others if s.id != sbi.id):
        raise InUse("Another switchboard integration names this one as its next: change that first")
    await _clear_state(session, switchboard.account_id, sbi.id)
    await session.delete(sbi)
    await session.flush()


async def do_create_integration(
    session: AsyncSession, account: Account, *, display_name: str | None
) -> Integration:
    integration = Integration(
        id=ids.new_id(),
        account_id=account.id,
        type=builtin.CUSTOM,
        display_name=display_name,
        status="active",
        created_at=clock.now(),
    )
    session.add(integration)
    await session.flush()
    return integration


async def do_update_integration(
    session: AsyncSession, integration: Integration, *, display_name: str | None
) -> None:
    integration.display_name = display_name
    await session.flush()


async def do_delete_integration(session: AsyncSession, account: Account, integration: Integration) -> None:
    switchboard = await queries.get_switchboard(session, account.id)
    if switchboard is not None:
        for sbi in await queries.list_switchboard_integrations(session, switchboard.id):
            if sbi.integration_id == integration.id:
                await do_delete_switchboard_integration(session, switchboard, sbi)
    await session.delete(integration)
    await session.flush()


async def do_provision(session: AsyncSession, account: Account) -> Switchboard:
    """The switchboard a new account starts with: the AI agent hands off to the agent workspace.

    The agent workspace is the default responder until the AI agent is enabled for the account.
    """
    switchboard = await do_create_switchboard(session, account)
    workspace = await do_create_switchboard_integration(
        session, account, switchboard, name="zd-agentWorkspace", integration_type=builtin.AGENT_WORKSPACE
    )
    await do_create_switchboard_integration(
        session,
        account,
        switchboard,
        name="zd-answerBot",
        integration_type=builtin.AI_AGENT,
        next_id=workspace.id,
    )
    switchboard.default_switchboard_integration_id = workspace.id
    await session.flush()
    return switchboard


# --- control -----------------------------------------------------------------------------------


async def _enabled_switchboard(session: AsyncSession, account: Account) -> Switchboard:
    switchboard = await queries.get_switchboard(session, account.id)
    if switchboard is None:
        raise NoSwitchboard()
    if not switchboard.enabled:
        raise SwitchboardDisabled()
    return switchboard


async def resolve_target(
    session: AsyncSession, switchboard: Switchboard, conversation: Conversation, ref: str
) -> SwitchboardIntegration:
    """A target by id, then name, then integrationType (must be unique), or `next`."""
    candidates = await queries.list_switchboard_integrations(session, switchboard.id)
    if ref == NEXT:
        active = next((s for s in candidates if s.id == conversation.active_switchboard_integration_id), None)
        if active is None:
            active = next(
                (s for s in candidates if s.id == switchboard.default_switchboard_integration_id), None
            )
        next_id = active.next_switchboard_integration_id if active else None
        found = next((s for s in candidates if s.id == next_id), None)
        if found is None:
            raise NoNextIntegration()
        return found
    by_id = next((s for s in candidates if s.id == ref), None)
    by_name = next((s for s in candidates if s.name == ref), None)
    for found_by_ref in (by_id, by_name):
        if found_by_ref is not None:
            return found_by_ref
    by_type = [s for s in candidates if s.integration_type == ref]
    if len(by_type) > 1:
        raise AmbiguousTarget()
    if not by_type:
        raise UnknownTarget(f"No switchboard integration has the id, name or type {ref!r}")
    return by_type[0]


async def _record_control(
    session: AsyncSession,
    account: Account,
    conversation: Conversation,
    event_type: str,
    metadata: dict[str, Any] | None,
    reason: str | None = None,
) -> None:
    active, pending = await queries.state_of(session, conversation)
    conversation_body: dict[str, Any] = {"id": conversation.id, "type": conversation.type}
    if active is not None:
        conversation_body["activeSwitchboardIntegration"] = queries.control_json(active)
    if pending is not None:
        conversation_body["pendingSwitchboardIntegration"] = queries.control_json(pending)
    payload: dict[str, Any] = {"conversation": conversation_body, "metadata": metadata}
    if reason is not None:
        payload["reason"] = reason
    await record(
        session,
        account_id=account.id,
        type=event_type,
        conversation_id=conversation.id,
        user_id=conversation.user_id,
        payload=payload,
    )


async def _gain_control(
    session: AsyncSession,
    account: Account,
    conversation: Conversation,
    sbi: SwitchboardIntegration,
    metadata: dict[str, Any] | None,
    via: str,
) -> None:
    handler = builtin.handler_for(sbi.integration_type)
    if handler is not None:
        await handler.on_control_gained(session, builtin.ControlGained(account, conversation, metadata, via))


async def do_pass_control(
    session: AsyncSession,
    account: Account,
    conversation: Conversation,
    target_ref: str,
    *,
    metadata: dict[str, Any] | None = None,
    reason: str | None = None,
) -> SwitchboardIntegration:
    clean = check_metadata(metadata)
    switchboard = await _enabled_switchboard(session, account)
    target = await resolve_target(session, switchboard, conversation, target_ref)
    if conversation.active_switchboard_integration_id == target.id:
        # Passing to whoever already has control changes nothing and fires nothing twice.
        return target
    await conversation_actions.do_set_control(session, conversation, active=target.id, pending=None)
    await _record_control(session, account, conversation, events.PASS_CONTROL, clean, reason)
    await _gain_control(session, account, conversation, target, clean, "passControl")
    return target


async def do_offer_control(
    session: AsyncSession,
    account: Account,
    conversation: Conversation,
    target_ref: str,
    *,
    metadata: dict[str, Any] | None = None,
) -> SwitchboardIntegration:
    clean = check_metadata(metadata)
    switchboard = await _enabled_switchboard(session, account)
    target = await resolve_target(session, switchboard, conversation, target_ref)
    if conversation.active_switchboard_integration_id == target.id:
        raise AlreadyActive()
    # A new offer replaces (invalidates) any earlier one.
    await conversation_actions.do_set_control(
        session, conversation, active=conversation.active_switchboard_integration_id, pending=target.id
    )
    await _record_control(session, account, conversation, events.OFFER_CONTROL, clean)
    return target


async def do_accept_control(
    session: AsyncSession,
    account: Account,
    conversation: Conversation,
    *,
    metadata: dict[str, Any] | None = None,
    acting: SwitchboardIntegration | None = None,
) -> SwitchboardIntegration:
    """The pending integration takes control. `acting` is set when an integration itself calls."""
    clean = check_metadata(metadata)
    await _enabled_switchboard(session, account)
    pending_id = conversation.pending_switchboard_integration_id
    if pending_id is None or (acting is not None and acting.id != pending_id):
        raise NotPending()
    pending = await queries.get_switchboard_integration(session, account.id, pending_id)
    if pending is None:
        raise NotPending()
    await conversation_actions.do_set_control(session, conversation, active=pending.id, pending=None)
    await _record_control(session, account, conversation, events.ACCEPT_CONTROL, clean)
    await _gain_control(session, account, conversation, pending, clean, "acceptControl")
    return pending


async def do_release_control(
    session: AsyncSession,
    account: Account,
    conversation: Conversation,
    *,
    metadata: dict[str, Any] | None = None,
    acting: SwitchboardIntegration | None = None,
    reason: str | None = None,
) -> None:
    """The active integration lets go; control returns to the default integration, which acts on
    the customer's next message (it is not woken now: nothing has been asked of it yet)."""
    clean = check_metadata(metadata)
    switchboard = await _enabled_switchboard(session, account)
    active_id = conversation.active_switchboard_integration_id
    if active_id is None or (acting is not None and acting.id != active_id):
        raise NotActive()
    await conversation_actions.do_set_control(
        session, conversation, active=switchboard.default_switchboard_integration_id, pending=None
    )
    await _record_control(session, account, conversation, events.RELEASE_CONTROL, clean, reason)


async def release_by_type(
    session: AsyncSession, account: Account, conversation: Conversation, integration_type: str, *, reason: str
) -> bool:
    """Release control on behalf of a built-in integration if it is the one in control."""
    active, _ = await queries.state_of(session, conversation)
    if active is None or active.integration_type != integration_type:
        return False
    switchboard = await queries.get_switchboard(session, account.id)
    if switchboard is None or not switchboard.enabled:
        return False
    await do_release_control(session, account, conversation, acting=active, reason=reason)
    return True


async def on_message(session: AsyncSession, posted: MessagePosted) -> None:
    """Registered with the conversations domain: every stored message passes through here."""
    conversation = posted.conversation
    switchboard, active = await queries.switchboard_and_active(session, posted.account.id, conversation)
    if switchboard is None or not switchboard.enabled:
        return
    if active is None and posted.message.author_type == "user":
        default_id = switchboard.default_switchboard_integration_id
        active = await queries.get_switchboard_integration(session, posted.account.id, default_id or "")
        if active is None:
            return
        await conversation_actions.do_set_control(
            session, conversation, active=active.id, pending=conversation.pending_switchboard_integration_id
        )
    if active is None:
        return
    handler = builtin.handler_for(active.integration_type)
    if handler is not None:
        await handler.on_message(session, posted)
