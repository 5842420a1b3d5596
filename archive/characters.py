"""Characters no article needs: what JSON's ``\\u`` escapes let in, and what we do with it.

Bytes are checked by :mod:`.decoding` (a NUL byte rejects a file), but a JSON
string can carry any code point as an escape. Item by item:

* A **lone surrogate** (``\\ud800`` without its partner) is no character at all
  and cannot be stored as UTF-8: the item is *rejected*, with a reason naming
  the field; the other lines of the file are kept.
* **Control characters** (C0 except tab, line feed and carriage return; DEL;
  C1) are *removed*, from every field of every format: ESC would let a title
  rewrite the terminal that ``pressearchiv search`` prints to. A form feed or
  vertical tab becomes a line break.
* **Invisible format characters** (zero-width space, non-joiner and joiner,
  word joiner, soft hyphen, the byte order mark U+FEFF, and bidirectional
  embeddings, overrides and isolates) are *removed*, so an article with a stray
  BOM or zero-width space is the same article, with the same id, as without.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["LoneSurrogate", "check_json_strings", "printable", "without_invisible"]

_SURROGATE = re.compile("[\ud800-\udfff]")
_BREAKS = re.compile("[\x0b\x0c]")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


class LoneSurrogate(ValueError):
    """A string holds half of a UTF-16 surrogate pair; ``where`` names the field."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"holds a lone UTF-16 surrogate (a \\ud800–\\udfff escape without its partner) "
            f"in {where}, which is no character"
        )


def without_invisible(text: str) -> str:
    """``text`` without zero-width characters, soft hyphens, BOMs and bidi controls."""
    return _INVISIBLE.sub("", text)


def printable(text: str) -> str:
    """``text`` without control and invisible format characters (see the module doc)."""
    return _INVISIBLE.sub("", _CONTROLS.sub("", _BREAKS.sub("\n", text)))


def check_json_strings(value: Any) -> None:
    """Raise :class:`LoneSurrogate` if any string (key or value) in ``value`` holds one.

    Cleaning happens later, field by field; only what cannot be cleaned
    without guessing is refused here. Iterative: nesting as deep as the JSON
    parser allows must not exhaust the stack here.
    """
    pending: list[tuple[Any, str]] = [(value, "the item")]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise LoneSurrogate(where)
        elif isinstance(item, dict):
            for key, member in item.items():
                name = str(key)
                if _SURROGATE.search(name):
                    raise LoneSurrogate("a field name")
                pending.append((member, f"the field {name[:40]!r}"))
        elif isinstance(item, list):
            pending.extend((member, where) for member in item)
