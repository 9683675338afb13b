"""One error type for bad input, reported once by the CLI.

Every problem a user can fix is a :class:`Diagnostic` (``path:line: message``). Stages collect
diagnostics per file and go on; the build raises :class:`BuildError` with all of them at the end,
and ``cli.py`` prints them and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem in the user's input, located at ``path:line`` (line is 1-based, 0 = unknown)."""

    path: str
    line: int
    message: str
    level: Level = "error"
    hint: str | None = None

    def format(self, *, with_level: bool = False) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        level = f" {self.level}:" if with_level else ""
        text = f"{where}:{level} {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class LlmcourseError(Exception):
    """Base of every error llmcourse reports to the user (never with a traceback)."""


class ContentError(LlmcourseError):
    """A single bad-input problem, raised by pure parse functions and caught per file."""

    def __init__(self, path: str, line: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.diagnostic = Diagnostic(path, line, message, "error", hint)

    def __str__(self) -> str:
        return self.diagnostic.format()


class ConfigError(ContentError):
    """A problem in site.yaml."""


class BuildError(LlmcourseError):
    """The build found errors; it carries all of them (and the warnings seen so far)."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{sum(d.level == 'error' for d in diagnostics)} error(s)")
        self.diagnostics = diagnostics


class UsageError(LlmcourseError):
    """The command line asks for something impossible (exit code 2)."""
