"""Every command explains itself with an example that the parser accepts; every query has --json."""

from __future__ import annotations

import argparse
import shlex
from importlib.metadata import version

import pytest

from cli.main import build_parser

QUERIES = {
    "partner status",
    "partner tiers",
    "deal history",
    "deal expiring",
    "decisions",
    "dead-letters",
    "audit replay",
    "audit verify",
    "audit explain",
    "tokens list",
    "sweep",
}


def leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    subcommands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subcommands:
        yield " ".join(path), parser
    for action in subcommands:
        for name, child in action.choices.items():
            yield from leaves(child, (*path, name))


PARSER = build_parser()
COMMANDS = dict(leaves(PARSER))


def example_of(parser: argparse.ArgumentParser) -> str:
    epilog = parser.epilog or ""
    assert "example: ledger " in epilog, "no example in --help"
    # An example may be followed by a note after three spaces: "(Ctrl-C stops both)".
    return epilog.split("example: ledger ", 1)[1].split("   ")[0]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_an_example_the_parser_accepts(command):
    arguments = shlex.split(example_of(COMMANDS[command]))
    assert " ".join(arguments).startswith(command)
    parsed = PARSER.parse_args(arguments)
    assert parsed.handler is not None


@pytest.mark.parametrize("command", sorted(QUERIES))
def test_every_query_offers_json(command):
    options = {option for action in COMMANDS[command]._actions for option in action.option_strings}
    assert "--json" in options


def test_the_list_of_queries_names_real_commands():
    assert set(COMMANDS) >= QUERIES


def test_version_prints_the_installed_distributions_version(capsys):
    with pytest.raises(SystemExit) as exited:
        PARSER.parse_args(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"ledger {version('channel-ledger')}\n"
