"""What every verb shares: printing diagnostics and mapping failures to exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TypeVar

import click

from ..errors import BuildError, Diagnostic, LlmcourseError, UsageError

T = TypeVar("T")

debug_option = click.option(
    "--debug", is_flag=True, help="Show Python tracebacks for errors (for bug reports)."
)


# Set by a command that finished and closed everything it opened: ``cli.main`` may then end
# the process without the interpreter's teardown.
may_exit_at_once = False


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """One line per problem on stderr, in a stable order (by path, then line): errors as
    ``path:line: message``, warnings as ``path:line: warning: message``."""
    for diag in sorted(diagnostics, key=lambda d: (d.path, d.line, d.level, d.message)):
        click.echo(diag.format(with_level=diag.level != "error"), err=True)


def run_guarded(action: Callable[[], T], *, debug: bool) -> T:
    """Run ``action``; turn llmcourse errors into printed lines and exit codes (1, or 2 for usage)."""
    try:
        return action()
    except BuildError as exc:
        if debug:
            raise
        print_diagnostics(exc.diagnostics)
        errors = sum(d.level == "error" for d in exc.diagnostics)
        if errors:
            click.echo(f"llmcourse: {errors} error(s); nothing was written.", err=True)
        else:  # build --strict: warnings alone stop it
            click.echo(f"llmcourse: {len(exc.diagnostics)} warning(s) and --strict; "
                       "nothing was written.", err=True)
        sys.exit(1)
    except UsageError as exc:
        if debug:
            raise
        click.echo(f"llmcourse: {exc}", err=True)
        sys.exit(2)
    except LlmcourseError as exc:
        if debug:
            raise
        click.echo(f"llmcourse: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # unreadable source, full disk, permission denied: one line too
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"llmcourse: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
