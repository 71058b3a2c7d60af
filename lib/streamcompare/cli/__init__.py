"""The `streamcompare` command: one entry point, one subcommand group per job."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from streamcompare.errors import StreamcompareError

app = typer.Typer(
    help="Measure and model Apache Kafka vs Amazon Kinesis Data Streams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from streamcompare.cli.bench import bench_command
    from streamcompare.cli.cost import cost_command, prices_app
    from streamcompare.cli.probe import app as probe_app
    from streamcompare.cli.report import report_command
    from streamcompare.cli.stack import app as stack_app

    app.add_typer(stack_app, name="stack", help="Start, stop and inspect the embedded local stack.")
    app.command("cost", help="Monthly cost of every deployment option, itemised, from dated AWS prices.")(
        cost_command)
    app.add_typer(prices_app, name="prices", help="Show or refresh the dated AWS price tables.")
    app.command("bench")(bench_command)
    app.add_typer(probe_app, name="probe",
                  help="Live experiments on the local stack (reliability under failure, security).")
    app.command("report", help="Run every notebook with papermill and write a self-contained HTML report.")(
        report_command)


@app.command()
def cleanup(
    region: str = typer.Option(..., help="AWS region to search"),
    profile: str | None = typer.Option(None, help="AWS profile (default: the default credential chain)"),
    yes: bool = typer.Option(False, "--yes", help="Delete them; without it, only list"),
) -> None:
    """List, or with --yes delete, Kinesis streams the kit left in AWS (tag created-by=streamcompare)."""
    from streamcompare.drivers.aws_cleanup import cleanup as run_cleanup

    names = run_cleanup({"kind": "aws", "region": region, "profile": profile}, delete=yes)
    Console().print(f"{'deleted' if yes else 'found'} {len(names)} stream(s) tagged created-by=streamcompare"
                    + (": " + ", ".join(names) if names else ""))
    if names and not yes:
        Console().print("run again with --yes to delete them")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors print a message and a fix, never a traceback."""
    _register()
    err = Console(stderr=True)
    try:
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except StreamcompareError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted[/]")
        sys.exit(130)
    except Exception as exc:  # click usage errors and aborts carry their own exit codes
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(1)
        raise
