"""The only writers of the AI agent's rows: settings, answer flows, conversation state and
automated resolutions. Flow changes raise `flows_version` in the same transaction (see
`knowledge`), so answers use them at once."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.ai_agent import hours, queries
from parlour.ai_agent.errors import FlowNameTaken, InvalidAiSettings, InvalidFlow
from parlour.ai_agent.models import AiAgentSettings, AnswerFlow, AutomatedResolution, ConversationState
from parlour.conversations import queries as conversation_queries
from parlour.conversations.models import Conversation
from parlour.helpcenter import actions as helpcenter_actions
from parlour.jobs.queue import enqueue
from parlour.lib import clock, ids
from parlour.people import queries as people_queries
from parlour.switchboard import builtin
from parlour.switchboard import queries as switchboard_queries

QUIET_WINDOW_JOB = "ai_agent.quiet_window"
MAX_QUESTIONS_KEPT = 10
PHASES = ("idle", "feedback", "clarify", "email", "handed_off")
_UNSET: Any = object()


# --- settings -----------------------------------------------------------------------------------


async def _settings_row(session: AsyncSession, account: Account) -> AiAgentSettings:
    row = await queries.get_settings_row(session, account.id)
    if row is None:
        row = AiAgentSettings(
            account_id=account.id,
            bot_name=None,
            business_hours=None,
            inactivity_hours=queries.DEFAULT_INACTIVITY_HOURS,
            flows_version=0,
            updated_at=clock.now(),
        )
        session.add(row)
        await session.flush()
    return row


async def do_update_settings(
    session: AsyncSession,
    account: Account,
    *,
    bot_name: str | None = _UNSET,
    business_hours: dict[str, Any] | None = _UNSET,
    inactivity_hours: int = _UNSET,
) -> queries.Policy:
    """Change what the caller passes; `None` restores the default name or always-open hours."""
    schedule = hours.check_schedule(business_hours) if business_hours is not _UNSET else _UNSET
    if inactivity_hours is not _UNSET and not (
        isinstance(inactivity_hours, int) and 1 <= inactivity_hours <= 24 * 30
    ):
        raise InvalidAiSettings("inactivityHours is a whole number of hours from 1 to 720")
    if bot_name is not _UNSET and bot_name is not None and not 1 <= len(bot_name.strip()) <= 128:
        raise InvalidAiSettings("botName is 1-128 characters")
    row = await _settings_row(session, account)
    if bot_name is not _UNSET:
        row.bot_name = bot_name.strip() if bot_name else None
    if schedule is not _UNSET:
        row.business_hours = schedule
    if inactivity_hours is not _UNSET:
        row.inactivity_hours = inactivity_hours
    row.updated_at = clock.now()
    await session.flush()
    return await queries.policy_of(session, account)


async def _bump_flows(session: AsyncSession, account: Account) -> None:
    row = await _settings_row(session, account)
    row.flows_version += 1
    await session.flush()


# --- answer flows -------------------------------------------------------------------------------


def _check_reply(reply: dict[str, Any]) -> dict[str, Any]:
    kind = reply.get("type")
    if kind == "text":
        for link in reply.get("links") or []:
            parts = urlsplit(link.get("uri", ""))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise InvalidFlow("reply.links[].uri must be an http or https URL")
        return {
            "type": "text",
            "text": reply["text"].strip(),
            "quickReplies": [q.strip() for q in reply.get("quickReplies") or []],
            "links": [{"text": link["text"], "uri": link["uri"]} for link in reply.get("links") or []],
        }
    if kind == "handoff":
        clean: dict[str, Any] = {"type": "handoff"}
        if reply.get("text"):
            clean["text"] = reply["text"].strip()
        if reply.get("groupId"):
            clean["groupId"] = reply["groupId"]
        return clean
    raise InvalidFlow("reply.type must be text or handoff")


async def check_flow(
    session: AsyncSession,
    account: Account,
    *,
    name: str,
    phrases: list[str],
    reply: dict[str, Any],
    locale: str,
    flow_id: str | None = None,
) -> tuple[str, list[str], dict[str, Any], str]:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        raise InvalidFlow("name is 1-100 characters")
    existing = await queries.get_flow_by_name(session, account.id, name)
    if existing is not None and existing.id != flow_id:
        raise FlowNameTaken()
    clean_phrases: list[str] = []
    for phrase in phrases:
        clean = " ".join(phrase.split())
        if not clean:
            raise InvalidFlow("training phrases must not be blank")
        if clean.lower() not in (p.lower() for p in clean_phrases):
            clean_phrases.append(clean)
    if not clean_phrases:
        raise InvalidFlow("an answer flow needs at least one training phrase")
    if not helpcenter_actions.LOCALE.match(locale):
        raise InvalidFlow(f"locale {locale!r} is not a language tag such as 'en' or 'fr-CA'")
    clean_reply = _check_reply(reply)
    if "groupId" in clean_reply:
        # Another account's group is as unknown here as a group that does not exist.
        await people_queries.get_group_or_raise(session, account.id, clean_reply["groupId"])
    return name, clean_phrases, clean_reply, locale.lower()


async def do_create_flow(
    session: AsyncSession,
    account: Account,
    *,
    name: str,
    phrases: list[str],
    reply: dict[str, Any],
    locale: str | None = None,
    enabled: bool = True,
) -> AnswerFlow:
    name, phrases, reply, clean_locale = await check_flow(
        session, account, name=name, phrases=phrases, reply=reply, locale=locale or account.locale
    )
    now = clock.now()
    flow = AnswerFlow(
        id=ids.new_id(),
        account_id=account.id,
        name=name,
        locale=clean_locale,
        phrases=phrases,
        reply=reply,
        enabled=enabled,
        created_at=now,
        updated_at=now,
    )
    session.add(flow)
    await session.flush()
    await _bump_flows(session, account)
    return flow


async def do_update_flow(
    session: AsyncSession, account: Account, flow: AnswerFlow, *, changes: dict[str, Any]
) -> AnswerFlow:
    """`changes` holds only what the caller set: name, phrases, reply, locale, enabled."""
    unknown = set(changes) - {"name", "phrases", "reply", "locale", "enabled"}
    if unknown:
        raise InvalidFlow(f"Unknown answer flow fields: {', '.join(sorted(unknown))}")
    name, phrases, reply, locale = await check_flow(
        session,
        account,
        name=changes.get("name", flow.name),
        phrases=changes.get("phrases", flow.phrases),
        reply=changes.get("reply", flow.reply),
        locale=changes.get("locale", flow.locale),
        flow_id=flow.id,
    )
    flow.name, flow.phrases, flow.reply, flow.locale = name, phrases, reply, locale
    if "enabled" in changes:
        flow.enabled = bool(changes["enabled"])
    flow.updated_at = clock.now()
    await session.flush()
    await _bump_flows(session, account)
    return flow


async def do_delete_flow(session: AsyncSession, account: Account, flow: AnswerFlow) -> None:
    await session.delete(flow)
    await session.flush()
    await _bump_flows(session, account)


# --- conversation state -------------------------------------------------------------------------


async def do_get_or_start_state(session: AsyncSession, conversation: Conversation) -> ConversationState:
    state = await queries.get_state(session, conversation.id)
    if state is None:
        state = ConversationState(
            conversation_id=conversation.id,
            account_id=conversation.account_id,
            cycle=1,
            phase="idle",
            language=None,
            questions=[],
            last_answer=None,
            human_requested=False,
            context={},
            quiet_after_seq=None,
            updated_at=clock.now(),
        )
        session.add(state)
        await session.flush()
    return state


async def do_start_cycle(session: AsyncSession, state: ConversationState) -> None:
    """The AI agent has the conversation again (after a handback): a fresh start."""
    state.cycle += 1
    state.phase = "idle"
    state.questions = []
    state.last_answer = None
    state.human_requested = False
    state.context = {}
    state.quiet_after_seq = None
    state.updated_at = clock.now()
    await session.flush()


async def do_update_state(
    session: AsyncSession,
    state: ConversationState,
    *,
    phase: str = _UNSET,
    language: str | None = _UNSET,
    question: str | None = None,
    last_answer: dict[str, Any] | None = _UNSET,
    quiet_after_seq: int | None = _UNSET,
    context: dict[str, Any] = _UNSET,
) -> None:
    if phase is not _UNSET:
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase}")
        state.phase = phase
    if language is not _UNSET:
        state.language = language
    if question:
        state.questions = [*state.questions, question[:300]][-MAX_QUESTIONS_KEPT:]
    if last_answer is not _UNSET:
        state.last_answer = last_answer
    if quiet_after_seq is not _UNSET:
        state.quiet_after_seq = quiet_after_seq
    if context is not _UNSET:
        state.context = context
    state.updated_at = clock.now()
    await session.flush()


async def do_mark_human_requested(session: AsyncSession, state: ConversationState) -> None:
    """The customer asked for a person: this cycle cannot count as resolved by the AI agent."""
    state.human_requested = True
    state.quiet_after_seq = None
    state.updated_at = clock.now()
    resolution = await queries.get_resolution(session, state.conversation_id, state.cycle)
    if resolution is not None and resolution.revoked_at is None:
        resolution.revoked_at = state.updated_at
    await session.flush()


# --- automated resolutions ----------------------------------------------------------------------


async def do_record_resolution(
    session: AsyncSession, state: ConversationState, *, reason: str
) -> AutomatedResolution | None:
    """Count the cycle as resolved by the AI agent, once, if the rules of PRODUCT §5 hold."""
    answer = state.last_answer
    if state.human_requested or answer is None:
        return None
    if await queries.get_resolution(session, state.conversation_id, state.cycle) is not None:
        return None
    resolution = AutomatedResolution(
        id=ids.new_id(),
        account_id=state.account_id,
        conversation_id=state.conversation_id,
        cycle=state.cycle,
        reason=reason,
        answer_kind=str(answer.get("kind", "")),
        answer_ref=str(answer.get("ref", ""))[:64],
        answer_title=str(answer.get("title", ""))[:255],
        resolved_at=clock.now(),
        revoked_at=None,
    )
    session.add(resolution)
    await session.flush()
    return resolution


async def do_start_quiet_window(
    session: AsyncSession,
    account: Account,
    state: ConversationState,
    conversation: Conversation,
    *,
    hours: int | None = None,
) -> None:
    """After a relevant answer: if nobody writes for the inactivity window (`hours`, by default
    the account's), it resolved the question. A durable delayed job; any later message makes it
    do nothing."""
    if hours is None:
        hours = (await queries.policy_of(session, account)).inactivity_hours
    seq = conversation.last_seq
    state.quiet_after_seq = seq
    await session.flush()
    await enqueue(
        session,
        QUIET_WINDOW_JOB,
        {
            "account_id": account.id,
            "conversation_id": conversation.id,
            "cycle": state.cycle,
            "after_seq": seq,
        },
        run_at=clock.now() + timedelta(hours=hours),
        dedupe_key=f"{QUIET_WINDOW_JOB}:{conversation.id}:{state.cycle}:{seq}",
    )


async def do_resolve_if_still_quiet(session: AsyncSession, payload: dict[str, Any]) -> bool:
    """The quiet-window job's work: resolve only if nothing happened since the answer."""
    state = await queries.get_state(session, str(payload.get("conversation_id", "")))
    if state is None or state.account_id != payload.get("account_id"):
        return False
    if state.cycle != payload.get("cycle") or state.quiet_after_seq != payload.get("after_seq"):
        return False
    conversation = await conversation_queries.get_conversation(
        session, state.account_id, state.conversation_id
    )
    if conversation is None or conversation.last_seq != state.quiet_after_seq:
        return False  # someone wrote since: the customer again, or a human agent
    active, _pending = await switchboard_queries.state_of(session, conversation)
    if active is None or active.integration_type != builtin.AI_AGENT:
        return False  # a human (or another integration) took the conversation over
    return await do_record_resolution(session, state, reason="inactivity") is not None


# --- the demo account ---------------------------------------------------------------------------


async def do_seed_demo_content(session: AsyncSession, account: Account) -> None:
    """The demo's articles and flows; running it again changes nothing."""
    from parlour.ai_agent import demo  # noqa: PLC0415 - content only the demo needs

    for article in demo.ARTICLES:
        await helpcenter_actions.do_import_article(
            session,
            account,
            helpcenter_actions.ArticleSpec(
                title=article["title"],
                body=article["body"],
                locale=article.get("locale"),
                section=article.get("section"),
                labels=list(article.get("labels", [])),
                external_id=article["id"],
            ),
        )
    for flow in demo.FLOWS:
        if await queries.get_flow_by_name(session, account.id, flow["name"]) is None:
            await do_create_flow(
                session, account, name=flow["name"], phrases=flow["phrases"], reply=flow["reply"]
            )
