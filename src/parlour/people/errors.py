from parlour.lib.errors import BadRequest, Conflict, NotFound, ParlourError, Unauthorized


class UserNotFound(NotFound):
    code = "user_not_found"
    title = "User not found"


class UserExists(Conflict):
    code = "conflict"
    title = "A user with this externalId already exists"


class StaffNotFound(NotFound):
    code = "staff_not_found"
    title = "Staff member not found"


class StaffEmailTaken(Conflict):
    code = "conflict"
    title = "A staff member with this email already exists in the account"


class GroupNotFound(NotFound):
    code = "group_not_found"
    title = "Group not found"


class GroupNameTaken(Conflict):
    code = "conflict"
    title = "A group with this name already exists"


class InvalidUserToken(Unauthorized):
    code = "invalid_auth"
    title = "The user's JWT is not valid"


class InvalidStaff(BadRequest):
    code = "bad_request"


class InvalidSignIn(Unauthorized):
    code = "invalid_sign_in"
    title = "The email or password is not right"


class LastAdmin(Conflict):
    code = "last_admin"
    title = "The account must keep at least one active admin"


class TooManySignIns(ParlourError):
    status = 429
    code = "too_many_attempts"
    title = "Too many failed sign-ins: wait a moment and try again"
