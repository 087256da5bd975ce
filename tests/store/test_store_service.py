"""store against the real broker and PostgreSQL: idempotent, versioned, stored after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text

from findings_parse.core.parser import PARSER_VERSION, parse_report
from findings_shared.database import make_engine, make_sessionmaker, migrate
from findings_shared.events import (
    ReportFailed,
    ReportParsedEvent,
    ReportReplaced,
    ReportStored,
    Stage,
    Topics,
)
from findings_shared.kafka import Record, ensure_topics, make_broker
from findings_shared.logs import ContextFields
from findings_shared.settings import DatabaseSettings, KafkaSettings
from findings_store import app
from findings_store.app import Store, run
from findings_store.migrations_path import MIGRATIONS
from findings_store.settings import StoreSettings
from tests.conftest import REPORTS, expect_events, publish, running, wait_until

pytestmark = pytest.mark.integration


async def rows(settings: DatabaseSettings, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(settings)
    async with engine.connect() as connection:
        result = [tuple(row) for row in await connection.execute(text(sql))]
    await engine.dispose()
    return result


async def test_store_is_idempotent_and_replaces_older_parser_versions(
    kafka_settings: KafkaSettings, database_settings: DatabaseSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    await migrate(MIGRATIONS, database_settings.url)
    path = REPORTS / "inspection_wandsworth_2023-01-13.pdf"
    report = parse_report(path.read_bytes(), path.name)
    uri = path.resolve().as_uri()
    first = ReportParsedEvent(report_id=report.report_id, object_uri=uri, report=report)
    # A version after the parser's own, whatever it is now.
    newer_version = f"{int(PARSER_VERSION.split('.')[0]) + 1}.0.0"
    newer = ReportParsedEvent(
        report_id=report.report_id,
        object_uri=uri,
        report=report.model_copy(
            update={"parser_version": newer_version, "findings": report.findings[:5]}
        ),
    )
    older = ReportParsedEvent(
        report_id=report.report_id,
        object_uri=uri,
        report=report.model_copy(update={"parser_version": "0.0.9", "findings": []}),
    )
    failure = ReportFailed(
        report_id="f" * 64,
        object_uri="file:///x.pdf",
        stage=Stage.PARSE,
        error_type="unreadable_report",
        reason="the file is empty",
    )
    broker = make_broker(kafka_settings)
    await broker.start()
    for event in (first, first, first):  # redelivery
        await publish(broker, topics.parsed, event)
    for _ in range(2):
        await publish(broker, topics.failed, failure)

    settings = StoreSettings(kafka=kafka_settings, database=database_settings)
    async with running(lambda stop: run(settings, stop)):
        stored = await expect_events(kafka_settings.bootstrap_servers, topics.stored, 3)
        counts = await rows(
            database_settings,
            "select (select count(*) from store.reports), (select count(*) from store.findings),"
            " (select count(*) from store.judgements), (select count(*) from store.failures)",
        )
        assert counts == [(1, 51, 4, 1)]
        # Each transaction that stored counted a change: the API's cached aggregates go.
        [(first_version,)] = await rows(database_settings, "select version from store.changes")
        assert isinstance(first_version, int)
        assert first_version >= 1

        await publish(broker, topics.parsed, newer)
        await publish(broker, topics.parsed, older)
        stored = await expect_events(kafka_settings.bootstrap_servers, topics.stored, 5)
    await broker.stop()
    [(last_version,)] = await rows(database_settings, "select version from store.changes")
    assert isinstance(last_version, int)
    assert last_version > first_version

    outcomes = [ReportStored.model_validate_json(v) for v in stored]
    assert [(o.parser_version, o.finding_count) for o in outcomes] == [
        (PARSER_VERSION, 51),
        (PARSER_VERSION, 51),
        (PARSER_VERSION, 51),
        (newer_version, 5),
        (newer_version, 5),  # the older version changed nothing
    ]
    assert await rows(
        database_settings, "select parser_version, finding_count from store.reports"
    ) == [(newer_version, 5)]
    assert await rows(database_settings, "select count(*) from store.findings") == [(5,)]
    # The search rows are the stored version's alone: the older version's went with it.
    assert await rows(database_settings, "select count(*) from store.finding_search") == [(5,)]
    searchable = await rows(
        database_settings,
        "select count(*) from store.finding_search"
        " where search @@ websearch_to_tsquery('english', 'senior leadership')",
    )
    assert isinstance(searchable[0][0], int)
    assert searchable[0][0] >= 1
    failures = await rows(database_settings, "select stage, reason from store.failures")
    assert failures == [("parse", "the file is empty")]
    assert datetime.now(UTC) >= outcomes[-1].stored_at
    # Each finding's themes and tone, as the event carried them.
    tagged = await rows(
        database_settings,
        "select finding_id, theme_slugs, themes, tone, sentence_tones from store.findings"
        " order by ordinal",
    )
    assert tagged == [
        (
            f.finding_id,
            [tag.theme.value for tag in f.themes],
            [tag.model_dump(mode="json") for tag in f.themes],
            f.tone.value if f.tone else None,
            [s.model_dump(mode="json") for s in f.sentence_tones],
        )
        for f in report.findings[:5]
    ]
    assert any(theme_slugs for _, theme_slugs, *_ in tagged)


async def test_an_invalid_parsed_event_is_dead_lettered_and_the_next_one_stored(
    kafka_settings: KafkaSettings, database_settings: DatabaseSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings.model_copy(update={"partitions": 1}), topics.all())
    await migrate(MIGRATIONS, database_settings.url)
    path = REPORTS / "letter_wandsworth_2011-07-07.txt"
    report = parse_report(path.read_bytes(), path.name)
    broken_id = "e" * 64
    broker = make_broker(kafka_settings)
    await broker.start()
    # Keyed by a report, but no ReportParsedEvent: a bad release of parse, say.
    body = b'{"report_id": "' + broken_id.encode() + b'", "object_uri": "file:///x.pdf"}'
    await broker.publish(body, topics.parsed, key=broken_id.encode())
    await broker.publish(b"not json at all", topics.parsed, key=b"no report")
    good = ReportParsedEvent(report_id=report.report_id, object_uri=path.as_uri(), report=report)
    await publish(broker, topics.parsed, good)
    await broker.stop()

    settings = StoreSettings(kafka=kafka_settings, database=database_settings)
    async with running(lambda stop: run(settings, stop)):
        servers = kafka_settings.bootstrap_servers
        [stored] = await expect_events(servers, topics.stored, 1)
        [dead] = await expect_events(servers, topics.failed, 1)
    assert ReportStored.model_validate_json(stored).report_id == report.report_id
    failure = ReportFailed.model_validate_json(dead)
    assert (failure.report_id, failure.stage, failure.error_type, failure.attempt) == (
        broken_id,
        Stage.STORE,
        "invalid_event",
        1,
    )
    assert failure.object_uri == "file:///x.pdf"
    assert "not a valid ReportParsedEvent: report" in failure.reason


async def test_a_replaced_report_is_withdrawn_and_only_a_later_taking_brings_it_back(
    kafka_settings: KafkaSettings, database_settings: DatabaseSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings.model_copy(update={"partitions": 1}), topics.all())
    await migrate(MIGRATIONS, database_settings.url)
    path = REPORTS / "letter_wandsworth_2011-07-07.txt"
    report = parse_report(path.read_bytes(), path.name)
    other_path = REPORTS / "letter_wolverhampton_2010-10-13.txt"
    other = parse_report(other_path.read_bytes(), other_path.name)
    marker = ReportParsedEvent(
        report_id=other.report_id, object_uri=other_path.as_uri(), report=other
    )
    taken, replaced_at, taken_again = (
        datetime(2026, 12, 1, hour, tzinfo=UTC) for hour in (9, 10, 11)
    )

    def parsed(received_at: datetime | None) -> ReportParsedEvent:
        return ReportParsedEvent(
            report_id=report.report_id,
            object_uri=path.as_uri(),
            report=report,
            received_at=received_at,
        )

    notice = ReportReplaced(
        report_id=report.report_id,
        object_uri=path.as_uri(),
        replaced_by="a" * 64,
        replaced_at=replaced_at,
    )
    counts = (
        "select (select count(*) from store.reports), (select count(*) from store.findings),"
        " (select count(*) from store.replaced)"
    )
    broker = make_broker(kafka_settings)
    await broker.start()
    settings = StoreSettings(kafka=kafka_settings, database=database_settings)
    async with running(lambda stop: run(settings, stop)):
        await publish(broker, topics.parsed, parsed(taken))
        await expect_events(kafka_settings.bootstrap_servers, topics.stored, 1)
        assert (await rows(database_settings, counts))[0][:2] == (1, len(report.findings))

        await publish(broker, topics.replaced, notice)

        async def withdrawn() -> bool:
            return await rows(database_settings, counts) == [(0, 0, 1)]

        await wait_until(withdrawn)
        # What the read model served of it is kept as it was, stamped with the change that
        # withdrew it (the second): readers take it away from their sums.
        assert await rows(
            database_settings,
            """select w.report_id, w.finding_count, w.created_in, w.withdrawn_in,
                      (select count(*) from store.withdrawn_finding_read f
                       where f.report_id = w.report_id and f.search is not null),
                      (select count(*) from store.withdrawn_judgement_read j
                       where j.report_id = w.report_id)
               from store.withdrawn_report_read w""",
        ) == [
            (
                report.report_id,
                len(report.findings),
                1,
                2,
                len(report.findings),
                len(report.judgements),
            )
        ]
        # A late parse of the content as first taken, and one from before schema 3: not
        # stored. Another report after them on the one partition marks when they are done.
        await publish(broker, topics.parsed, parsed(taken), parsed(None), marker)
        await expect_events(kafka_settings.bootstrap_servers, topics.stored, 2)
        assert await rows(database_settings, counts) == [(1, len(other.findings), 1)]

        # The same content taken again after its replacement is a report once more.
        await publish(broker, topics.parsed, parsed(taken_again))
        stored = await expect_events(kafka_settings.bootstrap_servers, topics.stored, 3)
    await broker.stop()
    assert ReportStored.model_validate_json(stored[-1]).report_id == report.report_id
    assert await rows(database_settings, counts) == [
        (2, len(report.findings) + len(other.findings), 0)
    ]


async def test_a_report_the_database_refuses_goes_alone_and_its_batch_is_stored(
    kafka_settings: KafkaSettings, database_settings: DatabaseSettings
) -> None:
    """store writes a batch of events in one transaction: a report PostgreSQL refuses (a
    NUL character in a finding's text) must not take the reports beside it down."""
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings.model_copy(update={"partitions": 1}), topics.all())
    await migrate(MIGRATIONS, database_settings.url)
    names = ["letter_wandsworth_2011-07-07.txt", "letter_wolverhampton_2010-10-13.txt"]
    good = [parse_report((REPORTS / name).read_bytes(), name) for name in names]
    refused = good[0].model_copy(
        update={
            "report_id": "d" * 64,
            "findings": [good[0].findings[0].model_copy(update={"text": "a NUL \x00 in the text"})],
        }
    )
    broker = make_broker(kafka_settings)
    await broker.start()
    # In one partition, published before store starts: one batch, the refused one between.
    for report in [good[0], refused, good[1]]:
        await publish(
            broker,
            topics.parsed,
            ReportParsedEvent(report_id=report.report_id, object_uri="file:///x", report=report),
        )
    await broker.stop()

    settings = StoreSettings(kafka=kafka_settings, database=database_settings)
    async with running(lambda stop: run(settings, stop)):
        servers = kafka_settings.bootstrap_servers
        stored = await expect_events(servers, topics.stored, 2)
        [dead] = await expect_events(servers, topics.failed, 1)
    assert sorted(ReportStored.model_validate_json(body).report_id for body in stored) == sorted(
        report.report_id for report in good
    )
    failure = ReportFailed.model_validate_json(dead)
    assert (failure.report_id, failure.stage, failure.attempt) == ("d" * 64, Stage.STORE, 2)
    assert await rows(database_settings, "select count(*) from store.reports") == [(2,)]


async def test_a_second_file_of_an_inspection_is_its_copy_until_the_first_is_withdrawn(
    kafka_settings: KafkaSettings, database_settings: DatabaseSettings
) -> None:
    """Wandsworth's 2023 report as a PDF, then as the text export: one inspection. The
    text is stored as the PDF's copy; when the PDF's file is replaced, it stands alone."""
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings.model_copy(update={"partitions": 1}), topics.all())
    await migrate(MIGRATIONS, database_settings.url)
    files = [REPORTS / "inspection_wandsworth_2023-01-13.pdf"]
    files.append(REPORTS / "inspection_wandsworth_2023-01-13.txt")
    pdf, text_export = (parse_report(path.read_bytes(), path.name) for path in files)
    assert pdf.report_id != text_export.report_id
    same_as = "select report_id, same_as from store.reports order by stored_at"
    visible = "select report_id from store.report_read"
    broker = make_broker(kafka_settings)
    await broker.start()
    settings = StoreSettings(kafka=kafka_settings, database=database_settings)
    async with running(lambda stop: run(settings, stop)):
        for path, report in zip(files, (pdf, text_export), strict=True):
            event = ReportParsedEvent(
                report_id=report.report_id, object_uri=path.as_uri(), report=report
            )
            await publish(broker, topics.parsed, event)
            await expect_events(kafka_settings.bootstrap_servers, topics.stored, 1)
        assert await rows(database_settings, same_as) == [
            (pdf.report_id, None),
            (text_export.report_id, pdf.report_id),
        ]
        assert await rows(database_settings, visible) == [(pdf.report_id,)]
        copied = "select count(*) from store.finding_read where report_id = '%s'"
        assert await rows(database_settings, copied % text_export.report_id) == [(0,)]

        notice = ReportReplaced(
            report_id=pdf.report_id,
            object_uri=files[0].as_uri(),
            replaced_at=datetime.now(UTC),
        )
        await publish(broker, topics.replaced, notice)

        async def promoted() -> bool:
            return await rows(database_settings, visible) == [(text_export.report_id,)]

        await wait_until(promoted)
    await broker.stop()
    assert await rows(database_settings, same_as) == [(text_export.report_id, None)]
    # Each transaction is one change; the copy, first stored by the second, was touched by
    # the third when it came to stand for its inspection (readers re-read it from there).
    versions = "select created_in, changed_in from store.reports"
    assert await rows(database_settings, versions) == [(2, 3)]
    assert await rows(database_settings, "select version from store.changes") == [(3,)]


async def test_two_files_of_an_inspection_in_one_batch_the_first_stands_for_it(
    kafka_settings: KafkaSettings, database_settings: DatabaseSettings
) -> None:
    """store writes a batch's reports together, then settles copies as if it had stored
    them one after another: of two new files of one inspection in a batch, the first is
    the inspection's report and the second its copy, whichever id sorts first."""
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings.model_copy(update={"partitions": 1}), topics.all())
    await migrate(MIGRATIONS, database_settings.url)
    files = [REPORTS / "inspection_wandsworth_2023-01-13.pdf"]
    files.append(REPORTS / "inspection_wandsworth_2023-01-13.txt")
    parsed = [(parse_report(path.read_bytes(), path.name), path) for path in files]
    # The greater id first: were the later report already there for the first, it would
    # stand for the inspection (the same time stored; the lesser id first).
    (first, first_path), (second, second_path) = sorted(
        parsed, key=lambda item: item[0].report_id, reverse=True
    )
    broker = make_broker(kafka_settings)
    await broker.start()
    for report, path in ((first, first_path), (second, second_path)):
        event = ReportParsedEvent(
            report_id=report.report_id, object_uri=path.as_uri(), report=report
        )
        await publish(broker, topics.parsed, event)
    await broker.stop()

    settings = StoreSettings(kafka=kafka_settings, database=database_settings)
    async with running(lambda stop: run(settings, stop)):
        await expect_events(kafka_settings.bootstrap_servers, topics.stored, 2)
    # One transaction stored both (they came in one batch).
    assert await rows(database_settings, "select version from store.changes") == [(1,)]
    assert await rows(
        database_settings,
        "select report_id, same_as from store.reports order by same_as nulls first",
    ) == [(first.report_id, None), (second.report_id, first.report_id)]
    assert await rows(database_settings, "select report_id from store.report_read") == [
        (first.report_id,)
    ]


@contextmanager
def store_log_lines() -> Iterator[list[tuple[str, str | None, str | None]]]:
    """store's log lines as written, each with the report id and trace id it carries."""
    lines: list[tuple[str, str | None, str | None]] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            fields = record.__dict__
            lines.append((record.getMessage(), fields["report_id"], fields["trace_id"]))

    handler = Lines(level=logging.INFO)
    handler.addFilter(ContextFields())
    logger = logging.getLogger("findings.store")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_a_log_line_about_one_report_of_a_batch_carries_its_trace(
    kafka_settings: KafkaSettings,
    database_settings: DatabaseSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every report of a batch has its span open while the batch is written; a line about
    one of them (not stored, another file of an inspection) is in that report's trace,
    not the last one opened."""
    await migrate(MIGRATIONS, database_settings.url)
    provider = TracerProvider()  # this test's own: the process's stays the no-op one
    monkeypatch.setattr(app, "tracer", lambda: provider.get_tracer("test"))
    names = [
        "inspection_birmingham_2023-04-18.pdf",  # its file replaced before: not stored
        "inspection_wandsworth_2023-01-13.pdf",
        "inspection_wandsworth_2023-01-13.txt",  # the same inspection: a copy
        "inspection_bolton_2023-10-27.pdf",  # last in the batch: its span opened last
    ]
    reports = [parse_report((REPORTS / name).read_bytes(), name) for name in names]
    topics = Topics(namespace=kafka_settings.topic_namespace)
    trace_of = {report.report_id: f"{index + 1:032x}" for index, report in enumerate(reports)}
    records = [
        Record(
            topic=topics.parsed,
            partition=0,
            offset=offset,
            key=report.report_id.encode(),
            value=ReportParsedEvent(
                report_id=report.report_id, object_uri=(REPORTS / name).as_uri(), report=report
            )
            .model_dump_json()
            .encode(),
            headers=(("traceparent", f"00-{trace_of[report.report_id]}-{'1' * 16}-01".encode()),),
        )
        for offset, (name, report) in enumerate(zip(names, reports, strict=True))
    ]
    replaced = ReportReplaced(
        report_id=reports[0].report_id,
        object_uri=(REPORTS / names[0]).as_uri(),
        replaced_at=datetime.now(UTC),
    )
    engine = make_engine(database_settings)
    settings = StoreSettings(kafka=kafka_settings, database=database_settings)
    store = Store(settings, make_broker(kafka_settings), make_sessionmaker(engine))
    withdrawal = Record(topics.replaced, 0, 0, None, replaced.model_dump_json().encode())
    await store.apply([withdrawal])
    with store_log_lines() as lines:
        assert len(await store.apply(records)) == 3
    await engine.dispose()

    not_stored, original, copy = reports[:3]
    assert [(report_id, trace) for _, report_id, trace in lines] == [
        (not_stored.report_id, trace_of[not_stored.report_id]),
        (copy.report_id, trace_of[copy.report_id]),
    ]
    assert lines[0][0] == f"not storing {not_stored.report_id[:12]}: its file was replaced"
    assert lines[1][0].endswith(f"is another file of {original.report_id[:12]}'s inspection")
