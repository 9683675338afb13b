"""The command line: the only place that prints diagnostics and chooses exit codes.

Each verb lives in ``llmcourse.commands.<name>`` and is imported only when it runs, so
``llmcourse --help`` stays fast and a verb's heavy imports never slow down another verb.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import click

from . import __version__
from .commands import _common

# verb -> module under llmcourse.commands; each module defines a click command named `command`.
COMMANDS = {
    "build": "build",
    "serve": "serve",
    "check": "check",
    "clean": "clean",
    "fix-encoding": "fix_encoding",
    "new": "new",
    "import-jekyll": "import_jekyll",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, mod in COMMANDS.items() if _module_exists(mod))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None or not _module_exists(module_name):
            return None
        module = importlib.import_module(f"llmcourse.commands.{module_name}")
        return module.command


def _module_exists(name: str) -> bool:
    return importlib.util.find_spec(f"llmcourse.commands.{name}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="llmcourse")
def cli() -> None:
    """llmcourse: build a course website from Markdown lecture notes.

    \b
    Example:
      llmcourse build            # build ./ into ./_site
      llmcourse serve            # live preview at http://127.0.0.1:8000/
    """


def main() -> None:
    # click's standalone mode maps usage errors to exit 2 and Ctrl-C to exit 1.
    try:
        cli(prog_name="llmcourse")
    except SystemExit as exc:
        if exc.code in (0, None) and _common.may_exit_at_once:
            # A finished build has written, closed and printed everything; tearing down
            # the interpreter (freeing a 1000-lecture site object by object) took a fifth
            # of a warm build. (Only here, the console entry point: never in-process.)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
