"""The HTTP API and the dashboard: FastAPI over the read models, NATS at the edge (faststream)."""
