"""The CLI's one error boundary: every expected failure becomes the kit's message and exit 2.

Expected failures are the kit's own `StreamcompareError`s, the CLI library's parse errors (typer
bundles its own copy of click, so both copies' classes are matched), files the user pointed at that
cannot be read or written, and AWS answers about credentials, profiles and regions. Messages are
printed as plain text (never as rich markup: a path like `[x]` must stay as typed). Anything else is a
bug: its traceback is shown with a line asking to report it.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any, TextIO

from streamcompare.errors import ConfigError, StreamcompareError
from streamcompare.interrupt import Interrupted, activity, cleaned_steps

USER_ERROR = 2
BUG = 1
REPORT_BUG = ("this is a bug in streamcompare, not in your input: please report it with the traceback above "
              "and the command you ran")


def _click_modules() -> list[Any]:
    modules = []
    try:
        from typer._click import exceptions as bundled  # typer >= 0.26 ships its own click
        modules.append(bundled)
    except ImportError:
        pass
    try:
        from click import exceptions as installed
        modules.append(installed)
    except ImportError:
        pass
    return modules


def _is(exc: BaseException, name: str) -> bool:
    return any(isinstance(exc, getattr(m, name)) for m in _click_modules() if hasattr(m, name))


def click_error(exc: BaseException) -> StreamcompareError | None:
    """A parse error of the CLI library as a ConfigError naming the option or command."""
    if not _is(exc, "ClickException"):
        return None
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "streamcompare"
    param = getattr(exc, "param", None)
    option = getattr(exc, "option_name", None)  # NoSuchOption, BadOptionUsage
    field = None
    if param is not None:
        opts = getattr(param, "opts", None) or []
        field = opts[0] if opts else getattr(param, "name", None)
    elif option:
        field = str(option)
    elif "command" in message:
        field = "command"
    return ConfigError(message.rstrip("."), field=field, fix=f"see `{command} --help`")


def aws_error(exc: BaseException) -> StreamcompareError | None:
    """AWS credential, profile and region problems as user errors (botocore's own words kept)."""
    try:
        from botocore import exceptions as bx
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return None
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError | bx.CredentialRetrievalError):
        return ConfigError(f"no usable AWS credentials: {exc}", field="aws credentials",
                           fix="configure them (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
                               "AWS_SECRET_ACCESS_KEY) or pass --profile")
    if isinstance(exc, bx.ProfileNotFound):
        return ConfigError(str(exc), field="profile", fix="use a profile listed in ~/.aws/config")
    if isinstance(exc, bx.NoRegionError | bx.InvalidRegionError):
        return ConfigError(str(exc), field="region", fix="pass an AWS region code such as us-east-1")
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        return ConfigError(f"cannot reach AWS: {exc}", field="region",
                           fix="check the region and the network (proxy, VPC endpoint)")
    if isinstance(exc, bx.ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        auth = ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
                "AccessDenied", "AccessDeniedException", "InvalidSignatureException", "SignatureDoesNotMatch")
        if code in auth:
            return ConfigError(f"AWS refused the request ({code})", field="aws credentials",
                               fix="check the credentials, their expiry and their IAM permissions")
    return None


def file_error(exc: BaseException) -> StreamcompareError | None:
    """A file or folder the user named that cannot be read or written."""
    if isinstance(exc, OSError) and exc.filename is not None:
        return ConfigError(f"cannot use {exc.filename}: {exc.strerror or exc}", field=str(exc.filename),
                           fix="check the path exists, is a file where a file is expected, and is readable "
                               "(writable for outputs)")
    return None


def user_error(exc: BaseException) -> StreamcompareError | None:
    if isinstance(exc, StreamcompareError):
        return exc
    for translate in (click_error, aws_error, file_error):
        found = translate(exc)
        if found is not None:
            return found
    return None


def exit_code_of(exc: BaseException) -> int | None:
    """The code of the CLI library's own Exit (e.g. --help) or Abort; None for anything else."""
    if _is(exc, "Exit"):
        return int(getattr(exc, "exit_code", 0) or 0)
    if _is(exc, "Abort"):
        return 1
    return None


def report(exc: BaseException, err: TextIO | None = None) -> int:
    """Print what went wrong for a person and return the exit code."""
    err = err or sys.stderr
    if isinstance(exc, Interrupted):
        steps = cleaned_steps()
        what = activity()
        err.write(f"interrupted by {exc.name}" + (f" during {what}" if what else "")
                  + ": stopped\n")
        err.write("cleaned up: " + ("; ".join(steps) if steps else "nothing was left to clean") + "\n")
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        err.write("interrupted\n")
        return 130
    code = exit_code_of(exc)
    if code is not None:
        return code
    if type(exc).__name__ == "NoArgsIsHelpError":  # a bare group: its help is the answer
        err.write(exc.format_message() + "\n")  # type: ignore[attr-defined]
        return USER_ERROR
    found = user_error(exc)
    if found is not None:
        err.write(f"error: {found}\n")
        return USER_ERROR if not isinstance(exc, StreamcompareError) else exc.exit_code
    traceback.print_exception(exc, file=err)
    err.write(f"\n{REPORT_BUG}\n")
    return BUG
