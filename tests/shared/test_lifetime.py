"""A service started by a supervisor ends with it, even when the supervisor is killed; what
a service made at start-up is out of the garbage collector's sight while it runs."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time

from findings_shared.lifetime import CONSUMER_YOUNG_COLLECTION, frozen_start_up
from tests.parse.test_parse_worker_orphans import alive

# A supervisor that starts one "service" (the services' first import, then a long wait).
SUPERVISOR = """
import os, subprocess, sys, time
from findings_shared.lifetime import PARENT_PID_VARIABLE
env = dict(os.environ, **{PARENT_PID_VARIABLE: str(os.getpid())})
code = "import findings_shared.early, time; print('up', flush=True); time.sleep(600)"
service = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
service.stdout.readline()
print(service.pid, flush=True)
time.sleep(600)
"""


def test_a_service_ends_with_its_killed_supervisor() -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR], stdout=subprocess.PIPE, text=True
    )
    assert supervisor.stdout is not None
    service = int(supervisor.stdout.readline())
    assert alive(service)
    os.kill(supervisor.pid, signal.SIGKILL)
    supervisor.wait()
    deadline = time.monotonic() + 10
    while alive(service) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(service)


def test_start_up_is_frozen_and_collected_rarely_while_a_consumer_runs() -> None:
    before = gc.get_threshold()
    made_at_start_up = [[index] for index in range(1000)]
    with frozen_start_up(CONSUMER_YOUNG_COLLECTION):
        assert gc.get_freeze_count() >= len(made_at_start_up)
        assert gc.get_threshold() == (CONSUMER_YOUNG_COLLECTION, *before[1:])
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
    with frozen_start_up():  # the API's: frozen, collected as Python would
        assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
