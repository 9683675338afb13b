"""``llmcourse check``: build in memory, report broken links, anchors, images and more."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from ..errors import Diagnostic
from ._common import debug_option, run_guarded

FORMATS = ("text", "json", "github")


@click.command(name="check")
@click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: path:line: level: message; json: one object per line; "
                   "github: GitHub Actions annotations.")
@click.option("--external", is_flag=True,
              help="Also check outbound http(s) links (cached for a day in "
                   "SITE/.llmcourse-cache/external.json). Without it, no network is used.")
@debug_option
def command(site: Path, fmt: str, external: bool, debug: bool) -> None:
    """Check the course for broken links, missing images and other mistakes.

    Builds the site in memory (nothing is written) and reports each problem as
    "path:line: level: message". Exits 1 when there is an error, else 0.

    \b
    Examples:
      llmcourse check
      llmcourse check course --external --format github
    """
    if not site.is_dir():
        raise click.UsageError(f"site folder '{site}' does not exist")
    findings = run_guarded(lambda: _run(site, external), debug=debug)
    click.echo(format_findings(findings, fmt), nl=False)
    if fmt == "text":
        from ..check import summary

        click.echo(summary(findings))
    sys.exit(1 if any(f.level == "error" for f in findings) else 0)


def _run(site: Path, external: bool) -> list[Diagnostic]:
    from ..check import check_site

    return check_site(site, external=external)


def format_findings(findings: Iterable[Diagnostic], fmt: str) -> str:
    lines = []
    for f in findings:
        if fmt == "json":
            lines.append(json.dumps({"path": f.path, "line": f.line, "level": f.level,
                                     "message": f.message, "hint": f.hint}, ensure_ascii=False))
        elif fmt == "github":
            message = f.message + (f" ({f.hint})" if f.hint else "")
            where = f"file={_property(f.path)}" + (f",line={f.line}" if f.line else "")
            lines.append(f"::{f.level} {where}::{_data(message)}")
        else:
            lines.append(f.format(with_level=True))
    return "".join(line + "\n" for line in lines)


def _data(text: str) -> str:
    """GitHub's escaping for a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
