"""The only writer of the widget's settings (kept in the account's settings)."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from parlour.accounts import actions as account_actions
from parlour.accounts.models import Account
from parlour.http import describe_validation_errors
from parlour.settings import get_settings
from parlour.widget import queries
from parlour.widget.errors import InvalidWidgetSettings
from parlour.widget.schemas import WidgetSettings

WIDGET_KEYS = ("theme", "businessName", "avatarUrl", "introText", "position", "locale")


def check_widget_settings(account: Account, changes: dict[str, Any]) -> WidgetSettings:
    """The settings after `changes` (a partial object; `theme` may name only some colours)."""
    if not isinstance(changes, dict):
        raise InvalidWidgetSettings("Widget settings must be a JSON object")
    current = queries.get_widget_settings(account).model_dump()
    merged = {**current, **changes}
    if isinstance(changes.get("theme"), dict):
        merged["theme"] = {**current["theme"], **changes["theme"]}
    try:
        checked = WidgetSettings.model_validate(merged)
    except ValidationError as exc:
        raise InvalidWidgetSettings(
            describe_validation_errors(exc.errors()).replace("Invalid request", "Invalid widget settings")
        ) from None
    cap = get_settings().max_upload_bytes
    if checked.maxAttachmentBytes > cap:
        raise InvalidWidgetSettings(
            f"Invalid widget settings: maxAttachmentBytes: at most {cap} on this server"
        )
    return checked


async def do_update_widget_settings(
    session: AsyncSession, account: Account, changes: dict[str, Any]
) -> WidgetSettings:
    checked = check_widget_settings(account, changes)
    dumped = checked.model_dump()
    await account_actions.do_update_account(
        session,
        account,
        settings={
            "widget": {key: dumped[key] for key in WIDGET_KEYS},
            "attachments": {
                "enabled": checked.attachmentsEnabled,
                "maxBytes": checked.maxAttachmentBytes,
                "allowedTypes": checked.allowedAttachmentTypes,
            },
            "forgetHistory": checked.forgetHistory,
        },
    )
    return queries.get_widget_settings(account)
