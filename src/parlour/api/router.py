"""All routers of the server, in one list."""

from fastapi import APIRouter

from parlour.accounts.routes import router as apps
from parlour.api.health import router as health
from parlour.conversations.routes import router as conversations
from parlour.people.routes import router as users
from parlour.switchboard.routes import router as switchboards
from parlour.webhooks.routes import router as integrations
from parlour.widget.routes import router as client_api
from parlour.workspace.routes import router as workspace

router = APIRouter()
for sub in (health, apps, users, conversations, switchboards, integrations, client_api, workspace):
    router.include_router(sub)
