"""The official Sunshine Conversations Python client drives Parlour over real HTTP.

A real uvicorn server runs in a background thread on a free 127.0.0.1 port (with its own database
connection pool on the test database); the client is configured exactly as an existing
integration would be, only with Parlour's URL, and every answer is checked on the client's
deserialized models.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import sunshine_conversations_client as sc
from sunshine_conversations_client.exceptions import ApiException

from parlour.settings import Settings
from tests.conftest import Tenant
from tests.live import LiveServer


@pytest.fixture
def server(settings: Settings, tenant: Tenant) -> Iterator[LiveServer]:
    live = LiveServer(settings)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def client(server: LiveServer, tenant: Tenant) -> Iterator[sc.ApiClient]:
    configuration = sc.Configuration(host=server.url, username=tenant.key_id, password=tenant.secret)
    with sc.ApiClient(configuration) as api_client:
        yield api_client


def make_user(client: sc.ApiClient, app_id: str, external_id: str, **profile: Any) -> sc.User:
    body = sc.UserCreateBody(external_id=external_id, profile=sc.Profile(**profile) if profile else None)
    user = sc.UsersApi(client).create_user(app_id, body).user
    assert user is not None
    return user


def make_conversation(client: sc.ApiClient, app_id: str, external_id: str) -> sc.Conversation:
    body = sc.ConversationCreateBody(
        type="personal",
        participants=[
            sc.ParticipantSubSchema(sc.ParticipantWithUserExternalId(user_external_id=external_id))
        ],
    )
    conversation = sc.ConversationsApi(client).create_conversation(app_id, body).conversation
    assert conversation is not None
    return conversation


def text_post(text: str, *, user: str | None = None) -> sc.MessagePost:
    author = (
        sc.Author(type="user", user_external_id=user)
        if user
        else sc.Author(type="business", display_name="Acme")
    )
    return sc.MessagePost(author=author, content=sc.Content(sc.TextMessage(type="text", text=text)))


def test_the_app_is_read_and_updated(client: sc.ApiClient, tenant: Tenant) -> None:
    apps = sc.AppsApi(client)
    app = apps.get_app(tenant.app_id).app
    assert app is not None
    assert app.id == tenant.app_id
    assert app.display_name == "acme"
    assert app.settings is not None
    assert app.settings.multi_convo_enabled is False
    assert app.settings.echo_postback is False

    body = sc.AppUpdateBody(
        display_name="Acme Inc",
        settings=sc.AppSettings(multi_convo_enabled=True, echo_postback=True),
        metadata={"plan": "pro", "seats": 3},
    )
    updated = apps.update_app(tenant.app_id, body).app
    assert updated is not None
    assert updated.display_name == "Acme Inc"
    assert updated.settings is not None
    assert updated.settings.multi_convo_enabled is True
    assert updated.settings.echo_postback is True
    assert updated.metadata == {"plan": "pro", "seats": 3}
    again = apps.get_app(tenant.app_id).app
    assert again is not None
    assert again.display_name == "Acme Inc"


def test_users_are_created_read_updated_and_deleted(client: sc.ApiClient, tenant: Tenant) -> None:
    users = sc.UsersApi(client)
    created = users.create_user(
        tenant.app_id,
        sc.UserCreateBody(
            external_id="customer-1",
            signed_up_at="2026-01-02T03:04:05.000Z",
            profile=sc.Profile(given_name="Ada", surname="Lovelace", email="ada@example.com", locale="en-GB"),
            metadata={"tier": "gold"},
        ),
    ).user
    assert created is not None
    assert created.id
    assert created.external_id == "customer-1"
    assert created.profile is not None
    assert created.profile.given_name == "Ada"
    assert created.profile.email == "ada@example.com"
    assert created.metadata == {"tier": "gold"}
    assert created.signed_up_at is not None
    assert created.signed_up_at.startswith("2026-01-02T03:04:05")
    assert created.identities is not None
    assert [(i.type, i.value) for i in created.identities] == [("email", "ada@example.com")]

    by_id = users.get_user(tenant.app_id, created.id).user
    by_external_id = users.get_user(tenant.app_id, "customer-1").user
    assert by_id is not None
    assert by_external_id is not None
    assert by_id.id == by_external_id.id == created.id

    updated = users.update_user(
        tenant.app_id,
        "customer-1",
        sc.UserUpdateBody(profile=sc.Profile(given_name="Augusta"), metadata={"tier": "platinum"}),
    ).user
    assert updated is not None
    assert updated.profile is not None
    assert updated.profile.given_name == "Augusta"
    assert updated.profile.surname == "Lovelace"
    assert updated.metadata == {"tier": "platinum"}
    updated = users.update_user(
        tenant.app_id, created.id, sc.UserUpdateBody(profile=sc.Profile(surname="King"))
    ).user
    assert updated is not None
    assert updated.profile is not None
    assert (updated.profile.given_name, updated.profile.surname) == ("Augusta", "King")

    users.delete_user(tenant.app_id, created.id)
    make_user(client, tenant.app_id, "customer-2")
    users.delete_user(tenant.app_id, "customer-2")
    for gone in (created.id, "customer-2"):
        with pytest.raises(ApiException) as raised:
            users.get_user(tenant.app_id, gone)
        assert raised.value.status == 404


def test_a_404_carries_parlours_error_body(client: sc.ApiClient, tenant: Tenant) -> None:
    with pytest.raises(ApiException) as raised:
        sc.ConversationsApi(client).get_conversation(tenant.app_id, "0" * 24)
    error = raised.value
    assert error.status == 404
    assert error.body is not None
    assert "conversation_not_found" in error.body
    assert isinstance(error.data, sc.ErrorResponse)
    assert error.data.errors is not None
    assert error.data.errors[0].code == "conversation_not_found"
    assert error.data.errors[0].title


def test_conversations_are_created_listed_read_updated_and_deleted(
    client: sc.ApiClient, tenant: Tenant
) -> None:
    conversations = sc.ConversationsApi(client)
    user = make_user(client, tenant.app_id, "customer-1", given_name="Ada")
    created = conversations.create_conversation(
        tenant.app_id,
        sc.ConversationCreateBody(
            type="personal",
            participants=[sc.ParticipantSubSchema(sc.ParticipantWithUserId(user_id=user.id))],
            display_name="Support",
            description="Help with an order",
            icon_url="https://example.com/icon.png",
            metadata={"order": "A-1"},
        ),
    ).conversation
    assert created is not None
    assert created.id
    assert created.type == sc.ConversationType.PERSONAL
    assert created.is_default is True
    assert created.display_name == "Support"
    assert created.description == "Help with an order"
    assert created.icon_url == "https://example.com/icon.png"
    assert created.metadata == {"order": "A-1"}
    assert created.created_at
    assert created.last_updated_at

    fetched = conversations.get_conversation(tenant.app_id, created.id).conversation
    assert fetched is not None
    assert fetched.id == created.id
    assert fetched.display_name == "Support"

    for filter_ in (
        sc.ConversationListFilter(user_id=user.id),
        sc.ConversationListFilter(user_external_id="customer-1"),
    ):
        listed = conversations.list_conversations(tenant.app_id, filter_)
        assert listed.conversations is not None
        assert [c.id for c in listed.conversations] == [created.id]
        assert listed.meta is not None
        assert listed.meta.has_more is False

    updated = conversations.update_conversation(
        tenant.app_id,
        created.id,
        sc.ConversationUpdateBody(display_name="Billing", metadata={"order": "A-2"}),
    ).conversation
    assert updated is not None
    assert updated.display_name == "Billing"
    assert updated.description == "Help with an order"
    assert updated.metadata == {"order": "A-2"}

    conversations.delete_conversation(tenant.app_id, created.id)
    with pytest.raises(ApiException) as raised:
        conversations.get_conversation(tenant.app_id, created.id)
    assert raised.value.status == 404
    listed = conversations.list_conversations(tenant.app_id, sc.ConversationListFilter(user_id=user.id))
    assert listed.conversations == []


def test_participants_join_and_leave_an_sdk_group(client: sc.ApiClient, tenant: Tenant) -> None:
    participants = sc.ParticipantsApi(client)
    ada = make_user(client, tenant.app_id, "ada")
    bob = make_user(client, tenant.app_id, "bob")
    cy = make_user(client, tenant.app_id, "cy")
    group = (
        sc.ConversationsApi(client)
        .create_conversation(
            tenant.app_id,
            sc.ConversationCreateBody(
                type="sdkGroup",
                display_name="Team",
                participants=[
                    sc.ParticipantSubSchema(sc.ParticipantWithUserExternalId(user_external_id="ada"))
                ],
            ),
        )
        .conversation
    )
    assert group is not None
    assert group.type == sc.ConversationType.SDKGROUP

    joined = participants.join_conversation(
        tenant.app_id, group.id, sc.ParticipantJoinBody(user_id=bob.id, subscribe_sdk_client=False)
    ).participant
    assert joined is not None
    assert joined.id
    assert joined.user_id == bob.id
    assert joined.user_external_id == "bob"
    assert joined.unread_count == 0
    by_external_id = participants.join_conversation(
        tenant.app_id, group.id, sc.ParticipantJoinBody(user_external_id="cy", subscribe_sdk_client=False)
    ).participant
    assert by_external_id is not None
    assert by_external_id.user_id == cy.id

    listed = participants.list_participants(tenant.app_id, group.id)
    assert listed.participants is not None
    assert {p.user_id for p in listed.participants} == {ada.id, bob.id, cy.id}
    assert {p.user_external_id for p in listed.participants} == {"ada", "bob", "cy"}
    assert listed.meta is not None
    assert listed.meta.has_more is False

    # Cursor pagination through the client's `page` parameter.
    first = participants.list_participants(tenant.app_id, group.id, page=sc.Page(size=2))
    assert first.participants is not None
    assert first.meta is not None
    assert len(first.participants) == 2
    assert first.meta.has_more is True
    assert first.meta.after_cursor == first.participants[-1].id
    assert first.links is not None
    assert first.links.next
    rest = participants.list_participants(
        tenant.app_id, group.id, page=sc.Page(after=first.meta.after_cursor)
    )
    assert rest.participants is not None
    assert rest.meta is not None
    assert rest.meta.has_more is False
    assert [p.id for p in first.participants + rest.participants] == [p.id for p in listed.participants]

    participants.leave_conversation(
        tenant.app_id, group.id, sc.ParticipantLeaveBody(sc.ParticipantLeaveBodyUserId(user_id=bob.id))
    )
    participants.leave_conversation(
        tenant.app_id,
        group.id,
        sc.ParticipantLeaveBody(sc.ParticipantLeaveBodyUserExternalId(user_external_id="cy")),
    )
    listed = participants.list_participants(tenant.app_id, group.id)
    assert listed.participants is not None
    assert [p.user_id for p in listed.participants] == [ada.id]
    ada_participant = listed.participants[0]
    assert ada_participant.id is not None
    participants.join_conversation(
        tenant.app_id, group.id, sc.ParticipantJoinBody(user_id=bob.id, subscribe_sdk_client=False)
    )
    participants.leave_conversation(
        tenant.app_id,
        group.id,
        sc.ParticipantLeaveBody(sc.ParticipantLeaveBodyParticipantId(participant_id=ada_participant.id)),
    )
    listed = participants.list_participants(tenant.app_id, group.id)
    assert listed.participants is not None
    assert [p.user_id for p in listed.participants] == [bob.id]


def test_messages_are_posted_listed_and_deleted(client: sc.ApiClient, tenant: Tenant) -> None:
    # The listing below holds exactly what is posted here: the agent workspace answers first, so
    # the AI agent adds no reply of its own.
    switchboards = sc.SwitchboardsApi(client)
    [switchboard] = switchboards.list_switchboards(tenant.app_id).switchboards or []
    built_in = sc.SwitchboardIntegrationsApi(client).list_switchboard_integrations(
        tenant.app_id, switchboard.id
    )
    workspace = next(s for s in built_in.switchboard_integrations or [] if s.name == "zd-agentWorkspace")
    switchboards.update_switchboard(
        tenant.app_id,
        switchboard.id,
        sc.SwitchboardUpdateBody(default_switchboard_integration_id=workspace.id),
    )
    messages = sc.MessagesApi(client)
    user = make_user(client, tenant.app_id, "customer-1")
    conversation = make_conversation(client, tenant.app_id, "customer-1")

    posted = messages.post_message(
        tenant.app_id, conversation.id, text_post("Where is my order?", user="customer-1")
    ).messages
    assert posted is not None
    assert len(posted) == 1
    question = posted[0]
    assert question.id
    assert question.received
    assert question.author is not None
    assert question.author.type == "user"
    assert question.author.user_id == user.id
    assert question.content is not None
    assert isinstance(question.content.actual_instance, sc.TextMessage)
    assert question.content.actual_instance.text == "Where is my order?"
    assert question.source is not None
    assert question.source.type == "api"

    reply_post = text_post("On its way.")
    reply_post.metadata = {"lang": "en"}
    answer = messages.post_message(tenant.app_id, conversation.id, reply_post).messages
    assert answer is not None
    assert answer[0].author is not None
    assert answer[0].author.type == "business"
    assert answer[0].author.display_name == "Acme"
    assert answer[0].metadata == {"lang": "en"}

    carousel = sc.CarouselMessage(
        type="carousel",
        items=[
            sc.Item(
                title="Blue shirt",
                description="Cotton",
                media_url="https://example.com/blue.png",
                actions=[
                    sc.ActionSubset(sc.Link(type="link", text="Buy", uri="https://example.com/buy/blue")),
                    sc.ActionSubset(sc.Postback(type="postback", text="More", payload="MORE_BLUE")),
                ],
            ),
            sc.Item(
                title="Red shirt",
                actions=[
                    sc.ActionSubset(sc.Link(type="link", text="Buy", uri="https://example.com/buy/red"))
                ],
            ),
        ],
    )
    shown = messages.post_message(
        tenant.app_id,
        conversation.id,
        sc.MessagePost(author=sc.Author(type="business"), content=sc.Content(carousel)),
    ).messages
    assert shown is not None
    assert shown[0].content is not None
    content = shown[0].content.actual_instance
    assert isinstance(content, sc.CarouselMessage)
    assert [item.title for item in content.items] == ["Blue shirt", "Red shirt"]
    first_actions = [action.actual_instance for action in content.items[0].actions]
    assert isinstance(first_actions[0], sc.Link)
    assert first_actions[0].uri == "https://example.com/buy/blue"
    assert isinstance(first_actions[1], sc.Postback)
    assert first_actions[1].payload == "MORE_BLUE"

    listed = messages.list_messages(tenant.app_id, conversation.id)
    assert listed.messages is not None
    assert [m.id for m in listed.messages] == [question.id, answer[0].id, shown[0].id]
    assert listed.meta is not None
    assert listed.meta.has_more is False

    messages.delete_message(tenant.app_id, conversation.id, answer[0].id)
    listed = messages.list_messages(tenant.app_id, conversation.id)
    assert listed.messages is not None
    assert answer[0].id not in [m.id for m in listed.messages]
    assert [m.id for m in listed.messages] == [question.id, shown[0].id]
    with pytest.raises(ApiException) as raised:
        messages.delete_message(tenant.app_id, conversation.id, answer[0].id)
    assert raised.value.status == 404


def test_activities_are_accepted(client: sc.ApiClient, tenant: Tenant) -> None:
    activities = sc.ActivitiesApi(client)
    make_user(client, tenant.app_id, "customer-1")
    conversation = make_conversation(client, tenant.app_id, "customer-1")
    sc.MessagesApi(client).post_message(tenant.app_id, conversation.id, text_post("Hello", user="customer-1"))

    activities.post_activity(
        tenant.app_id,
        conversation.id,
        sc.ActivityPost(type="typing:start", author=sc.Author(type="business")),
    )
    activities.post_activity(
        tenant.app_id,
        conversation.id,
        sc.ActivityPost(type="conversation:read", author=sc.Author(type="business")),
    )
    activities.post_activity(
        tenant.app_id,
        conversation.id,
        sc.ActivityPost(
            type="conversation:read", author=sc.Author(type="user", user_external_id="customer-1")
        ),
    )
    read = sc.ConversationsApi(client).get_conversation(tenant.app_id, conversation.id).conversation
    assert read is not None
    assert read.business_last_read is not None
    participants = sc.ParticipantsApi(client).list_participants(tenant.app_id, conversation.id).participants
    assert participants is not None
    assert participants[0].unread_count == 0
    assert participants[0].last_read is not None


def _custom_integration(client: sc.ApiClient, app_id: str, name: str) -> sc.Custom:
    created = (
        sc.IntegrationsApi(client)
        .create_integration(
            app_id,
            sc.Integration.from_dict(
                {
                    "type": "custom",
                    "displayName": name,
                    "webhooks": [
                        {"target": f"https://example.com/{name}", "triggers": ["conversation:message"]}
                    ],
                }
            ),
        )
        .integration
    )
    assert isinstance(created, sc.Custom)
    return created


def test_switchboards_and_their_integrations_are_managed(client: sc.ApiClient, tenant: Tenant) -> None:
    switchboards = sc.SwitchboardsApi(client)
    sbis = sc.SwitchboardIntegrationsApi(client)
    bot = _custom_integration(client, tenant.app_id, "bot")
    agents = _custom_integration(client, tenant.app_id, "agents")

    # Every account starts with a switchboard: the AI agent hands off to the agent workspace.
    provisioned = switchboards.list_switchboards(tenant.app_id).switchboards
    assert provisioned is not None
    assert len(provisioned) == 1
    assert provisioned[0].enabled is True
    built_in = sbis.list_switchboard_integrations(tenant.app_id, provisioned[0].id).switchboard_integrations
    assert built_in is not None
    by_name = {s.name: s for s in built_in}
    assert by_name["zd-agentWorkspace"].integration_type == "zd:agentWorkspace"
    assert by_name["zd-agentWorkspace"].integration_id
    assert by_name["zd-answerBot"].next_switchboard_integration_id == by_name["zd-agentWorkspace"].id
    assert provisioned[0].default_switchboard_integration_id == by_name["zd-answerBot"].id
    with pytest.raises(ApiException) as raised:
        switchboards.create_switchboard(tenant.app_id)
    assert raised.value.status == 409
    switchboards.delete_switchboard(tenant.app_id, provisioned[0].id)
    assert switchboards.list_switchboards(tenant.app_id).switchboards == []

    switchboard = switchboards.create_switchboard(tenant.app_id).switchboard
    assert switchboard is not None
    assert switchboard.id
    assert switchboard.enabled is True
    assert switchboard.default_switchboard_integration_id is None
    listed = switchboards.list_switchboards(tenant.app_id).switchboards
    assert listed is not None
    assert [s.id for s in listed] == [switchboard.id]

    bot_sbi = sbis.create_switchboard_integration(
        tenant.app_id,
        switchboard.id,
        sc.SwitchboardIntegrationCreateBody(name="bot", integration_id=bot.id, deliver_standby_events=False),
    ).switchboard_integration
    assert bot_sbi is not None
    assert bot_sbi.name == "bot"
    assert bot_sbi.integration_id == bot.id
    assert bot_sbi.integration_type == "custom"
    assert bot_sbi.deliver_standby_events is False
    agents_sbi = sbis.create_switchboard_integration(
        tenant.app_id,
        switchboard.id,
        sc.SwitchboardIntegrationCreateBody(name="agents", integration_id=agents.id, message_history_count=5),
    ).switchboard_integration
    assert agents_sbi is not None
    assert agents_sbi.message_history_count == 5

    changed = sbis.update_switchboard_integration(
        tenant.app_id,
        switchboard.id,
        bot_sbi.id,
        sc.SwitchboardIntegrationUpdateBody(
            next_switchboard_integration_id=agents_sbi.id, deliver_standby_events=True
        ),
    ).switchboard_integration
    assert changed is not None
    assert changed.next_switchboard_integration_id == agents_sbi.id
    assert changed.deliver_standby_events is True
    all_sbis = sbis.list_switchboard_integrations(tenant.app_id, switchboard.id).switchboard_integrations
    assert all_sbis is not None
    assert {s.name for s in all_sbis} == {"bot", "agents"}

    disabled = switchboards.update_switchboard(
        tenant.app_id,
        switchboard.id,
        sc.SwitchboardUpdateBody(enabled=False, default_switchboard_integration_id=bot_sbi.id),
    ).switchboard
    assert disabled is not None
    assert disabled.enabled is False
    assert disabled.default_switchboard_integration_id == bot_sbi.id
    enabled = switchboards.update_switchboard(
        tenant.app_id, switchboard.id, sc.SwitchboardUpdateBody(enabled=True)
    )
    assert enabled.switchboard is not None
    assert enabled.switchboard.enabled is True
    assert enabled.switchboard.default_switchboard_integration_id == bot_sbi.id

    spare = sbis.create_switchboard_integration(
        tenant.app_id,
        switchboard.id,
        sc.SwitchboardIntegrationCreateBody(name="spare", integration_id=agents.id),
    ).switchboard_integration
    assert spare is not None
    sbis.delete_switchboard_integration(tenant.app_id, switchboard.id, spare.id)
    remaining = sbis.list_switchboard_integrations(tenant.app_id, switchboard.id).switchboard_integrations
    assert remaining is not None
    assert {s.name for s in remaining} == {"bot", "agents"}

    switchboards.delete_switchboard(tenant.app_id, switchboard.id)
    assert switchboards.list_switchboards(tenant.app_id).switchboards == []


def test_control_is_passed_offered_accepted_and_released(client: sc.ApiClient, tenant: Tenant) -> None:
    switchboards = sc.SwitchboardsApi(client)
    sbis = sc.SwitchboardIntegrationsApi(client)
    control = sc.SwitchboardActionsApi(client)
    conversations = sc.ConversationsApi(client)
    bot = _custom_integration(client, tenant.app_id, "bot")
    agents = _custom_integration(client, tenant.app_id, "agents")
    switchboard = (switchboards.list_switchboards(tenant.app_id).switchboards or [None])[0]
    assert switchboard is not None
    bot_sbi = sbis.create_switchboard_integration(
        tenant.app_id, switchboard.id, sc.SwitchboardIntegrationCreateBody(name="bot", integration_id=bot.id)
    ).switchboard_integration
    agents_sbi = sbis.create_switchboard_integration(
        tenant.app_id,
        switchboard.id,
        sc.SwitchboardIntegrationCreateBody(name="agents", integration_id=agents.id),
    ).switchboard_integration
    assert bot_sbi is not None
    assert agents_sbi is not None
    sbis.update_switchboard_integration(
        tenant.app_id,
        switchboard.id,
        bot_sbi.id,
        sc.SwitchboardIntegrationUpdateBody(next_switchboard_integration_id=agents_sbi.id),
    )
    sbis.update_switchboard_integration(
        tenant.app_id,
        switchboard.id,
        agents_sbi.id,
        sc.SwitchboardIntegrationUpdateBody(next_switchboard_integration_id=bot_sbi.id),
    )
    switchboards.update_switchboard(
        tenant.app_id,
        switchboard.id,
        sc.SwitchboardUpdateBody(enabled=True, default_switchboard_integration_id=bot_sbi.id),
    )
    make_user(client, tenant.app_id, "customer-1")
    conversation = make_conversation(client, tenant.app_id, "customer-1")

    def state() -> tuple[str | None, str | None]:
        found = conversations.get_conversation(tenant.app_id, conversation.id).conversation
        assert found is not None
        active, pending = found.active_switchboard_integration, found.pending_switchboard_integration
        return (active.name if active else None, pending.name if pending else None)

    # By name, then with the `next` keyword.
    control.pass_control(
        tenant.app_id,
        conversation.id,
        sc.PassControlBody(switchboard_integration="agents", metadata={"why": "asked for a human"}),
    )
    assert state() == ("agents", None)
    found = conversations.get_conversation(tenant.app_id, conversation.id).conversation
    assert found is not None
    assert found.active_switchboard_integration is not None
    assert found.active_switchboard_integration.id == agents_sbi.id
    assert found.active_switchboard_integration.integration_id == agents.id
    assert found.active_switchboard_integration.integration_type == "custom"
    control.pass_control(tenant.app_id, conversation.id, sc.PassControlBody(switchboard_integration="next"))
    assert state() == ("bot", None)

    # Offer, then accept.
    control.offer_control(
        tenant.app_id,
        conversation.id,
        sc.OfferControlBody(switchboard_integration="agents", metadata={"queue": "vip"}),
    )
    assert state() == ("bot", "agents")
    control.accept_control(tenant.app_id, conversation.id, sc.AcceptControlBody(metadata={"agent": "sam"}))
    assert state() == ("agents", None)

    # Release hands control back to the default.
    control.release_control(
        tenant.app_id, conversation.id, sc.ReleaseControlBody(metadata={"resolved": True})
    )
    assert state() == ("bot", None)
    control.pass_control(
        tenant.app_id, conversation.id, sc.PassControlBody(switchboard_integration=agents_sbi.id)
    )
    assert state() == ("agents", None)
    control.release_control(tenant.app_id, conversation.id)
    assert state() == ("bot", None)


def test_a_custom_integration_and_its_webhooks_are_managed(client: sc.ApiClient, tenant: Tenant) -> None:
    integrations = sc.IntegrationsApi(client)
    webhooks = sc.WebhooksApi(client)
    created = _custom_integration(client, tenant.app_id, "crm")
    assert created.id
    assert created.type == "custom"
    assert created.display_name == "crm"
    assert created.status == sc.Status.ACTIVE
    assert len(created.webhooks) == 1
    first = created.webhooks[0]
    assert first.id
    assert first.target == "https://example.com/crm"
    assert first.triggers == ["conversation:message"]
    assert first.secret
    assert first.version == "v2"

    fetched = integrations.get_integration(tenant.app_id, created.id).integration
    assert isinstance(fetched, sc.Custom)
    assert fetched.display_name == "crm"
    listed = integrations.list_integrations(tenant.app_id).integrations
    assert listed is not None
    assert [i.id for i in listed] == [created.id]

    renamed = integrations.update_integration(
        tenant.app_id, created.id, sc.IntegrationUpdate(sc.CustomUpdate(display_name="CRM sync"))
    ).integration
    assert renamed is not None
    assert renamed.display_name == "CRM sync"

    second = webhooks.create_webhook(
        tenant.app_id,
        created.id,
        sc.WebhookCreateBody(
            target="https://example.com/second",
            triggers=["conversation:create", "switchboard:passControl"],
            include_full_user=True,
        ),
    ).webhook
    assert second is not None
    assert second.id
    assert second.target == "https://example.com/second"
    assert second.triggers == ["conversation:create", "switchboard:passControl"]
    assert second.include_full_user is True
    assert second.include_full_source is False
    assert second.secret

    all_webhooks = webhooks.list_webhooks(tenant.app_id, created.id).webhooks
    assert all_webhooks is not None
    assert [w.id for w in all_webhooks] == [first.id, second.id]
    got = webhooks.get_webhook(tenant.app_id, created.id, second.id).webhook
    assert got is not None
    assert got.secret == second.secret

    updated = webhooks.update_webhook(
        tenant.app_id,
        created.id,
        second.id,
        sc.WebhookBody(
            target="https://example.com/moved", triggers=["conversation:message"], include_full_source=True
        ),
    ).webhook
    assert updated is not None
    assert updated.target == "https://example.com/moved"
    assert updated.triggers == ["conversation:message"]
    assert updated.include_full_source is True

    webhooks.delete_webhook(tenant.app_id, created.id, second.id)
    with pytest.raises(ApiException) as raised:
        webhooks.get_webhook(tenant.app_id, created.id, second.id)
    assert raised.value.status == 404
    remaining = webhooks.list_webhooks(tenant.app_id, created.id).webhooks
    assert remaining is not None
    assert [w.id for w in remaining] == [first.id]

    integrations.delete_integration(tenant.app_id, created.id)
    with pytest.raises(ApiException) as raised:
        integrations.get_integration(tenant.app_id, created.id)
    assert raised.value.status == 404
    assert integrations.list_integrations(tenant.app_id).integrations == []
