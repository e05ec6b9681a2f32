"""Bad input to the server API gets a clear error and changes nothing.

Every endpoint under /v2/apps/{appId} is listed once in ENDPOINTS, with a request it accepts.
Each test is parametrized over the endpoints and sends each bad variant of that request as a
subtest. Every variant must be refused with `{"errors": [{"code", "title"}]}` and the expected
status, and afterwards the API must show what it showed before and every table must hold exactly
the rows it held before.
"""

import base64
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from parlour.accounts import actions as account_actions
from parlour.accounts import queries as account_queries
from parlour.ai_agent import actions as ai_agent_actions
from parlour.conversations import actions as conversation_actions
from parlour.conversations import queries as conversation_queries
from parlour.db import Database
from parlour.helpcenter import actions as helpcenter_actions
from parlour.models import metadata
from parlour.people import actions as people_actions
from parlour.switchboard import actions as switchboard_actions
from parlour.switchboard import builtin
from parlour.switchboard import queries as switchboard_queries
from parlour.webhooks import actions as webhook_actions
from tests.conftest import Tenant
from tests.helpers import post_text

# --- the server API, endpoint by endpoint --------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Endpoint:
    """`path` is relative to /v2/apps/{appId}. `{name}` in a path, query or body stands for the
    id of that name (see `_furnish`). `body` and `query` make a request the endpoint accepts."""

    method: str
    path: str
    body: Any = None  # None: the endpoint reads no body
    query: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.path or '(app)'}"


GET_APP = Endpoint("GET", "")
UPDATE_APP = Endpoint("PATCH", "", {"displayName": "Acme Renamed"})
CREATE_KEY = Endpoint("POST", "keys", {"displayName": "Zapier"})
LIST_KEYS = Endpoint("GET", "keys")
GET_KEY = Endpoint("GET", "keys/{key}")
DELETE_KEY = Endpoint("DELETE", "keys/{key}")

CREATE_USER = Endpoint("POST", "users", {"externalId": "customer-9", "profile": {"givenName": "Nina"}})
LIST_USERS = Endpoint("GET", "users", query="filter[identities.email]=customer-1@example.com")
GET_USER = Endpoint("GET", "users/{user}")
UPDATE_USER = Endpoint("PATCH", "users/{user}", {"profile": {"givenName": "Ada"}})
DELETE_USER = Endpoint("DELETE", "users/{user}")

CREATE_CONVERSATION = Endpoint(
    "POST", "conversations", {"type": "sdkGroup", "participants": [{"userExternalId": "customer-1"}]}
)
LIST_CONVERSATIONS = Endpoint("GET", "conversations", query="filter[userId]={user}")
GET_CONVERSATION = Endpoint("GET", "conversations/{conversation}")
UPDATE_CONVERSATION = Endpoint("PATCH", "conversations/{conversation}", {"displayName": "Order #42"})
DELETE_CONVERSATION = Endpoint("DELETE", "conversations/{conversation}")
JOIN = Endpoint("POST", "conversations/{group}/join", {"userExternalId": "customer-3"})
LEAVE = Endpoint("POST", "conversations/{group}/leave", {"userExternalId": "customer-2"})
LIST_PARTICIPANTS = Endpoint("GET", "conversations/{group}/participants")
POST_MESSAGE = Endpoint(
    "POST",
    "conversations/{conversation}/messages",
    {
        "author": {"type": "user", "userExternalId": "customer-1"},
        "content": {"type": "text", "text": "Hello"},
    },
)
LIST_MESSAGES = Endpoint("GET", "conversations/{conversation}/messages")
DELETE_MESSAGES = Endpoint("DELETE", "conversations/{conversation}/messages")
DELETE_MESSAGE = Endpoint("DELETE", "conversations/{conversation}/messages/{message}")
POST_ACTIVITY = Endpoint(
    "POST", "conversations/{conversation}/activity", {"author": {"type": "business"}, "type": "typing:start"}
)

CREATE_SWITCHBOARD = Endpoint("POST", "switchboards")
LIST_SWITCHBOARDS = Endpoint("GET", "switchboards")
UPDATE_SWITCHBOARD = Endpoint("PATCH", "switchboards/{switchboard}", {"enabled": False})
DELETE_SWITCHBOARD = Endpoint("DELETE", "switchboards/{switchboard}")
CREATE_SBI = Endpoint(
    "POST",
    "switchboards/{switchboard}/switchboardIntegrations",
    {"name": "escalation", "integrationId": "{integration}"},
)
LIST_SBIS = Endpoint("GET", "switchboards/{switchboard}/switchboardIntegrations")
UPDATE_SBI = Endpoint(
    "PATCH", "switchboards/{switchboard}/switchboardIntegrations/{sbi}", {"messageHistoryCount": 5}
)
DELETE_SBI = Endpoint("DELETE", "switchboards/{switchboard}/switchboardIntegrations/{sbi}")
PASS_CONTROL = Endpoint(
    "POST", "conversations/{conversation}/passControl", {"switchboardIntegration": "zd-answerBot"}
)
OFFER_CONTROL = Endpoint(
    "POST", "conversations/{conversation}/offerControl", {"switchboardIntegration": "zd-answerBot"}
)
ACCEPT_CONTROL = Endpoint(
    "POST", "conversations/{conversation}/acceptControl", {"metadata": {"reason": "test"}}
)
RELEASE_CONTROL = Endpoint(
    "POST", "conversations/{conversation}/releaseControl", {"metadata": {"reason": "test"}}
)

CREATE_INTEGRATION = Endpoint(
    "POST",
    "integrations",
    {
        "type": "custom",
        "displayName": "Bot",
        "webhooks": [{"target": "https://bot.example/hook", "triggers": ["*"]}],
    },
)
LIST_INTEGRATIONS = Endpoint("GET", "integrations")
GET_INTEGRATION = Endpoint("GET", "integrations/{integration}")
UPDATE_INTEGRATION = Endpoint("PATCH", "integrations/{integration}", {"displayName": "Renamed bot"})
DELETE_INTEGRATION = Endpoint("DELETE", "integrations/{integration}")
CREATE_WEBHOOK = Endpoint(
    "POST", "integrations/{integration}/webhooks", {"target": "https://bot.example/other", "triggers": ["*"]}
)
LIST_WEBHOOKS = Endpoint("GET", "integrations/{integration}/webhooks")
GET_WEBHOOK = Endpoint("GET", "integrations/{integration}/webhooks/{webhook}")
UPDATE_WEBHOOK = Endpoint("PATCH", "integrations/{integration}/webhooks/{webhook}", {"includeFullUser": True})
DELETE_WEBHOOK = Endpoint("DELETE", "integrations/{integration}/webhooks/{webhook}")

CREATE_ARTICLE = Endpoint("POST", "helpcenter/articles", {"title": "Returns", "body": "Within **30 days**."})
LIST_ARTICLES = Endpoint("GET", "helpcenter/articles", query="filter[draft]=false")
GET_ARTICLE = Endpoint("GET", "helpcenter/articles/{article}")
UPDATE_ARTICLE = Endpoint("PATCH", "helpcenter/articles/{article}", {"title": "Shipping, explained"})
DELETE_ARTICLE = Endpoint("DELETE", "helpcenter/articles/{article}")
GET_AI_SETTINGS = Endpoint("GET", "ai-agent/settings")
UPDATE_AI_SETTINGS = Endpoint("PATCH", "ai-agent/settings", {"botName": "Parla", "inactivityHours": 24})
FLOW_REPLY = {"type": "text", "text": "We are open 9 to 5."}
CREATE_FLOW = Endpoint(
    "POST",
    "ai-agent/flows",
    {"name": "Holidays", "phrases": ["are you open at Christmas"], "reply": FLOW_REPLY},
)
LIST_FLOWS = Endpoint("GET", "ai-agent/flows")
GET_FLOW = Endpoint("GET", "ai-agent/flows/{flow}")
UPDATE_FLOW = Endpoint("PATCH", "ai-agent/flows/{flow}", {"phrases": ["when do you open"]})
DELETE_FLOW = Endpoint("DELETE", "ai-agent/flows/{flow}")
LIST_RESOLUTIONS = Endpoint("GET", "ai-agent/resolutions", query="filter[conversationId]={conversation}")
SEARCH_ARTICLES = Endpoint("GET", "ai-agent/search", query="query=shipping")

# Multipart, not JSON: its bad bodies are tested in tests/test_attachments.py.
UPLOAD_ATTACHMENT = Endpoint("POST", "attachments")

ENDPOINTS = [
    GET_APP, UPDATE_APP, CREATE_KEY, LIST_KEYS, GET_KEY, DELETE_KEY,
    CREATE_USER, LIST_USERS, GET_USER, UPDATE_USER, DELETE_USER,
    CREATE_CONVERSATION, LIST_CONVERSATIONS, GET_CONVERSATION, UPDATE_CONVERSATION, DELETE_CONVERSATION,
    JOIN, LEAVE, LIST_PARTICIPANTS,
    POST_MESSAGE, LIST_MESSAGES, DELETE_MESSAGES, DELETE_MESSAGE, POST_ACTIVITY,
    CREATE_SWITCHBOARD, LIST_SWITCHBOARDS, UPDATE_SWITCHBOARD, DELETE_SWITCHBOARD,
    CREATE_SBI, LIST_SBIS, UPDATE_SBI, DELETE_SBI,
    PASS_CONTROL, OFFER_CONTROL, ACCEPT_CONTROL, RELEASE_CONTROL,
    CREATE_INTEGRATION, LIST_INTEGRATIONS, GET_INTEGRATION, UPDATE_INTEGRATION, DELETE_INTEGRATION,
    CREATE_WEBHOOK, LIST_WEBHOOKS, GET_WEBHOOK, UPDATE_WEBHOOK, DELETE_WEBHOOK,
    CREATE_ARTICLE, LIST_ARTICLES, GET_ARTICLE, UPDATE_ARTICLE, DELETE_ARTICLE,
    GET_AI_SETTINGS, UPDATE_AI_SETTINGS, CREATE_FLOW, LIST_FLOWS, GET_FLOW, UPDATE_FLOW, DELETE_FLOW,
    LIST_RESOLUTIONS, SEARCH_ARTICLES, UPLOAD_ATTACHMENT,
]  # fmt: skip
WITH_BODY = [e for e in ENDPOINTS if e.body is not None]

# What an id in a path names, and the code that says it was not found.
NOT_FOUND = {
    "key": "key_not_found",
    "user": "user_not_found",
    "conversation": "conversation_not_found",
    "group": "conversation_not_found",
    "message": "message_not_found",
    "switchboard": "switchboard_not_found",
    "sbi": "switchboard_integration_not_found",
    "integration": "integration_not_found",
    "webhook": "webhook_not_found",
    "article": "article_not_found",
    "flow": "answer_flow_not_found",
}
NO_SUCH_ID = "000000000000000000000000"


async def test_the_table_lists_every_server_api_endpoint(http: httpx.AsyncClient) -> None:
    def shape(path: str) -> str:
        return re.sub(r"\{\w+\}", "{}", path).rstrip("/")

    spec = (await http.get("/openapi.json")).json()
    served = {
        (method.upper(), shape(path))
        for path, operations in spec["paths"].items()
        if path.startswith("/v2/apps/")
        for method in operations
    }
    listed = {(e.method, shape(f"/v2/apps/{{appId}}/{e.path}")) for e in ENDPOINTS}
    assert served - listed == set(), "add the new endpoints to ENDPOINTS"
    assert listed - served == set()


# --- the accounts every test starts from ---------------------------------------------------------


async def _furnish(db: Database, tenant: Tenant, prefix: str) -> dict[str, str]:
    """Through the actions, in one transaction: three customers, the first with a personal
    conversation holding a message and, with the second, in a group conversation; a spare API key;
    a custom integration with a webhook; and the switchboard every account is given. Ids by name."""
    async with db.transaction() as session:
        account = await account_queries.get_account_or_raise(session, tenant.app_id)
        customers = []
        for n in (1, 2, 3):
            email = people_actions.Profile(email=f"{prefix}customer-{n}@example.com")
            customers.append(
                await people_actions.do_create_user(
                    session,
                    account,
                    external_id=f"{prefix}customer-{n}",
                    profile=email,
                    profile_fields={"email"},
                )
            )
        first, second, _third = customers
        # The cases below were written for an account whose agent workspace answers first (new
        # accounts answer with the AI agent: its own endpoints are listed here too).
        provisioned = await switchboard_queries.get_switchboard(session, account.id)
        assert provisioned is not None
        workspace = next(
            s
            for s in await switchboard_queries.list_switchboard_integrations(session, provisioned.id)
            if s.integration_type == builtin.AGENT_WORKSPACE
        )
        await switchboard_actions.do_update_switchboard(
            session, provisioned, enabled=None, default_id=workspace.id
        )
        personal = await conversation_actions.do_create_conversation(
            session, account, type="personal", users=[first]
        )
        posted = await conversation_actions.do_post_message(
            session,
            account,
            personal,
            conversation_actions.Author.of_user(first),
            {"type": "text", "text": "Hi"},
        )
        group = await conversation_actions.do_create_conversation(
            session, account, type="sdkGroup", users=[first, second]
        )
        participant = await conversation_queries.get_participant(session, group.id, second.id)
        key = await account_actions.do_create_api_key(session, account, display_name="spare")
        hook = webhook_actions.WebhookSpec(target="https://bot.example/hook", triggers=["*"])
        integration, [webhook] = await webhook_actions.do_create_custom_integration(
            session, account, display_name="Bot", webhooks=[hook]
        )
        switchboard = await switchboard_queries.get_switchboard(session, account.id)
        assert switchboard is not None and participant is not None
        sbis = await switchboard_queries.list_switchboard_integrations(session, switchboard.id)
        article = await helpcenter_actions.do_create_article(
            session, account, helpcenter_actions.ArticleSpec(title="Shipping times", body="Three days.")
        )
        flow = await ai_agent_actions.do_create_flow(
            session, account, name="Opening hours", phrases=["when are you open"], reply=FLOW_REPLY
        )
    by_name = {sbi.name: sbi.id for sbi in sbis}
    return {
        "app": tenant.app_id,
        "key": key.key.id,
        "user": first.id,
        "external": first.external_id or "",
        "conversation": personal.id,
        "message": posted.message.id,
        "group": group.id,
        "participant": participant.id,
        "switchboard": switchboard.id,
        "sbi": by_name["zd-answerBot"],
        "default_sbi": by_name["zd-agentWorkspace"],
        "integration": integration.id,
        "webhook": webhook.id,
        "article": article.id,
        "flow": flow.id,
    }


@pytest.fixture
async def ours(db: Database, tenant: Tenant) -> dict[str, str]:
    return await _furnish(db, tenant, "")


@pytest.fixture
async def theirs(db: Database, other_tenant: Tenant) -> dict[str, str]:
    """Another account holding the same kinds of records (its customers are `globex-customer-N`)."""
    return await _furnish(db, other_tenant, "globex-")


# --- requests, and what must come back -----------------------------------------------------------

VALID = object()  # the endpoint's own body
DROP = object()  # leave this field out of the body


@dataclass(frozen=True)
class Raw:
    """A body sent byte for byte, for what `json=` cannot express."""

    content: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Case:
    """A variant of an endpoint's request, and the error it must get."""

    problem: str
    change: dict[str, Any] | None = None  # top-level fields replaced in (or DROPped from) the body
    body: Any = VALID  # or a whole body
    query: str | None = None  # replaces the endpoint's query
    ids: dict[str, str] | None = None  # path ids replaced, e.g. {"message": NO_SUCH_ID}
    says: str = ""  # what the error's title must mention
    status: int = 400
    code: str = "bad_request"


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def changed(body: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """The endpoint's body with top-level fields replaced or dropped: the rest stays valid."""
    result = dict(body)
    for name, value in change.items():
        if value is DROP:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def url_of(endpoint: Endpoint, ids: dict[str, str], query: str | None = None) -> str:
    url = f"/v2/apps/{ids['app']}/{fill(endpoint.path, ids)}".rstrip("/")
    query = endpoint.query if query is None else query
    return f"{url}?{fill(query, ids)}" if query else url


async def send(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    ids: dict[str, str],
    case: Case | None = None,
    *,
    body: Any = VALID,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """The endpoint's request, changed as `case` says (or with `body`)."""
    query = None
    if case is not None:
        ids = ids | {name: fill(value, ids) for name, value in (case.ids or {}).items()}
        body = changed(endpoint.body, case.change) if case.change is not None else case.body
        query = case.query
    url = url_of(endpoint, ids, query)
    if body is VALID:
        body = endpoint.body
    if isinstance(body, Raw):
        headers = {"Content-Type": body.content_type, **(headers or {})}
        return await client.request(endpoint.method, url, content=body.content, headers=headers)
    if body is None:
        return await client.request(endpoint.method, url, headers=headers)
    return await client.request(endpoint.method, url, json=fill(body, ids), headers=headers)


def assert_refused(response: httpx.Response, status: int, code: str, says: str = "") -> None:
    """The one error shape, `{"errors": [{"code", "title"}]}`, with a title a person can act on."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["errors"], body
    [error] = body["errors"]
    assert set(error) == {"code", "title"}, error
    assert error["code"] == code, error
    assert isinstance(error["title"], str) and error["title"].strip(), error
    assert says.lower() in error["title"].lower(), error


async def every_row(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read only."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with db.reading() as session:
        for table in metadata.sorted_tables:
            result = await session.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in result]
    return rows


async def what_the_api_shows(api: httpx.AsyncClient, ids: dict[str, str]) -> dict[str, Any]:
    """The app, its keys, a customer, the conversations with their messages and participants, the
    switchboard's integrations and a custom integration with its webhooks, as the app's key sees them."""
    paths = [
        "", "keys", "users/customer-1", f"conversations/{ids['conversation']}",
        f"conversations/{ids['conversation']}/messages", f"conversations/{ids['group']}/participants",
        f"switchboards/{ids['switchboard']}/switchboardIntegrations", f"integrations/{ids['integration']}",
        "helpcenter/articles", "ai-agent/flows", "ai-agent/settings",
    ]  # fmt: skip
    seen = {}
    for path in paths:
        response = await api.get(path)
        assert response.status_code == 200, (path, response.text)
        seen[path] = response.json()
    return seen


Unchanged = Callable[[], AbstractAsyncContextManager[None]]


@pytest.fixture
async def unchanged(db: Database, api: httpx.AsyncClient, ours: dict[str, str]) -> Unchanged:
    """`async with unchanged(): …` fails unless the API and every table then show what they
    showed when the test began (or at the last change reported, so that each is reported once)."""
    before = {"api": await what_the_api_shows(api, ours), "rows": await every_row(db)}

    @asynccontextmanager
    async def guard() -> AsyncIterator[None]:
        yield
        now = {"api": await what_the_api_shows(api, ours), "rows": await every_row(db)}
        was = dict(before)
        before.update(now)
        assert now["api"] == was["api"], "the API shows a change"
        assert now["rows"] == was["rows"], "a table changed"

    return guard


# --- credentials ---------------------------------------------------------------------------------


def _basic(key_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()


NOT_CREDENTIALS: dict[str, Callable[[Tenant], dict[str, str]]] = {
    "no credentials": lambda _: {},
    "a wrong secret": lambda tenant: {"Authorization": _basic(tenant.key_id, "not-the-secret")},
    "an unknown key": lambda tenant: {"Authorization": _basic(f"app_{NO_SUCH_ID}", tenant.secret)},
    "a key id holding a NUL": lambda tenant: {"Authorization": _basic(f"{tenant.key_id}\x00", tenant.secret)},
    "no secret": lambda tenant: {
        "Authorization": "Basic " + base64.b64encode(tenant.key_id.encode()).decode()
    },
    "broken base64": lambda _: {"Authorization": "Basic %%%not-base64%%%"},
    "an unknown scheme": lambda tenant: {"Authorization": f"Token {tenant.secret}"},
    "a malformed bearer token": lambda _: {"Authorization": "Bearer not.a.jwt"},
}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
async def test_no_endpoint_opens_without_this_apps_credentials(
    endpoint: Endpoint,
    http: httpx.AsyncClient,
    tenant: Tenant,
    other_tenant: Tenant,
    ours: dict[str, str],
    unchanged: Unchanged,
    subtests: pytest.Subtests,
) -> None:
    for problem, credentials in NOT_CREDENTIALS.items():
        with subtests.test(problem):
            async with unchanged():
                response = await send(http, endpoint, ours, headers=credentials(tenant))
            assert_refused(response, 401, "unauthorized")
            assert response.headers["www-authenticate"].startswith("Basic")
    with subtests.test("the key of another account"):
        async with unchanged():
            response = await send(http, endpoint, ours, headers=other_tenant.auth_header)
        assert_refused(response, 404, "app_not_found")
        assert response.json()["errors"][0]["title"] == "App not found"


# --- ids of another account ----------------------------------------------------------------------


def their(problem: str, code: str, *, status: int = 404, **request: Any) -> Case:
    """A request with this app's key that names another account's record as `{their_…}`."""
    return Case(f"their {problem}", status=status, code=code, **request)


def _their_path_ids(endpoint: Endpoint) -> list[Case]:
    """For each id in the path: that id, and those after it, are the other account's."""
    names = re.findall(r"\{(\w+)\}", endpoint.path)
    return [
        their(name, NOT_FOUND[name], ids={later: f"{{their_{later}}}" for later in names[index:]})
        for index, name in enumerate(names)
    ]


THEIR_USER_AS_AUTHOR = {"author": {"type": "user", "userId": "{their_user}"}}
THEIR_IDS_ELSEWHERE: dict[Endpoint, list[Case]] = {
    GET_USER: [their("externalId", "user_not_found", ids={"user": "{their_external}"})],
    CREATE_CONVERSATION: [
        their("user as participant", "user_not_found", change={"participants": [{"userId": "{their_user}"}]}),
        their(
            "externalId as participant",
            "user_not_found",
            change={"participants": [{"userExternalId": "{their_external}"}]},
        ),
    ],
    LIST_CONVERSATIONS: [
        their("user as filter", "user_not_found", query="filter[userId]={their_user}"),
        their("externalId as filter", "user_not_found", query="filter[userExternalId]={their_external}"),
    ],
    JOIN: [their("user", "user_not_found", body={"userId": "{their_user}"})],
    LEAVE: [
        their("user", "user_not_found", body={"userId": "{their_user}"}),
        their("participant", "participant_not_found", body={"participantId": "{their_participant}"}),
    ],
    POST_MESSAGE: [their("user as author", "user_not_found", change=THEIR_USER_AS_AUTHOR)],
    POST_ACTIVITY: [their("user as author", "user_not_found", change=THEIR_USER_AS_AUTHOR)],
    LIST_MESSAGES: [
        their("message as page[before]", "message_not_found", query="page[before]={their_message}"),
        their("message as page[after]", "message_not_found", query="page[after]={their_message}"),
    ],
    UPDATE_SWITCHBOARD: [
        their("default", NOT_FOUND["sbi"], body={"defaultSwitchboardIntegrationId": "{their_sbi}"}),
    ],
    CREATE_SBI: [
        their("integration", "integration_not_found", change={"integrationId": "{their_integration}"}),
        their("next", NOT_FOUND["sbi"], change={"nextSwitchboardIntegrationId": "{their_sbi}"}),
    ],
    UPDATE_SBI: [
        their("integration", "integration_not_found", body={"integrationId": "{their_integration}"}),
        their("next", NOT_FOUND["sbi"], body={"nextSwitchboardIntegrationId": "{their_sbi}"}),
    ],
    LIST_RESOLUTIONS: [
        their(
            "conversation as filter",
            "conversation_not_found",
            query="filter[conversationId]={their_conversation}",
        )
    ],
    # A control target is named in the body by id, name or type: one that matches none is a bad request.
    PASS_CONTROL: [
        their("target", NOT_FOUND["sbi"], status=400, body={"switchboardIntegration": "{their_sbi}"})
    ],
    OFFER_CONTROL: [
        their("target", NOT_FOUND["sbi"], status=400, body={"switchboardIntegration": "{their_sbi}"})
    ],
}
FOREIGN = {
    endpoint: cases
    for endpoint in ENDPOINTS
    if (cases := _their_path_ids(endpoint) + THEIR_IDS_ELSEWHERE.get(endpoint, []))
}


@pytest.mark.parametrize("endpoint", FOREIGN, ids=str)
async def test_ids_of_another_account_are_not_found_and_nothing_of_theirs_leaks(
    endpoint: Endpoint,
    api: httpx.AsyncClient,
    ours: dict[str, str],
    theirs: dict[str, str],
    unchanged: Unchanged,
    subtests: pytest.Subtests,
) -> None:
    ids = ours | {f"their_{name}": value for name, value in theirs.items()}
    for case in FOREIGN[endpoint]:
        with subtests.test(case.problem):
            async with unchanged():
                response = await send(api, endpoint, ids, case)
            assert_refused(response, case.status, case.code)
            asked = str(response.request.url) + response.request.content.decode()
            for name, value in theirs.items():
                assert value in asked or value not in response.text, f"their {name} leaked"


async def test_listing_users_by_another_accounts_email_finds_nobody(
    api: httpx.AsyncClient, theirs: dict[str, str]
) -> None:
    response = await api.get("users", params={"filter[identities.email]": "globex-customer-1@example.com"})
    assert response.status_code == 200
    assert response.json()["users"] == []


# --- bodies that are not what the endpoint reads -------------------------------------------------

UNREADABLE = [
    Case("malformed JSON", body=Raw(b'{"displayName": "Ac'), says="not valid JSON"),
    Case("no body", body=Raw(b""), says="a JSON body is required"),
    Case("JSON null", body=Raw(b"null"), says="body"),
    Case("a list", body=[], says="body"),
    Case("a list of names", body=["displayName"], says="body"),
    Case("a string", body="displayName", says="body"),
    Case("a number", body=42, says="body"),
    Case("a boolean", body=True, says="body"),
    Case("a form", body=Raw(b"displayName=Acme", "application/x-www-form-urlencoded"), says="body"),
    Case("bytes that are not UTF-8", body=Raw(b'{"displayName": "\xff\xfe"}'), says="UTF-8"),
    Case("an unknown field", change={"colour": "blue"}, says="colour: is not a known field"),
    Case("an unknown field named with a lone surrogate", body=Raw(b'{"\\ud800": 1}'), says="body"),
]
# These two read an optional body: none at all (or null) is a request without metadata.
OPTIONAL_BODY = {ACCEPT_CONTROL, RELEASE_CONTROL}


@pytest.mark.parametrize("endpoint", WITH_BODY, ids=str)
async def test_a_body_the_endpoint_cannot_read_is_refused(
    endpoint: Endpoint,
    api: httpx.AsyncClient,
    ours: dict[str, str],
    unchanged: Unchanged,
    subtests: pytest.Subtests,
) -> None:
    for case in UNREADABLE:
        if endpoint in OPTIONAL_BODY and case.problem in ("no body", "JSON null"):
            continue
        with subtests.test(case.problem):
            async with unchanged():
                response = await send(api, endpoint, ours, case)
            assert_refused(response, 400, "bad_request", says=case.says)


# Uploads have their own, larger limit (PARLOUR_MAX_UPLOAD_BYTES), tested in tests/test_attachments.py.
@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e is not UPLOAD_ATTACHMENT], ids=str)
async def test_a_body_over_100_kb_is_refused_with_413(
    endpoint: Endpoint,
    api: httpx.AsyncClient,
    ours: dict[str, str],
    unchanged: Unchanged,
    subtests: pytest.Subtests,
) -> None:
    with subtests.test("with its length declared"):
        async with unchanged():
            response = await send(
                api, endpoint, ours, body=changed(endpoint.body or {}, {"padding": "x" * 102_400})
            )
        assert_refused(response, 413, "payload_too_large")
    if endpoint.body is None:
        return  # an endpoint that reads no body never reads one arriving in chunks

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"padding": "'
        for _ in range(11):
            yield b"x" * 10_000
        yield b'"}'

    with subtests.test("in chunks, its length not declared"):
        async with unchanged():
            response = await api.request(
                endpoint.method,
                url_of(endpoint, ours),
                content=chunks(),
                headers={"Content-Type": "application/json"},
            )
        assert "content-length" not in response.request.headers
        assert_refused(response, 413, "payload_too_large")


# --- values of the wrong type, shape or size -----------------------------------------------------

FLAT = "must be a string, number or boolean"
LONG_METADATA = {f"key{n}": "v" * 100 for n in range(40)}  # about 4.4 KB
NESTED_METADATA = {"order": {"id": 42}}


def bad(problem: str, change: dict[str, Any] | None = None, **expected: Any) -> Case:
    return Case(problem, change, **expected)


def _message(content: dict[str, Any], author: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"author": author or {"type": "business"}, "content": content}


def _text(**fields: Any) -> dict[str, Any]:
    return {"content": {"type": "text", "text": "Hi", **fields}}


def _card(title: str = "Card", buttons: int = 1) -> dict[str, Any]:
    return {"title": title, "actions": [{"type": "postback", "text": "Pick", "payload": "PICK"}] * buttons}


def _webhooks(**webhook: Any) -> dict[str, Any]:
    return {"webhooks": [{"target": "https://x.test", "triggers": ["*"], **webhook}]}


BAD: dict[Endpoint, list[Case]] = {
    UPDATE_APP: [
        bad("a displayName that is a number", {"displayName": 42}, says="displayName"),
        bad("an empty displayName", {"displayName": ""}, says="displayName"),
        bad("a displayName of 101 characters", {"displayName": "x" * 101}, says="displayName"),
        bad("a displayName holding a NUL", {"displayName": "Ac\x00me"}, says="displayName must not contain"),
        bad(
            "a setting that is a string", {"settings": {"multiConvoEnabled": "yes"}}, says="multiConvoEnabled"
        ),
        bad("settings that are not an object", {"settings": "on"}, says="settings"),
        bad("an unknown setting", {"settings": {"colour": "blue"}}, says="settings.colour"),
        bad(
            "a negative close delay", {"settings": {"solvedTicketCloseSeconds": -1}}, says="solvedTicketClose"
        ),
        bad(
            "a close delay that is a string",
            {"settings": {"solvedTicketCloseSeconds": "60"}},
            says="solvedTicket",
        ),
        bad("an unknown mode", {"mode": "chat"}, says="mode"),
        bad(
            "a locale that is no language tag",
            {"locale": "not a locale"},
            says="locale",
            code="invalid_settings",
        ),
        bad("an unknown time zone", {"timeZone": "Mars/Olympus"}, says="time zone", code="invalid_settings"),
        bad("nested metadata", {"metadata": NESTED_METADATA}, says=FLAT),
        bad("metadata holding a list", {"metadata": {"tags": ["vip"]}}, says=FLAT),
        bad("metadata over 4 KB", {"metadata": LONG_METADATA}, says="4096 bytes"),
        bad("metadata that is not an object", {"metadata": "vip"}, says="metadata"),
        bad("metadata holding NaN", body=Raw(b'{"metadata": {"score": NaN}}'), says="metadata.score"),
        bad(
            "metadata holding Infinity",
            body=Raw(b'{"metadata": {"score": -Infinity}}'),
            says="metadata.score",
        ),
        bad(
            "metadata holding a lone surrogate",
            body=Raw(b'{"metadata": {"name": "\\ud800"}}'),
            says="metadata.name must be valid Unicode",
        ),
        bad("metadata holding a NUL", body=Raw(b'{"metadata": {"name": "a\\u0000b"}}'), says="metadata.name"),
    ],
    CREATE_KEY: [
        bad("no displayName", {"displayName": DROP}, says="displayName"),
        bad("a displayName that is a number", {"displayName": 7}, says="displayName"),
        bad("a displayName of 101 characters", {"displayName": "x" * 101}, says="displayName"),
    ],
    DELETE_KEY: [bad("an unknown key", ids={"key": f"app_{NO_SUCH_ID}"}, status=404, code="key_not_found")],
    CREATE_USER: [
        bad("no externalId", {"externalId": DROP}, says="externalId"),
        bad("an externalId that is a number", {"externalId": 9}, says="externalId"),
        bad("an externalId of 1,025 characters", {"externalId": "x" * 1025}, says="externalId"),
        bad("a blank externalId", {"externalId": "   "}, says="externalId"),
        bad(
            "an externalId holding a NUL", {"externalId": "customer\x009"}, says="externalId must not contain"
        ),
        bad("an externalId already taken", {"externalId": "customer-1"}, status=409, code="conflict"),
        bad(
            "a given name of 129 characters", {"profile": {"givenName": "x" * 129}}, says="profile.givenName"
        ),
        bad("an email that is a number", {"profile": {"email": 42}}, says="profile.email"),
        bad(
            "an email that is no address",
            {"profile": {"email": "nina-at-example"}},
            says="not an email address",
        ),
        bad(
            "a javascript: avatar",
            {"profile": {"avatarUrl": "javascript:alert(1)"}},
            says="profile.avatarUrl",
        ),
        bad("a profile that is not an object", {"profile": "Nina"}, says="profile"),
        bad("a signedUpAt that is not a date", {"signedUpAt": "yesterday"}, says="signedUpAt"),
        bad("a signedUpAt that is a number", {"signedUpAt": 1767225600}, says="signedUpAt"),
        bad("a signedUpAt without a time zone", {"signedUpAt": "2026-01-01T12:00:00"}, says="signedUpAt"),
        bad("a toBeRetained that is a string", {"toBeRetained": "yes"}, says="toBeRetained"),
        bad("nested metadata", {"metadata": NESTED_METADATA}, says=FLAT),
        bad("metadata over 4 KB", {"metadata": LONG_METADATA}, says="4096 bytes"),
    ],
    LIST_USERS: [
        bad("no email filter", query="", says="filter[identities.email] is required"),
        bad(
            "an email of 129 characters",
            query="filter[identities.email]=" + "x" * 129,
            says="filter[identities",
        ),
        bad("an email holding a NUL", query="filter[identities.email]=ada%00@x.test", says="NUL"),
    ],
    GET_USER: [
        bad("a user id holding a NUL", ids={"user": "customer%00-1"}, says="NUL"),
        bad("an unknown user", ids={"user": "nobody"}, status=404, code="user_not_found"),
    ],
    UPDATE_USER: [
        bad("a surname of 129 characters", {"profile": {"surname": "x" * 129}}, says="profile.surname"),
        bad("a given name that is a number", {"profile": {"givenName": 1}}, says="profile.givenName"),
        bad("an email that is no address", {"profile": {"email": "nope"}}, says="not an email"),
        bad("a signedUpAt that is a number", {"signedUpAt": 1767225600}, says="signedUpAt"),
        bad("a signedUpAt without a time zone", {"signedUpAt": "2026-01-01T12:00:00"}, says="signedUpAt"),
        bad("nested metadata", {"metadata": NESTED_METADATA}, says=FLAT),
        bad("metadata over 4 KB", {"metadata": LONG_METADATA}, says="4096 bytes"),
    ],
    CREATE_CONVERSATION: [
        bad("no type", {"type": DROP}, says="type"),
        bad("an unknown type", {"type": "private"}, says="type"),
        bad("participants that are not a list", {"participants": "customer-1"}, says="participants"),
        bad("11 participants", {"participants": [{"userId": NO_SUCH_ID}] * 11}, says="participants"),
        bad("a participant named by neither id", {"participants": [{}]}, says="exactly one"),
        bad(
            "a participant named by both ids",
            {"participants": [{"userId": "{user}", "userExternalId": "customer-1"}]},
            says="exactly one",
        ),
        bad(
            "an unknown participant",
            {"participants": [{"userExternalId": "nobody"}]},
            status=404,
            code="user_not_found",
        ),
        bad(
            "a personal conversation for two",
            {
                "type": "personal",
                "participants": [{"userExternalId": "customer-2"}, {"userExternalId": "customer-3"}],
            },
            says="exactly one user",
        ),
        bad("a second personal conversation", {"type": "personal"}, status=409, code="conflict"),
        bad("a displayName of 101 characters", {"displayName": "x" * 101}, says="displayName"),
        bad("a description that is a number", {"description": 3}, says="description"),
        bad("a javascript: icon", {"iconUrl": "javascript:alert(1)"}, says="iconUrl"),
        bad("metadata over 4 KB", {"metadata": LONG_METADATA}, says="4096 bytes"),
    ],
    LIST_CONVERSATIONS: [
        bad("no user filter", query="", says="filter[userId]"),
        bad(
            "both user filters",
            query="filter[userId]={user}&filter[userExternalId]=customer-1",
            says="exactly one",
        ),
        bad(
            "a filter naming nobody", query="filter[userExternalId]=nobody", status=404, code="user_not_found"
        ),
        bad("a userId filter of 25 characters", query="filter[userId]=" + "a" * 25, says="filter[userId]"),
        bad("a JSON filter that is a list", query='filter=["customer-1"]', says="filter"),
        bad("a JSON filter holding a NUL", query='filter={"userExternalId": "a\\u0000"}', says="NUL"),
        bad(
            "a JSON filter holding a lone surrogate",
            query='filter={"userExternalId": "\\ud800"}',
            says="Unicode",
        ),
        bad("page[size]=101", query="filter[userId]={user}&page[size]=101", says="page[size]"),
        bad("page[size]=0", query="filter[userId]={user}&page[size]=0", says="page[size]"),
        bad("page[size]=ten", query="filter[userId]={user}&page[size]=ten", says="page[size]"),
        bad(
            "a page[size] of 9 digits", query="filter[userId]={user}&page[size]=100000000", says="page[size]"
        ),
        bad(
            "a cursor that is not an id", query="filter[userId]={user}&page[after]=bogus", says="page[after]"
        ),
        bad(
            "both cursors",
            query="filter[userId]={user}&page[after]={conversation}&page[before]={conversation}",
            says="Only one of",
        ),
    ],
    GET_CONVERSATION: [
        bad("an id holding a NUL", ids={"conversation": "%00"}, says="NUL"),
        bad(
            "an unknown conversation",
            ids={"conversation": NO_SUCH_ID},
            status=404,
            code="conversation_not_found",
        ),
    ],
    UPDATE_CONVERSATION: [
        bad("a displayName of 101 characters", {"displayName": "x" * 101}, says="displayName"),
        bad("a displayName that is a number", {"displayName": 42}, says="displayName"),
        bad("a description of 101 characters", {"description": "x" * 101}, says="description"),
        bad("a data: icon", {"iconUrl": "data:image/png;base64,AAAA"}, says="iconUrl"),
        bad("nested metadata", {"metadata": NESTED_METADATA}, says=FLAT),
    ],
    JOIN: [
        bad("nobody named", {"userExternalId": DROP}, says="exactly one"),
        bad("two ids for one user", {"userId": "{user}"}, says="exactly one"),
        bad("a userId that is a number", body={"userId": 3}, says="userId"),
        bad(
            "a subscribeSDKClient that is a string", {"subscribeSDKClient": "yes"}, says="subscribeSDKClient"
        ),
        bad("an unknown user", {"userExternalId": "nobody"}, status=404, code="user_not_found"),
        bad("a user already there", {"userExternalId": "customer-1"}, status=409, code="conflict"),
        bad("a personal conversation", ids={"group": "{conversation}"}, says="Personal conversations"),
    ],
    LEAVE: [
        bad("nobody named", {"userExternalId": DROP}, says="exactly one"),
        bad("a user and a participant named", {"participantId": "{participant}"}, says="exactly one"),
        bad("a participantId that is a number", body={"participantId": 5}, says="participantId"),
        bad(
            "an unknown participant",
            body={"participantId": NO_SUCH_ID},
            status=404,
            code="participant_not_found",
        ),
        bad(
            "a user who is not there",
            {"userExternalId": "customer-3"},
            status=404,
            code="participant_not_found",
        ),
        bad(
            "the owner of a personal conversation",
            {"userExternalId": "customer-1"},
            ids={"group": "{conversation}"},
            says="cannot leave",
        ),
    ],
    LIST_PARTICIPANTS: [
        bad("page[size]=101", query="page[size]=101", says="page[size]"),
        bad("a cursor that is not an id", query="page[before]=0", says="page[before]"),
    ],
    POST_MESSAGE: [
        bad("a text of 4,097 characters", _text(text="x" * 4097), says="at most 4096 characters"),
        bad("an empty text", _text(text=""), says="content.text"),
        bad("a text that is a number", _text(text=42), says="content.text"),
        bad("a text holding a NUL", _text(text="a\x00b"), says="content.text must not contain"),
        bad("no content", {"content": DROP}, says="content"),
        bad("content that is a string", {"content": "Hello"}, says="content"),
        bad(
            "an unknown content type",
            {"content": {"type": "video", "mediaUrl": "https://x.test/v"}},
            says="content",
        ),
        bad("an unknown field in the content", _text(colour="red"), says="colour: is not a known field"),
        bad("no author", {"author": DROP}, says="author"),
        bad("an unknown author type", {"author": {"type": "robot"}}, says="author.type"),
        bad(
            "a user author named by no id",
            {"author": {"type": "user"}},
            says="needs userId or userExternalId",
        ),
        bad(
            "a user author named by both ids",
            {"author": {"type": "user", "userId": "{user}", "userExternalId": "customer-1"}},
            says="not both",
        ),
        bad(
            "an unknown author",
            {"author": {"type": "user", "userExternalId": "nobody"}},
            status=404,
            code="user_not_found",
        ),
        bad(
            "an author who is not a participant",
            {"author": {"type": "user", "userExternalId": "customer-3"}},
            says="not a participant",
        ),
        bad(
            "two author subtypes",
            {"author": {"type": "business", "subtypes": ["AI", "agent"]}},
            says="subtypes",
        ),
        bad(
            "a javascript: avatar",
            {"author": {"type": "business", "avatarUrl": "javascript:alert(1)"}},
            says="author.avatarUrl",
        ),
        bad(
            "11 quick replies",
            _text(actions=[{"type": "reply", "text": f"R{n}", "payload": f"R{n}"} for n in range(11)]),
            says="content.text.actions",
        ),
        bad(
            "a link to javascript:",
            _text(actions=[{"type": "link", "text": "Go", "uri": "javascript:x"}]),
            says="uri",
        ),
        bad(
            "a carousel with 11 cards",
            body=_message({"type": "carousel", "items": [_card()] * 11}),
            says="content.carousel.items",
        ),
        bad(
            "a carousel card with 4 buttons",
            body=_message({"type": "carousel", "items": [_card(buttons=4)]}),
            says="actions",
        ),
        bad(
            "a carousel card without buttons",
            body=_message({"type": "carousel", "items": [_card(buttons=0)]}),
            says="actions",
        ),
        bad(
            "a card titled with 129 characters",
            body=_message({"type": "carousel", "items": [_card(title="x" * 129)]}),
            says="title",
        ),
        bad(
            "a quick reply on a card",
            body=_message(
                {"type": "carousel", "items": [{"title": "C", "actions": [{"type": "reply", "text": "R"}]}]}
            ),
            says="actions",
        ),
        bad(
            "a select field without options",
            body=_message({"type": "form", "fields": [{"type": "select", "name": "size", "label": "Size"}]}),
            says="needs options",
        ),
        bad("an image without a URL", body=_message({"type": "image"}), says="mediaUrl"),
        bad(
            "a customer sending a carousel",
            body=_message(
                {"type": "carousel", "items": [_card()]}, {"type": "user", "userExternalId": "customer-1"}
            ),
            says="cannot send carousel",
        ),
        bad(
            "a business answering a form",
            body=_message(
                {"type": "formResponse", "fields": [{"type": "text", "name": "n", "label": "Name"}]}
            ),
            says="cannot send formResponse",
        ),
        bad("nested metadata", {"metadata": NESTED_METADATA}, says=FLAT),
        bad("metadata over 4 KB", {"metadata": LONG_METADATA}, says="4096 bytes"),
        bad(
            "nested metadata on a button",
            _text(
                actions=[{"type": "link", "text": "Go", "uri": "https://x.test", "metadata": NESTED_METADATA}]
            ),
            says="content.actions[0].metadata",
        ),
        bad("a clientMessageId of 65 characters", {"clientMessageId": "x" * 65}, says="clientMessageId"),
        bad("a blockChatInput that is a string", _text(blockChatInput="yes"), says="blockChatInput"),
    ],
    LIST_MESSAGES: [
        bad("a cursor that is not an id", query="page[after]=bogus", says="page[after]"),
        bad("both cursors", query="page[after]={message}&page[before]={message}", says="Only one of"),
        bad(
            "a cursor naming no message",
            query=f"page[before]={NO_SUCH_ID}",
            status=404,
            code="message_not_found",
        ),
    ],
    DELETE_MESSAGE: [
        bad("an unknown message", ids={"message": NO_SUCH_ID}, status=404, code="message_not_found"),
        bad(
            "a message of another conversation",
            ids={"conversation": "{group}"},
            status=404,
            code="message_not_found",
        ),
    ],
    POST_ACTIVITY: [
        bad("an unknown activity", {"type": "typing"}, says="type"),
        bad("no activity", {"type": DROP}, says="type"),
        bad("no author", {"author": DROP}, says="author"),
        bad("an author that is a string", {"author": "business"}, says="author"),
        bad(
            "an unknown author",
            {"author": {"type": "user", "userExternalId": "nobody"}},
            status=404,
            code="user_not_found",
        ),
    ],
    CREATE_SWITCHBOARD: [bad("a second switchboard", status=409, code="conflict")],
    UPDATE_SWITCHBOARD: [
        bad("an enabled that is a string", {"enabled": "no"}, says="enabled"),
        bad(
            "a default that is a number",
            body={"defaultSwitchboardIntegrationId": 1},
            says="defaultSwitchboard",
        ),
        bad(
            "a default of 65 characters",
            body={"defaultSwitchboardIntegrationId": "x" * 65},
            says="defaultSwitch",
        ),
        bad(
            "a default naming nothing",
            body={"defaultSwitchboardIntegrationId": NO_SUCH_ID},
            status=404,
            code="switchboard_integration_not_found",
        ),
    ],
    CREATE_SBI: [
        bad("no name", {"name": DROP}, says="name"),
        bad("a name of 129 characters", {"name": "x" * 129}, says="name"),
        bad("a name that is a number", {"name": 5}, says="name"),
        bad("a name already taken", {"name": "zd-answerBot"}, status=409, code="conflict"),
        bad("no integration", {"integrationId": DROP}, says="exactly one of integrationId"),
        bad("an integration and a type", {"integrationType": "zd:agentWorkspace"}, says="exactly one of"),
        bad(
            "an unknown type", {"integrationId": DROP, "integrationType": "whatsapp"}, says="integrationType"
        ),
        bad(
            "an unknown integration", {"integrationId": NO_SUCH_ID}, status=404, code="integration_not_found"
        ),
        bad("a message history of 11", {"messageHistoryCount": 11}, says="messageHistoryCount"),
        bad("a message history that is a string", {"messageHistoryCount": "5"}, says="messageHistoryCount"),
        bad(
            "a deliverStandbyEvents that is a number",
            {"deliverStandbyEvents": 1},
            says="deliverStandbyEvents",
        ),
        bad(
            "a next naming nothing",
            {"nextSwitchboardIntegrationId": NO_SUCH_ID},
            status=404,
            code="switchboard_integration_not_found",
        ),
    ],
    UPDATE_SBI: [
        bad("a name of 129 characters", body={"name": "x" * 129}, says="name"),
        bad("a name already taken", body={"name": "zd-agentWorkspace"}, status=409, code="conflict"),
        bad("a message history of 0", {"messageHistoryCount": 0}, says="messageHistoryCount"),
        bad(
            "a deliverStandbyEvents that is a string",
            body={"deliverStandbyEvents": "no"},
            says="deliverStandby",
        ),
        bad(
            "itself as its next",
            body={"nextSwitchboardIntegrationId": "{sbi}"},
            status=404,
            code="switchboard_integration_not_found",
        ),
    ],
    DELETE_SBI: [
        bad(
            "the default", ids={"sbi": "{default_sbi}"}, says="default", code="switchboard_integration_in_use"
        ),
    ],
    PASS_CONTROL: [
        bad("no target", {"switchboardIntegration": DROP}, says="switchboardIntegration"),
        bad("an empty target", {"switchboardIntegration": ""}, says="switchboardIntegration"),
        bad("a target that is a number", {"switchboardIntegration": 1}, says="switchboardIntegration"),
        bad(
            "a target of 129 characters", {"switchboardIntegration": "x" * 129}, says="switchboardIntegration"
        ),
        bad(
            "a target naming nothing",
            {"switchboardIntegration": "nobody"},
            code="switchboard_integration_not_found",
        ),
        bad("nested metadata", {"metadata": NESTED_METADATA}, says=FLAT),
        bad("metadata over 4 KB", {"metadata": LONG_METADATA}, says="4096 bytes"),
    ],
    OFFER_CONTROL: [
        bad(
            "a target that is a list",
            {"switchboardIntegration": ["zd-answerBot"]},
            says="switchboardIntegration",
        ),
        bad(
            "a target naming nothing",
            {"switchboardIntegration": "nobody"},
            code="switchboard_integration_not_found",
        ),
        bad("the one in control", {"switchboardIntegration": "zd-agentWorkspace"}, code="already_active"),
        bad("nested metadata", {"metadata": NESTED_METADATA}, says=FLAT),
    ],
    ACCEPT_CONTROL: [
        bad("nothing offered", status=403, code="forbidden"),
        bad("metadata that is a string", {"metadata": "now"}, says="metadata"),
        bad("nested metadata", {"metadata": NESTED_METADATA}, says=FLAT),
    ],
    RELEASE_CONTROL: [
        bad("metadata that is a list", {"metadata": ["now"]}, says="metadata"),
        bad("metadata over 4 KB", {"metadata": LONG_METADATA}, says="4096 bytes"),
        bad("nested metadata", {"metadata": NESTED_METADATA}, says=FLAT),
    ],
    CREATE_INTEGRATION: [
        bad("no type", {"type": DROP}, says="type"),
        bad("a type other than custom", {"type": "whatsapp"}, says="type"),
        bad("a displayName of 101 characters", {"displayName": "x" * 101}, says="displayName"),
        bad("webhooks that are not a list", {"webhooks": {"target": "https://x.test"}}, says="webhooks"),
        bad("11 webhooks", {"webhooks": _webhooks()["webhooks"] * 11}, says="webhooks"),
        bad("a webhook to an ftp: URL", _webhooks(target="ftp://x.test"), says="target"),
        bad("a webhook with no triggers", _webhooks(triggers=[]), says="triggers"),
        bad(
            "a webhook with an unknown trigger", _webhooks(triggers=["conversation:explode"]), says="explode"
        ),
        bad("an includeFullUser that is a string", _webhooks(includeFullUser="yes"), says="includeFullUser"),
    ],
    GET_INTEGRATION: [
        bad(
            "an unknown integration",
            ids={"integration": NO_SUCH_ID},
            status=404,
            code="integration_not_found",
        ),
    ],
    UPDATE_INTEGRATION: [
        bad("a displayName of 101 characters", {"displayName": "x" * 101}, says="displayName"),
        bad("a displayName that is a number", {"displayName": 1}, says="displayName"),
    ],
    CREATE_WEBHOOK: [
        bad("no target", {"target": DROP}, says="target"),
        bad("a target that is not a URL", {"target": "bot.example"}, says="target"),
        bad("a javascript: target", {"target": "javascript:alert(1)"}, says="target"),
        bad("a target of 2,049 characters", {"target": "https://x.test/" + "x" * 2034}, says="target"),
        bad("no triggers", {"triggers": DROP}, says="triggers"),
        bad("triggers that are a string", {"triggers": "*"}, says="triggers"),
        bad("31 triggers", {"triggers": ["*"] * 31}, says="triggers"),
        bad("an unknown trigger", {"triggers": ["conversation:explode"]}, says="conversation:explode"),
        bad("an includeFullSource that is a string", {"includeFullSource": "true"}, says="includeFullSource"),
    ],
    GET_WEBHOOK: [
        bad("an unknown webhook", ids={"webhook": NO_SUCH_ID}, status=404, code="webhook_not_found")
    ],
    CREATE_ARTICLE: [
        bad("no title", {"title": DROP}, says="title"),
        bad("a title that is a number", {"title": 5}, says="title"),
        bad("a blank title", {"title": "   "}, says="title"),
        bad("a title of 256 characters", {"title": "x" * 256}, says="title"),
        bad("a body of 60,001 characters", {"body": "x" * 60_001}, says="body"),
        bad("an unknown bodyFormat", {"bodyFormat": "rtf"}, says="bodyFormat"),
        bad("a locale that is no language tag", {"locale": "english"}, says="locale", code="invalid_article"),
        bad("labels that are a string", {"labels": "faq"}, says="labels"),
        bad("21 labels", {"labels": [f"l{n}" for n in range(21)]}, says="labels"),
        bad("an unknown userSegment", {"userSegment": "staff"}, says="userSegment"),
        bad(
            "a javascript: htmlUrl",
            {"htmlUrl": "javascript:alert(1)"},
            says="htmlUrl",
            code="invalid_article",
        ),
        bad("a draft that is a string", {"draft": "yes"}, says="draft"),
    ],
    LIST_ARTICLES: [
        bad("a draft filter that is no boolean", query="filter[draft]=maybe", says="filter[draft]"),
        bad("a page of 101", query="page[size]=101", says="between 1 and 100"),
        bad("a locale filter of 36 characters", query="filter[locale]=" + "x" * 36, says="filter[locale]"),
    ],
    GET_ARTICLE: [
        bad("an unknown article", ids={"article": NO_SUCH_ID}, status=404, code="article_not_found")
    ],
    UPDATE_ARTICLE: [
        bad("a null title", {"title": None}, says="title cannot be null"),
        bad("labels that are a string", body={"labels": "faq"}, says="labels"),
        bad("a locale that is no language tag", body={"locale": "??"}, says="locale", code="invalid_article"),
        bad("an unknown article", ids={"article": NO_SUCH_ID}, status=404, code="article_not_found"),
    ],
    DELETE_ARTICLE: [
        bad("an unknown article", ids={"article": NO_SUCH_ID}, status=404, code="article_not_found")
    ],
    UPDATE_AI_SETTINGS: [
        bad("an empty botName", {"botName": ""}, says="botName"),
        bad("an inactivity window of 0 hours", {"inactivityHours": 0}, says="inactivityHours"),
        bad("an inactivity window that is a string", {"inactivityHours": "72"}, says="inactivityHours"),
        bad("a null inactivity window", {"inactivityHours": None}, says="inactivityHours"),
        bad(
            "business hours on an unknown day",
            {"businessHours": {"funday": []}},
            says="funday",
            code="invalid_ai_agent_settings",
        ),
        bad(
            "business hours ending before they start",
            {"businessHours": {"monday": [{"start": "17:00", "end": "09:00"}]}},
            says="start before it ends",
            code="invalid_ai_agent_settings",
        ),
        bad("business hours that are a list", {"businessHours": []}, says="businessHours"),
    ],
    CREATE_FLOW: [
        bad("no name", {"name": DROP}, says="name"),
        bad("no phrases", {"phrases": []}, says="phrases"),
        bad("51 phrases", {"phrases": ["x"] * 51}, says="phrases"),
        bad("a phrase of 201 characters", {"phrases": ["x" * 201]}, says="phrases"),
        bad("an unknown reply type", {"reply": {"type": "email"}}, says="reply"),
        bad(
            "a javascript: link",
            {"reply": {**FLOW_REPLY, "links": [{"text": "x", "uri": "javascript:alert(1)"}]}},
            says="uri",
            code="invalid_answer_flow",
        ),
        bad(
            "a handoff to an unknown group",
            {"reply": {"type": "handoff", "groupId": NO_SUCH_ID}},
            status=404,
            code="group_not_found",
        ),
        bad("a name already taken", {"name": "Opening hours"}, status=409, code="conflict"),
    ],
    LIST_FLOWS: [
        bad("a page of 0", query="page[size]=0", says="between 1 and 100"),
        bad("a cursor that is no id", query="page[after]=nope", says="page[after]"),
    ],
    GET_FLOW: [bad("an unknown flow", ids={"flow": NO_SUCH_ID}, status=404, code="answer_flow_not_found")],
    UPDATE_FLOW: [
        bad("null phrases", {"phrases": None}, says="phrases cannot be null"),
        bad("a reply without text", body={"reply": {"type": "text"}}, says="reply"),
        bad("an unknown flow", ids={"flow": NO_SUCH_ID}, status=404, code="answer_flow_not_found"),
    ],
    DELETE_FLOW: [bad("an unknown flow", ids={"flow": NO_SUCH_ID}, status=404, code="answer_flow_not_found")],
    LIST_RESOLUTIONS: [
        bad("a since that is no date", query="filter[since]=yesterday", says="filter[since]"),
        bad("a conversation filter that is no id", query="filter[conversationId]=x", says="conversationId"),
        bad(
            "an unknown conversation",
            query=f"filter[conversationId]={NO_SUCH_ID}",
            status=404,
            code="conversation_not_found",
        ),
        bad("an includeRevoked that is no boolean", query="filter[includeRevoked]=1", says="includeRevoked"),
    ],
    SEARCH_ARTICLES: [
        bad("no query", query="", says="query"),
        bad("a query of 1,001 characters", query="query=" + "x" * 1001, says="query"),
    ],
    UPDATE_WEBHOOK: [
        bad("a mailto: target", body={"target": "mailto:ops@x.test"}, says="target"),
        bad("no triggers at all", body={"triggers": []}, says="triggers"),
        bad("an unknown trigger", body={"triggers": ["nope"]}, says="nope"),
        bad("an includeFullUser that is a string", {"includeFullUser": "no"}, says="includeFullUser"),
    ],
}


@pytest.mark.parametrize("endpoint", BAD, ids=str)
async def test_bad_values_are_refused_with_a_clear_error(
    endpoint: Endpoint,
    api: httpx.AsyncClient,
    ours: dict[str, str],
    unchanged: Unchanged,
    subtests: pytest.Subtests,
) -> None:
    for case in BAD[endpoint]:
        with subtests.test(case.problem):
            async with unchanged():
                response = await send(api, endpoint, ours, case)
            assert_refused(response, case.status, case.code, says=case.says)


def test_every_endpoint_with_a_body_or_a_query_has_bad_values_listed() -> None:
    assert [str(e) for e in ENDPOINTS if (e.body is not None or e.query) and e not in BAD] == []


# --- the same promise, as a client sees it -------------------------------------------------------


async def test_a_refused_message_leaves_the_conversation_as_it_was(
    api: httpx.AsyncClient, ours: dict[str, str]
) -> None:
    path = f"conversations/{ours['conversation']}/messages"
    before = (await api.get(path)).json()["messages"]
    too_long = await post_text(api, ours["conversation"], "x" * 4097)
    too_many_cards = await api.post(path, json=_message({"type": "carousel", "items": [_card()] * 11}))
    assert (too_long.status_code, too_many_cards.status_code) == (400, 400)
    assert (await api.get(path)).json()["messages"] == before
    assert len(before) == 1


async def test_a_refused_app_update_changes_no_field_of_it(api: httpx.AsyncClient) -> None:
    before = (await api.get("")).json()["app"]
    response = await api.patch("", json={"displayName": "Renamed", "metadata": NESTED_METADATA})
    assert response.status_code == 400
    assert (await api.get("")).json()["app"] == before
    assert before["displayName"] == "acme"


async def test_a_refused_webhook_is_not_created(api: httpx.AsyncClient, ours: dict[str, str]) -> None:
    path = f"integrations/{ours['integration']}/webhooks"
    before = (await api.get(path)).json()["webhooks"]
    response = await api.post(
        path, json={"target": "https://bot.example/x", "triggers": ["conversation:explode"]}
    )
    assert response.status_code == 400
    assert (await api.get(path)).json()["webhooks"] == before
    second_is_bad = [
        {"target": "https://x.test", "triggers": ["*"]},
        {"target": "ftp://x.test", "triggers": ["*"]},
    ]
    refused = await api.post(
        "integrations", json=changed(CREATE_INTEGRATION.body, {"webhooks": second_is_bad})
    )
    assert refused.status_code == 400
    assert [i["id"] for i in (await api.get("integrations")).json()["integrations"]] == [ours["integration"]]


async def test_every_paged_list_takes_at_most_100_a_page(
    api: httpx.AsyncClient, ours: dict[str, str]
) -> None:
    for path in (
        f"conversations?filter[userId]={ours['user']}&",
        f"conversations/{ours['group']}/participants?",
    ):
        assert (await api.get(f"{path}page[size]=100")).status_code == 200
        assert_refused(await api.get(f"{path}page[size]=101"), 400, "bad_request", says="between 1 and 100")
