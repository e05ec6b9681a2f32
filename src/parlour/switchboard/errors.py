from parlour.lib.errors import BadRequest, Conflict, Forbidden, NotFound


class SwitchboardNotFound(NotFound):
    code = "switchboard_not_found"
    title = "Switchboard not found"


class SwitchboardIntegrationNotFound(NotFound):
    code = "switchboard_integration_not_found"
    title = "Switchboard integration not found"


class IntegrationNotFound(NotFound):
    code = "integration_not_found"
    title = "Integration not found"


class SwitchboardExists(Conflict):
    code = "conflict"
    title = "The app already has a switchboard"


class NameTaken(Conflict):
    code = "conflict"
    title = "A switchboard integration with this name already exists"


class SwitchboardDisabled(BadRequest):
    code = "switchboard_disabled"
    title = "The switchboard is disabled: enable it before passing control"


class NoSwitchboard(BadRequest):
    code = "no_switchboard"
    title = "The app has no switchboard"


class AmbiguousTarget(BadRequest):
    code = "ambiguous_switchboard_integration"
    title = "More than one switchboard integration matches; name it by id or name"


class UnknownTarget(BadRequest):
    code = "switchboard_integration_not_found"
    title = "No switchboard integration matches"


class NoNextIntegration(BadRequest):
    code = "no_next_switchboard_integration"
    title = "The active switchboard integration has no next integration"


class NotPending(Forbidden):
    code = "forbidden"
    title = "Only the pending switchboard integration can accept control"


class NotActive(Forbidden):
    code = "forbidden"
    title = "Only the active switchboard integration can do this"


class AlreadyActive(BadRequest):
    code = "already_active"
    title = "This switchboard integration is already in control"


class InUse(BadRequest):
    code = "switchboard_integration_in_use"
