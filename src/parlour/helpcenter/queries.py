"""Reads for help-center articles; `published_articles` is what the AI agent may answer from."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.helpcenter.errors import ArticleNotFound
from parlour.helpcenter.models import Article, Revision
from parlour.lib import clock
from parlour.lib.pagination import Page, PageRequest


async def get_article(session: AsyncSession, account_id: str, article_id: str) -> Article | None:
    article = await session.get(Article, article_id)
    return article if article is not None and article.account_id == account_id else None


async def get_article_or_raise(session: AsyncSession, account_id: str, article_id: str) -> Article:
    article = await get_article(session, account_id, article_id)
    if article is None:
        raise ArticleNotFound()
    return article


async def get_article_by_external_id(
    session: AsyncSession, account_id: str, external_id: str
) -> Article | None:
    found: Article | None = await session.scalar(
        select(Article).where(Article.account_id == account_id, Article.external_id == external_id)
    )
    return found


async def list_articles(
    session: AsyncSession,
    account_id: str,
    page: PageRequest,
    *,
    locale: str | None = None,
    draft: bool | None = None,
) -> Page[Article]:
    """Oldest first by id (ids sort in creation order); `locale` and `draft` filter."""
    base = select(Article).where(Article.account_id == account_id)
    if locale is not None:
        base = base.where(Article.locale == locale)
    if draft is not None:
        base = base.where(Article.draft == draft)
    if page.before is not None:
        rows = list(
            await session.scalars(
                base.where(Article.id < page.before).order_by(Article.id.desc()).limit(page.size + 1)
            )
        )
        has_more = len(rows) > page.size
        rows = list(reversed(rows[: page.size]))
    else:
        query = base.where(Article.id > page.after) if page.after is not None else base
        rows = list(await session.scalars(query.order_by(Article.id).limit(page.size + 1)))
        has_more = len(rows) > page.size
        rows = rows[: page.size]
    return Page(
        items=rows,
        has_more=has_more,
        after_cursor=rows[-1].id if rows else None,
        before_cursor=rows[0].id if rows else None,
    )


async def published_articles(session: AsyncSession, account_id: str) -> list[Article]:
    rows = await session.scalars(
        select(Article).where(Article.account_id == account_id, Article.draft.is_(False)).order_by(Article.id)
    )
    return list(rows)


async def count_published(session: AsyncSession, account_id: str) -> int:
    count = await session.scalar(
        select(func.count()).where(Article.account_id == account_id, Article.draft.is_(False))
    )
    return int(count or 0)


async def version_of(session: AsyncSession, account_id: str) -> int:
    """Raised by every change to the account's articles (see `Revision`)."""
    version = await session.scalar(select(Revision.version).where(Revision.account_id == account_id))
    return int(version or 0)


def article_json(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "externalId": article.external_id,
        "title": article.title,
        "body": article.body_source,
        "bodyFormat": article.body_format,
        "bodyHtml": article.body_html,
        "locale": article.locale,
        "section": article.section,
        "labels": list(article.labels or []),
        "draft": article.draft,
        "userSegment": article.user_segment,
        "htmlUrl": article.html_url,
        "createdAt": clock.iso(article.created_at),
        "updatedAt": clock.iso(article.updated_at),
    }
