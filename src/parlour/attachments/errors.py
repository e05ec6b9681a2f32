from parlour.lib.errors import BadRequest, Forbidden, NotFound, ParlourError


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"
    title = "Attachment not found"


class AttachmentsDisabled(Forbidden):
    code = "attachments_disabled"
    title = "This account does not accept attachments from customers"


class AttachmentTooLarge(ParlourError):
    status = 413
    code = "attachment_too_large"
    title = "The file is too large"


class AttachmentTypeNotAllowed(BadRequest):
    code = "attachment_type_not_allowed"
    title = "This type of file is not accepted"


class InvalidAttachment(BadRequest):
    code = "bad_request"
