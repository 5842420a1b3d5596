"""Errors the archive raises. None of them knows about HTTP.

ArchiveError
 ├── ParseError            the input is not an article we can keep
 │    ├── EmptyInput       0 bytes, or only white space
 │    ├── BinaryInput      an image, a PDF, an archive, or other non-text bytes
 │    ├── UndecodableInput text in no encoding we can identify
 │    ├── MalformedJSON    JSON that does not parse, or has no article text
 │    ├── NotAnArticle     decodes fine, but is too short to be an article
 │    ├── TooManyItems     more articles in one upload than the caller takes
 │    └── UnsupportedFormat a declared type we do not read
 ├── InvalidDate           a date that does not exist or cannot be read
 ├── ArticleNotFound       no article has that id
 └── StorageError          the store could not write (read-only, locked, broken)
      └── DiskFull         no space left: nothing of the write was kept
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "ArticleNotFound",
    "BinaryInput",
    "DiskFull",
    "EmptyInput",
    "InvalidDate",
    "MalformedJSON",
    "NotAnArticle",
    "ParseError",
    "StorageError",
    "TooManyItems",
    "UndecodableInput",
    "UnsupportedFormat",
]


class ArchiveError(Exception):
    """Base of every error the archive raises on purpose."""

    @property
    def message(self) -> str:
        return str(self)


class ParseError(ArchiveError):
    """Input that cannot become an article; the message says why in plain words."""

    def __init__(self, reason: str, *, source: str | None = None, line: int | None = None):
        self.reason = reason
        self.source = source
        self.line = line
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}, line {self.line}" if where else f"line {self.line}"
        return f"{where}: {self.reason}" if where else self.reason

    def located(self, source: str | None) -> ParseError:
        """The same error, naming the file it came from."""
        if source is None or self.source == source:
            return self
        clone = type(self)(self.reason, source=source, line=self.line)
        return clone


class EmptyInput(ParseError):
    pass


class BinaryInput(ParseError):
    pass


class UndecodableInput(ParseError):
    pass


class MalformedJSON(ParseError):
    pass


class NotAnArticle(ParseError):
    pass


class UnsupportedFormat(ParseError):
    pass


class TooManyItems(ParseError):
    """A batch with more items than the caller's limit; the reason names the limit."""


class InvalidDate(ArchiveError, ValueError):
    pass


class ArticleNotFound(ArchiveError, LookupError):
    def __init__(self, article_id: str):
        self.article_id = article_id
        super().__init__(f"no article with id {article_id!r}")


class StorageError(ArchiveError):
    pass


class DiskFull(StorageError):
    pass
