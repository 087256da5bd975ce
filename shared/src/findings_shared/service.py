"""Process entry for every service: logging, signals, migrations, then the service."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from findings_shared.database import migrate
from findings_shared.logs import configure_logging

log = logging.getLogger("findings")


SHUTDOWN_TIMEOUT_S = 8.0


def run_service(
    name: str,
    main: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
    *,
    migrations: Path | None = None,
    database_url: str | None = None,
) -> None:
    """Run `main` until SIGINT/SIGTERM sets its stop event; migrate the schema first.

    Shutdown is bounded: work still in flight after `SHUTDOWN_TIMEOUT_S` is abandoned
    (its offsets are not committed, so it is redelivered: at least once holds).
    """
    configure_logging(name)

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        if migrations is not None and database_url is not None:
            await migrate(migrations, database_url)
        log.info("%s service starting", name)
        service = asyncio.create_task(main(stop))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({service, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        try:
            await asyncio.wait_for(service, SHUTDOWN_TIMEOUT_S)
        except TimeoutError:
            log.warning("%s: abandoning work still in flight after %ss", name, SHUTDOWN_TIMEOUT_S)
        log.info("%s service stopped", name)

    asyncio.run(runner())
