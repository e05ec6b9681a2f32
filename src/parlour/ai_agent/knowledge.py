"""What the AI agent knows about one account, cached in this process.

Two caches, each keyed by account and stamped with a version stored in the database: the
intent model of the answer flows (`AiAgentSettings.flows_version`) and the search index of the
published articles (`helpcenter` revision). Every change raises the version in the same
transaction, so each process sees a stale cache on the next customer message, in any process,
and rebuilds before answering: there is no delay between a change and the answers that use it.
Rebuilding an index re-embeds only the articles that changed.
"""

import asyncio
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import bm25s
import numpy
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.ai_agent import language, messages, queries
from parlour.ai_agent.models import AnswerFlow
from parlour.ai_agent.nlu import Decision, IntentModel, embed
from parlour.helpcenter import queries as helpcenter_queries
from parlour.helpcenter.models import Article

MAX_ACCOUNTS = 256
MAX_OUT_OF_SCOPE = 1000
EMBED_CHARS = 1500
_WORD = re.compile(r"\w\w+", re.U)
_STOPWORDS = frozenset(
    word for words in (bm25s.stopwords.STOPWORDS_EN, bm25s.stopwords.STOPWORDS_FRENCH) for word in words
)
# Two articles closer than this (in the blended score) are too close to choose between.
CLOSE_MARGIN = 0.05
MIN_RELEVANCE = 0.3
# Articles labelled so come first among the questions the greeting suggests.
FEATURED_LABELS = frozenset({"featured", "promoted", "suggested"})


def tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return [word for word in _WORD.findall(plain) if word not in _STOPWORDS]


# --- answer flows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowEntry:
    label: str
    name: str
    locale: str
    reply: dict[str, Any]
    example: str
    flow_id: str | None = None  # None for the built-in flows


@dataclass(frozen=True)
class FlowBook:
    version: tuple[int, int]  # (flows version, help-center version)
    model: IntentModel
    entries: dict[str, FlowEntry]
    languages: frozenset[str]

    def decide(self, text: str) -> Decision:
        return self.model.decide(text)


def flow_label(flow_id: str) -> str:
    return f"flow:{flow_id}"


def build_flow_book(
    version: tuple[int, int], flows: Sequence[AnswerFlow], article_titles: Sequence[str] = ()
) -> FlowBook:
    """The intent model of the built-in and the account's flows. Article titles are its
    out-of-scope examples: a question the help center answers is not a flow, so the model leaves
    it to the article search instead of matching the nearest flow (say, "talk to a human")."""
    examples: list[tuple[str, str]] = []
    entries: dict[str, FlowEntry] = {}
    for label, by_language in messages.BUILTIN_PHRASES.items():
        for phrases in by_language.values():
            examples.extend((phrase, label) for phrase in phrases)
        entries[label] = FlowEntry(label, label.split(":", 1)[1], "", {}, by_language["en"][0])
    names: dict[str, str] = {}
    for flow in flows:
        label = flow_label(flow.id)
        examples.extend((phrase, label) for phrase in flow.phrases)
        names[label] = flow.name
        entries[label] = FlowEntry(label, flow.name, flow.locale, dict(flow.reply), flow.phrases[0], flow.id)
    return FlowBook(
        version=version,
        # A flow's name says what it is about: it counts as one more training phrase.
        model=IntentModel.train(examples, out_of_scope=list(article_titles)[:MAX_OUT_OF_SCOPE], names=names),
        entries=entries,
        languages=frozenset(language.base(flow.locale) for flow in flows),
    )


# --- articles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexedArticle:
    id: str
    title: str
    text: str
    language: str
    signed_in_only: bool
    html_url: str | None
    updated_at: datetime
    featured: bool = False


@dataclass(frozen=True)
class Hit:
    article: IndexedArticle
    score: float


@dataclass
class ArticleIndex:
    version: int
    articles: list[IndexedArticle] = field(default_factory=list)
    title_vectors: numpy.ndarray | None = None
    body_vectors: numpy.ndarray | None = None
    bm25: bm25s.BM25 | None = None

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(a.language for a in self.articles)

    def search(self, query: str, languages: Sequence[str], *, signed_in: bool, limit: int = 3) -> list[Hit]:
        """The best articles in the first of `languages` that has any relevant, best first."""
        if not self.articles or self.title_vectors is None or self.body_vectors is None:
            return []
        vector = embed([query])[0]
        semantic = numpy.maximum(self.title_vectors @ vector, self.body_vectors @ vector)
        words = tokens(query)
        lexical = numpy.zeros(len(self.articles))
        if words and self.bm25 is not None:
            raw = numpy.asarray(self.bm25.get_scores(words), dtype=float)
            lexical = raw / (raw + 4.0)  # saturating: a few strong matching words approach 1
        blended = 0.5 * semantic + 0.5 * lexical
        for wanted in dict.fromkeys(languages):
            allowed = [
                i
                for i, a in enumerate(self.articles)
                if a.language == wanted and (signed_in or not a.signed_in_only)
            ]
            ranked = sorted(allowed, key=lambda i: -blended[i])[:limit]
            hits = [Hit(self.articles[i], float(blended[i])) for i in ranked]
            if hits and hits[0].score >= MIN_RELEVANCE:
                return hits
        return []

    def suggestions(self, language: str, *, signed_in: bool, limit: int = 3) -> list[IndexedArticle]:
        usable = [a for a in self.articles if a.language == language and (signed_in or not a.signed_in_only)]
        return sorted(usable, key=lambda a: not a.featured)[:limit]


def build_article_index(
    version: int, articles: Sequence[Article], previous: ArticleIndex | None
) -> ArticleIndex:
    indexed = [
        IndexedArticle(
            id=a.id,
            title=a.title,
            text=a.body_text,
            language=language.base(a.locale),
            signed_in_only=a.user_segment != "everyone",
            html_url=a.html_url,
            updated_at=a.updated_at,
            featured=any(label.lower() in FEATURED_LABELS for label in a.labels or []),
        )
        for a in articles
    ]
    if not indexed:
        return ArticleIndex(version)
    known: dict[tuple[str, datetime], tuple[numpy.ndarray, numpy.ndarray]] = {}
    if previous is not None and previous.title_vectors is not None and previous.body_vectors is not None:
        for i, old in enumerate(previous.articles):
            known[(old.id, old.updated_at)] = (previous.title_vectors[i], previous.body_vectors[i])
    missing = [a for a in indexed if (a.id, a.updated_at) not in known]
    if missing:
        titles = embed([a.title for a in missing])
        bodies = embed([f"{a.title}\n{a.text[:EMBED_CHARS]}" for a in missing])
        for i, a in enumerate(missing):
            known[(a.id, a.updated_at)] = (titles[i], bodies[i])
    title_vectors = numpy.stack([known[(a.id, a.updated_at)][0] for a in indexed])
    body_vectors = numpy.stack([known[(a.id, a.updated_at)][1] for a in indexed])
    bm25 = bm25s.BM25()
    # The title counts twice: it is the best summary of what an article answers.
    corpus = [tokens(f"{a.title} {a.title} {a.text}") or ["_"] for a in indexed]
    bm25.index(corpus, show_progress=False)
    return ArticleIndex(version, indexed, title_vectors, body_vectors, bm25)


# --- the caches ---------------------------------------------------------------------------------

T = TypeVar("T")


class _Cache(Generic[T]):
    def __init__(self) -> None:
        self._items: OrderedDict[str, T] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}

    def get(self, key: str) -> T | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: str, item: T) -> None:
        self._items[key] = item
        self._items.move_to_end(key)
        while len(self._items) > MAX_ACCOUNTS:
            evicted, _ = self._items.popitem(last=False)
            self._locks.pop(evicted, None)

    def lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    def clear(self) -> None:
        self._items.clear()
        self._locks.clear()


_books: _Cache[FlowBook] = _Cache()
_indexes: _Cache[ArticleIndex] = _Cache()


async def flow_book(
    session: AsyncSession,
    account: Account,
    *,
    flows_version: int | None = None,
    articles_version: int | None = None,
) -> FlowBook:
    """The versions may be given by a caller that has just read them (one query less each)."""
    version = (
        (await queries.policy_of(session, account)).flows_version if flows_version is None else flows_version,
        await helpcenter_queries.version_of(session, account.id)
        if articles_version is None
        else articles_version,
    )
    cached = _books.get(account.id)
    if cached is not None and cached.version == version:
        return cached
    async with _books.lock(account.id):
        cached = _books.get(account.id)
        if cached is not None and cached.version == version:
            return cached
        flows = await queries.enabled_flows(session, account.id)
        titles = [a.title for a in await helpcenter_queries.published_articles(session, account.id)]
        book = await asyncio.to_thread(build_flow_book, version, flows, titles)
        _books.put(account.id, book)
        return book


async def article_index(
    session: AsyncSession, account: Account, *, version: int | None = None
) -> ArticleIndex:
    if version is None:
        version = await helpcenter_queries.version_of(session, account.id)
    cached = _indexes.get(account.id)
    if cached is not None and cached.version == version:
        return cached
    async with _indexes.lock(account.id):
        cached = _indexes.get(account.id)
        if cached is not None and cached.version == version:
            return cached
        articles = await helpcenter_queries.published_articles(session, account.id)
        index = await asyncio.to_thread(build_article_index, version, articles, cached)
        _indexes.put(account.id, index)
        return index


def forget_all() -> None:
    """Drop every cache (tests that recreate the database start from nothing)."""
    _books.clear()
    _indexes.clear()
