"""End users: the server API, anonymous customers, JWT login and the merge of their history."""

import time

import httpx
import jwt
import pytest
from sqlalchemy import select

from parlour.accounts import actions as account_actions
from parlour.conversations import actions as conversation_actions
from parlour.conversations import queries as conversation_queries
from parlour.conversations.models import Message
from parlour.db import Database
from parlour.lib.errors import BadRequest, Unauthorized
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from tests.conftest import Tenant, make_tenant
from tests.helpers import create_conversation, create_user, post_text, workspace_answers_first_in


async def test_a_user_is_created_and_found_by_id_or_external_id(api: httpx.AsyncClient) -> None:
    user = await create_user(api, "crm-42", givenName="Jane", surname="Doe", email="jane@example.com")
    assert user["profile"] == {
        "givenName": "Jane",
        "surname": "Doe",
        "email": "jane@example.com",
        "avatarUrl": None,
        "locale": None,
    }
    assert user["identities"] == [
        {"type": "email", "value": "jane@example.com", "verification": "unverified"}
    ]
    assert (await api.get(f"users/{user['id']}")).json()["user"]["externalId"] == "crm-42"
    assert (await api.get("users/crm-42")).json()["user"]["id"] == user["id"]
    by_email = (await api.get("users", params={"filter[identities.email]": "jane@example.com"})).json()
    assert [u["id"] for u in by_email["users"]] == [user["id"]]
    duplicate = await api.post("users", json={"externalId": "crm-42"})
    assert duplicate.status_code == 409


async def test_updating_a_user_changes_only_the_given_profile_fields(
    api: httpx.AsyncClient, db: Database
) -> None:
    await create_user(api, "crm-1", givenName="Jane", email="jane@example.com")
    response = await api.patch(
        "users/crm-1", json={"profile": {"surname": "Roe"}, "metadata": {"plan": "gold"}}
    )
    assert response.status_code == 200
    user = response.json()["user"]
    assert (user["profile"]["givenName"], user["profile"]["surname"], user["metadata"]) == (
        "Jane",
        "Roe",
        {"plan": "gold"},
    )
    bad_email = await api.patch("users/crm-1", json={"profile": {"email": "not-an-email"}})
    assert bad_email.status_code == 400
    assert (await api.get("users/crm-1")).json()["user"]["profile"]["email"] == "jane@example.com"


async def test_deleting_a_user_deletes_their_conversations(api: httpx.AsyncClient) -> None:
    await create_user(api)
    conversation = await create_conversation(api)
    await post_text(api, conversation["id"], "please forget me")
    assert (await api.delete("users/customer-1")).status_code == 200
    assert (await api.get("users/customer-1")).status_code == 404
    assert (await api.get(f"conversations/{conversation['id']}")).status_code == 404


def _user_token(kid: str, secret: str, **claims: object) -> str:
    return jwt.encode({"scope": "user", **claims}, secret, algorithm="HS256", headers={"kid": kid})


async def test_an_anonymous_customer_logs_in_and_keeps_their_history(db: Database, tenant: Tenant) -> None:
    await workspace_answers_first_in(db, tenant.app_id)  # the history is the customer's words only
    async with db.transaction() as session:
        key = await account_actions.do_create_signing_key(session, tenant.account, display_name="web")
        anonymous = await people_actions.do_create_anonymous_user(session, tenant.account)
        conversation = await conversation_actions.do_get_or_create_default_conversation(
            session, tenant.account, anonymous.user
        )
        await conversation_actions.do_post_message(
            session,
            tenant.account,
            conversation,
            conversation_actions.Author.of_user(anonymous.user),
            {"type": "text", "text": "asked before logging in"},
        )
    async with db.reading() as session:
        found = await people_queries.get_user_by_client_token(session, tenant.app_id, anonymous.client_token)
        assert found is not None and found.id == anonymous.user.id
    token = _user_token(
        key.key.id,
        key.secret,
        external_id="crm-7",
        name="Jane Doe",
        email="jane@example.com",
        email_verified=True,
        exp=int(time.time()) + 60,
    )
    async with db.transaction() as session:
        source = await people_queries.get_user(session, tenant.app_id, anonymous.user.id)
        user = await conversation_actions.do_login_user(session, tenant.account, token, source)
    async with db.reading() as session:
        assert await people_queries.get_user(session, tenant.app_id, anonymous.user.id) is None
        identified = await people_queries.get_user_by_external_id(session, tenant.app_id, "crm-7")
        assert identified is not None and identified.id == user.id
        assert (
            identified.authenticated,
            identified.given_name,
            identified.surname,
            identified.email_verified,
        ) == (True, "Jane", "Doe", True)
        default = await conversation_queries.get_default_conversation(session, user.id)
        assert default is not None
        messages = list(await session.scalars(select(Message).where(Message.conversation_id == default.id)))
        assert [(m.content["text"], m.author_user_id) for m in messages] == [
            ("asked before logging in", user.id)
        ]


async def test_logging_in_appends_anonymous_history_to_the_identified_conversation(
    db: Database, tenant: Tenant
) -> None:
    await workspace_answers_first_in(db, tenant.app_id)  # the history is the customer's words only
    async with db.transaction() as session:
        key = await account_actions.do_create_signing_key(session, tenant.account, display_name="web")
        known = await people_actions.do_create_user(session, tenant.account, external_id="crm-8")
        known_conversation = await conversation_actions.do_get_or_create_default_conversation(
            session, tenant.account, known
        )
        await conversation_actions.do_post_message(
            session,
            tenant.account,
            known_conversation,
            conversation_actions.Author.of_user(known),
            {"type": "text", "text": "from my laptop"},
        )
        anonymous = await people_actions.do_create_anonymous_user(session, tenant.account)
        other = await conversation_actions.do_get_or_create_default_conversation(
            session, tenant.account, anonymous.user
        )
        await conversation_actions.do_post_message(
            session,
            tenant.account,
            other,
            conversation_actions.Author.of_user(anonymous.user),
            {"type": "text", "text": "from my phone"},
        )
    async with db.transaction() as session:
        source = await people_queries.get_user(session, tenant.app_id, anonymous.user.id)
        await conversation_actions.do_login_user(
            session, tenant.account, _user_token(key.key.id, key.secret, external_id="crm-8"), source
        )
    async with db.reading() as session:
        merged = await conversation_queries.get_conversation_or_raise(
            session, tenant.app_id, known_conversation.id
        )
        texts = [
            m.content["text"]
            for m in await session.scalars(
                select(Message).where(Message.conversation_id == merged.id).order_by(Message.seq)
            )
        ]
        assert texts == ["from my laptop", "from my phone"]
        assert merged.message_count == 2
        assert await conversation_queries.get_conversation(session, tenant.app_id, other.id) is None


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong-secret", "signature"),
        ("expired", "expired"),
        ("app-scope", "scope"),
        ("no-external-id", "external_id"),
        ("other-account-key", "key"),
    ],
)
async def test_a_claimed_identity_without_a_valid_signature_is_refused(
    db: Database, tenant: Tenant, case: str, expected: str
) -> None:
    other = await make_tenant(db, "other-shop")
    async with db.transaction() as session:
        key = await account_actions.do_create_signing_key(session, tenant.account, display_name="web")
        foreign = await account_actions.do_create_signing_key(session, other.account, display_name="web")
    tokens = {
        "wrong-secret": _user_token(key.key.id, "y" * 40, external_id="crm-9"),
        "expired": _user_token(key.key.id, key.secret, external_id="crm-9", exp=int(time.time()) - 5),
        "app-scope": jwt.encode(
            {"scope": "app", "external_id": "crm-9"},
            key.secret,
            algorithm="HS256",
            headers={"kid": key.key.id},
        ),
        "no-external-id": _user_token(key.key.id, key.secret),
        "other-account-key": _user_token(foreign.key.id, foreign.secret, external_id="crm-9"),
    }
    with pytest.raises(Unauthorized, match=expected):
        async with db.transaction() as session:
            await conversation_actions.do_login_user(session, tenant.account, tokens[case], None)
    async with db.reading() as session:
        assert await people_queries.get_user_by_external_id(session, tenant.app_id, "crm-9") is None


async def test_an_account_has_at_most_ten_signing_keys(db: Database, tenant: Tenant) -> None:
    async with db.transaction() as session:
        for index in range(10):
            await account_actions.do_create_signing_key(session, tenant.account, display_name=f"k{index}")
    with pytest.raises(BadRequest, match="at most 10"):
        async with db.transaction() as session:
            await account_actions.do_create_signing_key(session, tenant.account, display_name="eleventh")
