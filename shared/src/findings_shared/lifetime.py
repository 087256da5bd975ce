"""How long things live: processes that end with the process that started them, and what
a service made at start-up, which lives as long as its process.

A supervisor or a service killed outright (SIGKILL, an OOM kill) has no time to stop its
children: on Linux the kernel can signal each child when its parent dies
(PR_SET_PDEATHSIG); a thread that watches the parent covers other systems.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import threading
import time
from collections.abc import Iterator

# A consumer's young collection after this many more container objects than were freed,
# rather than Python's 700: one validated event holds some 800 of them (a report's
# findings, tags and tones), a batch of store's 20 some 16,000, so the default collected
# about twenty times a batch, each walking what the batch still held, for cycles that
# hardly ever form. Store spent 0.4 of its 3.6 CPU-s per 1,000 reports collecting
# (`make bench-store`).
CONSUMER_YOUNG_COLLECTION = 50_000


@contextlib.contextmanager
def frozen_start_up(young_collection: int | None = None) -> Iterator[None]:
    """Everything made so far (the libraries' modules, Ofsted's records, routes and
    handlers) out of the garbage collector's sight while the service runs: a full
    collection no longer walks it. It paused the API's requests by 40-80 ms at 20,000
    reports and made store's validation of events nearly twice as costly. With
    `young_collection`, the youngest generation is collected that much more rarely.
    Both undone after, so that a service started again in the same process (the tests)
    starts from Python's own settings."""
    gc.collect()
    gc.freeze()
    thresholds = gc.get_threshold()
    if young_collection is not None:
        gc.set_threshold(young_collection, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


# Set by a supervisor (`findings up`) in its services' environment: its own process id.
PARENT_PID_VARIABLE = "FINDINGS_PARENT_PID"
_PR_SET_PDEATHSIG = 1
_PARENT_CHECK_S = 1.0


def end_with_parent(parent_pid: int, signum: int = signal.SIGTERM) -> None:
    """Receive `signum` when the parent dies; exit at once if it already has."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the thread alone
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)
    if os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the kernel could be asked

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_PARENT_CHECK_S)
        os.kill(os.getpid(), signum)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def end_with_supervisor() -> None:
    """For a service: end with the supervisor that started it, if one did."""
    parent = os.environ.get(PARENT_PID_VARIABLE)
    if parent and parent.isdigit():
        end_with_parent(int(parent))
