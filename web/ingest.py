"""Received uploads → stored, searchable articles, with one result per item.

This is the synchronous half of an upload (parse, store, wait for the index);
``web/intake.py`` runs it in the thread pool after ``web/uploads.py`` has the bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pressearchiv.archive.errors import ParseError, TooManyItems
from pressearchiv.archive.json_records import too_many
from pressearchiv.archive.model import ArticleDraft, Overrides
from pressearchiv.archive.parsing import parse_document
from pressearchiv.archive.store import AddResult, ArchiveStore
from pressearchiv.index import SearchIndex
from pressearchiv.web.errors import PayloadTooLarge, parse_error_code
from pressearchiv.web.outcomes import ErrorCode, ItemResult, ItemStatus, UploadSummary

__all__ = ["IngestOutcome", "UploadItem", "ingest"]

# How long an upload waits for its articles to become searchable before it
# answers anyway (they will still be indexed; /api/stats shows "pending").
INDEX_WAIT_SECONDS = 10.0
# Stories are assigned a moment after indexing. Waiting for them lets a search
# right after the upload group the new article, but during a large backlog
# (a first start) the story thread is busy for minutes, so the wait is short:
# the article is searchable either way and its story follows.
STORY_WAIT_SECONDS = 2.0


@dataclass(frozen=True)
class UploadItem:
    """One document to ingest: its bytes and what the client said about them."""

    data: bytes
    filename: str | None
    content_type: str | None


@dataclass(frozen=True)
class IngestOutcome:
    results: list[ItemResult]
    indexed: bool  # False when the index did not catch up within the wait

    def count(self, result: ItemStatus) -> int:
        return sum(1 for r in self.results if r.result == result)

    @property
    def status(self) -> int:
        """201 if anything is new, 200 if all known, else 415/422 as the rejections say."""
        if self.count(ItemStatus.CREATED):
            return 201
        if self.count(ItemStatus.DUPLICATE):
            return 200
        statuses = {r.status for r in self.results}
        return 415 if statuses == {415} else 422

    def summary(self) -> UploadSummary:
        return UploadSummary(
            created=self.count(ItemStatus.CREATED),
            duplicates=self.count(ItemStatus.DUPLICATE),
            rejected=self.count(ItemStatus.REJECTED),
            indexed=self.indexed,
            results=self.results,
        )


def ingest(
    items: Iterable[UploadItem],
    overrides: Overrides,
    store: ArchiveStore,
    index: SearchIndex,
    max_items: int,
) -> IngestOutcome:
    """Parse every item, store what is an article, and wait until it is searchable.

    At most ``max_items`` articles (counting rejected entries) are taken from the
    whole request. The file that would pass the limit is rejected whole (413),
    and so is every file after it. If nothing of the request was stored by
    then, the request as a whole is refused with PayloadTooLarge, naming the
    limit, before anything more is parsed.
    """
    results: list[ItemResult] = []
    highest_seq = 0
    for item in items:
        remaining = max_items - len(results)
        try:
            if remaining <= 0:
                raise too_many(max_items, item.filename)
            parsed = parse_document(
                item.data,
                item.filename,
                content_type=item.content_type,
                overrides=overrides,
                max_items=remaining,
            )
        except TooManyItems as exc:
            if not any(r.result is not ItemStatus.REJECTED for r in results):
                raise PayloadTooLarge(
                    f"the upload holds more than {max_items:,} articles; send at most "
                    f"{max_items:,} per request (PRESSEARCHIV_MAX_ITEMS), nothing was stored",
                    code=ErrorCode.TOO_MANY_ITEMS,
                ) from None
            reason = (
                f"would take the upload past its limit of {max_items:,} articles "
                "(PRESSEARCHIV_MAX_ITEMS); send it again in a request of its own"
            )
            results.append(_rejected(TooManyItems(reason, source=exc.source), item.filename))
            continue
        except ParseError as exc:
            results.append(_rejected(exc, item.filename))
            continue
        drafts: list[ArticleDraft] = []
        in_order: list[ItemResult | None] = []  # the file's entries; None: a draft
        for entry in parsed.items:
            if isinstance(entry, ParseError):
                in_order.append(_rejected(entry, item.filename))
            else:
                drafts.append(entry)
                in_order.append(None)
        # One transaction per file keeps memory bounded to one file's drafts.
        stored = store.add_many(drafts) if drafts else []
        # Results in the order of the items, so that a client can pair the
        # i-th result with its i-th entry of a JSON list (which has no line).
        kept = iter(_stored(drafts, stored, item.filename))
        results.extend(r if r is not None else next(kept) for r in in_order)
        highest_seq = max([highest_seq, *(s.seq for s in stored if s.created)])
    indexed = True
    if highest_seq:
        index.notify()
        indexed = index.wait_indexed(highest_seq, timeout=INDEX_WAIT_SECONDS)
        if indexed:
            index.wait_stories(highest_seq, timeout=STORY_WAIT_SECONDS)
    return IngestOutcome(results, indexed)


def _stored(
    drafts: Sequence[ArticleDraft], stored: Sequence[AddResult], source: str | None
) -> list[ItemResult]:
    return [
        ItemResult(
            source=draft.source_name or source,
            line=None,
            result=ItemStatus.CREATED if added.created else ItemStatus.DUPLICATE,
            status=201 if added.created else 200,
            id=added.article_id,
            title=draft.title,
            code=None,
            reason=None,
        )
        for draft, added in zip(drafts, stored, strict=True)
    ]


def _rejected(exc: ParseError, source: str | None) -> ItemResult:
    status, code = parse_error_code(exc)
    return ItemResult(
        source=exc.source or source,
        line=exc.line,
        result=ItemStatus.REJECTED,
        status=status,
        id=None,
        title=None,
        code=code,
        reason=exc.reason,
    )
