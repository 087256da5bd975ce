"""Imported first by every service's entry point, before its heavy imports: a SIGTERM
that arrives while the service is still starting ends it cleanly (nothing to undo yet).
`run_service` installs the real handlers once the event loop runs."""

import signal
import sys


def _exit_cleanly(signum: int, _frame: object) -> None:
    sys.exit(0)


signal.signal(signal.SIGTERM, _exit_cleanly)
