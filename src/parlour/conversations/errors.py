from parlour.lib.errors import BadRequest, Conflict, Locked, NotFound


class ConversationNotFound(NotFound):
    code = "conversation_not_found"
    title = "Conversation not found"


class MessageNotFound(NotFound):
    code = "message_not_found"
    title = "Message not found"


class ParticipantNotFound(NotFound):
    code = "participant_not_found"
    title = "Participant not found"


class ConversationFull(Locked):
    code = "conversation_full"
    title = "The conversation holds 30,000 messages: delete messages to make room"


class InvalidMessage(BadRequest):
    code = "bad_request"


class MultiConversationsDisabled(Conflict):
    code = "conflict"
    title = "This user already has a conversation and multi-conversations are disabled for the app"


class AlreadyParticipant(Conflict):
    code = "conflict"
    title = "The user is already a participant of this conversation"


class DuplicateClientMessageId(Conflict):
    code = "conflict"
    title = "This clientMessageId was already used by another sender in this conversation"
