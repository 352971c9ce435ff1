"""The ``veilig`` command: one Typer app with a sub-app per topic.

Settings are built once here, in ``main()``, and handed to the commands through the Typer
context; nothing reads the environment or connects at import. Every ``VeiligError`` ends the
command with its one-line message on stderr and its exit code, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from bot.cli import (
    codes,
    consent,
    coordinators,
    db,
    deliver,
    demo,
    export,
    groups,
    instrument,
    questionnaire,
    report,
    rounds,
    schools,
    serve,
    simulate,
)

app = typer.Typer(
    name="veilig",
    help="The yearly pupil safety monitor: schools, rounds, codes, the questionnaire, results.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(db.app, name="db")
app.add_typer(schools.app, name="school")
app.add_typer(groups.app, name="group")
app.add_typer(rounds.app, name="round")
app.add_typer(questionnaire.app, name="questionnaire")
app.command(name="codes")(codes.codes)
app.command(name="consent")(consent.consent)
app.command(name="simulate")(simulate.simulate)
app.command(name="demo")(demo.demo)
app.command(name="deliver")(deliver.deliver)
app.command(name="report")(report.report)
app.command(name="export")(export.export)
app.add_typer(instrument.app, name="instrument")
app.add_typer(coordinators.app, name="coordinator")
app.command(name="serve")(serve.serve)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    from bot.cli.runtime import run_cli

    code = run_cli(app, argv)
    if argv is None:
        sys.exit(code)
    return code
