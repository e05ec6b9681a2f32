"""Who has a ticket open right now, and whether they are writing a reply: shown to the other
staff on the same ticket so two agents do not answer the customer at once.

State, not history: kept per server process, never stored or replayed; a socket that closes
leaves every ticket it was viewing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Push = Callable[[dict[str, Any]], None]


@dataclass
class Viewer:
    staff_id: str
    name: str
    push: Push
    composing: str | None = None  # "reply" | "note" while writing


class Viewers:
    def __init__(self) -> None:
        self._by_conversation: dict[str, dict[int, Viewer]] = {}

    def view(self, conversation_id: str, connection: int, viewer: Viewer) -> None:
        self._by_conversation.setdefault(conversation_id, {})[connection] = viewer
        self._announce(conversation_id)

    def leave(self, conversation_id: str, connection: int) -> None:
        viewers = self._by_conversation.get(conversation_id)
        if viewers is None or viewers.pop(connection, None) is None:
            return
        if not viewers:
            del self._by_conversation[conversation_id]
        self._announce(conversation_id)

    def leave_all(self, connection: int) -> None:
        for conversation_id in [c for c, v in self._by_conversation.items() if connection in v]:
            self.leave(conversation_id, connection)

    def compose(self, conversation_id: str, connection: int, composing: str | None) -> bool:
        viewer = self._by_conversation.get(conversation_id, {}).get(connection)
        if viewer is None:
            return False
        if viewer.composing != composing:
            viewer.composing = composing
            self._announce(conversation_id)
        return True

    def frame(self, conversation_id: str) -> dict[str, Any]:
        seen: dict[str, dict[str, Any]] = {}
        for viewer in self._by_conversation.get(conversation_id, {}).values():
            entry = seen.setdefault(
                viewer.staff_id, {"id": viewer.staff_id, "name": viewer.name, "composing": None}
            )
            entry["composing"] = entry["composing"] or viewer.composing
        return {"type": "viewers", "conversationId": conversation_id, "viewers": list(seen.values())}

    def _announce(self, conversation_id: str) -> None:
        frame = self.frame(conversation_id)
        for viewer in list(self._by_conversation.get(conversation_id, {}).values()):
            viewer.push(frame)
