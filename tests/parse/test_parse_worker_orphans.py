"""A parse service killed outright leaves no worker process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

# A service's pool, busy: the child prints its workers' ids and its resource tracker's.
SERVICE = """
import multiprocessing.resource_tracker as tracker, sys, time
from findings_parse.worker import worker_pool
pool = worker_pool(2, 512 * 1024 * 1024)
list(pool.map(time.sleep, [0.1, 0.1]))  # both workers started
print(*pool._processes, tracker._resource_tracker._pid, flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has died; its parent has not reaped it yet


def test_workers_and_their_resource_tracker_die_with_a_killed_service() -> None:
    service = subprocess.Popen([sys.executable, "-c", SERVICE], stdout=subprocess.PIPE, text=True)
    assert service.stdout is not None
    children = [int(pid) for pid in service.stdout.readline().split() if pid != "None"]
    assert len(children) >= 2
    assert all(alive(pid) for pid in children)
    os.kill(service.pid, signal.SIGKILL)
    service.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in children if alive(pid)]
