"""``llmcourse build``: the site folder -> a static site in OUT."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import helper as build_helper

if TYPE_CHECKING:
    from ..build import BuildResult
from . import _common
from ._common import debug_option, print_diagnostics, run_guarded


def progress_reporter() -> tuple[object, object]:
    """A rich progress bar on a terminal for long builds; nothing when piped (CI logs)."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task("Rendering", total=None)

    def update(stage: str, done: int, total: int) -> None:
        if total >= 50:
            if not bar.live.is_started and done < total:
                bar.start()
            bar.update(task, completed=done, total=total)
            if done >= total:
                bar.stop()  # its refresh thread ends before the pages (rendered in two processes)

    return bar, update


@click.command(name="build")
@click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="Output folder (default: SITE/_site).")
@click.option("--drafts", is_flag=True, help="Include drafts and unpublished lectures.")
@click.option("--future", is_flag=True, help="Include lectures dated in the future.")
@click.option("--strict", is_flag=True,
              help="Fail on warnings too (exit 1, nothing written): for CI.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=False,
              help="Processes rendering Markdown (default: every core; 1: no worker processes).")
@click.option("--no-cache", is_flag=True,
              help="Neither read nor write SITE/.llmcourse-cache (llmcourse clean drops it).")
@debug_option
def command(site: Path, out: Path | None, drafts: bool, future: bool, strict: bool,
            jobs: int, no_cache: bool, debug: bool) -> None:
    """Build the course website.

    \b
    Examples:
      llmcourse build                 # ./ -> ./_site
      llmcourse build course -o public --drafts
      llmcourse build -j 1 --no-cache # one process, everything rendered afresh
    """
    if not site.is_dir():
        raise click.UsageError(f"site folder '{site}' does not exist")
    # A build process is short and makes few reference cycles, but holds a site of 100,000s
    # of objects that the cyclic collector went through again and again: a tenth of a
    # one-lecture build (a cold build of 1000 lectures peaks at the same memory without it).
    gc.disable()
    # The helper first, so it readies Liquid and Markdown while this process imports the
    # build pipeline (a tenth of a one-lecture build) and reads the sources.
    helper = (build_helper.Helper.start()
              if build_helper.wanted(site, jobs=jobs, use_cache=not no_cache) else None)
    from ..build import Builder, BuildOptions

    options = BuildOptions(site_dir=site, out_dir=out or site / "_site", drafts=drafts,
                           future=future, strict=strict, jobs=jobs, use_cache=not no_cache)
    bar, update = progress_reporter()

    def run() -> BuildResult:
        try:
            return Builder(options, progress=update,  # type: ignore[arg-type]
                           helper=helper).build()
        finally:
            if bar is not None:
                bar.stop()  # type: ignore[attr-defined]

    result = run_guarded(run, debug=debug)
    print_diagnostics(result.warnings)
    click.echo(f"Built {result.summary()} -> {options.out_dir}")
    _common.may_exit_at_once = True
