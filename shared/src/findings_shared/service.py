"""Process entry for every service: logging, signals, migrations, then the service."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

from findings_shared.database import migrate
from findings_shared.logs import configure_logging

log = logging.getLogger("findings")


def run_service(
    name: str,
    main: Callable[[asyncio.Event], Awaitable[None]],
    *,
    migrations: Path | None = None,
    database_url: str | None = None,
) -> None:
    """Run `main` until SIGINT/SIGTERM sets its stop event; migrate the schema first."""
    configure_logging(name)

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        if migrations is not None and database_url is not None:
            await migrate(migrations, database_url)
        log.info("%s service starting", name)
        await main(stop)
        log.info("%s service stopped", name)

    asyncio.run(runner())
