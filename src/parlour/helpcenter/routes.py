"""`/v2/apps/{appId}/helpcenter/articles` (server API) and the public article page."""

import html
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from parlour.accounts.auth import AppAuthDep
from parlour.helpcenter import actions, queries
from parlour.helpcenter.errors import ArticleNotFound
from parlour.helpcenter.schemas import ArticleCreateBody, ArticleUpdateBody
from parlour.http import get_db, page_links, page_meta
from parlour.lib.errors import BadRequest
from parlour.lib.pagination import check_page

router = APIRouter(prefix="/v2/apps/{appId}/helpcenter", tags=["Help center"])
public = APIRouter(tags=["Help center"])

_FIELD_NAMES = {
    "title": "title",
    "body": "body",
    "bodyFormat": "body_format",
    "locale": "locale",
    "section": "section",
    "labels": "labels",
    "draft": "draft",
    "userSegment": "user_segment",
    "htmlUrl": "html_url",
}
_NOT_NULL = ("title", "body", "bodyFormat", "locale", "labels", "draft", "userSegment")
# The page shows sanitised HTML; the policy is a second fence should anything slip through.
_PAGE_POLICY = "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; base-uri 'none'"


@router.post("/articles", status_code=201, summary="Create article")
async def create_article(body: ArticleCreateBody, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    spec = actions.ArticleSpec(
        title=body.title,
        body=body.body,
        body_format=body.bodyFormat,
        locale=body.locale,
        section=body.section,
        labels=list(body.labels),
        draft=body.draft,
        user_segment=body.userSegment,
        html_url=body.htmlUrl,
    )
    async with get_db(request).transaction() as session:
        article = await actions.do_create_article(session, auth.account, spec)
        shaped = queries.article_json(article)
    return {"article": shaped}


@router.get("/articles", summary="List articles")
async def list_articles(
    request: Request,
    auth: AppAuthDep,
    locale: str | None = Query(default=None, alias="filter[locale]", max_length=35),
    draft: str | None = Query(default=None, alias="filter[draft]", max_length=5),
    after: str | None = Query(default=None, alias="page[after]", max_length=64),
    before: str | None = Query(default=None, alias="page[before]", max_length=64),
    size: str | None = Query(default=None, alias="page[size]", max_length=8),
) -> dict[str, Any]:
    if draft not in (None, "true", "false"):
        raise BadRequest("filter[draft] must be true or false")
    page_request = check_page(after, before, size)
    async with get_db(request).reading() as session:
        page = await queries.list_articles(
            session,
            auth.account.id,
            page_request,
            locale=locale.lower() if locale else None,
            draft=None if draft is None else draft == "true",
        )
        shaped = [queries.article_json(a) for a in page.items]
    return {"articles": shaped, "meta": page_meta(page), "links": page_links(request, page)}


@router.get("/articles/{articleId}", summary="Get article")
async def get_article(articleId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        article = await queries.get_article_or_raise(session, auth.account.id, articleId)
        shaped = queries.article_json(article)
    return {"article": shaped}


@router.patch("/articles/{articleId}", summary="Update article")
async def update_article(
    articleId: str, body: ArticleUpdateBody, request: Request, auth: AppAuthDep
) -> dict[str, Any]:
    for name in body.model_fields_set & set(_NOT_NULL):
        if getattr(body, name) is None:
            raise BadRequest(f"{name} cannot be null")
    changes = {_FIELD_NAMES[name]: getattr(body, name) for name in body.model_fields_set}
    async with get_db(request).transaction() as session:
        article = await queries.get_article_or_raise(session, auth.account.id, articleId)
        await actions.do_update_article(session, auth.account, article, changes=changes)
        shaped = queries.article_json(article)
    return {"article": shaped}


@router.delete("/articles/{articleId}", summary="Delete article")
async def delete_article(articleId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        article = await queries.get_article_or_raise(session, auth.account.id, articleId)
        await actions.do_delete_article(session, auth.account, article)
    return {}


@public.get("/hc/{appId}/articles/{articleId}", response_class=HTMLResponse, include_in_schema=False)
async def article_page(appId: str, articleId: str, request: Request) -> HTMLResponse:
    """A published article for everyone; drafts and signed-in-only articles are not found here."""
    async with get_db(request).reading() as session:
        article = await queries.get_article(session, appId, articleId)
        if article is None or article.draft or article.user_segment != "everyone":
            raise ArticleNotFound()
        title, body, locale = article.title, article.body_html, article.locale
    page = (
        f'<!doctype html><html lang="{html.escape(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:16px/1.6 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
        "color:#1f2328}img{max-width:100%}pre{overflow:auto;background:#f6f8fa;padding:.75rem}</style>"
        f"</head><body><article><h1>{html.escape(title)}</h1>{body}</article></body></html>"
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": _PAGE_POLICY})
