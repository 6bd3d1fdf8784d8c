"""A small least-recently-used memo held by one worker process.

For what a request would otherwise rebuild from the database or unpickle from the shared
cache each time: a profile's frame and its UsageFacts, its usage summary, the last
projections. Keys must name everything the value depends on (profile id, catalog version,
scenario...): nothing here notices a change by itself. Thread-safe (runserver and threaded
workers); two threads missing the same key at once both build it, and the last one is kept.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable

_every_memo: weakref.WeakSet[ProcessMemo] = weakref.WeakSet()


def clear_all() -> None:
    """Empty every memo of this process (tests start from a cold process this way)."""
    for memo in list(_every_memo):
        memo.clear()


class ProcessMemo[Value]:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()
        _every_memo.add(self)

    def get(self, key: Hashable) -> Value | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Value) -> Value:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], Value]) -> Value:
        value = self.get(key)
        return value if value is not None else self.put(key, make())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
