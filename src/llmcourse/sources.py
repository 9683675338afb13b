"""Turn a source file's bytes into text: UTF-8 first, legacy encodings with a warning,
binary data as an error. Thin wrapper over ``mojibake.decode_source``."""

from __future__ import annotations

from .errors import Diagnostic
from .source_decoding import decode_source


def decode(data: bytes, rel: str) -> tuple[str | None, list[Diagnostic]]:
    from .mojibake import looks_mojibake  # its model loads only when a file is parsed

    text, encoding, problem = decode_source(data)
    if problem or encoding is None:
        return None, [Diagnostic(rel, 1, problem or "cannot decode this file as text")]
    notes: list[Diagnostic] = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(Diagnostic(rel, 1, f"decoded as {encoding}, not UTF-8", "warning",
                                f"convert it with: llmcourse fix-encoding {rel}"))
    if looks_mojibake(text):
        notes.append(Diagnostic(rel, _first_mojibake_line(text),
                                "text looks mis-encoded (UTF-8 read as Windows-1252)", "warning",
                                f"repair it with: llmcourse fix-encoding {rel}"))
    return text, notes


def _first_mojibake_line(text: str) -> int:
    from .mojibake import looks_mojibake

    for number, line in enumerate(text.splitlines(), start=1):
        if looks_mojibake(line):
            return number
    return 1
