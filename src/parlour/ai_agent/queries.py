"""Reads for the AI agent: settings, answer flows, conversation state, automated resolutions."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.ai_agent.errors import FlowNotFound
from parlour.ai_agent.hours import Schedule
from parlour.ai_agent.models import AiAgentSettings, AnswerFlow, AutomatedResolution, ConversationState
from parlour.lib import clock
from parlour.lib.pagination import Page, PageRequest

DEFAULT_BOT_NAME = "AI agent"
DEFAULT_INACTIVITY_HOURS = 72


@dataclass(frozen=True)
class Policy:
    """An account's AI agent settings with defaults applied."""

    bot_name: str
    business_hours: Schedule | None
    inactivity_hours: int
    flows_version: int


async def get_settings_row(session: AsyncSession, account_id: str) -> AiAgentSettings | None:
    return await session.get(AiAgentSettings, account_id)


async def policy_of(session: AsyncSession, account: Account) -> Policy:
    row = await get_settings_row(session, account.id)
    if row is None:
        return Policy(DEFAULT_BOT_NAME, None, DEFAULT_INACTIVITY_HOURS, 0)
    return Policy(
        bot_name=row.bot_name or DEFAULT_BOT_NAME,
        business_hours=row.business_hours,
        inactivity_hours=row.inactivity_hours,
        flows_version=row.flows_version,
    )


def settings_json(account: Account, policy: Policy) -> dict[str, Any]:
    return {
        "botName": policy.bot_name,
        "businessHours": policy.business_hours,
        "timeZone": account.time_zone,
        "inactivityHours": policy.inactivity_hours,
    }


async def get_flow_or_raise(session: AsyncSession, account_id: str, flow_id: str) -> AnswerFlow:
    flow = await session.get(AnswerFlow, flow_id)
    if flow is None or flow.account_id != account_id:
        raise FlowNotFound()
    return flow


async def get_flow_by_name(session: AsyncSession, account_id: str, name: str) -> AnswerFlow | None:
    found: AnswerFlow | None = await session.scalar(
        select(AnswerFlow).where(AnswerFlow.account_id == account_id, AnswerFlow.name == name)
    )
    return found


async def enabled_flows(session: AsyncSession, account_id: str) -> list[AnswerFlow]:
    rows = await session.scalars(
        select(AnswerFlow)
        .where(AnswerFlow.account_id == account_id, AnswerFlow.enabled.is_(True))
        .order_by(AnswerFlow.id)
    )
    return list(rows)


async def _page(session: AsyncSession, base: Any, id_column: Any, page: PageRequest) -> Page[Any]:
    if page.before is not None:
        query = base.where(id_column < page.before).order_by(id_column.desc()).limit(page.size + 1)
        rows = list(await session.scalars(query))
        has_more = len(rows) > page.size
        rows = list(reversed(rows[: page.size]))
    else:
        query = base.where(id_column > page.after) if page.after is not None else base
        rows = list(await session.scalars(query.order_by(id_column).limit(page.size + 1)))
        has_more = len(rows) > page.size
        rows = rows[: page.size]
    return Page(
        items=rows,
        has_more=has_more,
        after_cursor=rows[-1].id if rows else None,
        before_cursor=rows[0].id if rows else None,
    )


async def list_flows(session: AsyncSession, account_id: str, page: PageRequest) -> Page[AnswerFlow]:
    return await _page(
        session, select(AnswerFlow).where(AnswerFlow.account_id == account_id), AnswerFlow.id, page
    )


def flow_json(flow: AnswerFlow) -> dict[str, Any]:
    return {
        "id": flow.id,
        "name": flow.name,
        "locale": flow.locale,
        "phrases": list(flow.phrases),
        "reply": dict(flow.reply),
        "enabled": flow.enabled,
        "createdAt": clock.iso(flow.created_at),
        "updatedAt": clock.iso(flow.updated_at),
    }


async def get_state(session: AsyncSession, conversation_id: str) -> ConversationState | None:
    return await session.get(ConversationState, conversation_id)


async def get_resolution(
    session: AsyncSession, conversation_id: str, cycle: int
) -> AutomatedResolution | None:
    found: AutomatedResolution | None = await session.scalar(
        select(AutomatedResolution).where(
            AutomatedResolution.conversation_id == conversation_id, AutomatedResolution.cycle == cycle
        )
    )
    return found


async def list_resolutions(
    session: AsyncSession,
    account_id: str,
    page: PageRequest,
    *,
    conversation_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_revoked: bool = False,
) -> Page[AutomatedResolution]:
    base = select(AutomatedResolution).where(AutomatedResolution.account_id == account_id)
    if conversation_id is not None:
        base = base.where(AutomatedResolution.conversation_id == conversation_id)
    if since is not None:
        base = base.where(AutomatedResolution.resolved_at >= since)
    if until is not None:
        base = base.where(AutomatedResolution.resolved_at < until)
    if not include_revoked:
        base = base.where(AutomatedResolution.revoked_at.is_(None))
    return await _page(session, base, AutomatedResolution.id, page)


def resolution_json(resolution: AutomatedResolution) -> dict[str, Any]:
    return {
        "id": resolution.id,
        "conversationId": resolution.conversation_id,
        "cycle": resolution.cycle,
        "reason": resolution.reason,
        "answer": {
            "kind": resolution.answer_kind,
            "id": resolution.answer_ref,
            "title": resolution.answer_title,
        },
        "resolvedAt": clock.iso(resolution.resolved_at),
        "revokedAt": clock.iso(resolution.revoked_at),
    }
