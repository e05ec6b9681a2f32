"""Optional rephrasing of article answers by an OpenAI-compatible chat endpoint.

Off unless PARLOUR_LLM_URL is set. The model sees only the customer's question and the
retrieved articles, and is told to answer from them alone or to say NO_ANSWER; any failure,
timeout or refusal falls back to the article snippet, so the AI agent never depends on it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import structlog

from parlour.settings import Settings

log = structlog.get_logger("parlour.ai_agent.llm")
NO_ANSWER = "NO_ANSWER"
MAX_ARTICLE_CHARS = 3000
MAX_ANSWER_CHARS = 1200


@dataclass(frozen=True)
class Source:
    title: str
    text: str


def _prompt(language: str) -> str:
    return (
        "You are a customer-support assistant. Answer the customer's question using only the "
        "help-center articles given below. Be brief (at most 4 sentences) and do not invent "
        f"facts, links or steps that the articles do not contain. Reply in the language '{language}'. "
        f"If the articles do not answer the question, reply with exactly {NO_ANSWER}."
    )


async def rephrase(settings: Settings, question: str, sources: Sequence[Source], language: str) -> str | None:
    """A grounded answer, or None (not configured, failed, or the articles do not answer)."""
    if not settings.llm_url or not sources:
        return None
    articles = "\n\n".join(f"# {s.title}\n{s.text[:MAX_ARTICLE_CHARS]}" for s in sources)
    body = {
        "model": settings.llm_model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": _prompt(language)},
            {"role": "user", "content": f"Articles:\n{articles}\n\nQuestion: {question}"},
        ],
    }
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    url = settings.llm_url.rstrip("/") + "/chat/completions"
    try:
        async with httpx.AsyncClient(timeout=settings.llm_timeout_seconds) as client:
            response = await client.post(url, json=body, headers=headers)
            response.raise_for_status()
            answer = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("llm.failed", error=type(exc).__name__)
        return None
    if not isinstance(answer, str):
        return None
    answer = answer.strip()
    if not answer or NO_ANSWER in answer:
        return None
    return answer[:MAX_ANSWER_CHARS]
