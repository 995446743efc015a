"""The adapters around the pure domain, one room (subpackage) per role.

An inbound message travels top to bottom: ``nats`` pulls it off the stream, ``ingest`` validates
it against ``wire``, decides it with the domain and records it through ``store`` in one
transaction, then acknowledges it and publishes its outcome; ``read`` folds the stored events into
the read models of ``projections`` and answers queries; ``cli`` is what people type. ``bootstrap``
is the one place that builds these parts from ``settings``. ``org`` holds the organisation data and
its import; ``traffic`` generates messages (demo, benchmark, a simulated year) and is not the service.
"""
