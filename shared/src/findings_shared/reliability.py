"""What a consumer does when handling a message fails: retry, dead-letter or stop.

- Transient failures (database, broker or bucket unreachable) are retried with an
  exponential back-off, for as long as the outage lasts; nothing is dead-lettered.
- Permanent failures (a schema-invalid event, a file that cannot be parsed) and errors
  that repeat `max_attempts` times on one message go to the dead letters (the *failed*
  topic), with their attempt count, and the consumer goes on.
- The dead-letter circuit breaker: when most recent messages end as dead letters,
  something is wrong beyond the messages (a wiped bucket, a bad release). The service
  stops consuming instead of dead-lettering everything, reports itself unhealthy and
  logs an alert; after a cool-down it tries again (half-open).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from aiokafka.errors import KafkaError
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from findings_shared.metrics import DEAD_LETTERED

log = logging.getLogger("findings.reliability")

Status = Literal["ok", "degraded", "unhealthy"]
EventModel = TypeVar("EventModel", bound=BaseModel)


class PermanentError(Exception):
    """Retrying cannot help: the message goes to the dead letters at once."""


class InvalidEvent(PermanentError):
    """A message that is not a valid event of the topic's contract."""


class TransientError(Exception):
    """Something the message needs is away for now: retry it later, fail nothing."""


class CircuitOpen(TransientError):
    """The dead-letter circuit breaker is open: consumption waits."""


def decode_event(model: type[EventModel], body: bytes) -> EventModel:
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "body"
        raise InvalidEvent(f"not a valid {model.__name__}: {where}: {problem['msg']}") from error


# PostgreSQL's classes of error that are the server's state, not the message's (SQLSTATE's
# first two characters): a connection lost (08), a transaction to try again (40:
# serialization failure, deadlock), resources exhausted (53: too many connections, disk
# full), the server shutting down or starting (57: "the database system is shutting down",
# met by a write that connects while PostgreSQL stops).
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57"})


def is_transient(error: BaseException) -> bool:
    """An outage rather than a bad message: look through the whole cause chain."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, TransientError | KafkaError | OSError | TimeoutError):
            return True
        if isinstance(seen, OperationalError | InterfaceError):
            return True
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        if type(seen).__module__.startswith("asyncpg") and "Connection" in type(seen).__name__:
            return True
        sqlstate = getattr(seen, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def backoff_s(base_s: float, max_s: float, consecutive_failures: int) -> float:
    return float(min(max_s, base_s * 2 ** max(0, consecutive_failures - 1)))


@dataclass
class DeadLetterBreaker:
    """Opens when at least `threshold` of the last `window` outcomes were dead letters
    (and at least `min_outcomes` were seen). A threshold above 1 disables it."""

    window: int = 50
    threshold: float = 0.8
    min_outcomes: int = 20
    cooldown_s: float = 60.0
    outcomes: deque[bool] = field(default_factory=deque)
    opened_at: float | None = None
    last_reason: str = ""

    def record(self, dead_letter: bool, reason: str = "") -> None:
        if self.opened_at is not None and not dead_letter:
            log.warning("dead-letter circuit closed: a message went through")
            self.opened_at = None
            self.outcomes.clear()
        self.outcomes.append(dead_letter)
        while len(self.outcomes) > self.window:
            self.outcomes.popleft()
        if dead_letter:
            self.last_reason = reason
            if self.opened_at is None and self._tripped():
                self.opened_at = time.monotonic()
                log.error("ALERT: dead-letter circuit open: %s", self.describe())
            elif self.opened_at is not None:
                self.opened_at = time.monotonic()  # the half-open trial failed

    def _tripped(self) -> bool:
        failures = sum(self.outcomes)
        return len(self.outcomes) >= self.min_outcomes and failures >= self.threshold * len(
            self.outcomes
        )

    @property
    def is_open(self) -> bool:
        return self.opened_at is not None

    def waiting_s(self) -> float:
        """How long consumption should still wait; 0 once the cool-down is over."""
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.opened_at + self.cooldown_s - time.monotonic())

    def describe(self) -> str:
        return (
            f"{sum(self.outcomes)} of the last {len(self.outcomes)} messages were dead-lettered"
            f" (last: {self.last_reason}); consumption paused, retried every"
            f" {self.cooldown_s:g} s"
        )


@dataclass
class Health:
    """What a service tells its /health endpoint and its operators."""

    service: str
    breaker: DeadLetterBreaker = field(default_factory=DeadLetterBreaker)
    started_at: float = field(default_factory=time.time)
    processed: int = 0
    dead_lettered: int = 0
    retrying_since: float | None = None
    last_error: str | None = None

    @property
    def status(self) -> Status:
        if self.breaker.is_open:
            return "unhealthy"
        return "degraded" if self.retrying_since is not None else "ok"

    def succeeded(self, count: int = 1) -> None:
        self.processed += count
        self.retrying_since = None
        for _ in range(count):
            self.breaker.record(False)

    def retrying(self, error: BaseException) -> None:
        self.last_error = f"{type(error).__name__}: {error}"
        if self.retrying_since is None:
            self.retrying_since = time.time()

    def dead_letter(self, reason: str, topic: str) -> None:
        """A message of `topic` given up on (published to the failed topic, or dropped)."""
        self.dead_lettered += 1
        DEAD_LETTERED.labels(topic).inc()
        self.breaker.record(True, reason)

    def snapshot(self) -> dict[str, Any]:
        problems = []
        if self.breaker.is_open:
            problems.append(self.breaker.describe())
        if self.retrying_since is not None:
            since = time.time() - self.retrying_since
            problems.append(f"retrying for {since:.0f} s: {self.last_error}")
        return {
            "service": self.service,
            "status": self.status,
            "problems": problems,
            "processed": self.processed,
            "dead_lettered": self.dead_lettered,
            "uptime_s": round(time.time() - self.started_at, 1),
        }
