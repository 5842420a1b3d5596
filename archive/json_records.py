"""The records of a JSON document, at most as many as the caller takes.

A 3 MB list of a million empty objects used to become a million Python dicts,
a million rejections and a 199 MB response (issue 12). A top-level list is
therefore read one member at a time with the standard library's
``raw_decode`` (its C scanner), and reading stops with
:class:`~pressearchiv.archive.errors.TooManyItems` at the first member over
the limit: memory and work grow with what is taken, not with what was sent.
Documents of another shape (one object, ``{"articles": [...]}``) are parsed
whole and their list is counted before any member is looked at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pressearchiv.archive.errors import MalformedJSON, TooManyItems

__all__ = ["LIST_KEYS", "json_records", "too_many"]

# Container keys under which exports put their list of articles.
LIST_KEYS = ("articles", "items", "data", "results", "documents", "docs")
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def too_many(limit: int, source: str | None, line: int | None = None) -> TooManyItems:
    return TooManyItems(
        f"holds more than {limit:,} articles; one upload takes at most {limit:,}",
        source=source,
        line=line,
    )


def json_records(text: str, source: str | None, limit: int | None) -> tuple[list[Any], bool]:
    """The article records of a JSON document, and whether it was one lone object."""
    if text.lstrip().startswith("["):
        records = list(_list_members(text, source, limit))
        if not records:
            raise MalformedJSON("is an empty JSON list: there is no article in it", source=source)
        return records, False
    value = _whole(text, source)
    if isinstance(value, dict):
        for key in LIST_KEYS:
            members = value.get(key)
            if isinstance(members, list):
                if limit is not None and len(members) > limit:
                    raise too_many(limit, source)
                return list(members), False
        return [value], True
    if isinstance(value, list):  # only reached for text json.loads reads differently
        return value, False
    raise MalformedJSON(
        "holds a single JSON value; expected an article object or a list of them", source=source
    )


def _whole(text: str, source: str | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid(exc, source) from None
    except RecursionError:
        raise MalformedJSON("is JSON nested too deeply to read", source=source) from None


def _invalid(exc: json.JSONDecodeError, source: str | None) -> MalformedJSON:
    return MalformedJSON(
        f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", source=source
    )


def _list_members(text: str, source: str | None, limit: int | None) -> Iterator[Any]:
    """The members of the list ``text`` holds, one at a time, the limit enforced."""
    pos = _skip(text, text.index("[") + 1)
    if text.startswith("]", pos):
        _end(text, pos + 1, source)
        return
    count = 0
    while True:
        try:
            member, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise _invalid(exc, source) from None
        except RecursionError:
            raise MalformedJSON("is JSON nested too deeply to read", source=source) from None
        count += 1
        if limit is not None and count > limit:
            raise too_many(limit, source)
        yield member
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("]", pos):
            _end(text, pos + 1, source)
            return
        else:
            error = json.JSONDecodeError("Expecting ',' delimiter", text, pos)
            raise _invalid(error, source)


def _skip(text: str, pos: int) -> int:
    found = _SPACE.match(text, pos)
    return found.end() if found else pos


def _end(text: str, pos: int, source: str | None) -> None:
    rest = _skip(text, pos)
    if rest < len(text):
        raise _invalid(json.JSONDecodeError("Extra data", text, rest), source)
