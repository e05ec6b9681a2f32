from parlour.lib.errors import BadRequest, Conflict, NotFound


class FlowNotFound(NotFound):
    code = "answer_flow_not_found"
    title = "Answer flow not found"


class InvalidFlow(BadRequest):
    code = "invalid_answer_flow"
    title = "Invalid answer flow"


class FlowNameTaken(Conflict):
    code = "conflict"
    title = "An answer flow with this name already exists"


class InvalidAiSettings(BadRequest):
    code = "invalid_ai_agent_settings"
    title = "Invalid AI agent settings"
