"""A new account gets its switchboard (AI agent → agent workspace) and a first group."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import actions as account_actions
from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account
from parlour.ai_agent import actions as ai_agent_actions
from parlour.people import actions as people_actions
from parlour.people import queries as people_queries
from parlour.people.models import Staff
from parlour.switchboard import actions as switchboard_actions
from parlour.switchboard import builtin
from parlour.switchboard import queries as switchboard_queries

DEMO_ACCOUNT = "demo"
DEMO_ADMIN_EMAIL = "admin@demo.parlour.test"
DEMO_AGENT_EMAIL = "agent@demo.parlour.test"
DEMO_PASSWORD = "parlour-demo"  # noqa: S105 - the demo's documented sign-in, printed by `make run`


async def do_create_account(
    session: AsyncSession,
    *,
    name: str,
    display_name: str | None = None,
    mode: str = "messaging",
    locale: str = "en",
    time_zone: str = "UTC",
) -> Account:
    account = await account_actions.do_create_account(
        session, name=name, display_name=display_name, mode=mode, locale=locale, time_zone=time_zone
    )
    switchboard = await switchboard_actions.do_provision(session, account)
    # The AI agent answers first; its `next` (the agent workspace) takes the handoffs.
    ai_agent = next(
        sbi
        for sbi in await switchboard_queries.list_switchboard_integrations(session, switchboard.id)
        if sbi.integration_type == builtin.AI_AGENT
    )
    await switchboard_actions.do_update_switchboard(
        session, switchboard, enabled=None, default_id=ai_agent.id
    )
    await people_actions.do_create_group(session, account, name="Support")
    return account


@dataclass(frozen=True)
class Demo:
    account: Account
    admin: Staff
    agent: Staff
    key_id: str
    secret: str
    created: bool


async def do_seed_demo(session: AsyncSession) -> Demo:
    """Idempotent: the second run finds the demo account and shows the same credentials."""
    account = await account_queries.get_account_by_name(session, DEMO_ACCOUNT)
    created = account is None
    if account is None:
        account = await do_create_account(session, name=DEMO_ACCOUNT, display_name="Parlour Demo Shop")
        admin = await people_actions.do_create_staff(
            session, account, email=DEMO_ADMIN_EMAIL, name="Ada Admin", role="admin", password=DEMO_PASSWORD
        )
        agent = await people_actions.do_create_staff(
            session, account, email=DEMO_AGENT_EMAIL, name="Alex Agent", role="agent", password=DEMO_PASSWORD
        )
        support = next(
            g for g in await people_queries.list_groups(session, account.id) if g.name == "Support"
        )
        await people_actions.do_add_group_member(session, support, agent)
        await people_actions.do_add_group_member(session, support, admin)
        new_key = await account_actions.do_create_api_key(session, account, display_name="Demo key")
        await ai_agent_actions.do_seed_demo_content(session, account)
        return Demo(account, admin, agent, new_key.key.id, new_key.secret, created)
    admin_found = await people_queries.get_staff_by_email(session, account.id, DEMO_ADMIN_EMAIL)
    agent_found = await people_queries.get_staff_by_email(session, account.id, DEMO_AGENT_EMAIL)
    keys = await account_queries.list_api_keys(session, account.id)
    if admin_found is None or agent_found is None:
        raise RuntimeError("the demo account exists but its staff were removed; delete var/ to start over")
    if keys:
        key_id, secret = keys[0].id, account_queries.secret_of(keys[0])
    else:
        new_key = await account_actions.do_create_api_key(session, account, display_name="Demo key")
        key_id, secret = new_key.key.id, new_key.secret
    return Demo(account, admin_found, agent_found, key_id, secret, created)
