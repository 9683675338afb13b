"""``llmcourse serve``: build, serve on 127.0.0.1, rebuild on every save, reload the browser."""

from __future__ import annotations

import ipaddress
import signal
import sys
import webbrowser
from pathlib import Path

import click

from ._common import debug_option, print_diagnostics

EXAMPLE = """\b
Example:
  llmcourse serve                      # ./ at http://127.0.0.1:8000/ (under baseurl)
  llmcourse serve course --port 8080 --drafts --open"""


@click.command("serve", epilog=EXAMPLE)
@click.argument("site", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (anything but loopback exposes your drafts).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--open/--no-open", "open_browser", default=False,
              help="Open the site in the default browser once it is built.")
@click.option("--drafts", is_flag=True, help="Include drafts and unpublished lectures.")
@click.option("--future", is_flag=True, help="Include lectures dated in the future.")
@debug_option
def command(site: Path, host: str, port: int, open_browser: bool, drafts: bool, future: bool,
            debug: bool) -> None:
    """Preview the site while you edit it: every save shows in the browser at once.

    Builds into a temporary folder (SITE/_site is left alone), serves it the way GitHub Pages
    does (under the baseurl of site.yaml), watches content/, templates/, static/ and site.yaml,
    and rebuilds only what a save changed. The page you are viewing reloads when it changed
    and keeps its scroll position; stylesheets apply without a reload. A mistake shows as an
    overlay in the browser and as path:line: message here, while the last good site stays up.
    """
    from ..serve import DevServer

    if not site.is_dir():
        raise click.UsageError(f"site folder '{site}' does not exist")
    if not _is_loopback(host):
        click.secho(f"Warning: listening on {host}: this is a development server, not meant "
                    "for the public internet; anyone who can reach it sees your drafts.",
                    fg="yellow", err=True)
    try:
        server = DevServer(site, host=host, port=port, drafts=drafts, future=future,
                           verbose=debug, report=_reporter(site, debug), notify=click.echo)
    except OSError as exc:
        click.echo(f"llmcourse: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    # Ctrl-C and `kill` (SIGTERM) both end it cleanly: streams closed, the temporary folder
    # removed. SIGINT is set explicitly: a shell starting us in the background ignores it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
        click.echo(f"Serving {site} at {server.url}  (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(server.url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    click.echo("Stopped.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _reporter(site: Path, debug: bool):  # type: ignore[no-untyped-def]
    def report(outcome, changes) -> None:  # type: ignore[no-untyped-def]
        what = changes.describe(site.resolve()) if changes is not None else "first build"
        ms = outcome.seconds * 1000
        if outcome.ok:
            result = outcome.result
            early = len(outcome.early)  # the saved page itself, written ahead of the rest
            click.echo(f"Rebuilt in {ms:.0f} ms ({what}): {result.rendered + early} page(s) "
                       f"rendered, {len(result.written) + early} written, "
                       f"{len(result.removed)} removed"
                       if changes is not None else f"Built {result.summary()}")
            print_diagnostics(outcome.diagnostics)
            return
        print_diagnostics(outcome.diagnostics)
        if outcome.crash and debug:
            click.echo(outcome.crash, err=True)
        click.secho(f"Build failed ({what}); still serving the last good site.", fg="red",
                    err=True)

    return report
