"""ingest against the real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from pathlib import Path

import pytest
from sqlalchemy import text

from findings_cli.embedded import EmbeddedKafka
from findings_ingest.adapters.broker_memory import BrokerMemory, marker_topic
from findings_ingest.adapters.repository import PendingReport
from findings_ingest.app import ingest_of, recover_lost_events, run
from findings_ingest.migrations_path import MIGRATIONS
from findings_ingest.settings import IngestSettings
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.events import ReportReceived, ReportReplaced, ReportStored, Topics
from findings_shared.kafka import ensure_topics, make_broker
from findings_shared.settings import DatabaseSettings, KafkaSettings
from tests.conftest import REPORTS, copy_fixture, expect_events, publish, running, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
async def settings(
    tmp_path: Path, kafka_settings: KafkaSettings, database_settings: DatabaseSettings
) -> IngestSettings:
    await migrate(MIGRATIONS, database_settings.url)
    await ensure_topics(kafka_settings, Topics(namespace=kafka_settings.topic_namespace).all())
    return IngestSettings(
        inbox=tmp_path / "inbox",
        poll_interval_s=0.1,
        settle_s=0.3,
        max_file_bytes=2_000_000,
        kafka=kafka_settings,
        database=database_settings,
    )


async def ledger(settings: IngestSettings, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(settings.database)
    async with engine.connect() as connection:
        rows = [tuple(row) for row in await connection.execute(text(sql))]
    await engine.dispose()
    return rows


async def received(settings: IngestSettings, count: int) -> list[ReportReceived]:
    topic = Topics(namespace=settings.kafka.topic_namespace).received
    values = await expect_events(settings.kafka.bootstrap_servers, topic, count)
    return [ReportReceived.model_validate_json(value) for value in values]


async def test_reports_are_announced_once_per_content(settings: IngestSettings) -> None:
    letter = "letter_wandsworth_2011-07-07.txt"
    copy_fixture(letter, settings.inbox)  # present before the service starts
    async with running(lambda stop: run(settings, stop)):
        pdf = copy_fixture("inspection_salford_2018-11-12.pdf", settings.inbox)
        copy_fixture(letter, settings.inbox, as_name="the same letter again.txt")
        copy_fixture(letter, settings.inbox / "sub", as_name="and again.txt")
        (settings.inbox / "empty.pdf").write_bytes(b"")
        (settings.inbox / "page.pdf").write_text("<!DOCTYPE html><html>error</html>")
        (settings.inbox / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
        (settings.inbox / "huge.pdf").write_bytes(b"%PDF-1.7" + b"0" * settings.max_file_bytes)
        events = await received(settings, 2)
        await asyncio.sleep(1)

    assert len(events) == 2
    by_name = {event.name: event for event in events}
    assert set(by_name) == {letter, pdf.name}
    pdf_event = by_name[pdf.name]
    assert pdf_event.report_id == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert pdf_event.sha256 == pdf_event.report_id
    assert pdf_event.content_type == "application/pdf"
    assert pdf_event.object_uri == pdf.resolve().as_uri()
    assert pdf_event.size == pdf.stat().st_size
    assert by_name[letter].content_type == "text/plain"

    objects = await ledger(
        settings, "select name, status, reason from ingest.objects order by name"
    )
    assert [(name, status) for name, status, _ in objects] == [
        ("and again.txt", "accepted"),
        ("empty.pdf", "rejected"),
        ("huge.pdf", "rejected"),
        ("inspection_salford_2018-11-12.pdf", "accepted"),
        ("letter_wandsworth_2011-07-07.txt", "accepted"),
        ("page.pdf", "rejected"),
        ("photo.jpg", "rejected"),
        ("the same letter again.txt", "accepted"),
    ]
    reasons = {name: reason for name, _, reason in objects}
    assert reasons["empty.pdf"] == "the file is empty"
    assert "over the 2000000-byte limit" in str(reasons["huge.pdf"])
    assert "HTML page" in str(reasons["page.pdf"])
    assert "only PDF and .txt" in str(reasons["photo.jpg"])
    reports = await ledger(settings, "select status, announce_count from ingest.reports")
    assert sorted(reports) == [("announced", 1), ("announced", 1)]


async def test_two_new_files_of_the_same_bytes_taken_together_are_one_report(
    settings: IngestSettings,
) -> None:
    """Files there before the start are taken together, in one ledger transaction: the
    same new bytes in two of them are one report, announced once."""
    letter = "letter_wandsworth_2011-07-07.txt"
    copy_fixture(letter, settings.inbox)
    copy_fixture(letter, settings.inbox, as_name="the same letter.txt")
    copy_fixture("inspection_salford_2018-11-12.pdf", settings.inbox)
    async with running(lambda stop: run(settings, stop)):
        events = await received(settings, 2)
        await asyncio.sleep(1)
    assert len(events) == 2
    assert len({event.report_id for event in events}) == 2
    objects = await ledger(settings, "select status from ingest.objects")
    assert objects == [("accepted",)] * 3
    reports = await ledger(settings, "select status, announce_count from ingest.reports")
    assert sorted(reports) == [("announced", 1), ("announced", 1)]


async def test_a_pdf_written_slowly_is_announced_once_complete(settings: IngestSettings) -> None:
    content = (REPORTS / "inspection_salford_2018-11-12.pdf").read_bytes()
    target = settings.inbox / "slow.pdf"
    settings.inbox.mkdir(parents=True)
    async with running(lambda stop: run(settings, stop)):
        with target.open("wb") as fh:
            step = len(content) // 8
            for start in range(0, len(content), step):
                fh.write(content[start : start + step])
                fh.flush()
                # A stalling copy: each pause is twice the settle time, so every partial
                # version settles; none ends like a PDF, so none is taken.
                await asyncio.sleep(2 * settings.settle_s)
        events = await received(settings, 1)
        await asyncio.sleep(1)
    assert [event.report_id for event in events] == [hashlib.sha256(content).hexdigest()]
    assert await ledger(settings, "select count(*) from ingest.reports") == [(1,)]


@pytest.mark.parametrize("relative", [False, True], ids=["absolute-inbox", "relative-inbox"])
async def test_a_watched_folder_is_taken_from_its_change_notifications(
    settings: IngestSettings, relative: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a settle time and a listing interval of a minute, only the kernel's change
    notifications can have a file announced within the test. The default inbox is a
    relative path (`inbox`); notifications name absolute ones."""
    patient = settings.model_copy(
        update={"settle_s": 60.0, "rescan_interval_s": 60.0, "event_settle_s": 0.2}
    )
    if relative:
        monkeypatch.chdir(settings.inbox.parent)
        patient = patient.model_copy(update={"inbox": Path(settings.inbox.name)})
    settings.inbox.mkdir(parents=True)
    async with running(lambda stop: run(patient, stop)):
        await asyncio.sleep(1)  # the first listing is done: the inbox is empty
        letter = copy_fixture("letter_wandsworth_2011-07-07.txt", settings.inbox / "sub")
        staged = settings.inbox / ".staging.pdf"
        staged.write_bytes((REPORTS / "inspection_salford_2018-11-12.pdf").read_bytes())
        moved = staged.rename(settings.inbox / "moved in.pdf")
        events = await received(settings, 2)
    assert {event.name for event in events} == {letter.name, moved.name}


async def test_a_file_that_changes_after_it_was_taken_withdraws_its_report(
    settings: IngestSettings,
) -> None:
    """A text file has no end marker: a slow writer's partial copy is taken, then replaced
    by the complete one, and the partial report is withdrawn."""
    topics = Topics(namespace=settings.kafka.topic_namespace)
    content = (REPORTS / "letter_wandsworth_2011-07-07.txt").read_bytes()
    target = settings.inbox / "letter.txt"
    settings.inbox.mkdir(parents=True)
    async with running(lambda stop: run(settings, stop)):
        target.write_bytes(content[: len(content) // 2])
        [partial] = await received(settings, 1)
        target.write_bytes(content)
        events = await received(settings, 2)
        notices = await expect_events(settings.kafka.bootstrap_servers, topics.replaced, 1)
    whole = hashlib.sha256(content).hexdigest()
    assert [event.report_id for event in events] == [partial.report_id, whole]
    [notice] = [ReportReplaced.model_validate_json(value) for value in notices]
    assert (notice.report_id, notice.replaced_by) == (partial.report_id, whole)
    assert notice.object_uri == target.resolve().as_uri()
    rows = await ledger(settings, "select report_id, status, replaced_by from ingest.reports")
    assert sorted(rows) == sorted(
        [(partial.report_id, "replaced", whole), (whole, "announced", None)]
    )


async def test_a_withdrawn_content_taken_again_is_a_report_again(settings: IngestSettings) -> None:
    first = (REPORTS / "letter_wandsworth_2011-07-07.txt").read_bytes()
    second = (REPORTS / "letter_wolverhampton_2010-10-13.txt").read_bytes()
    target = settings.inbox / "letter.txt"
    settings.inbox.mkdir(parents=True)
    async with running(lambda stop: run(settings, stop)):
        target.write_bytes(first)
        await received(settings, 1)
        target.write_bytes(second)
        await received(settings, 2)
        target.write_bytes(first)  # put back: the first report is live again
        events = await received(settings, 3)
    assert [event.report_id for event in events] == [
        hashlib.sha256(first).hexdigest(),
        hashlib.sha256(second).hexdigest(),
        hashlib.sha256(first).hexdigest(),
    ]
    assert events[2].received_at > events[0].received_at
    rows = await ledger(settings, "select status from ingest.reports order by received_at")
    assert rows == [("replaced",), ("announced",)]


async def test_a_restart_of_ingest_alone_announces_nothing_again(
    settings: IngestSettings,
) -> None:
    copy_fixture("letter_wolverhampton_2010-10-13.txt", settings.inbox)
    async with running(lambda stop: run(settings, stop)):
        first = await received(settings, 1)
    # The broker kept the announcement: a restart does not repeat it. A file dropped after
    # the restart shows the restarted service has made its passes over the inbox.
    async with running(lambda stop: run(settings, stop)):
        copy_fixture("letter_wandsworth_2011-07-07.txt", settings.inbox)
        events = await received(settings, 2)
    assert events[0].event_id == first[0].event_id
    assert [event.name for event in events] == [
        "letter_wolverhampton_2010-10-13.txt",
        "letter_wandsworth_2011-07-07.txt",
    ]
    counts = await ledger(settings, "select announce_count from ingest.reports")
    assert counts == [(1,), (1,)]


async def test_a_broker_that_lost_its_data_gets_every_unfinished_report_again(
    settings: IngestSettings,
) -> None:
    own_broker = EmbeddedKafka().start()  # this test restarts it
    kafka = settings.kafka.model_copy(
        update={"bootstrap_servers": own_broker.bootstrap_servers, "topic_check_interval_s": 1}
    )
    on_own_broker = settings.model_copy(update={"kafka": kafka})
    topics = Topics(namespace=kafka.topic_namespace)
    copy_fixture("letter_wolverhampton_2010-10-13.txt", settings.inbox)
    copy_fixture("letter_wandsworth_2011-07-07.txt", settings.inbox)
    try:
        async with running(lambda stop: run(on_own_broker, stop)):
            first = await received(on_own_broker, 2)
            broker = make_broker(kafka)
            await broker.start()
            done = first[0]
            stored = ReportStored(
                report_id=done.report_id,
                parser_version="0.2.0",
                finding_count=1,
                stored_at=done.received_at,
            )
            await publish(broker, topics.stored, stored)
            await broker.stop()

            async def one_stored() -> bool:
                statuses = await ledger(settings, "select status from ingest.reports")
                return sorted(statuses) == [("announced",), ("stored",)]

            await wait_until(one_stored)
            own_broker.kill()  # memory storage: every topic, event and offset is gone
            own_broker.start()
            again = await received(on_own_broker, 1)
    finally:
        own_broker.stop()
    # Only the report without an outcome, at once (not after reannounce_after_s = 120 s);
    # the lost announcement does not count as an attempt.
    assert [(event.report_id, event.attempt) for event in again] == [(first[1].report_id, 1)]


async def test_after_a_broker_loss_the_announcements_land_before_the_topics_are_back(
    settings: IngestSettings,
) -> None:
    """Found by the third 10,000-report soak: the broker acknowledged and dropped the
    announcements sent before its topics were created again, and each loss counted as an
    attempt, so the reports waited many minutes (and could become `stuck`)."""
    own_broker = EmbeddedKafka().start()  # this test restarts it
    kafka = settings.kafka.model_copy(update={"bootstrap_servers": own_broker.bootstrap_servers})
    on_own_broker = settings.model_copy(update={"kafka": kafka})
    copy_fixture("letter_wolverhampton_2010-10-13.txt", settings.inbox)
    engine = make_engine(settings.database)
    try:
        async with running(lambda stop: run(on_own_broker, stop)):
            [first] = await received(on_own_broker, 1)
        broker = make_broker(kafka)
        await broker.start()
        try:
            # A producer that has sent to the topic before knows it; after the loss the
            # broker acknowledges what it sends there and keeps nothing.
            await publish(broker, Topics(namespace=kafka.topic_namespace).received, first)
            own_broker.kill()  # every topic, event and offset is gone; none is recreated
            own_broker.start()
            ingest = ingest_of(on_own_broker, broker, make_sessionmaker(engine))
            memory = BrokerMemory(kafka, broker)
            assert await recover_lost_events(ingest, memory) == 1
            again = await received(on_own_broker, 1)
            assert not await memory.lost()  # the marker landed too: no second recovery
        finally:
            await broker.stop()
    finally:
        own_broker.stop()
        await engine.dispose()
    assert [(event.report_id, event.attempt) for event in again] == [(first.report_id, 1)]
    assert await ledger(settings, "select status, announce_count from ingest.reports") == [
        ("announced", 1)
    ]


async def test_a_report_never_stored_becomes_stuck_after_its_announcements(
    settings: IngestSettings,
) -> None:
    copy_fixture("letter_wolverhampton_2010-10-13.txt", settings.inbox)
    impatient = settings.model_copy(update={"reannounce_after_s": 0.5, "max_announcements": 4})
    async with running(lambda stop: run(impatient, stop)):

        async def is_stuck() -> bool:
            return await ledger(settings, "select status from ingest.reports") == [("stuck",)]

        await wait_until(is_stuck, timeout_s=30)
    events = sorted(await received(settings, 4), key=lambda event: event.attempt)
    assert [event.attempt for event in events] == [1, 2, 3, 4]
    # The wait doubles after each announcement (0.5 s, 1 s, 2 s, checked every 0.5 s).
    times = [event.occurred_at.timestamp() for event in events]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps[2] > 1.5 * gaps[0], gaps
    [(reason, count)] = await ledger(settings, "select reason, announce_count from ingest.reports")
    assert reason == "announced 4 times without being stored or failed"
    assert count == 4


async def test_an_ingest_killed_while_announcing_after_a_broker_loss_storms_nothing(
    settings: IngestSettings,
) -> None:
    """Found by the 10,000-report soak: killed while announcing thousands again, ingest
    took the broker for lost on every restart and announced everything once more."""
    copy_fixture("letter_wolverhampton_2010-10-13.txt", settings.inbox)
    copy_fixture("letter_wandsworth_2011-07-07.txt", settings.inbox)
    async with running(lambda stop: run(settings, stop)):
        await received(settings, 2)  # both announced; the marker is written
    broker = make_broker(settings.kafka)
    await broker.start()
    engine = make_engine(settings.database)
    try:
        # A broker that lost its data: a marker topic of its own, empty.
        lost_kafka = settings.kafka.model_copy(
            update={"topic_namespace": "lost-" + str(id(engine))}
        )
        await ensure_topics(lost_kafka, [marker_topic(lost_kafka.topic_namespace)])
        ingest = ingest_of(settings, broker, make_sessionmaker(engine))
        memory = BrokerMemory(lost_kafka, broker)
        announced: list[str] = []
        announce = ingest.announce

        async def killed_after_one(report: PendingReport) -> None:
            if announced:
                raise SystemExit("killed")  # the process dies mid-way
            announced.append(report.report_id)
            await announce(report)

        ingest.announce = killed_after_one  # type: ignore[method-assign]
        with pytest.raises(SystemExit):
            await recover_lost_events(ingest, memory)
        # The rest is still to announce, durably, and the broker is not taken for lost again.
        statuses = await ledger(settings, "select status from ingest.reports order by status")
        assert statuses == [("announced",), ("pending",)]
        assert not await memory.lost()
        assert await recover_lost_events(ingest, memory) == 0
    finally:
        await broker.stop()
        await engine.dispose()


async def test_nothing_is_announced_again_while_outcomes_keep_coming(
    settings: IngestSettings,
) -> None:
    """A backlog, not a loss: while other reports' outcomes keep arriving, a report whose
    own has not come yet waits in the queue; announced again only once they stop. (At
    20,000 reports dropped at once, announcing again on a timer alone sent 55,000.)"""
    copy_fixture("letter_wolverhampton_2010-10-13.txt", settings.inbox)
    impatient = settings.model_copy(update={"reannounce_after_s": 1.0})
    topics = Topics(namespace=settings.kafka.topic_namespace)
    broker = make_broker(settings.kafka)
    await broker.start()
    try:
        async with running(lambda stop: run(impatient, stop)):
            [first] = await received(settings, 1)
            # Four seconds of other reports stored (four times the wait), one every 0.3 s.
            for index in range(14):
                other = ReportStored(
                    report_id=f"{index:064x}",
                    parser_version="0",
                    finding_count=1,
                    stored_at=first.received_at,
                )
                await publish(broker, topics.stored, other)
                await asyncio.sleep(0.3)
            assert await ledger(settings, "select announce_count from ingest.reports") == [(1,)]
            # They stop: the report is announced again after the wait.
            again = await received(settings, 2)
    finally:
        await broker.stop()
    assert sorted(event.attempt for event in again) == [1, 2]
    assert {event.report_id for event in again} == {first.report_id}
