"""Imported first by every service's entry point, before its heavy imports: a SIGTERM
that arrives while the service is still starting ends it cleanly (nothing to undo yet).
`run_service` installs the real handlers once the event loop runs. A service started by
`findings up` ends with it, even if it is killed outright."""

import signal
import sys

from findings_shared.lifetime import end_with_supervisor


def _exit_cleanly(signum: int, _frame: object) -> None:
    sys.exit(0)


signal.signal(signal.SIGTERM, _exit_cleanly)

end_with_supervisor()
