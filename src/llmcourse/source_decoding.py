"""Turning a source file's bytes into text: UTF-8 first, legacy CJK encodings second.

The build calls :func:`decode_source` for every Markdown file, so the common case (plain UTF-8)
is a single ``bytes.decode``; charset-normalizer is only imported for files that are not UTF-8.
Pure functions: no I/O.
"""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_legacy(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 text (Big5/cp950, GB18030/GBK, ...) with charset-normalizer.

    Returns ``(text, encoding)``; raises ``ValueError`` if no encoding fits.
    """
    from charset_normalizer import from_bytes

    # charset-normalizer's language check is weak on short CJK text (a few GB18030 lines come
    # out as Korean cp949), so the strict Chinese decodings compete too, judged below; they
    # come first because max() keeps the first of equals and these are Chinese course notes.
    found = []
    for encoding in ("big5", "gb18030"):
        try:
            found.append((data.decode(encoding), encoding))
        except UnicodeDecodeError:
            continue
    found += [(str(match), match.encoding) for match in from_bytes(data)]
    if not found:
        raise ValueError("no text encoding fits these bytes")
    return max(found, key=lambda item: _common_share(item[0]))


def _common_share(text: str) -> float:
    """Share of non-ASCII characters that are common in their script.

    A wrong decoding of CJK bytes produces rare characters; the right one mostly produces
    characters from the first ("frequent") level of Big5, GB2312 or KS X 1001, or kana.
    """
    chars = [ch for ch in text if ord(ch) > 0x7F]
    if not chars:
        return 1.0
    return sum(map(_is_common, chars)) / len(chars)


def _is_common(ch: str) -> bool:
    cp = ord(ch)
    if 0x3000 <= cp <= 0x30FF or 0xFF00 <= cp <= 0xFFEF:  # CJK punctuation, kana, fullwidth
        return True
    if 0xC0 <= cp <= 0x17F:  # accented Latin letters (a Latin-1 or cp1252 file)
        return ch.isalpha()
    if 0xAC00 <= cp <= 0xD7A3:  # Hangul: the 2,350 syllables of KS X 1001 are the common ones
        return _encodes(ch, "euc_kr")
    if not 0x4E00 <= cp <= 0x9FFF:
        return False
    for encoding, first, last in (("big5", 0xA440, 0xC67E), ("gb2312", 0xB0A1, 0xD7F9)):
        if _encodes(ch, encoding) and first <= int.from_bytes(ch.encode(encoding), "big") <= last:
            return True
    return False


def _encodes(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def decode_source(data: bytes) -> tuple[str, str | None, str | None]:
    """Decode a source file: ``(text, encoding, problem)``.

    ``encoding`` is ``"utf-8"`` for the common case, the BOM's encoding if there is one, or the
    legacy encoding found; it is None (with ``text`` empty and ``problem`` set) for binary or
    undecodable data.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" in text:
            return "", None, "binary data (NUL bytes); not a text file"
        if text.startswith("\ufeff"):
            return text[1:], "utf-8-sig", None
        return text, "utf-8", None
    for bom, encoding in _BOMS[1:]:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding, None
            except UnicodeDecodeError:
                return "", None, f"invalid {encoding} despite its byte order mark"
    if b"\x00" in data or _control_share(data) > 0.05:
        return "", None, "binary data; not a text file"
    try:
        text, encoding = decode_legacy(data)
    except ValueError:
        return "", None, "not UTF-8 and no known text encoding fits"
    return text, encoding, None


def _control_share(data: bytes) -> float:
    """Share of C0 control bytes other than whitespace: high in binary files, ~0 in text."""
    sample = data[:4096]
    if not sample:
        return 0.0
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D, 0x1B))
    return controls / len(sample)
