"""`/v2/apps/{appId}/users`."""

from datetime import UTC
from typing import Any

from fastapi import APIRouter, Query, Request

from parlour.accounts.auth import AppAuthDep
from parlour.http import get_db
from parlour.lib.errors import BadRequest
from parlour.people import actions, queries
from parlour.people.schemas import PROFILE_NAMES, ProfileIn, UserCreateBody, UserUpdateBody

router = APIRouter(prefix="/v2/apps/{appId}/users", tags=["Users"])


def _profile(profile: ProfileIn | None) -> tuple[actions.Profile | None, set[str] | None]:
    if profile is None:
        return None, None
    given = {PROFILE_NAMES[name] for name in profile.model_fields_set}
    return actions.Profile(
        given_name=profile.givenName,
        surname=profile.surname,
        email=profile.email,
        avatar_url=profile.avatarUrl,
        locale=profile.locale,
    ), given


@router.post("", status_code=201, summary="Create user")
async def create_user(body: UserCreateBody, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    profile, given = _profile(body.profile)
    signed_up_at = body.signedUpAt.astimezone(UTC) if body.signedUpAt and body.signedUpAt.tzinfo else None
    if body.signedUpAt is not None and signed_up_at is None:
        raise BadRequest("signedUpAt must include a time zone, e.g. 2026-01-01T12:00:00Z")
    async with get_db(request).transaction() as session:
        user = await actions.do_create_user(
            session,
            auth.account,
            external_id=body.externalId,
            profile=profile,
            profile_fields=given,
            metadata=body.metadata,
            signed_up_at=signed_up_at,
        )
    return {"user": queries.user_json(user)}


@router.get("", summary="List users")
async def list_users(
    request: Request,
    auth: AppAuthDep,
    email: str | None = Query(default=None, alias="filter[identities.email]", max_length=128),
) -> dict[str, Any]:
    if not email:
        raise BadRequest("filter[identities.email] is required")
    async with get_db(request).reading() as session:
        users = await queries.list_users_by_email(session, auth.account.id, email)
    return {"users": [queries.user_json(u) for u in users], "meta": {"hasMore": False}, "links": {}}


@router.get("/{userIdOrExternalId}", summary="Get user")
async def get_user(userIdOrExternalId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).reading() as session:
        user = await queries.get_user_or_raise(session, auth.account.id, userIdOrExternalId)
    return {"user": queries.user_json(user)}


@router.patch("/{userIdOrExternalId}", summary="Update user")
async def update_user(
    userIdOrExternalId: str,
    body: UserUpdateBody,
    request: Request,
    auth: AppAuthDep,
) -> dict[str, Any]:
    profile, given = _profile(body.profile)
    if body.signedUpAt is not None and body.signedUpAt.tzinfo is None:
        raise BadRequest("signedUpAt must include a time zone, e.g. 2026-01-01T12:00:00Z")
    async with get_db(request).transaction() as session:
        user = await queries.get_user_or_raise(session, auth.account.id, userIdOrExternalId)
        await actions.do_update_user(
            session,
            user,
            profile=profile,
            profile_fields=given,
            metadata=body.metadata,
            metadata_given="metadata" in body.model_fields_set,
            signed_up_at=body.signedUpAt.astimezone(UTC) if body.signedUpAt else None,
        )
    return {"user": queries.user_json(user)}


@router.delete("/{userIdOrExternalId}", summary="Delete user")
async def delete_user(userIdOrExternalId: str, request: Request, auth: AppAuthDep) -> dict[str, Any]:
    async with get_db(request).transaction() as session:
        user = await queries.get_user_or_raise(session, auth.account.id, userIdOrExternalId)
        await actions.do_delete_user(session, user)
    return {}
