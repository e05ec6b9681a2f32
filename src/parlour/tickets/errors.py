from parlour.lib.errors import BadRequest, NotFound


class TicketNotFound(NotFound):
    code = "ticket_not_found"
    title = "Ticket not found"


class InvalidTicket(BadRequest):
    code = "invalid_ticket"


class TicketClosed(BadRequest):
    code = "ticket_closed"
    title = "Closed tickets cannot be changed; the customer's next message starts a new ticket"
