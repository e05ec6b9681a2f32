"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from parlour.accounts import models as accounts
from parlour.ai_agent import models as ai_agent
from parlour.attachments import models as attachments
from parlour.conversations import models as conversations
from parlour.db import Base
from parlour.helpcenter import models as helpcenter
from parlour.jobs import queue as jobs
from parlour.macros import models as macros
from parlour.outbox import models as outbox
from parlour.people import models as people
from parlour.switchboard import models as switchboard
from parlour.tickets import models as tickets
from parlour.webhooks import models as webhooks

metadata = Base.metadata

__all__ = [
    "accounts",
    "ai_agent",
    "attachments",
    "conversations",
    "helpcenter",
    "jobs",
    "macros",
    "metadata",
    "outbox",
    "people",
    "switchboard",
    "tickets",
    "webhooks",
]
