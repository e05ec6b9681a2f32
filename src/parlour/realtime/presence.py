"""Whether a customer is connected, told only to the staff who watch that customer.

Presence is state, not history: it is never written to the events table. A change costs one
callback per watcher (an agent with the conversation open), never a broadcast to the account
(Zulip measured presence as its largest load; Rocket.Chat turns it off above 200 users).
Between processes the changes travel through the Redis bridge; each process counts the
connections it holds and remembers what the others last said. What another process said is
replaced whole by its snapshot (sent when a process joins or its subscription comes back) and
forgotten when it goes quiet: a process killed mid-stream cannot say that its customers left.
"""

from collections import Counter
from collections.abc import Callable

Key = tuple[str, str]  # (account id, user id)
Notify = Callable[[bool], None]


class Presence:
    def __init__(self) -> None:
        self._local: Counter[Key] = Counter()
        self._remote: dict[str, set[Key]] = {}  # origin process → keys it reported online
        self._watchers: dict[Key, set[Notify]] = {}
        self.on_change: Callable[[Key, bool], None] | None = None  # set by the Redis bridge

    def is_online(self, key: Key) -> bool:
        return self._local[key] > 0 or any(key in keys for keys in self._remote.values())

    def connected(self, key: Key) -> None:
        was = self.is_online(key)
        self._local[key] += 1
        if self._local[key] == 1 and self.on_change is not None:
            self.on_change(key, True)
        if not was:
            self._notify(key, True)

    def disconnected(self, key: Key) -> None:
        self._local[key] -= 1
        if self._local[key] <= 0:
            del self._local[key]
            if self.on_change is not None:
                self.on_change(key, False)
            if not self.is_online(key):
                self._notify(key, False)

    def remote_change(self, origin: str, key: Key, online: bool) -> None:
        was = self.is_online(key)
        keys = self._remote.setdefault(origin, set())
        if online:
            keys.add(key)
        else:
            keys.discard(key)
        now = self.is_online(key)
        if now != was:
            self._notify(key, now)

    def local_keys(self) -> list[Key]:
        return list(self._local)

    def remote_snapshot(self, origin: str, keys: set[Key]) -> None:
        """Everything `origin` holds now, in place of what it said before."""
        before = self._remote.get(origin, set())
        touched = before ^ keys
        was = {key: self.is_online(key) for key in touched}
        if keys:
            self._remote[origin] = set(keys)
        else:
            self._remote.pop(origin, None)
        for key in touched:
            now = self.is_online(key)
            if now != was[key]:
                self._notify(key, now)

    def forget(self, origin: str) -> None:
        """`origin` stopped or stopped answering: none of its connections count any more."""
        self.remote_snapshot(origin, set())

    def remote_origins(self) -> list[str]:
        return list(self._remote)

    def watch(self, key: Key, notify: Notify) -> bool:
        self._watchers.setdefault(key, set()).add(notify)
        return self.is_online(key)

    def unwatch(self, key: Key, notify: Notify) -> None:
        watchers = self._watchers.get(key)
        if watchers is not None:
            watchers.discard(notify)
            if not watchers:
                del self._watchers[key]

    def _notify(self, key: Key, online: bool) -> None:
        for notify in list(self._watchers.get(key, ())):
            notify(online)
