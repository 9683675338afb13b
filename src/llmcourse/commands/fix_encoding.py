"""``llmcourse fix-encoding``: rewrite mis-encoded notes as clean UTF-8, keeping the original."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

import click

from ..errors import Diagnostic
from ._common import debug_option, run_guarded


@dataclass
class _Outcome:
    """What happened to one file: lines to print and whether it was an error."""

    messages: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False


@click.command(
    "fix-encoding",
    epilog="""\b
Example:
  llmcourse fix-encoding --dry-run content/notes/*.md   # show what would change
  llmcourse fix-encoding content/notes/broken.md        # fix it, keep broken.md.orig""",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print a summary and a unified diff; write nothing.")
@debug_option
def command(paths: tuple[Path, ...], dry_run: bool, debug: bool) -> None:
    """Repair mojibake and legacy encodings in PATH... and save them as UTF-8.

    Finds UTF-8 text that was decoded as Windows-1252/1254 or Latin-1 (e.g. "ç°¡ä»‹" for
    "簡介"), including characters that lost bytes on the way, and files in Big5 or GB18030.
    Each fixed file keeps its original beside it as PATH.orig (an existing .orig is never
    overwritten: the file is then left alone). Characters the repair could not decide are
    reported as "path:line: warning: ..."; the best guess is kept in the text.
    """
    outcomes = run_guarded(lambda: [_fix_one(p, dry_run=dry_run) for p in paths], debug=debug)
    for outcome in outcomes:
        for message in outcome.messages:
            click.echo(message)
        for diag in outcome.diagnostics:
            click.echo(diag.format(with_level=True), err=True)
    if any(o.failed for o in outcomes):
        raise SystemExit(1)


def _fix_one(path: Path, *, dry_run: bool) -> _Outcome:
    from ..mojibake import decode_source, looks_mojibake, repair_text

    out = _Outcome()
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _error(out, name, f"cannot read: {exc.strerror or exc}")
    text, encoding, problem = decode_source(data)
    if problem or encoding is None:
        return _error(out, name, problem or "cannot decode")
    summary = f"decoded from {encoding}" if encoding not in ("utf-8", "utf-8-sig") else ""
    if looks_mojibake(text):
        result = repair_text(text)
        text = result.text
        summary = _join(summary, f"repaired {result.repaired + result.restored} character(s)"
                        f" ({result.restored} rebuilt from lost bytes,"
                        f" {len(result.undecided)} undecided)")
        for item in result.undecided:
            out.diagnostics.append(Diagnostic(
                name, item.line,
                f"could not decide column {item.column}: kept {item.candidates[0]!r}"
                f" (candidates {' '.join(item.candidates)}) in {item.snippet!r}"
                if item.candidates else
                f"could not decode column {item.column}: U+FFFD in {item.snippet!r}",
                "warning",
            ))
    new_data = text.encode("utf-8")
    if not summary or new_data == data:
        out.messages.append(f"{name}: already clean")
        out.diagnostics.clear()
        return out
    if dry_run:
        out.messages.append(f"{name}: would be rewritten as UTF-8: {summary} (dry run)")
        out.messages.extend(_diff(name, data.decode("utf-8", "replace"), text))
        return out
    backup = path.with_name(path.name + ".orig")
    try:
        # "x" mode: never overwrite an existing backup, even one made a moment ago.
        with open(backup, "xb") as fh:
            fh.write(data)
    except FileExistsError:
        return _error(out, name, f"{backup} already exists; not overwriting it, file left unchanged")
    except OSError as exc:
        return _error(out, name, f"cannot write {backup}: {exc.strerror or exc}")
    _write_atomic(path, new_data)
    out.messages.append(f"{name}: rewritten as UTF-8: {summary}; original kept as {backup}")
    return out


def _write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    tmp = path.with_name(f".{path.name}.fix-encoding.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _diff(name: str, old: str, new: str) -> list[str]:
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"{name} (as read)", f"{name} (fixed)", lineterm=""
    )
    return list(lines)


def _error(out: _Outcome, name: str, message: str) -> _Outcome:
    out.diagnostics.append(Diagnostic(name, 0, message, "error"))
    out.failed = True
    return out


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
