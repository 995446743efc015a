"""What every read model is: rows in memory, folded from events by handlers bound to event classes.

A read model keeps its state as rows keyed by primary key (one dict per declared ``Table``), folds
events into it and marks what changed. It knows nothing of databases: ``services/read`` creates
its tables, loads its rows, and writes the changed rows with the position in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

Handler = Callable[[Any, int, Any], None]


def event_name(event_class: type) -> str:
    """The key a handler is bound by: the event class's qualified name (``Cadre.Registered``).
    Stored events come back as light objects whose class has the same qualified name."""
    return event_class.__qualname__


def on(*event_classes: type) -> Callable[[Handler], Handler]:
    """Bind a read-model method to the domain event classes it folds."""

    def bind(handler: Handler) -> Handler:
        handler.handles = event_classes  # type: ignore[attr-defined]
        return handler

    return bind


class Table:
    """A table whose rows are ``key columns + value columns``, held as ``{key: values}``."""

    def __init__(self, name: str, keys: tuple[str, ...], values: tuple[str, ...], append_only: bool = False):
        self.name, self.keys, self.values = name, keys, values
        self.append_only = append_only  # rows are only ever added: not held in memory

    @property
    def columns(self) -> tuple[str, ...]:
        return self.keys + self.values


class ReadModel:
    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    version: ClassVar[int] = 1  # raise it when the tables change: the projector then rebuilds them
    handlers: ClassVar[dict[str, Handler]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.handlers = {}
        for attribute in vars(cls).values():
            for event_class in getattr(attribute, "handles", ()):
                cls.handlers[event_name(event_class)] = attribute

    def __init__(self) -> None:
        self.rows: dict[str, dict[tuple[str, ...], tuple[Any, ...]]] = {t.name: {} for t in self.tables}
        self.dirty: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        self.appended: dict[str, list[tuple[Any, ...]]] = defaultdict(list)

    # state -------------------------------------------------------------------------------
    def put(self, table: str, key: tuple[str, ...], values: tuple[Any, ...]) -> None:
        self.rows[table][key] = values
        self.dirty[table].add(key)

    def drop(self, table: str, key: tuple[str, ...]) -> None:
        self.rows[table].pop(key, None)
        self.dirty[table].add(key)

    def append(self, table: str, row: tuple[Any, ...]) -> None:
        self.appended[table].append(row)

    def get(self, table: str, key: tuple[str, ...]) -> tuple[Any, ...] | None:
        return self.rows[table].get(key)

    def apply(self, position: int, event: Any) -> None:
        handler = self.handlers.get(type(event).__qualname__)
        if handler is not None:
            handler(self, position, event)

    def fold(self, events: Iterable[Any]) -> ReadModel:
        """Apply events in order, numbering them from 1; for tests and pure use."""
        for position, event in enumerate(events, start=1):
            self.apply(position, event)
        return self

    # what the storage side calls -------------------------------------------------------------
    def loaded(self) -> None:
        """Called after the rows were loaded or emptied: derive whatever is kept beside them."""

    def flushing(self) -> None:
        """Called just before the changed rows are written: put whatever is kept beside them."""

    def clear(self) -> None:
        """Forget every row and change (the storage side empties the tables)."""
        self.rows = {t.name: {} for t in self.tables}
        self.dirty.clear()
        self.appended.clear()
        self.loaded()
