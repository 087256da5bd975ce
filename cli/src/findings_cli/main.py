"""`findings`: the command line for people.

findings up      run the whole pipeline (embedded broker and PostgreSQL by default)
findings parse   parse one file and print its ReportParsed JSON
findings drop    put files into the inbox (atomically)
findings tail    print finding events as they arrive
findings status  where every dropped file is: stored, failed, rejected… and why
findings replay  parse stored reports again (after a parser upgrade)
findings query   search findings through the API, printed for people (or as JSON, CSV, XLSX)
findings soak    many reports through the embedded stack under faults; lost and duplicated
findings evaluate  the parser measured over a corpus: families, authorities, official grades
findings evaluate-themes  themes and tone scored against findings labelled by hand
findings reference load FILE  a newer edition of Ofsted's outcome tables, for the API
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import html
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

STATE_DIR = Path(".findings")
DEFAULT_API = "http://127.0.0.1:8000"
# What GET /files says of a file (and `findings status --status` takes).
FILE_STATES = ("rejected", "pending", "announced", "stored", "failed", "stuck")
# Where a dropped file's report rests: nothing more happens to it by itself.
SETTLED_STATES = {"stored", "failed", "stuck", "replaced", "rejected"}
READ_KEY_HELP = (
    "API key sent as X-API-Key, for an API that needs one to read (default: the first of"
    " FINDINGS_API_READ_KEYS, else the running stack's upload key, to its own API only)"
)


def build_parser() -> argparse.ArgumentParser:
    """Every command and option of `findings`, each with its help (a test checks)."""
    parser = argparse.ArgumentParser(prog="findings", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, help="what to do")
    running_api = "default: the running stack's, from .findings/stack.json, else :8000"

    up = commands.add_parser("up", help="run the whole pipeline until Ctrl-C")
    up.add_argument(
        "--inbox",
        type=Path,
        default=Path("inbox"),
        help="folder to watch for report files (default: %(default)s)",
    )
    up.add_argument(
        "--api-port", type=int, default=8000, help="port of the HTTP API (default: %(default)s)"
    )
    up.add_argument(
        "--state-dir",
        type=Path,
        default=STATE_DIR,
        help="embedded data, logs and stack.json (default: %(default)s)",
    )
    up.add_argument(
        "--namespace", default="findings", help="prefix of the Kafka topics (default: %(default)s)"
    )

    parse = commands.add_parser("parse", help="parse a report file and print its JSON")
    parse.add_argument("file", type=Path, help="a report: PDF or plain text")
    parse.add_argument(
        "--indent",
        type=int,
        default=2,
        help="spaces to indent the JSON by; 0: one line (default: %(default)s)",
    )

    drop = commands.add_parser(
        "drop", help="copy report files into the inbox, and wait for their reports if asked"
    )
    drop.add_argument("files", type=Path, nargs="+", help="report files (PDF or plain text)")
    drop.add_argument(
        "--inbox",
        type=Path,
        default=None,
        help="folder to copy them into (default: the running stack's inbox, else ./inbox)",
    )
    drop.add_argument(
        "--wait",
        action="store_true",
        help="then wait until each file's report is stored, failed or rejected, and print"
        " one line a file; exit 0 if all are stored, 1 if any is not, 2 on timeout",
    )
    drop.add_argument(
        "--timeout",
        type=float,
        default=300,
        help="seconds --wait waits at most (default: %(default)s)",
    )
    drop.add_argument("--api", default=None, help=f"API URL --wait asks ({running_api})")
    drop.add_argument("--key", default=None, help=READ_KEY_HELP)

    tail = commands.add_parser("tail", help="print finding events as they arrive")
    tail.add_argument(
        "--bootstrap-servers",
        default=None,
        help="Kafka brokers, host:port (default: FINDINGS_KAFKA_BOOTSTRAP_SERVERS, else the"
        " running stack's, else 127.0.0.1:9092)",
    )
    tail.add_argument(
        "--namespace",
        default=None,
        help="prefix of the Kafka topics (default: the running stack's, else findings)",
    )
    tail.add_argument("--la-code", default=None, help="only this authority's: DfE code, e.g. 212")
    tail.add_argument(
        "--category", default=None, help="only this category: strength, improvement, …"
    )
    tail.add_argument(
        "--from-beginning",
        action="store_true",
        help="also the findings published before it started",
    )

    status = commands.add_parser("status", help="where every dropped file is, and why")
    status.add_argument(
        "report_id", nargs="?", help="one report's lifecycle (the sha256 of its file)"
    )
    status.add_argument(
        "--status",
        dest="state",
        default=None,
        choices=FILE_STATES,
        help="only files in this state",
    )
    status.add_argument("--api", default=None, help=f"API URL ({running_api})")
    status.add_argument("--key", default=None, help=READ_KEY_HELP)
    status.add_argument(
        "--state-dir",
        type=Path,
        default=STATE_DIR,
        help="the folder of the stack's stack.json (default: %(default)s)",
    )

    reference = commands.add_parser(
        "reference", help="Ofsted's published outcome tables, which the API joins to reports"
    )
    reference_commands = reference.add_subparsers(
        dest="reference_command", required=True, help="what to do with them"
    )
    load = reference_commands.add_parser(
        "load", help="add a newer edition of Ofsted's outcome spreadsheet (.ods)"
    )
    load.add_argument("file", type=Path, help="the .ods file as Ofsted publishes it")
    load.add_argument(
        "--dir",
        type=Path,
        default=STATE_DIR / "reference",
        help="where the API reads it from: FINDINGS_API_REFERENCE_DIR"
        " (default: %(default)s, the running stack's; restart the API to read it)",
    )

    replay = commands.add_parser("replay", help="parse stored reports again")
    replay.add_argument("--la-code", default=None, help="this authority's reports: DfE code")
    replay.add_argument(
        "--report-type", default=None, help="reports of this family: ilacs_inspection, …"
    )
    replay.add_argument("--all", action="store_true", help="every stored report")
    replay.add_argument("--api", default=None, help=f"API URL ({running_api})")
    replay.add_argument(
        "--bootstrap-servers",
        default=None,
        help="Kafka brokers, host:port (default: FINDINGS_KAFKA_BOOTSTRAP_SERVERS, else the"
        " running stack's, else 127.0.0.1:9092)",
    )
    replay.add_argument(
        "--namespace",
        default=None,
        help="prefix of the Kafka topics (default: the running stack's, else findings)",
    )
    replay.add_argument(
        "--wait",
        type=float,
        default=600,
        help="seconds to wait for them to be parsed again (default: %(default)s)",
    )
    replay.add_argument(
        "--key",
        default=None,
        help="a write key of the API (it shows where files lie to such keys only);"
        " default: the running stack's upload key, else FINDINGS_API_WRITE_KEYS",
    )

    query = commands.add_parser("query", help="search findings through the API")
    query.add_argument("text", nargs="?", help='words, "a phrase", -excluded')
    query.add_argument("--authority", help="name, e.g. Salford")
    query.add_argument("--la-code", help="DfE code, e.g. 355")
    query.add_argument("--region", help="e.g. London")
    query.add_argument("--category", help="strength, area_for_development, improvement, …")
    query.add_argument("--report-type", help="ilacs_inspection, focused_visit, …")
    query.add_argument("--grade", help="findings whose judgement area was graded so")
    query.add_argument(
        "--report-grade", help="findings of reports graded so overall, e.g. inadequate"
    )
    query.add_argument(
        "--limit",
        type=int,
        default=10,
        help="at most this many findings as text or JSON; a CSV or XLSX export holds every"
        " match (default: %(default)s)",
    )
    query.add_argument(
        "--format",
        choices=["text", "json", "csv", "xlsx"],
        default="text",
        help="text for people, or JSON, or every match as CSV or an Excel workbook"
        " (default: %(default)s)",
    )
    query.add_argument(
        "--output",
        "-o",
        type=Path,
        default=None,
        help="write to this file instead of standard output (an XLSX workbook needs one"
        " on a terminal)",
    )
    query.add_argument("--api", default=None, help=f"API URL ({running_api})")
    query.add_argument("--key", default=None, help=READ_KEY_HELP)

    soak = commands.add_parser("soak", help="many reports under faults: lost, duplicated")
    soak.add_argument(
        "--reports", type=int, default=2000, help="how many files to drop (default: %(default)s)"
    )
    soak.add_argument("--seed", type=int, default=None, help="replays a run (default: random)")
    soak.add_argument(
        "--from",
        dest="sources",
        type=Path,
        default=Path("tests/fixtures/reports"),
        help="folder of sample PDF reports to copy (default: %(default)s)",
    )
    soak.add_argument(
        "--kill-every",
        type=float,
        default=10.0,
        help="mean seconds between kills of a service (default: %(default)s)",
    )
    soak.add_argument(
        "--broker-restarts",
        type=int,
        default=2,
        help="times the broker is restarted during the run (default: %(default)s)",
    )
    soak.add_argument(
        "--rate", type=float, default=10.0, help="files dropped per second (default: %(default)s)"
    )

    evaluate = commands.add_parser(
        "evaluate", help="measure the parser over a corpus of real reports (exit 1 on a failure)"
    )
    evaluate.add_argument(
        "paths", type=Path, nargs="+", help="folders of reports, MANIFEST.tsv files or reports"
    )
    evaluate.add_argument(
        "--labels",
        type=Path,
        default=None,
        help="folder of Ofsted's official outcome tables (default: a labels/ folder at or"
        " above the first path)",
    )
    themes = commands.add_parser(
        "evaluate-themes", help="score themes and tone against findings labelled by hand"
    )
    themes.add_argument(
        "folder",
        type=Path,
        nargs="?",
        default=Path("tests/fixtures/themes"),
        help="folder with sample.jsonl and labels-*.jsonl (default: %(default)s)",
    )
    themes.add_argument("--split", action="store_true", help="also score each labels file alone")
    return parser


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "evaluate":
        sys.exit(evaluate_command(args.paths, args.labels))
    if args.command == "reference":
        sys.exit(reference_load_command(args.file, args.dir))
    if args.command == "evaluate-themes":
        sys.exit(evaluate_themes_command(args.folder, args.split))
    if args.command == "query":
        sys.exit(query_command(args))
    if args.command == "soak":
        sys.exit(soak_command(args))
    if args.command == "replay":
        if not (args.all or args.la_code or args.report_type):
            parser.error("replay needs --la-code, --report-type or --all")
        sys.exit(asyncio.run(replay_command(args)))
    if args.command == "status":
        sys.exit(status_command(args.api, args.state, args.report_id, args.state_dir, args.key))
    if args.command == "parse":
        sys.exit(parse_command(args.file, args.indent))
    if args.command == "drop":
        sys.exit(
            drop_command(
                args.files,
                args.inbox,
                wait=args.wait,
                api=args.api,
                key=args.key,
                timeout_s=args.timeout,
            )
        )
    if args.command == "tail":
        sys.exit(asyncio.run(tail_command(args)))
    from findings_cli.stack import run_stack

    sys.exit(
        run_stack(
            inbox=args.inbox,
            api_port=args.api_port,
            state_dir=args.state_dir,
            namespace=args.namespace,
        )
    )


def parse_command(path: Path, indent: int) -> int:
    from findings_parse.core.extract import UnreadableReport
    from findings_parse.core.parser import parse_report

    try:
        content = path.read_bytes()
    except OSError as error:
        print(f"findings parse: cannot read {path}: {error.strerror}", file=sys.stderr)  # noqa: T201
        return 2
    try:
        report = parse_report(content, path.name)
    except UnreadableReport as error:
        print(f"findings parse: {path.name}: {error}", file=sys.stderr)  # noqa: T201
        return 1
    print(report.model_dump_json(indent=indent or None))  # noqa: T201
    return 0


def reference_load_command(file: Path, folder: Path) -> int:
    """Check that the file is an edition of Ofsted's outcome tables, then keep it where the
    API reads such files (newest name first, before the edition in the package)."""
    import shutil
    from collections import Counter

    from findings_shared.official import OfficialRecords

    if not file.is_file() or file.suffix.lower() != ".ods":
        print(f"findings reference load: {file} is not an .ods file", file=sys.stderr)  # noqa: T201
        return 2
    try:
        records = OfficialRecords.from_spreadsheets([file])
    except Exception as error:  # a damaged or foreign spreadsheet: say why, keep nothing
        print(f"findings reference load: cannot read {file}: {error}", file=sys.stderr)  # noqa: T201
        return 2
    if not records.inspections:
        print(  # noqa: T201
            f"findings reference load: {file} holds none of Ofsted's outcome tables"
            " (sheets ILACS_inspection_history, In-year_inspections, LA_inspections_2009-2023)",
            file=sys.stderr,
        )
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(file, folder / file.name)
    kinds = Counter(i.inspection_type or i.framework for i in records.inspections)
    summary = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    print(f"loaded {len(records.inspections)} inspections ({summary}) into {folder}")  # noqa: T201
    return 0


def evaluate_themes_command(folder: Path, split: bool) -> int:
    from findings_cli.themes_evaluation import agreement, score

    if not (folder / "sample.jsonl").exists():
        print(f"findings evaluate-themes: no sample.jsonl in {folder}", file=sys.stderr)  # noqa: T201
        return 2
    print(score(folder).table())  # noqa: T201
    if split:
        for path in sorted(folder.glob("labels-*.jsonl")):
            scores = score(folder, [path])
            print(  # noqa: T201
                f"{path.name}: {scores.findings} findings, precision {scores.precision:.2f},"
                f" recall {scores.recall:.2f}, tone {scores.tone_accuracy:.2f}"
            )
    for path in sorted(folder.glob("agreement-*.jsonl")):
        people = agreement(folder, path)
        print(  # noqa: T201
            f"{path.name} against the first reader: {people.findings} findings, precision"
            f" {people.precision:.2f}, recall {people.recall:.2f}, tone {people.tone_accuracy:.2f}"
        )
    return 0


def evaluate_command(paths: list[Path], labels: Path | None) -> int:
    from findings_cli.evaluate import evaluate, failures, find_labels, read_corpus, table
    from findings_shared.official import OfficialRecords

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"findings evaluate: no such path: {', '.join(missing)}", file=sys.stderr)  # noqa: T201
        return 2
    reports = read_corpus(paths)
    if not reports:
        print("findings evaluate: no reports found (PDF or .txt files)", file=sys.stderr)  # noqa: T201
        return 2
    labels = labels or find_labels(paths)
    records = OfficialRecords.read(labels) if labels else OfficialRecords([])
    evaluations = evaluate(reports, records)
    print(table(evaluations))  # noqa: T201
    failing = failures(evaluations, Path.cwd())
    explained = failures(evaluations, Path.cwd(), explained=True)
    print(  # noqa: T201
        f"\n{len(reports)} reports; official outcomes from {labels or 'nowhere (no labels/)'};"
        f" {len(failing)} failing, {len(explained)} known exceptions"
    )
    for line in failing:
        print(line)  # noqa: T201
    if explained:
        print("\nKnown exceptions (the report's own fault, flagged for review):")  # noqa: T201
        for line in explained:
            print(line)  # noqa: T201
    return 1 if failing else 0


def _stack_state(state_dir: Path = STATE_DIR) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads((state_dir / "stack.json").read_text())
        return state
    except (OSError, ValueError):
        return {}


def _api_base(api: str | None, stack: dict[str, Any]) -> str:
    return str(api or stack.get("api", DEFAULT_API)).rstrip("/")


def _read_key(explicit: str | None, base: str, stack: dict[str, Any]) -> str | None:
    """The key to read with, for an API started with FINDINGS_API_READ_KEYS: the one given,
    else the first of that variable, else the stack's upload key (a write key reads too),
    which is sent to the stack's own API only."""
    if explicit:
        return explicit
    from_environment = os.environ.get("FINDINGS_API_READ_KEYS", "").split(",")[0].strip()
    if from_environment:
        return from_environment
    if base == str(stack.get("api", "")).rstrip("/"):
        upload_key: str | None = stack.get("upload_key")
        return upload_key
    return None


def _get_json(url: str, key: str | None = None) -> Any:
    request = urllib.request.Request(url, headers={"X-API-Key": key} if key else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def status_command(
    api: str | None,
    state: str | None,
    report_id: str | None,
    state_dir: Path = STATE_DIR,
    key: str | None = None,
) -> int:
    stack = _stack_state(state_dir)
    base = _api_base(api, stack)
    key = _read_key(key, base, stack)
    try:
        if report_id:
            detail = _get_json(f"{base}/files/{report_id}", key)
            print(f"{detail['status']:<10} {', '.join(detail['names'])}")  # noqa: T201
            if detail["reason"]:
                print(f"           {detail['reason']}")  # noqa: T201
            for warning in detail.get("warnings") or []:
                print(f"           needs review: {warning}")  # noqa: T201
            for failure in detail["failures"]:
                when = failure["occurred_at"][:19]
                print(f"  {when} {failure['stage']}: {failure['reason']}")  # noqa: T201
            return 0
        query = f"?limit=500&status={state}" if state else "?limit=500"
        files = _get_json(f"{base}/files{query}", key)["items"]
    except urllib.error.HTTPError as error:
        message = error.read().decode()[:200]
        print(f"findings status: {error.code} {message}", file=sys.stderr)  # noqa: T201
        return 1
    except urllib.error.URLError as error:
        print(f"findings status: no API at {base} ({error.reason})", file=sys.stderr)  # noqa: T201
        return 2
    for name, url in stack.get("health", {}).items():
        print(f"{name:<10} {_service_health(url)}")  # noqa: T201
    counts: dict[str, int] = {}
    for item in files:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
        findings = "" if item["finding_count"] is None else f"{item['finding_count']} findings"
        if item.get("needs_review"):
            findings += ", needs review (findings status REPORT_ID says why)"
        print(f"{item['status']:<10} {item['name']:<50} {item['reason'] or findings}")  # noqa: T201
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"{len(files)} files: {summary}" if files else "no files yet")  # noqa: T201
    return 0


def _service_health(url: str) -> str:
    """One line: the service's status and problems, or why it could not be asked."""
    try:
        health = _get_json(url)
    except urllib.error.HTTPError as error:
        health = json.loads(error.read() or b"{}")
    except (urllib.error.URLError, OSError) as error:
        return f"down ({getattr(error, 'reason', error)})"
    problems = "; ".join(health.get("problems", []))
    return f"{health.get('status', '?')}{f' - {problems}' if problems else ''}"


def _all_reports(base: str, filters: str, key: str | None) -> list[dict[str, Any]]:
    """Every stored report; with a write key, with where each file lies (`object_uri`)."""
    reports: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        page = _get_json(f"{base}/reports?limit=500&offset={offset}{filters}", key)
        reports += page["items"]
        offset = page["next_offset"]
    return reports


async def replay_command(args: argparse.Namespace) -> int:
    """Announce stored reports again: parse re-parses them; store keeps the newer version."""
    from findings_parse.core.parser import PARSER_VERSION
    from findings_shared.events import ReportReceived, Topics, encode_event
    from findings_shared.kafka import make_broker, publish_event
    from findings_shared.settings import KafkaSettings

    state = _stack_state()
    base = _api_base(args.api, state)
    filters = "".join(
        f"&{key}={value}"
        for key, value in (("la_code", args.la_code), ("report_type", args.report_type))
        if value
    )
    key = (
        args.key
        or state.get("upload_key")
        or (os.environ.get("FINDINGS_API_WRITE_KEYS", "").split(",")[0] or None)
    )
    reports = await asyncio.to_thread(_all_reports, base, filters, key)
    if reports and not reports[0].get("object_uri"):
        print(  # noqa: T201
            "findings replay: the API does not show where files lie without a write key:"
            " pass --key",
            file=sys.stderr,
        )
        return 2
    # Other files of the same inspection are stored too, out of lists: re-parsed alike, so
    # that the one that takes a withdrawn report's place is read by the same parser.
    copies = [
        await asyncio.to_thread(_get_json, f"{base}/files/{copy}", key)
        for report in reports
        for copy in report["other_files"]
    ]
    stored = {r["report_id"]: r["object_uri"] for r in reports} | {
        c["report_id"]: c["object_uri"] for c in copies if c["object_uri"]
    }
    kafka = KafkaSettings(
        bootstrap_servers=args.bootstrap_servers
        or os.environ.get("FINDINGS_KAFKA_BOOTSTRAP_SERVERS")
        or state.get("bootstrap_servers", "127.0.0.1:9092"),
        topic_namespace=args.namespace or state.get("namespace", "findings"),
    )
    topics = Topics(namespace=kafka.topic_namespace)
    broker = make_broker(kafka)
    await broker.start()
    try:
        for report_id, object_uri in stored.items():
            event = ReportReceived(
                report_id=report_id,
                object_uri=object_uri,
                name=object_uri.rsplit("/", 1)[-1],
                size=0,
                sha256=report_id,
                content_type="application/octet-stream",
                received_at=datetime.now(UTC),
            )
            body = encode_event(event, kafka.max_message_bytes)
            await (await publish_event(broker, topics.received, body, event.report_id))
    finally:
        await broker.stop()
    wanted = set(stored)
    others = len(stored) - len(reports)
    extra = f" (and {others} other file{'s' * (others != 1)} of the same inspections)"
    print(  # noqa: T201
        f"replaying {len(reports)} reports{extra if others else ''} with parser {PARSER_VERSION}"
    )
    done = 0
    deadline = asyncio.get_running_loop().time() + args.wait
    while done < len(wanted) and asyncio.get_running_loop().time() < deadline:
        current = await asyncio.to_thread(_all_reports, base, filters, key)
        current += [
            await asyncio.to_thread(_get_json, f"{base}/files/{c['report_id']}", key)
            for c in copies
        ]
        done = sum(
            1 for r in current if r["report_id"] in wanted and r["parser_version"] == PARSER_VERSION
        )
        bar = "#" * (30 * done // max(1, len(wanted)))
        print(f"\r[{bar:<30}] {done}/{len(wanted)}", end="", flush=True)  # noqa: T201
        if done < len(wanted):
            await asyncio.sleep(0.5)
    print()  # noqa: T201
    if done < len(wanted):
        print(  # noqa: T201
            f"findings replay: {len(wanted) - done} not re-parsed after {args.wait:g} s;"
            " see findings status --status failed",
            file=sys.stderr,
        )
        return 1
    return 0


def query_command(args: argparse.Namespace) -> int:
    export = args.format in ("csv", "xlsx")
    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        print(  # noqa: T201
            "findings query: an XLSX workbook is binary: give --output FILE or redirect",
            file=sys.stderr,
        )
        return 2
    stack = _stack_state()
    base = _api_base(args.api, stack)
    key = _read_key(args.key, base, stack)
    params = {
        "q": args.text,
        "authority": args.authority,
        "la_code": args.la_code,
        "region": args.region,
        "category": args.category,
        "report_type": args.report_type,
        "grade": args.grade,
        "report_grade": args.report_grade,
        "limit": str(args.limit),
        "format": args.format if export else None,
    }
    url = f"{base}/findings?" + urllib.parse.urlencode({k: v for k, v in params.items() if v})
    request = urllib.request.Request(url, headers={"X-API-Key": key} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        detail = json.loads(error.read() or b"{}").get("detail", error.reason)
        print(f"findings query: {error.code} {detail}", file=sys.stderr)  # noqa: T201
        return 1
    except urllib.error.URLError as error:
        print(f"findings query: no API at {base} ({error.reason})", file=sys.stderr)  # noqa: T201
        return 2
    if export and args.output is not None:
        args.output.write_bytes(body)
        return 0
    if args.format == "xlsx":
        sys.stdout.buffer.write(body)
        return 0
    if args.format == "csv":
        sys.stdout.write(body.decode("utf-8-sig"))
        return 0
    items = json.loads(body)["items"]
    if args.format == "json":
        lines = [json.dumps(items, indent=2, ensure_ascii=False)]
    else:
        lines = _finding_lines(items, terminal=args.output is None and sys.stdout.isatty())
    if args.output is not None:
        args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        print("\n".join(lines))  # noqa: T201
    return 0


def _finding_lines(items: list[dict[str, Any]], terminal: bool) -> list[str]:
    """Findings for people: where and what, then the text (matches in bold on a terminal)."""
    lines = []
    for item in items:
        where = f"{item['local_authority_name'] or '?'} ({item['la_code'] or '-'})"
        when = item["published"] or item["inspection_start"] or ""
        number = f" ¶{item['paragraph']}" if item["paragraph"] else ""
        # A snippet is HTML (escaped text, matches in <mark>): bold in a terminal.
        text = item["text"]
        if item["snippet"]:
            bold = ("\033[1m", "\033[0m") if terminal else ("", "")
            marked = item["snippet"].replace("<mark>", bold[0]).replace("</mark>", bold[1])
            text = html.unescape(marked)
        lines += [f"{where} {item['report_type']} {when} [{item['category']}{number}]"]
        lines += [f"    {text}", ""]
    lines.append(f"{len(items)} finding(s)")
    return lines


def soak_command(args: argparse.Namespace) -> int:
    import logging
    import random

    from findings_cli.chaos import ChaosRun
    from findings_cli.embedded import EmbeddedPostgres

    sources = sorted(args.sources.glob("*.pdf"))
    if not sources:
        print(f"findings soak: no PDF reports in {args.sources}; use --from", file=sys.stderr)  # noqa: T201
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s soak   %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per API request
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    print(f"findings soak: seed {seed} (replay with --seed {seed})", flush=True)  # noqa: T201
    work = Path(tempfile.mkdtemp(prefix="findings-soak-"))
    work.chmod(0o755)  # the PostgreSQL server runs as `postgres`
    postgres = EmbeddedPostgres(data_dir=work / "postgres", durable=False).start()
    try:
        run = ChaosRun(
            sources=sources,
            reports=args.reports,
            seed=seed,
            database_url=postgres.url.replace("+asyncpg", ""),
            work_dir=work / "run",
            mean_kill_interval_s=args.kill_every,
            broker_restarts=args.broker_restarts,
            drop_rate_per_s=args.rate,
            timeout_s=max(900.0, args.reports * 1.5),
            postgres_pid=postgres.pid(),
        )
        result = asyncio.run(run.run())
    finally:
        postgres.stop("immediate")
    print(result.table())  # noqa: T201
    for fault in result.faults:
        print(f"  fault: {fault}")  # noqa: T201
    if result.ok:
        shutil.rmtree(work, ignore_errors=True)
        return 0
    print(f"findings soak: FAILED; logs kept in {work}/run/logs", file=sys.stderr)  # noqa: T201
    return 1


def drop_command(
    files: list[Path],
    inbox: Path | None,
    *,
    wait: bool = False,
    api: str | None = None,
    key: str | None = None,
    timeout_s: float = 300.0,
) -> int:
    stack = _stack_state()
    target = inbox or Path(stack.get("inbox", "inbox"))
    missing = [str(source) for source in files if not source.is_file()]
    if missing:  # before copying any: a typo drops nothing
        print(f"findings drop: not a file: {', '.join(missing)}", file=sys.stderr)  # noqa: T201
        return 2
    target.mkdir(parents=True, exist_ok=True)
    dropped_at = datetime.now(UTC)
    # Each name in the inbox and its report's id: the sha256 of the file's bytes.
    dropped: dict[str, str] = {}
    for source in files:
        digest = hashlib.sha256()
        # Write under a hidden name, then rename: ingest never sees half a file.
        with (
            tempfile.NamedTemporaryFile(dir=target, prefix=".", suffix=".part", delete=False) as t,
            source.open("rb") as fh,
        ):
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                t.write(chunk)
        os.replace(t.name, target / source.name)
        dropped[source.name] = digest.hexdigest()
        if not wait:
            print(f"dropped {source.name} into {target}")  # noqa: T201
    if not wait:
        return 0
    base = _api_base(api, stack)
    print(  # noqa: T201
        f"dropped {len(dropped)} file(s) into {target}; waiting for their reports at {base}",
        flush=True,
    )
    return wait_for_reports(base, dropped, _read_key(key, base, stack), timeout_s, dropped_at)


def wait_for_reports(
    base: str, dropped: dict[str, str], key: str | None, timeout_s: float, dropped_at: datetime
) -> int:
    """Print each dropped file's outcome as it settles: 0 if every report was stored, 1 if
    any failed or was rejected (or the API refused us), 2 if any had not settled in time."""
    deadline = time.monotonic() + timeout_s
    waiting = dict(dropped)
    stored = 0
    unreachable: str | None = None
    while waiting:
        # Rejected files are listed at most once a round, and only if one is not yet accepted.
        rejections = functools.cache(
            lambda: _get_json(f"{base}/files?status=rejected&limit=500", key)["items"]
        )
        try:
            for name, report_id in list(waiting.items()):
                outcome = _settled_outcome(base, name, report_id, key, dropped_at, rejections)
                if outcome is not None:
                    state, detail = outcome
                    print(f"{state:<10} {name:<50} {detail}", flush=True)  # noqa: T201
                    stored += state == "stored"
                    del waiting[name]
            unreachable = None
        except urllib.error.HTTPError as error:
            if error.code < 500 and error.code != 429:  # a missing or wrong key, say
                message = error.read().decode(errors="replace")[:200]
                print(f"findings drop: {error.code} {message}", file=sys.stderr)  # noqa: T201
                return 1
            # Busy, or PostgreSQL restarting: ask again next round.
            unreachable = f"{error.code} from {base}"
        except (urllib.error.URLError, OSError) as error:  # the API starting, or down
            unreachable = f"no API at {base} ({getattr(error, 'reason', error)})"
        if not waiting:
            break
        if time.monotonic() >= deadline:
            for name in waiting:
                print(f"{'waiting':<10} {name:<50} not settled in {timeout_s:g} s")  # noqa: T201
            print(  # noqa: T201
                f"findings drop: {len(waiting)} file(s) not settled in {timeout_s:g} s"
                f"{f'; {unreachable}' if unreachable else ''}; findings status says where",
                file=sys.stderr,
            )
            return 2
        # Each round asks once a file: many files, fewer rounds.
        pause = min(5.0, max(0.5, len(waiting) / 50))
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
    return 0 if stored == len(dropped) else 1


def _settled_outcome(
    base: str,
    name: str,
    report_id: str,
    key: str | None,
    dropped_at: datetime,
    rejections: Callable[[], list[dict[str, Any]]],
) -> tuple[str, str] | None:
    """A dropped file's state and what to say of it once nothing more will happen to it by
    itself (stored, failed, stuck, replaced or rejected); None while it is on its way."""
    try:
        detail = _get_json(f"{base}/files/{report_id}", key)
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
        # Not accepted (yet): ingest has not seen it, or rejected it.
        return _rejection(rejections(), name, report_id, dropped_at)
    state: str = detail["status"]
    if state not in SETTLED_STATES:
        return None
    if state != "stored":
        return state, detail["reason"] or "no reason recorded (findings status REPORT_ID)"
    return state, _stored_summary(base, report_id, key, detail)


def _rejection(
    rejected: list[dict[str, Any]], name: str, report_id: str, dropped_at: datetime
) -> tuple[str, str] | None:
    for item in rejected:
        # A file too big to be read has no sha256: known by its name, seen since the drop.
        seen_since = datetime.fromisoformat(item["seen_at"]) >= dropped_at - timedelta(seconds=1)
        if item["report_id"] == report_id or (
            item["report_id"] is None and item["name"] == name and seen_since
        ):
            return "rejected", item["reason"] or "no reason recorded"
    return None


def _stored_summary(base: str, report_id: str, key: str | None, detail: dict[str, Any]) -> str:
    """The stored report's finding count, title and authority (those from /reports)."""
    warnings = detail.get("warnings") or ["findings status REPORT_ID says why"]
    review = f"; needs review: {warnings[0]}" if detail["needs_review"] else ""
    try:
        report = _get_json(f"{base}/reports/{report_id}", key)
    except urllib.error.HTTPError:
        return f"{detail['finding_count']} findings{review}"
    authority = report["local_authority"] or {}
    where = f" ({authority['name']}, {authority['la_code']})" if authority.get("name") else ""
    title = report["title"] or report["report_type"]
    return f"{report['finding_count']} findings: {title}{where}{review}"


async def tail_command(args: argparse.Namespace) -> int:
    from aiokafka import AIOKafkaConsumer

    from findings_shared.events import FindingPublished, Topics
    from findings_shared.kafka import client_options, stop_consumer
    from findings_shared.settings import KafkaSettings

    state = _stack_state()
    bootstrap = args.bootstrap_servers or os.environ.get(
        "FINDINGS_KAFKA_BOOTSTRAP_SERVERS", state.get("bootstrap_servers", "127.0.0.1:9092")
    )
    topics = Topics(namespace=args.namespace or state.get("namespace", "findings"))
    started = datetime.now(UTC)
    # No consumer group and "earliest": "latest" offsets are unreliable on the embedded
    # broker, so old events are skipped by their timestamp instead.
    consumer = AIOKafkaConsumer(
        topics.finding,
        **client_options(KafkaSettings(bootstrap_servers=bootstrap)),
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        async for record in consumer:
            event = FindingPublished.model_validate_json(record.value)
            if not args.from_beginning and event.occurred_at < started:
                continue
            if args.la_code and event.la_code != args.la_code:
                continue
            if args.category and event.finding.category != args.category:
                continue
            finding = event.finding
            where = f"{event.local_authority_name or '?'} ({event.la_code or '-'})"
            number = f" ¶{finding.paragraph}" if finding.paragraph else ""
            print(  # noqa: T201
                f"{where} {event.report_type} [{finding.category}{number}] "
                f"{finding.section}\n    {finding.text}\n",
                flush=True,
            )
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    finally:
        await stop_consumer(consumer)
    return 0


if __name__ == "__main__":
    main()
