"""The event store (an eventsourcing application, ``ledger``) and its recorders for SQLite and
PostgreSQL, which keep the inbox beside the events; ``locks`` holds every lock pingzhan takes."""
