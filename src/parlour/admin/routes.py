"""The admin center's API under /workspace/v1/apps/{appId}/admin: admins only (agents 403),
signed in with a staff session (cookie + CSRF header, or `Authorization: Session`). Every id is
looked up inside the admin's own account, so another account's ids answer 404."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import actions as account_actions
from parlour.accounts import queries as account_queries
from parlour.accounts.errors import KeyNotFound, TooManyKeys
from parlour.admin import actions, queries
from parlour.admin.auth import AdminDep
from parlour.admin.errors import CannotDeactivateSelf, InvalidFields
from parlour.admin.forms import FormRoute, field_errors
from parlour.admin.schemas import (
    AccountUpdateBody,
    GroupCreateBody,
    GroupUpdateBody,
    KeyCreateBody,
    MacroCreateBody,
    MacroUpdateBody,
    StaffCreateBody,
    StaffUpdateBody,
    WebhookCreateBody,
    WebhookUpdateBody,
)
from parlour.ai_agent import actions as ai_actions
from parlour.ai_agent import queries as ai_queries
from parlour.ai_agent.errors import FlowNameTaken, InvalidFlow
from parlour.ai_agent.schemas import FlowCreateBody, FlowUpdateBody
from parlour.helpcenter import actions as article_actions
from parlour.helpcenter import queries as article_queries
from parlour.helpcenter.errors import InvalidArticle
from parlour.helpcenter.schemas import ArticleCreateBody, ArticleUpdateBody
from parlour.http import get_db
from parlour.lib.errors import ParlourError
from parlour.lib.pagination import MAX_PAGE_SIZE, PageRequest
from parlour.macros import actions as macro_actions
from parlour.macros import queries as macro_queries
from parlour.macros.errors import InvalidMacro, MacroNotFound
from parlour.macros.models import Macro
from parlour.outbox.recorder import WEBHOOK_TRIGGERS
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.people.errors import GroupNameTaken, GroupNotFound, InvalidStaff, LastAdmin, StaffEmailTaken
from parlour.webhooks import actions as webhook_actions
from parlour.webhooks import queries as webhook_queries
from parlour.widget import actions as widget_actions
from parlour.widget import queries as widget_queries
from parlour.widget.errors import InvalidWidgetSettings
from parlour.widget.schemas import WidgetSettings

router = APIRouter(prefix="/workspace/v1/apps/{appId}/admin", tags=["Admin center"], route_class=FormRoute)


@contextmanager
def shown_at(field: str | None, *kinds: type[ParlourError]) -> Iterator[None]:
    """A domain refusal of the listed kinds, shown next to `field` (None: the whole form)."""
    try:
        yield
    except kinds as exc:
        raise InvalidFields.of(field, exc) from None


# Account


@router.get("/account", summary="Account settings")
async def get_account(auth: AdminDep) -> dict[str, Any]:
    return {"account": queries.account_json(auth.account)}


@router.patch("/account", summary="Change account settings")
async def update_account(body: AccountUpdateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        await account_actions.do_update_account(
            session,
            account,
            display_name=body.displayName,
            settings=body.settings.model_dump(exclude_none=True) if body.settings else None,
            mode=body.mode,
            locale=body.locale,
            time_zone=body.timeZone,
        )
    return {"account": queries.account_json(account)}


# Staff


@router.get("/staff", summary="Staff members")
async def list_staff(request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        return {"staff": await queries.list_staff(session, auth.account.id)}


@router.post("/staff", status_code=201, summary="Add a staff member")
async def add_staff(body: StaffCreateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        with shown_at("email", StaffEmailTaken), shown_at("groupIds", GroupNotFound):
            new = await actions.do_add_staff(
                session,
                account,
                name=body.name,
                email=body.email,
                role=body.role,
                password=body.password,
                group_ids=body.groupIds,
            )
        shaped = queries.staff_json(new.staff, await people_queries.groups_of_staff(session, new.staff.id))
    answer: dict[str, Any] = {"staff": shaped}
    if new.temporary_password is not None:
        answer["temporaryPassword"] = new.temporary_password
    return answer


@router.patch("/staff/{staffId}", summary="Change a staff member's name or role")
async def update_staff(
    staffId: str, body: StaffUpdateBody, request: Request, auth: AdminDep
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        staff = await people_queries.get_staff_or_raise(session, auth.account.id, staffId)
        with shown_at("role", LastAdmin):
            await people_actions.do_update_staff(session, staff, name=body.name, role=body.role)
        shaped = queries.staff_json(staff, await people_queries.groups_of_staff(session, staff.id))
    return {"staff": shaped}


@router.post("/staff/{staffId}/deactivate", summary="Deactivate: signs them out and stops sign-in")
async def deactivate_staff(staffId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        staff = await people_queries.get_staff_or_raise(session, auth.account.id, staffId)
        if staff.id == auth.staff.id:
            raise CannotDeactivateSelf()
        await people_actions.do_deactivate_staff(session, staff)
        shaped = queries.staff_json(staff, [])
    return {"staff": shaped}


@router.post("/staff/{staffId}/reactivate", summary="Let a deactivated staff member sign in again")
async def reactivate_staff(staffId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        staff = await people_queries.get_staff_or_raise(session, auth.account.id, staffId)
        await people_actions.do_reactivate_staff(session, staff)
        shaped = queries.staff_json(staff, await people_queries.groups_of_staff(session, staff.id))
    return {"staff": shaped}


# Groups


@router.get("/groups", summary="Groups and their members")
async def list_groups(request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        return {"groups": await queries.list_groups(session, auth.account.id)}


@router.post("/groups", status_code=201, summary="Create a group")
async def create_group(body: GroupCreateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        with shown_at("name", GroupNameTaken):
            group = await people_actions.do_create_group(
                session, account, name=body.name, description=body.description or None
            )
        return {"group": await queries.group_json(session, group)}


@router.patch("/groups/{groupId}", summary="Rename or describe a group")
async def update_group(
    groupId: str, body: GroupUpdateBody, request: Request, auth: AdminDep
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        group = await people_queries.get_group_or_raise(session, auth.account.id, groupId)
        with shown_at("name", GroupNameTaken):
            await people_actions.do_update_group(session, group, name=body.name, description=body.description)
        return {"group": await queries.group_json(session, group)}


@router.delete("/groups/{groupId}", summary="Delete a group")
async def delete_group(groupId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        group = await people_queries.get_group_or_raise(session, auth.account.id, groupId)
        await people_actions.do_delete_group(session, group)
    return {}


@router.put("/groups/{groupId}/members/{staffId}", summary="Add a member to a group")
async def add_member(groupId: str, staffId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        group = await people_queries.get_group_or_raise(session, auth.account.id, groupId)
        staff = await people_queries.get_staff_or_raise(session, auth.account.id, staffId)
        with shown_at("staffId", InvalidStaff):
            await people_actions.do_add_group_member(session, group, staff)
        return {"group": await queries.group_json(session, group)}


@router.delete("/groups/{groupId}/members/{staffId}", summary="Remove a member from a group")
async def remove_member(groupId: str, staffId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        group = await people_queries.get_group_or_raise(session, auth.account.id, groupId)
        staff = await people_queries.get_staff_or_raise(session, auth.account.id, staffId)
        await people_actions.do_remove_group_member(session, group, staff)
        return {"group": await queries.group_json(session, group)}


# End-user authentication (JWT signing keys) and API keys


@router.get("/signing-keys", summary="Keys that sign end-user JWTs")
async def list_signing_keys(request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        keys = await account_queries.list_signing_keys(session, auth.account.id)
    return {"keys": [queries.key_json(k) for k in keys]}


@router.post("/signing-keys", status_code=201, summary="Create a signing key (its secret is shown once)")
async def create_signing_key(body: KeyCreateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        with shown_at(None, TooManyKeys):
            new = await account_actions.do_create_signing_key(session, account, display_name=body.displayName)
    return {"key": queries.key_json(new.key, new.secret)}


@router.delete("/signing-keys/{keyId}", summary="Revoke a signing key")
async def revoke_signing_key(keyId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        key = await account_queries.get_signing_key(session, auth.account.id, keyId)
        if key is None:
            raise KeyNotFound()
        await account_actions.do_delete_signing_key(session, key)
    return {}


@router.get("/api-keys", summary="Server API keys")
async def list_api_keys(request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        keys = await account_queries.list_api_keys(session, auth.account.id)
    return {"keys": [queries.key_json(k) for k in keys]}


@router.post("/api-keys", status_code=201, summary="Create an API key (its secret is shown once)")
async def create_api_key(body: KeyCreateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        with shown_at(None, TooManyKeys):
            new = await account_actions.do_create_api_key(session, account, display_name=body.displayName)
    return {"key": queries.key_json(new.key, new.secret)}


@router.delete("/api-keys/{keyId}", summary="Revoke an API key")
async def revoke_api_key(keyId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        key = await account_queries.get_api_key_or_raise(session, auth.account.id, keyId)
        await account_actions.do_delete_api_key(session, key)
    return {}


# Webhooks


@router.get("/webhooks", summary="Webhooks and the triggers they can subscribe to")
async def list_webhooks(request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        shaped = await queries.list_webhooks(session, auth.account.id)
    return {"webhooks": shaped, "triggers": sorted(WEBHOOK_TRIGGERS)}


@router.post("/webhooks", status_code=201, summary="Add a webhook (its signing secret is shown once)")
async def create_webhook(body: WebhookCreateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    spec = webhook_actions.WebhookSpec(
        target=body.target, triggers=body.triggers, include_full_user=body.includeFullUser
    )
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        webhook = await actions.do_add_webhook(session, account, name=body.name, spec=spec)
        return {"webhook": await queries.webhook_json(session, account.id, webhook, secret=True)}


@router.patch("/webhooks/{webhookId}", summary="Change a webhook")
async def update_webhook(
    webhookId: str, body: WebhookUpdateBody, request: Request, auth: AdminDep
) -> dict[str, Any]:
    fields = {name: getattr(body, name) for name in body.model_fields_set if name != "name"}
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        webhook = await webhook_queries.get_account_webhook_or_raise(session, account.id, webhookId)
        await actions.do_update_webhook(session, account, webhook, name=body.name, fields=fields)
        return {"webhook": await queries.webhook_json(session, account.id, webhook)}


@router.delete("/webhooks/{webhookId}", summary="Remove a webhook")
async def delete_webhook(webhookId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        webhook = await webhook_queries.get_account_webhook_or_raise(session, account.id, webhookId)
        await actions.do_remove_webhook(session, account, webhook)
    return {}


# The messaging channel: the web widget's look, attachments and installation snippet


def _channel_json(request: Request, settings: WidgetSettings, app_id: str) -> dict[str, Any]:
    base = (request.app.state.settings.public_url or str(request.base_url)).rstrip("/")
    return {
        "settings": settings.model_dump(),
        "snippet": f'<script src="{base}/widget/snippet.js" data-app-id="{app_id}" async></script>',
        "maxUploadBytes": request.app.state.settings.max_upload_bytes,
    }


@router.get("/channel", summary="The web widget's settings and installation snippet")
async def get_channel(request: Request, auth: AdminDep) -> dict[str, Any]:
    return _channel_json(request, widget_queries.get_widget_settings(auth.account), auth.account.id)


@router.patch("/channel", summary="Change the web widget (a bad colour refuses the whole change)")
async def update_channel(
    request: Request, auth: AdminDep, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    try:  # every given field checked on its own, so each error is shown next to its field
        WidgetSettings.model_validate(body)
    except ValidationError as exc:
        raise field_errors(exc.errors()) from None
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        with shown_at("maxAttachmentBytes", InvalidWidgetSettings):
            settings = await widget_actions.do_update_widget_settings(session, account, body)
    return _channel_json(request, settings, account.id)


# Shared macros (the team's; personal ones belong to each agent in the workspace)


async def _shared_macro(session: AsyncSession, account_id: str, macro_id: str) -> Macro:
    macro = await macro_queries.get_macro_or_raise(session, account_id, macro_id)
    if macro.owner_staff_id is not None:
        raise MacroNotFound()
    return macro


@router.get("/macros", summary="Shared macros")
async def list_macros(request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        macros = await macro_queries.list_shared_macros(session, auth.account.id)
    return {"macros": [macro_queries.macro_json(m) for m in macros]}


@router.post("/macros", status_code=201, summary="Create a shared macro")
async def create_macro(body: MacroCreateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        with shown_at("actions.groupId", GroupNotFound), shown_at(None, InvalidMacro):
            macro = await macro_actions.do_create_macro(
                session,
                account,
                title=body.title,
                text=body.text,
                actions=body.actions.model_dump(exclude_none=True),
                owner_staff_id=None,
            )
    return {"macro": macro_queries.macro_json(macro)}


@router.patch("/macros/{macroId}", summary="Change a shared macro")
async def update_macro(
    macroId: str, body: MacroUpdateBody, request: Request, auth: AdminDep
) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        macro = await _shared_macro(session, account.id, macroId)
        with shown_at("actions.groupId", GroupNotFound), shown_at(None, InvalidMacro):
            await macro_actions.do_update_macro(
                session,
                account,
                macro,
                title=body.title,
                text=body.text,
                actions=body.actions.model_dump(exclude_none=True) if body.actions is not None else None,
            )
    return {"macro": macro_queries.macro_json(macro)}


@router.delete("/macros/{macroId}", summary="Delete a shared macro")
async def delete_macro(macroId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        macro = await _shared_macro(session, auth.account.id, macroId)
        await macro_actions.do_delete_macro(session, macro)
    return {}


# AI agent: help-center articles and answer flows

# The article spec's names for the API's fields that differ.
ARTICLE_SPEC_NAMES = {"bodyFormat": "body_format", "userSegment": "user_segment", "htmlUrl": "html_url"}


@router.get("/articles", summary="Help-center articles, newest first (the latest 100)")
async def list_articles(request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        # Before an id above every id (ids are hex): the newest page, not the oldest.
        page = await article_queries.list_articles(
            session, auth.account.id, PageRequest(None, "z" * 24, MAX_PAGE_SIZE)
        )
        shaped = [article_queries.article_json(a) for a in reversed(page.items)]
    return {"articles": shaped}


@router.post("/articles", status_code=201, summary="Write an article")
async def create_article(body: ArticleCreateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    spec = article_actions.ArticleSpec(
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
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        with shown_at(None, InvalidArticle):
            article = await article_actions.do_create_article(session, account, spec)
        return {"article": article_queries.article_json(article)}


@router.patch("/articles/{articleId}", summary="Change an article")
async def update_article(
    articleId: str, body: ArticleUpdateBody, request: Request, auth: AdminDep
) -> dict[str, Any]:
    changes = {
        ARTICLE_SPEC_NAMES.get(name, name): getattr(body, name)
        for name in body.model_fields_set
        if getattr(body, name) is not None or name in ("section", "htmlUrl")
    }
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        article = await article_queries.get_article_or_raise(session, account.id, articleId)
        with shown_at(None, InvalidArticle):
            await article_actions.do_update_article(session, account, article, changes=changes)
        return {"article": article_queries.article_json(article)}


@router.delete("/articles/{articleId}", summary="Delete an article")
async def delete_article(articleId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        article = await article_queries.get_article_or_raise(session, account.id, articleId)
        await article_actions.do_delete_article(session, account, article)
    return {}


@router.get("/flows", summary="Answer flows (the first 100)")
async def list_flows(request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        page = await ai_queries.list_flows(session, auth.account.id, PageRequest(None, None, MAX_PAGE_SIZE))
        shaped = [ai_queries.flow_json(f) for f in page.items]
    return {"flows": shaped}


@router.post("/flows", status_code=201, summary="Create an answer flow")
async def create_flow(body: FlowCreateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        with shown_at("name", FlowNameTaken), shown_at(None, InvalidFlow):
            flow = await ai_actions.do_create_flow(
                session,
                account,
                name=body.name,
                phrases=list(body.phrases),
                reply=body.reply.model_dump(),
                locale=body.locale,
                enabled=body.enabled,
            )
        return {"flow": ai_queries.flow_json(flow)}


@router.patch("/flows/{flowId}", summary="Change an answer flow")
async def update_flow(flowId: str, body: FlowUpdateBody, request: Request, auth: AdminDep) -> dict[str, Any]:
    changes: dict[str, Any] = {
        name: getattr(body, name) for name in body.model_fields_set if getattr(body, name) is not None
    }
    if body.reply is not None:
        changes["reply"] = body.reply.model_dump()
    if body.phrases is not None:
        changes["phrases"] = list(body.phrases)
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        flow = await ai_queries.get_flow_or_raise(session, account.id, flowId)
        with shown_at("name", FlowNameTaken), shown_at(None, InvalidFlow):
            await ai_actions.do_update_flow(session, account, flow, changes=changes)
        return {"flow": ai_queries.flow_json(flow)}


@router.delete("/flows/{flowId}", summary="Delete an answer flow")
async def delete_flow(flowId: str, request: Request, auth: AdminDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await account_queries.get_account_or_raise(session, auth.account.id)
        flow = await ai_queries.get_flow_or_raise(session, account.id, flowId)
        await ai_actions.do_delete_flow(session, account, flow)
    return {}
