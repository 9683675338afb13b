"""``llmcourse clean``: drop the build cache, and the output folder when llmcourse made it."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from ..cache import CACHE_DIR, clear_cache
from ..errors import UsageError
from ..write import MARKER
from ._common import debug_option, run_guarded


@click.command(name="clean")
@click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="Output folder to remove (default: SITE/_site).")
@click.option("--cache-only", is_flag=True, help="Keep the output folder.")
@debug_option
def command(site: Path, out: Path | None, cache_only: bool, debug: bool) -> None:
    """Remove the build cache (SITE/.llmcourse-cache) and the built site.

    The output folder is removed only if it carries llmcourse's marker file
    (.llmcourse-output), so a mistyped -o never deletes a folder llmcourse did not make.

    \b
    Examples:
      llmcourse clean                 # ./.llmcourse-cache and ./_site
      llmcourse clean course -o public --cache-only
    """
    if not site.is_dir():
        raise click.UsageError(f"site folder '{site}' does not exist")
    out_dir = out or site / "_site"
    messages = run_guarded(lambda: _clean(site, out_dir, cache_only), debug=debug)
    for message in messages:
        click.echo(message)


def _clean(site: Path, out_dir: Path, cache_only: bool) -> list[str]:
    messages = []
    if clear_cache(site):
        messages.append(f"Removed {site / CACHE_DIR}")
    if not cache_only and out_dir.exists():
        if not (out_dir / MARKER).is_file():
            raise UsageError(f"not removing {out_dir}: it has no {MARKER} marker, so "
                             "llmcourse did not make it")
        shutil.rmtree(out_dir)
        messages.append(f"Removed {out_dir}")
    return messages or ["Nothing to clean"]
