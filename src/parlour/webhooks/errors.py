from parlour.lib.errors import BadRequest, NotFound


class WebhookNotFound(NotFound):
    code = "webhook_not_found"
    title = "Webhook not found"


class InvalidWebhook(BadRequest):
    code = "bad_request"


class WebhookDeliveryFailed(Exception):
    """The endpoint did not answer 2xx; the job is retried with backoff."""
