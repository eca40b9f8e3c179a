"""Loggers that would print secrets are kept above DEBUG."""

from __future__ import annotations

import logging


def keep_out_of_logs() -> None:
    """The websockets library logs each frame at DEBUG, Prefect's events client's auth frame (the
    auth string itself) among them: its loggers never go below INFO, whatever the root's level."""
    for name in ("websockets", "websockets.client"):
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:
            logger.setLevel(logging.INFO)
