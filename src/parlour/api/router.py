"""All routers of the server, in one list."""

from fastapi import APIRouter

from parlour.accounts.routes import router as apps
from parlour.admin.pages import router as admin_pages
from parlour.admin.routes import router as admin
from parlour.ai_agent.routes import router as ai_agent
from parlour.api.health import router as health
from parlour.attachments.routes import router as attachments
from parlour.conversations.routes import router as conversations
from parlour.helpcenter.routes import public as helpcenter_pages
from parlour.helpcenter.routes import router as helpcenter
from parlour.people.routes import router as users
from parlour.switchboard.routes import router as switchboards
from parlour.webhooks.routes import router as integrations
from parlour.widget.routes import pages as widget_pages
from parlour.widget.routes import router as client_api
from parlour.workspace.pages import pages as workspace_pages
from parlour.workspace.routes import router as workspace

router = APIRouter()
for sub in (health, apps, users, conversations, switchboards, integrations, client_api, workspace):
    router.include_router(sub)
for sub in (admin, admin_pages):
    router.include_router(sub)
for sub in (attachments, widget_pages):
    router.include_router(sub)
router.include_router(workspace_pages)
for sub in (helpcenter, ai_agent, helpcenter_pages):
    router.include_router(sub)
