"""Which emergency episodes an event belongs to, by field time (for the audit trail), and which
episodes are real wartime (for the reports).

An event belongs to the episodes of its scope or any scope above it that had started and not yet
ended when it happened (start <= occurred_at < end), whenever it is recorded; the mode events of
an episode (its stand-down, its void) belong to it. Times are compared as instants.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from operator import itemgetter
from typing import Any

from pingzhan.domain.org import Org

Span = tuple[datetime, datetime | None, str]  # start, end (None: open), episode
_START = itemgetter(0)


class EpisodeSpans:
    """The field-time span of every episode, per scope, in order of start."""

    def __init__(self, org: Org):
        self.org = org
        self.by_scope: dict[str, list[Span]] = {}  # the episodes of one scope follow each other
        # per scope: the spans of the scopes covering it (itself and above) that have episodes
        self.covering: dict[str, list[tuple[str, list[Span]]]] = {}

    def use(self, org: Org) -> None:
        """From now on, scopes are this organisation's (an import only adds scopes)."""
        self.org = org
        self.covering.clear()

    def add(self, scope: str, episode: str, start: str, end: str | None = None) -> None:
        of_scope = self.by_scope.get(scope)
        if of_scope is None:
            of_scope = self.by_scope[scope] = []
            self.covering.clear()  # a scope with its first episode: the covering lists change
        of_scope.append(
            (datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None, episode)
        )
        if len(of_scope) > 1 and of_scope[-2][0] > of_scope[-1][0]:
            of_scope.sort(key=_START)

    def end(self, scope: str, episode: str, at: str) -> None:
        """The episode's span ends at ``at``. An episode is in its scope's list once, most often
        near its end: looked for from there (rewriting the whole list at each end made a rebuild
        quadratic in the episodes of a scope: 4 of 95 s at a million messages of history)."""
        of_scope = self.by_scope.get(scope, [])
        for k in range(len(of_scope) - 1, -1, -1):
            start, _, name = of_scope[k]
            if name == episode:
                of_scope[k] = (start, datetime.fromisoformat(at), name)
                return

    def of(self, scope: str, occurred_at: str | None, own: str | None = None) -> list[str]:
        """The episodes an event of ``scope`` that happened at ``occurred_at`` belongs to (without a
        field time: the open ones); ``own`` is the episode the event names, if any."""
        covering = self.covering.get(scope)
        if covering is None:
            chain = self.org.ancestors(scope)
            covering = self.covering[scope] = [(s, self.by_scope[s]) for s in chain if s in self.by_scope]
        if not covering:
            return []
        if not occurred_at:
            return [spans[-1][2] for _, spans in covering if spans[-1][1] is None]
        at = datetime.fromisoformat(occurred_at)
        found = []
        for _, spans in covering:
            span = spans[-1]  # most often the latest one; else look it up
            if at < span[0]:
                k = bisect_right(spans, at, key=_START) - 1
                if k < 0:
                    continue
                span = spans[k]
            if span[1] is None or at < span[1]:
                found.append(span[2])
        if own and own not in found and any(own.rpartition("#")[0] == s for s, _ in covering):
            found.append(own)
        return found


def real_episodes(
    rows: Iterable[Sequence[Any]], tz: tzinfo | None = None
) -> list[tuple[str, str, str | None]]:
    """From episodes rows (scope, started_at, ended_at, exercise, voided_at): the real ones, neither
    drills nor void, with their times in the district's time zone ``tz`` (so that their dates are
    the district's dates)."""

    def local(iso: str) -> str:
        return datetime.fromisoformat(iso).astimezone(tz).isoformat() if tz else iso

    return [
        (scope, local(start), local(end) if end else None)
        for scope, start, end, exercise, voided_at in rows
        if not exercise and not voided_at
    ]
