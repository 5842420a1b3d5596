"""What ``pressearchiv ingest`` shows while it works, and how it waits for the index.

Two bars on stderr: the input read and stored (bytes of the files as they
lie on disk, so a compressed export shows its true share, with the running
summary), and the articles the search index holds of those stored (with the
articles the bulk workers are analysing for their next commit). Both move
from the first batch on.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType

from tqdm import tqdm

from pressearchiv.archive.ingest import IngestReport
from pressearchiv.archive.store import ArchiveStore
from pressearchiv.index import IndexStatus, SearchIndex

__all__ = ["IngestProgress"]

# Seconds between two looks at the index's status (it counts the store).
_STATUS_EVERY = 0.5
# A failing writer retries; after this many seconds without progress its
# error is taken as the answer.
_FAILING_FOR = 10.0


class IngestProgress:
    """The bars of one ingest; ``index`` is None when a running service indexes."""

    def __init__(self, store: ArchiveStore, index: SearchIndex | None, *, enabled: bool) -> None:
        self._store = store
        self._index = index
        self._checked = 0.0
        self._read = tqdm(
            desc="stored ",
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            position=0,
            file=sys.stderr,
            disable=not enabled,
            dynamic_ncols=True,
        )
        self._indexed = (
            tqdm(
                desc="indexed",
                unit=" articles",
                position=1,
                file=sys.stderr,
                disable=not enabled,
                dynamic_ncols=True,
            )
            if index
            else None
        )

    def __enter__(self) -> IngestProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._indexed is not None:
            self._indexed.close()
        self._read.close()

    def stored(self, report: IngestReport) -> None:
        """Called by the ingest after each batch."""
        self._read.total = max(report.bytes_total, report.bytes_read)
        self._read.n = report.bytes_read
        self._read.set_postfix_str(report.summary(), refresh=False)
        self._read.refresh()
        if self._index is not None:
            self._index.notify()
            if time.monotonic() - self._checked >= _STATUS_EVERY:
                self._show(self._index.status())

    def _show(self, status: IndexStatus) -> IndexStatus:
        self._checked = time.monotonic()
        if self._indexed is not None:
            self._indexed.total = status.store_count
            self._indexed.n = status.index_count
            if status.analysing:
                self._indexed.set_postfix_str(f"{status.analysing} being analysed", refresh=False)
            else:
                self._indexed.set_postfix_str("", refresh=False)
            self._indexed.refresh()
        return status

    def wait_for_index(self, seq: int) -> IndexStatus:
        """Wait until every article up to ``seq`` is searchable, for as long as it
        takes while the writer works; stop early only when it keeps failing."""
        assert self._index is not None
        failing_since: float | None = None
        last_count = -1
        while not self._index.wait_indexed(seq, timeout=_STATUS_EVERY):
            status = self._show(self._index.status())
            if status.error is None or status.index_count != last_count:
                failing_since = None
            elif failing_since is None:
                failing_since = time.monotonic()
            elif time.monotonic() - failing_since > _FAILING_FOR:
                return status
            last_count = status.index_count
        return self._show(self._index.status())
