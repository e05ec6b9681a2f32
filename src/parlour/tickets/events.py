"""Event types this domain records."""

TICKET_CREATED = "ticket:created"
TICKET_UPDATED = "ticket:updated"
TICKET_CLOSED = "ticket:closed"
TICKET_SESSION_ENDED = "ticket:sessionEnded"
# Staff only: the customer's stream and webhooks never carry notes.
TICKET_NOTE = "ticket:note"
