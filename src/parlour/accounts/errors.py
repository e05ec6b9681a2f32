from parlour.lib.errors import BadRequest, Conflict, NotFound


class AppNotFound(NotFound):
    code = "app_not_found"
    title = "App not found"


class AccountNameTaken(Conflict):
    code = "conflict"
    title = "An account with this name already exists"


class KeyNotFound(NotFound):
    code = "key_not_found"
    title = "Key not found"


class TooManyKeys(BadRequest):
    code = "too_many_keys"
    title = "An account can have at most 10 keys of this kind; revoke one first"


class InvalidSettings(BadRequest):
    code = "invalid_settings"
