"""The retry/dead-letter rules, without a broker."""

from __future__ import annotations

import time

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError

from findings_shared.reliability import (
    DeadLetterBreaker,
    Health,
    InvalidEvent,
    backoff_s,
    decode_event,
    is_transient,
)


def test_outages_are_transient_and_bad_data_is_not() -> None:
    refused = ConnectionRefusedError(111, "Connection refused")
    assert is_transient(refused)
    assert is_transient(KafkaConnectionError())
    assert is_transient(OperationalError("select 1", {}, refused))
    wrapped = RuntimeError("while storing")
    wrapped.__cause__ = asyncpg.exceptions.ConnectionDoesNotExistError("gone")
    assert is_transient(wrapped)
    # PostgreSQL stopping, or a transaction to try again: by SQLSTATE, through the chain.
    for server_state in (
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),
    ):
        storing = RuntimeError("while storing")
        storing.__cause__ = server_state
        assert is_transient(storing), server_state
    assert not is_transient(asyncpg.exceptions.UniqueViolationError("duplicate key"))
    assert not is_transient(IntegrityError("insert", {}, ValueError("duplicate key")))
    assert not is_transient(KeyError("judgements"))
    assert not is_transient(InvalidEvent("not a valid ReportParsedEvent"))


def test_backoff_doubles_up_to_its_ceiling() -> None:
    assert [backoff_s(0.5, 5, n) for n in range(1, 7)] == [0.5, 1, 2, 4, 5, 5]


def test_invalid_events_say_what_is_wrong() -> None:
    class Event(BaseModel):
        report_id: str
        size: int

    with pytest.raises(InvalidEvent, match=r"not a valid Event: size: .*integer"):
        decode_event(Event, b'{"report_id": "a", "size": "big"}')
    with pytest.raises(InvalidEvent, match="not a valid Event"):
        decode_event(Event, b"{not json")


def test_the_breaker_opens_on_mostly_dead_letters_only() -> None:
    breaker = DeadLetterBreaker(window=10, threshold=0.8, min_outcomes=5, cooldown_s=60)
    outcomes = [True] * 4 + [False, False] + [True] * 3
    for dead_letter in outcomes:
        breaker.record(dead_letter, "object_missing")
    assert not breaker.is_open  # 7 of 9 is under 0.8 (and 4 of 4 was too few to judge)
    breaker.record(True, "object_missing")
    assert breaker.is_open
    assert "8 of the last 10 messages were dead-lettered (last: object_missing)" in (
        breaker.describe()
    )
    assert 59 < breaker.waiting_s() <= 60


def test_a_poison_batch_among_good_reports_does_not_open_the_breaker() -> None:
    breaker = DeadLetterBreaker(window=50, threshold=0.8, min_outcomes=20)
    for index in range(60):
        breaker.record(index % 3 == 0, "unreadable_report")  # a third are bad files
    assert not breaker.is_open


def test_a_half_open_breaker_closes_on_success_and_reopens_on_failure() -> None:
    breaker = DeadLetterBreaker(window=4, threshold=0.75, min_outcomes=4, cooldown_s=0.05)
    for _ in range(4):
        breaker.record(True, "x")
    assert breaker.is_open
    time.sleep(0.06)
    assert breaker.waiting_s() == 0  # half-open: the next message is tried
    breaker.record(True, "x")
    assert breaker.waiting_s() > 0  # the trial failed: wait again
    time.sleep(0.06)
    breaker.record(False)
    assert not breaker.is_open
    assert list(breaker.outcomes) == [False]


def test_health_reports_retrying_as_degraded_and_an_open_breaker_as_unhealthy() -> None:
    health = Health("store", DeadLetterBreaker(window=2, threshold=1.0, min_outcomes=2))
    assert health.status == "ok"
    health.retrying(ConnectionRefusedError("database away"))
    assert health.snapshot()["status"] == "degraded"
    assert "retrying for" in health.snapshot()["problems"][0]
    health.succeeded()
    assert health.snapshot()["status"] == "ok"
    health.dead_letter("a", "t")
    health.dead_letter("b", "t")
    snapshot = health.snapshot()
    assert snapshot["status"] == "unhealthy"
    assert snapshot["dead_lettered"] == 2
