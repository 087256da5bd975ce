"""Every command, option and argument of `findings` says what it is, and its default."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from findings_cli.main import build_parser


def every_action(
    parser: argparse.ArgumentParser, command: str = "findings"
) -> Iterator[tuple[str, argparse.Action]]:
    """Each action of the parser and of its subcommands (and theirs), with the command it
    belongs to; each subcommand appears as the pseudo-action its parent lists it by."""
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        yield command, action
        if isinstance(action, argparse._SubParsersAction):
            yield from ((command, listed) for listed in action._choices_actions)
            for name, subparser in action.choices.items():
                yield from every_action(subparser, f"{command} {name}")


def name_of(action: argparse.Action) -> str:
    return "/".join(action.option_strings) or action.dest or str(action.metavar)


def test_every_option_argument_and_command_has_help() -> None:
    actions = list(every_action(build_parser()))
    assert len(actions) > 60  # the walk reaches every subcommand
    missing = [
        f"{command} {name_of(action)}"
        for command, action in actions
        if not (action.help and action.help.strip())
    ]
    assert missing == []


def test_every_default_is_shown() -> None:
    unsaid = [
        f"{command} {name_of(action)} (default {action.default!r})"
        for command, action in every_action(build_parser())
        if action.default not in (None, False, argparse.SUPPRESS)
        and "%(default)s" not in (action.help or "")
        and "default:" not in (action.help or "")
    ]
    assert unsaid == []


def test_every_help_page_renders_with_its_defaults() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    drop = commands.choices["drop"].format_help()
    assert "seconds --wait waits at most (default: 300)" in " ".join(drop.split())
    for subparser in commands.choices.values():
        subparser.format_help()  # a stray % in a help text would raise here
    reference = commands.choices["reference"]
    load = next(a for a in reference._actions if isinstance(a, argparse._SubParsersAction))
    assert "(default: .findings/reference," in " ".join(load.choices["load"].format_help().split())
