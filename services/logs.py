"""structlog, configured once: readable on a terminal, JSON lines otherwise."""

from __future__ import annotations

import logging
import sys
import time

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


class Trouble:
    """A fault that repeats while a loop retries (the store away, the disk full): said once when
    it starts, again at most every ``every`` seconds while it lasts, and once when it is over."""

    def __init__(self, event: str, every: float = 60.0):
        self.event, self.every = event, every
        self.since: float | None = None
        self.said_at = 0.0
        self.times = 0

    def failed(self, e: BaseException) -> None:
        now = time.monotonic()
        self.times += 1
        if self.since is None:
            self.since, self.said_at = now, now
            log.error(self.event, error=f"{type(e).__name__}: {e}")
        elif now - self.said_at >= self.every:
            self.said_at = now
            log.error(f"{self.event} (still)", error=f"{type(e).__name__}: {e}", tries=self.times,
                      for_s=round(now - self.since))  # fmt: skip

    def ok(self) -> None:
        if self.since is not None:
            log.info(
                f"{self.event}: recovered", tries=self.times, after_s=round(time.monotonic() - self.since, 1)
            )
            self.since, self.times = None, 0
