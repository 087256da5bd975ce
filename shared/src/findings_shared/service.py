"""Process entry for every service: logging, signals, migrations, then the service."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from findings_shared.database import ServiceSchema, migrate, wait_for_schema
from findings_shared.logs import configure_logging
from findings_shared.settings import DatabaseSettings
from findings_shared.telemetry import configure_tracing

log = logging.getLogger("findings")


SHUTDOWN_TIMEOUT_S = 8.0


def run_service(
    name: str,
    main: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
    *,
    schema: ServiceSchema | None = None,
    database: DatabaseSettings | None = None,
) -> None:
    """Run `main` until SIGINT/SIGTERM sets its stop event; first migrate the service's
    schema, or wait for it to be migrated (`migrate_on_start` false).

    `python -m findings_<service> migrate` only applies the migrations and exits (the
    migration job of a deployment).

    Shutdown is bounded: work still in flight after `SHUTDOWN_TIMEOUT_S` is abandoned
    (its offsets are not committed, so it is redelivered: at least once holds).
    """
    configure_logging(name)
    if sys.argv[1:] == ["migrate"]:
        if schema is None or database is None:
            sys.exit(f"the {name} service has no schema to migrate")
        asyncio.run(migrate(schema.migrations, database.url))
        log.info("schema %s migrated to %s", schema.name, ", ".join(sorted(schema.heads())))
        return

    tracing = configure_tracing(name)

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        if schema is not None and database is not None:
            if database.migrate_on_start:
                await migrate(schema.migrations, database.url)
            else:
                waiting = asyncio.create_task(wait_for_schema(schema, database))
                stopping = asyncio.create_task(stop.wait())
                await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if stop.is_set():
                    waiting.cancel()
                    return
                stopping.cancel()
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

    try:
        asyncio.run(runner())
    finally:
        if tracing is not None:
            tracing.shutdown()  # the spans still batched are sent
