"""structlog, configured once: readable on a terminal, JSON lines otherwise."""

from __future__ import annotations

import logging
import sys

import structlog

log = structlog.get_logger("pingzhan")


def configure_logging(level: int = logging.INFO) -> None:
    renderer = structlog.dev.ConsoleRenderer() if sys.stderr.isatty() else structlog.processors.JSONRenderer()
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )
