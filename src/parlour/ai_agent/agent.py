"""The AI agent as a switchboard integration (`zd:answerBot`): the first responder.

For each customer message while it has control, in the transaction that stores the message:
a quick reply it offered (its payload) is acted on; otherwise the answer flows' intent model
decides (`nlu.IntentModel.decide`, taken as it is): a flow answers, or close candidates are
offered as a choice, or — no flow — the help center is searched: one clear article is answered
with a snippet and a link, close ones are offered as a choice, none means offering a human.
After each answer it asks "Did this help?". A handoff passes control to its `next` integration
(the agent workspace) with a summary of what the customer asked; out of business hours it first
says when agents are back and asks for an email address. See docs/ai-agent.md.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.ai_agent import actions, hours, knowledge, language, llm, messages, queries
from parlour.ai_agent.knowledge import FlowEntry, Hit, IndexedArticle
from parlour.ai_agent.models import ConversationState
from parlour.conversations import actions as conversation_actions
from parlour.conversations.listeners import MessagePosted
from parlour.conversations.models import Conversation, Message
from parlour.helpcenter import content as article_content
from parlour.helpcenter import queries as helpcenter_queries
from parlour.lib import clock
from parlour.lib.errors import ParlourError
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.people.models import EndUser
from parlour.settings import get_settings
from parlour.switchboard import actions as switchboard_actions
from parlour.switchboard import builtin
from parlour.switchboard.builtin import ControlGained

log = structlog.get_logger("parlour.ai_agent")

PREFIX = "parlour:"
YES = "parlour:helpful:yes"
NO = "parlour:helpful:no"
HUMAN = "parlour:human"
ASK_OTHER = "parlour:ask-other"
EMAIL_SKIP = "parlour:email:skip"
FLOW = "parlour:flow:"
ARTICLE = "parlour:article:"
SAY = "parlour:say"
EMAIL = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+")
SUMMARY_MAX = 1000
# How far behind the best a flow candidate may score and still be offered when clarifying.
CLARIFY_SPREAD = 0.1


@dataclass
class Turn:
    session: AsyncSession
    account: Account
    conversation: Conversation
    user: EndUser | None
    state: ConversationState
    policy: queries.Policy
    language: str

    @property
    def signed_in(self) -> bool:
        return self.user is not None and self.user.external_id is not None

    def t(self, key: str, **values: str) -> str:
        return messages.text(self.language, key, **values)


def _builtin_language(label: str, text: str, candidates: frozenset[str]) -> str | None:
    said = " ".join(re.sub(r"[^\w' ]", " ", text.lower()).split())
    for code, phrases in messages.BUILTIN_PHRASES.get(label, {}).items():
        if code in candidates and said in (
            " ".join(re.sub(r"[^\w' ]", " ", p.lower()).split()) for p in phrases
        ):
            return code
    return None


def _reply(text: str, payload: str) -> dict[str, Any]:
    return {"type": "reply", "text": text[:128], "payload": payload}


class AiAgent:
    async def on_control_gained(self, session: AsyncSession, gained: ControlGained) -> None:
        """Given a conversation (passed to it, or back to it): start afresh, speak when spoken to."""
        state = await actions.do_get_or_start_state(session, gained.conversation)
        if state.phase == "handed_off" or state.questions or state.human_requested:
            await actions.do_start_cycle(session, state)

    async def on_message(self, session: AsyncSession, posted: MessagePosted) -> None:
        message = posted.message
        if message.author_type != "user":
            return
        account, conversation = posted.account, posted.conversation
        state = await actions.do_get_or_start_state(session, conversation)
        if state.phase == "handed_off":
            # Control came back (the ticket closed): this message starts a new cycle.
            await actions.do_start_cycle(session, state)
        user = await people_queries.get_user(session, account.id, message.author_user_id or "")
        policy = await queries.policy_of(session, account)
        articles_version = await helpcenter_queries.version_of(session, account.id)
        book = await knowledge.flow_book(
            session, account, flows_version=policy.flows_version, articles_version=articles_version
        )
        index = await knowledge.article_index(session, account, version=articles_version)
        text = message.content.get("text") if message.content_type == "text" else None
        text = text.strip() if isinstance(text, str) else ""
        default_language = language.base(account.locale)
        candidates = frozenset({default_language}) | book.languages | index.languages
        previous = state.language or language.base(user.locale if user else None) or default_language
        if previous not in candidates:
            previous = default_language
        detected = language.detect(text, candidates, previous) if text else previous
        turn = Turn(session, account, conversation, user, state, policy, detected or default_language)
        if detected != state.language:
            await actions.do_update_state(session, state, language=detected)
        payload = message.content.get("payload")
        is_ours = isinstance(payload, str) and payload.startswith(PREFIX) and payload != SAY
        if is_ours and await self._on_payload(turn, str(payload), book, index):
            return
        if not text:
            await self._say(turn, turn.t("text_only"), kind="textOnly", actions=[self._human_button(turn)])
            return
        if state.phase == "email" and await self._on_email(turn, text):
            return
        if state.phase == "feedback":
            said = " ".join(text.lower().strip(" .!").split())
            if said in messages.YES_WORDS:
                await self._helped(turn)
                return
            if said in messages.NO_WORDS:
                await self._not_helped(turn)
                return
        decision = book.decide(text)
        if decision.ambiguous:
            options = [
                book.entries[m.label]
                for m in decision.candidates
                if m.label in book.entries
                and decision.best
                and m.score >= decision.best.score - CLARIFY_SPREAD
            ]
            if len(options) > 1:
                await actions.do_update_state(session, state, question=text)
                await self._clarify_flows(turn, options)
                return
        if decision.best is not None and decision.best.label in book.entries:
            entry = book.entries[decision.best.label]
            if entry.flow_id is not None:
                await actions.do_update_state(session, state, question=text)
            else:
                # "Bonjour" is too short to detect, but it is one of the French greetings.
                turn.language = _builtin_language(entry.label, text, candidates) or turn.language
            await self._run_flow(turn, entry, index)
            return
        await actions.do_update_state(session, state, question=text)
        await self._answer_from_articles(turn, text, index)

    # --- payloads of the quick replies it offered ------------------------------------------------

    async def _on_payload(
        self, turn: Turn, payload: str, book: knowledge.FlowBook, index: knowledge.ArticleIndex
    ) -> bool:
        """True when the payload was acted on; False lets the text be read as a question."""
        if payload == YES:
            if turn.state.phase == "feedback":
                await self._helped(turn)
            else:  # an older answer's button: thank, but it resolves nothing now
                await self._say(turn, turn.t("glad"), kind="helped")
        elif payload == NO:
            await self._not_helped(turn)
        elif payload == HUMAN:
            await self._request_human(turn)
        elif payload == ASK_OTHER:
            await actions.do_update_state(turn.session, turn.state, phase="idle", quiet_after_seq=None)
            await self._say(turn, turn.t("ask_again"), kind="askAgain")
        elif payload == EMAIL_SKIP and turn.state.phase == "email":
            await self._say(turn, turn.t("email_skipped"), kind="emailSkipped")
            await self._hand_off(turn, note="Out of business hours; the customer left no email address.")
        elif payload.startswith(FLOW) and payload[len(FLOW) :] in book.entries:
            await self._run_flow(turn, book.entries[payload[len(FLOW) :]], index)
        elif payload.startswith(ARTICLE):
            article = next((a for a in index.articles if a.id == payload[len(ARTICLE) :]), None)
            if article is None or (article.signed_in_only and not turn.signed_in):
                return False
            await self._answer_article(turn, article, question=None, others=[])
        else:
            return False
        return True

    # --- flows -----------------------------------------------------------------------------------

    async def _run_flow(self, turn: Turn, entry: FlowEntry, index: knowledge.ArticleIndex) -> None:
        if entry.label == messages.GREETING:
            await self._greet(turn, index)
        elif entry.label == messages.HUMAN:
            await self._request_human(turn)
        elif entry.label == messages.THANKS:
            if turn.state.phase == "feedback":
                await self._helped(turn)  # thanking for an answer confirms it helped
            else:
                await self._say(turn, turn.t("thanks"), kind="thanks")
        elif entry.label == messages.GOODBYE:
            awaiting = turn.state.phase == "feedback"
            await self._say(turn, turn.t("goodbye"), kind="goodbye")
            if awaiting:
                # Leaving without saying whether it helped is going quiet after the answer.
                await actions.do_start_quiet_window(
                    turn.session,
                    turn.account,
                    turn.state,
                    turn.conversation,
                    hours=turn.policy.inactivity_hours,
                )
        elif entry.reply.get("type") == "handoff":
            if entry.reply.get("text"):
                await self._say(
                    turn, entry.reply["text"], kind="flow", extra={"aiAgentFlowId": entry.flow_id}
                )
            await self._request_human(turn, group_id=entry.reply.get("groupId"))
        else:
            buttons: list[dict[str, Any]] = [
                {"type": "link", "text": link["text"][:128], "uri": link["uri"]}
                for link in entry.reply.get("links", [])
            ]
            buttons += [_reply(q, SAY) for q in entry.reply.get("quickReplies", [])]
            await self._say(
                turn,
                entry.reply["text"],
                kind="flow",
                actions=buttons,
                extra={"aiAgentFlowId": entry.flow_id},
            )
            await self._ask_feedback(turn, {"kind": "flow", "ref": entry.flow_id, "title": entry.name})

    async def _greet(self, turn: Turn, index: knowledge.ArticleIndex) -> None:
        business = turn.account.display_name
        suggested = index.suggestions(turn.language, signed_in=turn.signed_in)
        if not suggested:
            await self._say(
                turn, turn.t("greeting_plain", bot=turn.policy.bot_name, business=business), kind="greeting"
            )
            return
        await self._say(
            turn,
            turn.t("greeting", bot=turn.policy.bot_name, business=business),
            kind="greeting",
            actions=[_reply(a.title, ARTICLE + a.id) for a in suggested],
        )

    async def _clarify_flows(self, turn: Turn, options: list[FlowEntry]) -> None:
        buttons = []
        for entry in options[:3]:
            if entry.label == messages.HUMAN:
                buttons.append(self._human_button(turn))
            elif entry.flow_id is None:
                phrases = messages.BUILTIN_PHRASES[entry.label]
                shown = (phrases.get(turn.language) or phrases["en"])[0]
                buttons.append(_reply(shown.capitalize(), FLOW + entry.label))
            else:
                buttons.append(_reply(entry.example, FLOW + entry.label))
        buttons.append(_reply(turn.t("something_else"), ASK_OTHER))
        await actions.do_update_state(
            turn.session, turn.state, phase="clarify", context={"options": [e.label for e in options[:3]]}
        )
        await self._say(turn, turn.t("clarify"), kind="clarify", actions=buttons)

    # --- articles --------------------------------------------------------------------------------

    async def _answer_from_articles(self, turn: Turn, text: str, index: knowledge.ArticleIndex) -> None:
        languages = [turn.language, language.base(turn.account.locale)]
        hits = index.search(text, languages, signed_in=turn.signed_in)
        if not hits:
            await actions.do_update_state(turn.session, turn.state, phase="idle", quiet_after_seq=None)
            await self._say(
                turn,
                turn.t("no_answer"),
                kind="noAnswer",
                actions=[self._human_button(turn), _reply(turn.t("ask_other"), ASK_OTHER)],
            )
            return
        close = [h for h in hits[1:] if hits[0].score - h.score < knowledge.CLOSE_MARGIN]
        if close:
            await self._clarify_articles(turn, [hits[0], *close])
            return
        await self._answer_article(turn, hits[0].article, question=text, others=[h.article for h in hits[1:]])

    async def _clarify_articles(self, turn: Turn, hits: list[Hit]) -> None:
        buttons = [_reply(h.article.title, ARTICLE + h.article.id) for h in hits[:3]]
        buttons.append(_reply(turn.t("something_else"), ASK_OTHER))
        await actions.do_update_state(
            turn.session, turn.state, phase="clarify", context={"options": [h.article.id for h in hits[:3]]}
        )
        await self._say(turn, turn.t("clarify"), kind="clarify", actions=buttons)

    def _article_url(self, turn: Turn, article: IndexedArticle) -> str | None:
        if article.html_url:
            return article.html_url
        if article.signed_in_only:
            return None  # the public page shows only public articles
        return f"{get_settings().base_url.rstrip('/')}/hc/{turn.account.id}/articles/{article.id}"

    async def _answer_article(
        self, turn: Turn, article: IndexedArticle, *, question: str | None, others: list[IndexedArticle]
    ) -> None:
        turn.language = article.language if messages.speaks(article.language) else turn.language
        snippet = article_content.snippet(article.text) or article.title
        body = f"{article.title}\n\n{snippet}"
        extra: dict[str, Any] = {"aiAgentArticleId": article.id}
        if question is not None:
            sources = [llm.Source(a.title, a.text) for a in [article, *others[:2]]]
            rephrased = await llm.rephrase(get_settings(), question, sources, article.language)
            if rephrased:
                body = rephrased
                extra["aiAgentRephrased"] = True
        url = self._article_url(turn, article)
        buttons = [{"type": "link", "text": turn.t("read_more"), "uri": url}] if url else []
        await self._say(turn, body, kind="article", actions=buttons, extra=extra)
        await self._ask_feedback(turn, {"kind": "article", "ref": article.id, "title": article.title})

    # --- feedback, resolution --------------------------------------------------------------------

    async def _ask_feedback(self, turn: Turn, answer: dict[str, Any]) -> None:
        await self._say(
            turn,
            turn.t("did_it_help"),
            kind="feedback",
            actions=[_reply(turn.t("yes"), YES), _reply(turn.t("no"), NO)],
        )
        await actions.do_update_state(
            turn.session, turn.state, phase="feedback", last_answer=answer, context={}
        )
        if not turn.state.human_requested:
            await actions.do_start_quiet_window(
                turn.session, turn.account, turn.state, turn.conversation, hours=turn.policy.inactivity_hours
            )

    async def _helped(self, turn: Turn) -> None:
        await actions.do_update_state(turn.session, turn.state, phase="idle", quiet_after_seq=None)
        await actions.do_record_resolution(turn.session, turn.state, reason="confirmed")
        await self._say(turn, turn.t("glad"), kind="helped")

    async def _not_helped(self, turn: Turn) -> None:
        unhelpful = {**(turn.state.last_answer or {}), "helpful": False}
        await actions.do_update_state(
            turn.session, turn.state, phase="idle", last_answer=unhelpful, quiet_after_seq=None
        )
        await self._say(
            turn,
            turn.t("sorry_offer"),
            kind="notHelped",
            actions=[self._human_button(turn), _reply(turn.t("ask_other"), ASK_OTHER)],
        )

    # --- handoff ---------------------------------------------------------------------------------

    def _human_button(self, turn: Turn) -> dict[str, Any]:
        return _reply(turn.t("talk_to_human"), HUMAN)

    async def _request_human(self, turn: Turn, group_id: str | None = None) -> None:
        await actions.do_mark_human_requested(turn.session, turn.state)
        now = clock.now()
        if hours.is_open(turn.policy.business_hours, turn.account.time_zone, now):
            await self._hand_off(turn, group_id=group_id)
            return
        back = hours.next_opening(turn.policy.business_hours, turn.account.time_zone, now)
        away = turn.t("away", when=self._when(turn, back, now)) if back else turn.t("away_unknown")
        context = {"groupId": group_id} if group_id else {}
        await actions.do_update_state(turn.session, turn.state, phase="email", context=context)
        if turn.user is not None and turn.user.email:
            # The address is known already: no need to ask for it.
            when = self._when(turn, back, now) if back else turn.t("today")
            await self._say(turn, turn.t("away_known", when=when, email=turn.user.email), kind="away")
            await self._hand_off(turn, group_id=group_id, note="Out of business hours.", announce=False)
            return
        await self._say(
            turn,
            f"{away}\n\n{turn.t('email_prompt')}",
            kind="away",
            actions=[_reply(turn.t("no_thanks"), EMAIL_SKIP)],
        )

    def _when(self, turn: Turn, back: datetime, now: datetime) -> str:
        local_now = now.astimezone(back.tzinfo)
        days = (back.date() - local_now.date()).days
        if days == 0:
            day = turn.t("today")
        elif days == 1:
            day = turn.t("tomorrow")
        else:
            names = messages.WEEKDAYS.get(turn.language) or messages.WEEKDAYS["en"]
            day = names[back.weekday()]
        return f"{day} {turn.t('at')} {back:%H:%M} ({turn.account.time_zone})"

    async def _on_email(self, turn: Turn, text: str) -> bool:
        found = EMAIL.search(text)
        if found is None:
            await actions.do_update_state(turn.session, turn.state, phase="idle")
            return False
        email = found.group(0).strip(".")
        # An address typed in the chat is unverified: it fills an empty profile but never replaces
        # one the business gave (perhaps verified); the handoff note carries it either way.
        if turn.user is not None and not turn.user.email and not turn.user.email_verified:
            try:
                await people_actions.do_update_user(
                    turn.session,
                    turn.user,
                    profile=people_actions.Profile(email=email),
                    profile_fields={"email"},
                )
            except ParlourError:
                await actions.do_update_state(turn.session, turn.state, phase="idle")
                return False
        await self._say(turn, turn.t("email_thanks", email=email), kind="emailSaved")
        group_id = turn.state.context.get("groupId") if turn.state.context else None
        await self._hand_off(
            turn, group_id=group_id, note=f"Out of business hours; reply by email to {email}.", announce=False
        )
        return True

    def _summary(self, state: ConversationState, note: str | None) -> str:
        parts = []
        if state.questions:
            asked = "; ".join(f"“{q[:200]}”" for q in state.questions[-5:])
            parts.append(f"Customer asked: {asked}.")
        answer = state.last_answer
        if answer:
            verdict = " (the customer said it did not help)" if answer.get("helpful") is False else ""
            parts.append(f"AI agent answered with the {answer.get('kind')} “{answer.get('title')}”{verdict}.")
        parts.append("The customer asked to talk to a person." if state.human_requested else "")
        if note:
            parts.append(note)
        summary = " ".join(p for p in parts if p) or "The customer asked to talk to a person."
        return summary if len(summary) <= SUMMARY_MAX else summary[: SUMMARY_MAX - 1] + "…"

    async def _hand_off(
        self, turn: Turn, *, group_id: str | None = None, note: str | None = None, announce: bool = True
    ) -> None:
        if announce:
            await self._say(turn, turn.t("handoff"), kind="handoff")
        metadata: dict[str, Any] = {"summary": self._summary(turn.state, note)}
        if group_id:
            metadata["groupId"] = group_id
        await actions.do_update_state(turn.session, turn.state, phase="handed_off", quiet_after_seq=None)
        for target in (switchboard_actions.NEXT, builtin.AGENT_WORKSPACE):
            try:
                await switchboard_actions.do_pass_control(
                    turn.session,
                    turn.account,
                    turn.conversation,
                    target,
                    metadata=metadata,
                    reason="aiAgentHandoff",
                )
                return
            except ParlourError as exc:  # no `next` configured: fall back to the workspace by type
                log.info("ai_agent.handoff_target", target=target, error=exc.instance_code)
        log.warning("ai_agent.handoff_impossible", conversation_id=turn.conversation.id)
        await actions.do_update_state(turn.session, turn.state, phase="idle")

    # --- speaking --------------------------------------------------------------------------------

    async def _say(
        self,
        turn: Turn,
        text: str,
        *,
        kind: str,
        actions: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Message:
        content: dict[str, Any] = {"type": "text", "text": text[:4096]}
        if actions:
            content["actions"] = actions[:10]
        metadata: dict[str, Any] = {"aiAgent": True, "aiAgentReply": kind, "aiAgentLanguage": turn.language}
        metadata.update({k: v for k, v in (extra or {}).items() if v is not None})
        author = conversation_actions.Author(type="business", subtype="AI", display_name=turn.policy.bot_name)
        posted = await conversation_actions.do_post_message(
            turn.session,
            turn.account,
            turn.conversation,
            author,
            content,
            metadata=metadata,
            source_type="ai_agent",
        )
        return posted.message
