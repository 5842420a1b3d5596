"""Bulk ingest from the file system: files, folders, compressed exports, stdin.

Every input is parsed on its own, so one bad file (or one bad line) is
reported and skipped while everything else is stored. Articles are written in
batches, each batch one transaction.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pressearchiv.archive.errors import ParseError
from pressearchiv.archive.model import ArticleDraft
from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.store import ArchiveStore

__all__ = ["IngestReport", "Rejection", "ingest_paths", "iter_inputs"]

_DECOMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.decompress,
    ".xz": lzma.decompress,
    ".bz2": bz2.decompress,
}


@dataclass(frozen=True)
class Rejection:
    source: str
    reason: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    max_seq: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.duplicates)} duplicates, "
            f"{len(self.rejected)} rejected"
        )


def iter_inputs(paths: Iterable[str]) -> Iterator[tuple[str, bytes | ParseError]]:
    """(name, bytes) for every file under ``paths``; ``-`` is standard input.

    Folders are walked in name order, skipping hidden entries. A file that
    cannot be read yields a ParseError in place of its bytes.
    """
    for given in paths:
        if given == "-":
            yield "<stdin>", sys.stdin.buffer.read()
            continue
        path = Path(given)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path))
            )
        elif path.exists():
            files = [path]
        else:
            yield given, ParseError("no such file or folder", source=given)
            continue
        for file in files:
            yield str(file), _read(file)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _read(path: Path) -> bytes | ParseError:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ParseError(f"cannot be read ({exc.strerror})", source=str(path))
    decompress = _DECOMPRESSORS.get(path.suffix.lower())
    if decompress is None:
        return data
    try:
        return decompress(data)
    except (lzma.LZMAError, OSError, EOFError, ValueError) as exc:
        # gzip's BadGzipFile is an OSError: it means bad content, not a bad disk.
        return ParseError(f"is not a valid compressed file ({exc})", source=str(path))


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
    progress: bool = False,
    batch_size: int = 500,
) -> IngestReport:
    """Parse and store everything under ``paths``; returns what happened to each item."""
    from tqdm import tqdm

    report = IngestReport()
    bar = tqdm(unit=" articles", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    pending: list[ArticleDraft] = []

    def flush() -> None:
        if not pending:
            return
        for result in store.add_many(pending):
            (report.added if result.created else report.duplicates).append(result.article_id)
            report.max_seq = max(report.max_seq, result.seq)
        bar.update(len(pending))
        bar.set_postfix_str(report.summary(), refresh=False)
        pending.clear()

    try:
        for source, data in iter_inputs(paths):
            if isinstance(data, ParseError):
                report.rejected.append(Rejection(source, data.reason))
                continue
            name = _logical_name(source)
            try:
                parsed = parse_document(data, name)
            except ParseError as exc:
                report.rejected.append(Rejection(source, exc.reason))
                continue
            for item in parsed.items:
                if isinstance(item, ParseError):
                    where = f"{source}, line {item.line}" if item.line else source
                    report.rejected.append(Rejection(where, item.reason))
                else:
                    pending.append(item)
                    if len(pending) >= batch_size:
                        flush()
        flush()
    finally:
        bar.close()
    return report
