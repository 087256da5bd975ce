"""One readable log format for every service."""

from __future__ import annotations

import logging
import os


def configure_logging(service: str) -> None:
    level = os.environ.get("FINDINGS_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=level,
        format=f"%(asctime)s {service:<6} %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("aiokafka", "faststream.access", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
