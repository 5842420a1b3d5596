"""Bulk ingest from the file system: files, folders, compressed exports, stdin.

Everything streams. Compressed files are decompressed as they are read, and a
JSON Lines export is parsed line by line, so a file of any size needs the
memory of one batch, not of the file. Other formats (a page, a text, one JSON
document) are read whole, one file at a time.

Every input is parsed on its own, so one bad file (or one bad line) is
reported and skipped while everything else is stored. Articles are written in
batches, each batch one transaction: what a batch's commit acknowledged stays
stored however the process ends, and a second run of the same input stores
only what is missing (the rest are duplicates, by content).
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, cast

from pressearchiv.archive.errors import ParseError
from pressearchiv.archive.model import ArticleDraft
from pressearchiv.archive.parsing import JSONL_SUFFIXES, parse_document, parse_jsonl_lines
from pressearchiv.archive.store import ArchiveStore

__all__ = ["IngestReport", "Rejection", "ingest_paths", "list_inputs"]

# Each wraps the open file and decompresses as it is read (closed by _open's stack).
_DECOMPRESSORS: dict[str, Callable[[BinaryIO], IO[bytes]]] = {
    # GzipFile is typed as a BufferedIOBase, not an IO[bytes]; it reads like one.
    ".gz": lambda raw: cast(IO[bytes], gzip.GzipFile(fileobj=raw)),  # noqa: SIM115
    ".xz": lambda raw: lzma.LZMAFile(raw),  # noqa: SIM115
    ".bz2": lambda raw: bz2.BZ2File(raw),  # noqa: SIM115
}
# What a damaged compressed stream raises while it is read (gzip's
# BadGzipFile is an OSError: it means bad content, not a bad disk).
_DAMAGED = (lzma.LZMAError, OSError, EOFError)


@dataclass(frozen=True)
class Rejection:
    source: str
    reason: str


@dataclass
class IngestReport:
    """What an ingest did so far; the progress callback sees it grow."""

    added: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    max_seq: int = 0
    bytes_read: int = 0  # of the input files as they lie on disk (compressed)
    bytes_total: int = 0

    def summary(self) -> str:
        return f"{self.added} added, {self.duplicates} duplicates, {len(self.rejected)} rejected"


@dataclass(frozen=True)
class _Input:
    name: str
    path: Path | None  # None: standard input
    size: int


def list_inputs(paths: Iterable[str]) -> tuple[list[_Input], list[Rejection]]:
    """The files under ``paths`` (``-`` is standard input) and the paths that do
    not exist. Folders are walked in name order, skipping hidden entries."""
    found: list[_Input] = []
    missing: list[Rejection] = []
    for given in paths:
        if given == "-":
            found.append(_Input("<stdin>", None, 0))
            continue
        path = Path(given)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path))
            )
        elif path.exists():
            files = [path]
        else:
            missing.append(Rejection(given, "no such file or folder"))
            continue
        found.extend(_Input(str(file), file, _size(file)) for file in files)
    return found, missing


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _logical_name(source: str) -> str:
    """``export.jsonl.xz`` is parsed as ``export.jsonl``."""
    for suffix in _DECOMPRESSORS:
        if source.lower().endswith(suffix):
            return source[: -len(suffix)]
    return source


def ingest_paths(
    store: ArchiveStore,
    paths: Iterable[str],
    *,
    on_progress: Callable[[IngestReport], object] | None = None,
    batch_size: int = 500,
) -> IngestReport:
    """Parse and store everything under ``paths``; returns what happened.

    ``on_progress(report)`` is called after each stored batch and each file.
    """
    inputs, missing = list_inputs(paths)
    report = IngestReport(rejected=missing, bytes_total=sum(i.size for i in inputs))
    pending: list[ArticleDraft] = []
    done_before = 0  # bytes of the files finished before the current one

    def flush() -> None:
        if pending:
            for result in store.add_many(pending):
                if result.created:
                    report.added += 1
                else:
                    report.duplicates += 1
                report.max_seq = max(report.max_seq, result.seq)
            pending.clear()
        if on_progress:
            on_progress(report)

    for source in inputs:
        with ExitStack() as stack:
            try:
                raw, stream = _open(source, stack)
            except OSError as exc:
                report.rejected.append(Rejection(source.name, f"cannot be read ({exc.strerror})"))
                continue
            try:
                for item in _items(source.name, stream):
                    if isinstance(item, ParseError):
                        where = f"{source.name}, line {item.line}" if item.line else source.name
                        report.rejected.append(Rejection(where, item.reason))
                        continue
                    pending.append(item)
                    if len(pending) >= batch_size:
                        report.bytes_read = done_before + _position(raw)
                        flush()
            except ParseError as exc:
                report.rejected.append(Rejection(source.name, exc.reason))
            except _DAMAGED as exc:
                # What was read before the damage is kept (it is valid input).
                reason = f"is not a valid compressed file ({exc})"
                if not isinstance(exc, lzma.LZMAError | EOFError) and exc.errno is not None:
                    reason = f"cannot be read ({exc.strerror})"
                report.rejected.append(Rejection(source.name, reason))
        done_before += source.size
        report.bytes_read = done_before
        flush()
    return report


def _open(source: _Input, stack: ExitStack) -> tuple[BinaryIO, IO[bytes]]:
    """(the file as on disk, its content decompressed as it is read)."""
    if source.path is None:
        raw: BinaryIO = sys.stdin.buffer
    else:
        raw = stack.enter_context(source.path.open("rb"))
    decompress = _DECOMPRESSORS.get(Path(source.name).suffix.lower())
    if decompress is None:
        return raw, raw
    stream = stack.enter_context(decompress(raw))
    return raw, stream


def _position(raw: BinaryIO) -> int:
    try:
        return raw.tell()
    except (OSError, ValueError):  # a pipe
        return 0


def _items(source: str, stream: IO[bytes]) -> Iterator[ArticleDraft | ParseError]:
    """Every article (or bad item) of one input; raises ParseError for a bad file.

    JSON Lines (by name, or a first line that is a whole JSON object followed
    by another line) is parsed as it streams; anything else is read whole and
    parsed as before.
    """
    name = _logical_name(source)
    first = stream.readline()
    head = first.removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"{"):
        second = stream.readline()
        if Path(name).suffix.lower() in JSONL_SUFFIXES or (second.strip() and _is_object(head)):
            lines = _chain_lines([first, second], stream)
            yield from parse_jsonl_lines(lines, name)
            return
        first += second
    data = first + stream.read()
    yield from parse_document(data, name).items


def _chain_lines(read: list[bytes], stream: IO[bytes]) -> Iterator[bytes]:
    """The lines already read, then the rest of the stream, without their ``\\n``."""
    for line in read:
        if line:
            yield line.removesuffix(b"\n")
    for line in stream:
        yield line.removesuffix(b"\n")


def _is_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False
