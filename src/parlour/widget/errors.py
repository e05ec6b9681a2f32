from parlour.lib.errors import BadRequest


class InvalidWidgetSettings(BadRequest):
    code = "invalid_settings"
    title = "Invalid widget settings"
