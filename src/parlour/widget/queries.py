"""Reads for the web widget: its settings (stored in the account's settings) and public config."""

from typing import Any

from pydantic import ValidationError

from parlour.accounts import queries as account_queries
from parlour.accounts.models import Account
from parlour.attachments import queries as attachment_queries
from parlour.widget.schemas import Theme, WidgetSettings


def get_widget_settings(account: Account) -> WidgetSettings:
    """The stored settings; a stored value that no longer validates falls back to its default
    (each field on its own), so an old or hand-edited row never breaks the widget."""
    stored = account_queries.settings_of(account)
    found = stored.get("widget")
    widget: dict[str, Any] = found if isinstance(found, dict) else {}
    policy = attachment_queries.policy_of(account)
    values: dict[str, Any] = {
        **{k: v for k, v in widget.items() if k in WidgetSettings.model_fields},
        "attachmentsEnabled": policy.enabled,
        "maxAttachmentBytes": policy.max_bytes,
        "allowedAttachmentTypes": list(policy.allowed_types),
        "forgetHistory": stored.get("forgetHistory") is True,
    }
    theme = values.get("theme")
    if isinstance(theme, dict):
        values["theme"] = {k: v for k, v in theme.items() if _valid_theme_value(k, v)}
    else:
        values.pop("theme", None)
    clean: dict[str, Any] = {}
    for name, value in values.items():
        try:
            WidgetSettings.model_validate({name: value})
        except ValidationError:
            continue
        clean[name] = value
    return WidgetSettings.model_validate(clean)


def _valid_theme_value(key: str, value: object) -> bool:
    try:
        Theme.model_validate({key: value})
    except ValidationError:
        return False
    return True


def widget_config_json(account: Account) -> dict[str, Any]:
    """What the snippet reads before it draws anything: public, no credentials needed."""
    widget = get_widget_settings(account)
    settings = widget.model_dump()
    settings["businessName"] = widget.businessName or account.display_name
    return {
        "appId": account.id,
        "settings": settings,
        "multiConvoEnabled": account_queries.settings_of(account).get("multiConvoEnabled") is True,
        "accountLocale": account.locale,
    }
