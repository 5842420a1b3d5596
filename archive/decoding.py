"""Bytes to text: refuse what is not text, then find the encoding.

The order is: known binary signatures (an image named ``.txt`` is still an
image), byte-order marks, strict UTF-8, an HTML ``<meta charset>``, and only then
charset-normalizer restricted to the legacy encodings German text really comes
in (Windows-1252, Latin-1, Latin-9). A text that none of these explain is
refused instead of being turned into mojibake.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

from pressearchiv.archive.errors import BinaryInput, EmptyInput, UndecodableInput

__all__ = ["DecodedText", "decode_bytes"]

# Magic numbers of the binary formats people most often drop by mistake.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel/OpenDocument file)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg media file"),
    (b"{\\rtf", "an RTF document"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)

# Control characters other than tab, newline, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

_LEGACY = ["cp1252", "latin_1", "iso8859_15"]


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_bytes(data: bytes, *, source: str | None = None) -> DecodedText:
    """Decode an uploaded document, or raise a ParseError saying why not."""
    if not data.strip():
        raise EmptyInput("the file is empty", source=source)
    _refuse_binary(data, source)

    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise UndecodableInput(
                    f"starts with a {encoding.upper()} byte-order mark but is not valid "
                    f"{encoding.upper()} (byte {exc.start})",
                    source=source,
                ) from None
            return _checked(text, encoding, source)

    if b"\x00" in data:
        raise _nul_error(data, source)

    try:
        return _checked(data.decode("utf-8"), "utf-8", source)
    except UnicodeDecodeError:
        pass

    declared = _declared_charset(data)
    if declared:
        try:
            return _checked(data.decode(declared), declared, source)
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration is common; detect instead

    best = charset_normalizer.from_bytes(data, cp_isolation=_LEGACY).best()
    if best is None:
        raise UndecodableInput(
            "is neither UTF-8 nor a Western European legacy encoding (Windows-1252, "
            "Latin-1); save it as UTF-8 and upload again",
            source=source,
        )
    return _checked(str(best), best.encoding, source)


def _refuse_binary(data: bytes, source: str | None) -> None:
    head = data[:16]
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            raise BinaryInput(f"is {kind}, not a text, JSON or HTML article", source=source)
    if head[:4] == b"RIFF" and data[8:12] in {b"WEBP", b"WAVE", b"AVI "}:
        raise BinaryInput("is a media file, not a text, JSON or HTML article", source=source)
    if data[4:8] == b"ftyp":
        raise BinaryInput("is a video or audio file, not an article", source=source)


def _nul_error(data: bytes, source: str | None) -> BinaryInput | UndecodableInput:
    sample = data[:4000]
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = max(1, len(sample) // 2)
    if max(even_nuls, odd_nuls) > 0.6 * half and min(even_nuls, odd_nuls) < 0.05 * half:
        # Looks like UTF-16, but without a byte-order mark its byte order is a guess.
        return UndecodableInput(
            "looks like UTF-16 text without a byte-order mark; save it as UTF-8 "
            "(or UTF-16 with BOM) and upload again",
            source=source,
        )
    return BinaryInput("contains NUL bytes: it is a binary file, not text", source=source)


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _checked(text: str, encoding: str, source: str | None) -> DecodedText:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise EmptyInput("the file holds only white space", source=source)
    controls = len(_CONTROL.findall(text[:20000]))
    if controls > max(2, len(text[:20000]) // 100):
        raise BinaryInput(
            "contains control characters that do not occur in text: it looks binary",
            source=source,
        )
    return DecodedText(text=_CONTROL.sub("", text), encoding=encoding.replace("_", "-"))
