"""The only writers of help-center articles.

Every change raises the account's revision in the same transaction, so the AI agent's search
index (in any process) sees the change on the next question: there is no rebuild job to wait for.
"""

import re
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts.models import Account
from parlour.helpcenter import content, queries
from parlour.helpcenter.errors import InvalidArticle
from parlour.helpcenter.models import Article, Revision
from parlour.helpcenter.schemas import BODY_MAX, LABEL_MAX, MAX_LABELS, TITLE_MAX
from parlour.lib import clock, ids

SEGMENTS = ("everyone", "signed_in")
LOCALE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
EXTERNAL_ID_MAX = 300
ImportOutcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class ArticleSpec:
    """Everything an article is made of, as an admin or an importer gives it."""

    title: str
    body: str
    body_format: str = "markdown"
    locale: str | None = None  # None: the account's locale
    section: str | None = None
    labels: list[str] = field(default_factory=list)
    draft: bool = False
    user_segment: str = "everyone"
    html_url: str | None = None
    external_id: str | None = None


def check_article(account: Account, spec: ArticleSpec) -> ArticleSpec:
    """The spec with its values normalised, or InvalidArticle naming the first problem."""
    title = " ".join(spec.title.split())
    if not 1 <= len(title) <= TITLE_MAX:
        raise InvalidArticle(f"title is 1-{TITLE_MAX} characters")
    if len(spec.body) > BODY_MAX:
        raise InvalidArticle(f"body is at most {BODY_MAX} characters")
    if spec.body_format not in content.FORMATS:
        raise InvalidArticle(f"bodyFormat must be one of {', '.join(content.FORMATS)}")
    locale = spec.locale or account.locale
    if not LOCALE.match(locale):
        raise InvalidArticle(f"locale {locale!r} is not a language tag such as 'en' or 'fr-CA'")
    if spec.user_segment not in SEGMENTS:
        raise InvalidArticle(f"userSegment must be one of {', '.join(SEGMENTS)}")
    section = spec.section.strip() if spec.section else None
    if section is not None and len(section) > 100:
        raise InvalidArticle("section is at most 100 characters")
    labels: list[str] = []
    for label in spec.labels:
        clean = " ".join(str(label).split())
        if not clean or len(clean) > LABEL_MAX:
            raise InvalidArticle(f"a label is 1-{LABEL_MAX} characters")
        if clean not in labels:
            labels.append(clean)
    if len(labels) > MAX_LABELS:
        raise InvalidArticle(f"an article has at most {MAX_LABELS} labels")
    if spec.html_url is not None:
        parts = urlsplit(spec.html_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(spec.html_url) > 2048:
            raise InvalidArticle("htmlUrl must be an http or https URL")
    if spec.external_id is not None and not 1 <= len(spec.external_id) <= EXTERNAL_ID_MAX:
        raise InvalidArticle(f"an external id is 1-{EXTERNAL_ID_MAX} characters")
    for name, value in (("title", title), ("body", spec.body), ("section", section or "")):
        if "\x00" in value:
            raise InvalidArticle(f"{name} must not contain the NUL character")
    return replace(spec, title=title, locale=locale.lower(), section=section or None, labels=labels)


def _apply(article: Article, spec: ArticleSpec) -> None:
    rendered = content.render(spec.body, spec.body_format)
    article.title = spec.title
    article.body_format = spec.body_format
    article.body_source = spec.body
    article.body_html = rendered.html
    article.body_text = rendered.text
    article.locale = spec.locale or "en"
    article.section = spec.section
    article.labels = list(spec.labels)
    article.draft = spec.draft
    article.user_segment = spec.user_segment
    article.html_url = spec.html_url


def spec_of(article: Article) -> ArticleSpec:
    return ArticleSpec(
        title=article.title,
        body=article.body_source,
        body_format=article.body_format,
        locale=article.locale,
        section=article.section,
        labels=list(article.labels or []),
        draft=article.draft,
        user_segment=article.user_segment,
        html_url=article.html_url,
        external_id=article.external_id,
    )


async def _bump_revision(session: AsyncSession, account_id: str) -> None:
    bumped = await session.execute(
        update(Revision)
        .where(Revision.account_id == account_id)
        .values(version=Revision.version + 1)
        .returning(Revision.version)
    )
    if bumped.first() is not None:
        return
    try:
        async with session.begin_nested():
            session.add(Revision(account_id=account_id, version=1))
    except IntegrityError:
        # Another transaction created the counter first; raise it instead.
        await session.execute(
            update(Revision).where(Revision.account_id == account_id).values(version=Revision.version + 1)
        )


async def do_create_article(session: AsyncSession, account: Account, spec: ArticleSpec) -> Article:
    clean = check_article(account, spec)
    if clean.external_id is not None and (
        await queries.get_article_by_external_id(session, account.id, clean.external_id) is not None
    ):
        raise InvalidArticle("An article with this external id exists already")
    now = clock.now()
    article = Article(id=ids.new_id(), account_id=account.id, external_id=clean.external_id, created_at=now)
    _apply(article, clean)
    article.updated_at = now
    session.add(article)
    await session.flush()
    await _bump_revision(session, account.id)
    return article


async def do_update_article(
    session: AsyncSession, account: Account, article: Article, *, changes: dict[str, Any]
) -> Article:
    """`changes` holds only what the caller set, by ArticleSpec field name."""
    known = {f.name for f in fields(ArticleSpec)} - {"external_id"}
    unknown = set(changes) - known
    if unknown:
        raise InvalidArticle(f"Unknown article fields: {', '.join(sorted(unknown))}")
    clean = check_article(account, replace(spec_of(article), **changes))
    _apply(article, clean)
    article.updated_at = clock.now()
    await session.flush()
    await _bump_revision(session, account.id)
    return article


async def do_delete_article(session: AsyncSession, account: Account, article: Article) -> None:
    await session.delete(article)
    await session.flush()
    await _bump_revision(session, account.id)


async def do_import_article(session: AsyncSession, account: Account, spec: ArticleSpec) -> ImportOutcome:
    """Create or update by external id; an article that did not change is left alone."""
    if spec.external_id is None:
        raise InvalidArticle("An imported article needs an external id")
    clean = check_article(account, spec)
    existing = await queries.get_article_by_external_id(session, account.id, clean.external_id or "")
    if existing is None:
        await do_create_article(session, account, clean)
        return "created"
    if spec_of(existing) == clean:
        return "unchanged"
    _apply(existing, clean)
    existing.updated_at = clock.now()
    await session.flush()
    await _bump_revision(session, account.id)
    return "updated"
