"""The `streamcompare` command: one entry point, one subcommand group per job."""

from __future__ import annotations

import re
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from streamcompare import interrupt
from streamcompare.cli import boundary
from streamcompare.errors import ConfigError

REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")

app = typer.Typer(
    help="Measure and model Apache Kafka vs Amazon Kinesis Data Streams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_registered: list[bool] = []


def _register() -> None:
    """Attach every subcommand once (main() may run many times in one process, e.g. in tests)."""
    if _registered:
        return
    _registered.append(True)
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
                  help="Live experiments on the local stack (reliability under failure, security, flow control).")
    app.command("report", help="Run every notebook with papermill and write a self-contained HTML report.")(
        report_command)


@app.command()
def cleanup(
    region: Annotated[str | None, typer.Option(help="AWS region to search (for streams in AWS)")] = None,
    profile: Annotated[str | None, typer.Option(help="AWS profile (default: the default credential chain)")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Delete them; without it, only list")] = False,
    local: Annotated[bool, typer.Option("--local", help="Remove what killed runs left on the local stack: their "
                                                        "topics, streams and consumer processes")] = False,
    run_dir: Annotated[Path | None, typer.Option("--run-dir", help="The local stack's run dir [default: ./.stack "
                                                                   "or $STREAMCOMPARE_RUN_DIR]")] = None,
) -> None:
    """Remove what the kit left behind: with --local on the local stack, else tagged streams in AWS."""
    if local:
        from streamcompare.cleanup.local import cleanup_local

        for line in cleanup_local(run_dir):
            typer.echo(line)
        return
    if not region:
        raise ConfigError("say where to look: --region for AWS, or --local for the local stack",
                          field="--region", fix="e.g. `streamcompare cleanup --region us-east-1` "
                                                "or `streamcompare cleanup --local`")
    from streamcompare.cleanup.aws import cleanup as run_cleanup
    from streamcompare.target import KinesisPart, Target

    check_region(region, "--region")
    names = run_cleanup(Target(kind="aws", kinesis=KinesisPart(region=region, profile=profile)), delete=yes)
    typer.echo(f"{'deleted' if yes else 'found'} {len(names)} stream(s) tagged created-by=streamcompare"
               + (": " + ", ".join(names) if names else ""))
    if names and not yes:
        typer.echo("run again with --yes to delete them")


def check_region(region: str, field: str) -> None:
    """An AWS region code (us-east-1, eu-central-2, us-gov-west-1), checked before any call."""
    if not REGION.match(region):
        raise ConfigError(f"{region!r} is not an AWS region code", field=field,
                          fix="use a code such as us-east-1 or eu-west-2")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: user errors print what, where and the fix (exit 2), never a traceback.

    SIGTERM and SIGINT stop a run cleanly (exit 143 / 130) and say what was cleaned; a genuine bug
    shows its traceback and asks to be reported (exit 1).
    """
    _register()
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    interrupt.install()
    code = 0
    try:
        result = app(args=argv, standalone_mode=False, prog_name="streamcompare")
        code = result if isinstance(result, int) else 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:  # the boundary: every failure is reported here, once
        code = boundary.report(exc)
    finally:
        for signum, handler in previous.items():
            if threading.current_thread() is threading.main_thread():
                signal.signal(signum, handler)
    sys.exit(code)
