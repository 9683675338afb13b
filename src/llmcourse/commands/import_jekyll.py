"""``llmcourse import-jekyll``: move a Jekyll course site to llmcourse, old URLs kept."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import BuildError, ContentError
from ..jekyll_import import ImportOptions, ImportPlan, import_jekyll
from ._common import debug_option, run_guarded


@click.command(name="import-jekyll")
@click.argument("jekyll_site", type=click.Path(path_type=Path))
@click.argument("site", type=click.Path(path_type=Path))
@click.option("--keep-urls", is_flag=True,
              help="Publish lectures at their Jekyll URLs (default: llmcourse URLs, with a "
                   "redirect page at each old URL).")
@click.option("--force", is_flag=True, help="Write into a non-empty SITE folder.")
@debug_option
def command(jekyll_site: Path, site: Path, keep_urls: bool, force: bool, debug: bool) -> None:
    """Convert the Jekyll site JEKYLL_SITE into a new llmcourse site SITE.

    _posts/ become content/lectures/, pages and assets keep their paths under content/,
    _config.yml and _data/navigation.yml become site.yaml. Every URL the Jekyll site had keeps
    working. JEKYLL_SITE is only read, never changed. What cannot be carried over (plugins,
    layouts...) is listed, one line each.

    \b
    Example:
      llmcourse import-jekyll ~/AI-course mycourse
      cd mycourse && llmcourse serve
    """
    options = ImportOptions(keep_urls=keep_urls, force=force)

    def run() -> tuple[ImportPlan, list[str]]:
        try:
            return import_jekyll(jekyll_site, site, options)
        except ContentError as exc:  # a bad _config.yml: reported as path:line like the build
            raise BuildError([exc.diagnostic]) from None

    plan, written = run_guarded(run, debug=debug)
    for item in sorted(plan.notes):  # 'path:line: note: ...', one line each
        click.echo(item.format(), err=True)
    lectures = sum(rel.startswith("content/lectures/") and rel.endswith(".md") for rel in written)
    how = ("kept as they were" if keep_urls else
           f"{plan.redirects} served by redirect pages to the new URLs")
    click.echo(f"Imported {lectures} lectures and {len(written) - lectures} other files into "
               f"{site}; old URLs: {how}.")
    click.echo(f"\nNext:\n  cd {site}\n  llmcourse serve\n"
               "  git push, then Settings -> Pages -> Source: GitHub Actions "
               "(.github/workflows/pages.yml publishes the site)")
