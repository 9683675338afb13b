"""``llmcourse new``: start a course from the starter files."""

from __future__ import annotations

from pathlib import Path

import click

from ..scaffold import StarterOptions, create_site
from ._common import debug_option, run_guarded


@click.command(name="new")
@click.argument("site", type=click.Path(path_type=Path))
@click.option("--title", default="My Course", show_default=True, help="The course's title.")
@click.option("--force", is_flag=True,
              help="Write into a non-empty folder (starter files are overwritten).")
@debug_option
def command(site: Path, title: str, force: bool, debug: bool) -> None:
    """Create a new course in SITE: site.yaml, a sample lecture, an about page, a syllabus
    and a GitHub Actions workflow that publishes the site to GitHub Pages.

    \b
    Example:
      llmcourse new mycourse --title "Large Language Models"
      cd mycourse && llmcourse serve
    """
    written = run_guarded(lambda: create_site(site, force=force,
                                              options=StarterOptions(title=title)), debug=debug)
    click.echo(f"Created {len(written)} files in {site}:")
    for rel in written:
        click.echo(f"  {rel}")
    click.echo(f"\nNext:\n  cd {site}\n  llmcourse serve      # preview at http://127.0.0.1:8000/"
               "\n  llmcourse build      # the site, in _site/")
