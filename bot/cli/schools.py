"""``veilig school``: register schools one by one or from a CSV file, and list them."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.cli.output import count, table
from bot.cli.runtime import OPERATOR, with_service
from bot.service import schools
from bot.service.school_import import new_school, read_schools

app = typer.Typer(help="Register and list schools (vestigingen).", no_args_is_help=True)


@app.command()
def add(
    ctx: typer.Context,
    brin: str = typer.Option(..., help="BRIN code, 4 characters, e.g. 12AB."),
    vestiging: str = typer.Option(..., help="Vestiging number, 2 digits, e.g. 00."),
    name: str = typer.Option(..., help="The school's name."),
    sector: str = typer.Option(..., help="po, so, vo or vso."),
    support_contact: str | None = typer.Option(
        None, help="Who pupils can talk to, shown after they report being hurt."
    ),
) -> None:
    """Register one school."""
    school = new_school(brin, vestiging, name, sector, support_contact)
    added = with_service(ctx, lambda service: schools.add_school(service, OPERATOR, school))
    typer.echo(f"Added school {added.code} {added.name} ({added.sector.value.upper()}).")


@app.command("list")
def list_schools(ctx: typer.Context) -> None:
    """List the registered schools."""
    found = with_service(ctx, lambda service: schools.list_schools(service, OPERATOR))
    if not found:
        typer.echo("No schools registered yet; add one with: veilig school add --help")
        return
    typer.echo(
        table(
            ["school", "sector", "name", "support contact"],
            [(s.code, s.sector.value.upper(), s.name, s.support_contact) for s in found],
        )
    )


@app.command("import")
def import_schools(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., help="CSV with columns brin, vestiging, name, sector[, support_contact]."
    ),
) -> None:
    """Register many schools from a CSV file: every row is valid, or nothing is imported."""
    rows = read_schools(path)
    imported = with_service(
        ctx, lambda service: schools.import_schools(service, OPERATOR, rows, str(path))
    )
    typer.echo(f"Imported {count(imported, 'school')} from {path}.")
