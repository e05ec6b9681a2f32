"""Reads for integrations, switchboards and switchboard integrations."""

import hashlib
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour import db
from parlour.conversations import queries as conversation_queries
from parlour.conversations.models import Conversation
from parlour.lib import clock
from parlour.switchboard.errors import (
    IntegrationNotFound,
    SwitchboardIntegrationNotFound,
    SwitchboardNotFound,
)
from parlour.switchboard.models import Integration, Switchboard, SwitchboardIntegration


async def get_switchboard(session: AsyncSession, account_id: str) -> Switchboard | None:
    found: Switchboard | None = await session.scalar(
        select(Switchboard).where(Switchboard.account_id == account_id)
    )
    return found


# Built once: every message passes through the switchboard. A Core statement whose row is made
# into the session's objects (`db.adopt`): through the ORM, this read cost several times the
# statement, once per transaction, so once per message when messages come one at a time.
_switchboards = cast(Table, Switchboard.__table__)
_integrations = cast(Table, SwitchboardIntegration.__table__)
_WITH_ACTIVE = db.Prepared(
    select(*_switchboards.c, *_integrations.c)
    .select_from(_switchboards)
    .outerjoin(_integrations, _integrations.c.id == bindparam("active"))
    .where(_switchboards.c.account_id == bindparam("account"))
)
_SWITCHBOARD_COLUMNS = len(_switchboards.c)


# Where a session keeps the switchboards and integrations it has read, by account: the identity
# map holds objects weakly, and these would otherwise be gone by the next message.
_KEPT = "switchboards_kept"


async def switchboard_and_active(
    session: AsyncSession, account_id: str, conversation: Conversation
) -> tuple[Switchboard | None, SwitchboardIntegration | None]:
    """The account's switchboard and the integration in control of the conversation, in one read.

    Messages committed together (`Database.together`) share a session: after the first of them,
    both are usually in its identity map already and are taken from there without a statement
    (`db.get`; the objects themselves, so a change made earlier in the transaction is seen, and
    one deleted since is looked up again by `session.get`)."""
    active_id = conversation.active_switchboard_integration_id
    kept: dict[str, tuple[Switchboard, dict[str, SwitchboardIntegration]]]
    kept = session.info.setdefault(_KEPT, {})
    if account_id in kept:
        switchboard_kept, integrations = kept[account_id]
        switchboard = await db.get(session, Switchboard, switchboard_kept.id)
        if switchboard is not None and (active_id is None or active_id in integrations):
            active = None if active_id is None else await db.get(session, SwitchboardIntegration, active_id)
            if active_id is None or (active is not None and active.account_id == account_id):
                return switchboard, active
    row = await _WITH_ACTIVE.first(session, {"account": account_id, "active": active_id})
    if row is None:
        return None, None
    switchboard = db.adopt(session, Switchboard, row[:_SWITCHBOARD_COLUMNS])
    joined = row[_SWITCHBOARD_COLUMNS:]
    active = None if joined[0] is None else db.adopt(session, SwitchboardIntegration, joined)
    integrations = kept[account_id][1] if account_id in kept else {}
    if active is not None:
        integrations[active.id] = active
    kept[account_id] = (switchboard, integrations)
    return switchboard, active


async def get_switchboard_or_raise(
    session: AsyncSession, account_id: str, switchboard_id: str
) -> Switchboard:
    switchboard = await session.get(Switchboard, switchboard_id)
    if switchboard is None or switchboard.account_id != account_id:
        raise SwitchboardNotFound()
    return switchboard


async def list_switchboard_integrations(
    session: AsyncSession, switchboard_id: str
) -> list[SwitchboardIntegration]:
    rows = await session.scalars(
        select(SwitchboardIntegration)
        .where(SwitchboardIntegration.switchboard_id == switchboard_id)
        .order_by(SwitchboardIntegration.created_at, SwitchboardIntegration.id)
    )
    return list(rows)


async def get_switchboard_integration(
    session: AsyncSession, account_id: str, sbi_id: str
) -> SwitchboardIntegration | None:
    sbi = await session.get(SwitchboardIntegration, sbi_id)
    return sbi if sbi is not None and sbi.account_id == account_id else None


async def get_switchboard_integration_or_raise(
    session: AsyncSession, switchboard: Switchboard, sbi_id: str
) -> SwitchboardIntegration:
    sbi = await session.get(SwitchboardIntegration, sbi_id)
    if sbi is None or sbi.switchboard_id != switchboard.id:
        raise SwitchboardIntegrationNotFound()
    return sbi


async def get_integration_or_raise(
    session: AsyncSession, account_id: str, integration_id: str
) -> Integration:
    integration = await session.get(Integration, integration_id)
    if integration is None or integration.account_id != account_id:
        raise IntegrationNotFound()
    return integration


async def list_integrations(session: AsyncSession, account_id: str) -> list[Integration]:
    rows = await session.scalars(
        select(Integration)
        .where(Integration.account_id == account_id)
        .order_by(Integration.created_at, Integration.id)
    )
    return list(rows)


async def state_of(
    session: AsyncSession, conversation: Conversation
) -> tuple[SwitchboardIntegration | None, SwitchboardIntegration | None]:
    active = pending = None
    if conversation.active_switchboard_integration_id:
        active = await session.get(SwitchboardIntegration, conversation.active_switchboard_integration_id)
    if conversation.pending_switchboard_integration_id:
        pending = await session.get(SwitchboardIntegration, conversation.pending_switchboard_integration_id)
    return active, pending


def switchboard_json(switchboard: Switchboard) -> dict[str, Any]:
    return {
        "id": switchboard.id,
        "enabled": switchboard.enabled,
        "defaultSwitchboardIntegrationId": switchboard.default_switchboard_integration_id,
    }


def integration_id_of(sbi: SwitchboardIntegration) -> str:
    """`integrationId` is a required string in the API. A custom integration has its own id; a
    built-in one (linked by type, no integration row) gets a stable id derived from the account
    and the type, the same in every response and webhook."""
    if sbi.integration_id is not None:
        return sbi.integration_id
    return hashlib.sha256(f"{sbi.account_id}:{sbi.integration_type}".encode()).hexdigest()[:24]


def switchboard_integration_json(sbi: SwitchboardIntegration) -> dict[str, Any]:
    return {
        "id": sbi.id,
        "name": sbi.name,
        "integrationId": integration_id_of(sbi),
        "integrationType": sbi.integration_type,
        "deliverStandbyEvents": sbi.deliver_standby_events,
        "nextSwitchboardIntegrationId": sbi.next_switchboard_integration_id,
        "messageHistoryCount": sbi.message_history_count,
    }


def control_json(sbi: SwitchboardIntegration | None) -> dict[str, Any] | None:
    if sbi is None:
        return None
    return {
        "id": sbi.id,
        "name": sbi.name,
        "integrationId": integration_id_of(sbi),
        "integrationType": sbi.integration_type,
    }


def integration_json(integration: Integration) -> dict[str, Any]:
    return {
        "id": integration.id,
        "type": integration.type,
        "status": integration.status,
        "displayName": integration.display_name,
        "createdAt": clock.iso(integration.created_at),
    }


async def conversation_with_control(session: AsyncSession, conversation: Conversation) -> dict[str, Any]:
    """The API shape of a conversation, with its active and pending switchboard integrations."""
    active, pending = await state_of(session, conversation)
    return conversation_queries.conversation_json(conversation, control_json(active), control_json(pending))
