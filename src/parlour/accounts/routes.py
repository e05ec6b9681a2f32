"""`/v2/apps/{appId}` and its API keys."""

from typing import Any

from fastapi import APIRouter, Request

from parlour.accounts import actions, queries
from parlour.accounts.auth import AppAuthDep
from parlour.accounts.schemas import AppKeyCreateBody, AppUpdateBody
from parlour.http import get_db

router = APIRouter(prefix="/v2/apps/{appId}", tags=["Apps"])


@router.get("", summary="Get app")
async def get_app(auth: AppAuthDep) -> dict[str, Any]:
    return {"app": queries.app_json(auth.account)}


@router.patch("", summary="Update app")
async def update_app(body: AppUpdateBody, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await queries.get_account_or_raise(session, auth.account.id)
        await actions.do_update_account(
            session,
            account,
            display_name=body.displayName,
            settings=body.settings.model_dump(exclude_none=True) if body.settings else None,
            metadata=body.metadata,
            metadata_given="metadata" in body.model_fields_set,
            mode=body.mode,
            locale=body.locale,
            time_zone=body.timeZone,
        )
    return {"app": queries.app_json(account)}


@router.post("/keys", status_code=201, summary="Create app key")
async def create_key(body: AppKeyCreateBody, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        account = await queries.get_account_or_raise(session, auth.account.id)
        new = await actions.do_create_api_key(session, account, display_name=body.displayName)
    return {"key": queries.key_json(new.key, new.secret)}


@router.get("/keys", summary="List app keys")
async def list_keys(request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        keys = await queries.list_api_keys(session, auth.account.id)
    return {"keys": [queries.key_json(key, None) for key in keys]}


@router.get("/keys/{keyId}", summary="Get app key")
async def get_key(keyId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        key = await queries.get_api_key_or_raise(session, auth.account.id, keyId)
    return {"key": queries.key_json(key, None)}


@router.delete("/keys/{keyId}", summary="Delete app key")
async def delete_key(keyId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        key = await queries.get_api_key_or_raise(session, auth.account.id, keyId)
        await actions.do_delete_api_key(session, key)
    return {}
