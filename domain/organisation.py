"""The organisation in use, as imported: each import that changes it is a new version in the log.

Keeping it in the event store lets every running worker, and the read models, move to a new
organisation at a defined point: the ingest reads the version with each batch (and checks at commit
that it did not change meanwhile), the read models fold the import like any other event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.errors import OrganisationError
from pingzhan.domain.org import Org
from pingzhan.domain.stamp import Stamp, Stamped
from pingzhan.domain.workspace import Workspace


class Organisation(Aggregate):
    class Imported(Aggregate.Created, Stamped):
        content: str  # the organisation file, as JSON text
        digest: str  # sha256 of the content
        added: str  # what this version adds, in words

    class Changed(Aggregate.Event, Stamped):
        content: str
        digest: str
        added: str

        def apply(self, organisation: Organisation) -> None:
            organisation.content, organisation.digest = self.content, self.digest

    def __init__(self, content: str, digest: str, added: str, message_id: str, actor: str, occurred_at: str):
        self.content, self.digest = content, digest

    @classmethod
    def import_first(cls, content: str, digest: str, added: str, stamp: Stamp) -> Organisation:
        return cls._create(
            cls.Imported, id=ids.organisation(), content=content, digest=digest, added=added, **stamp.fields()
        )

    def change(self, content: str, digest: str, added: str, stamp: Stamp) -> None:
        if digest == self.digest:
            raise OrganisationError("this organisation is already the one in use")
        self.trigger_event(self.Changed, content=content, digest=digest, added=added, **stamp.fields())

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.content)  # type: ignore[no-any-return]

    def org(self) -> Org:
        return Org.from_data(self.data)


@dataclass(frozen=True, slots=True)
class ImportOrganisation:
    """Make this organisation file (JSON text) the one in use; ``added`` says what it adds."""

    content: str
    digest: str
    added: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.organisation(),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        found = ws.get(ids.organisation())
        if found is None:
            ws.add(Organisation.import_first(self.content, self.digest, self.added, stamp))
            return
        assert isinstance(found, Organisation)
        found.change(self.content, self.digest, self.added, stamp)
