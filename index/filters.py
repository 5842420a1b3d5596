"""Outlet and date filters as boolean masks over a searcher's columns.

Dates may be partial at both ends: an article's date covers the days
``[day_start, day_end]`` (a whole month for ``2022-01``) and the requested
range covers ``[date_from.start, date_to.end]``; the article matches when the
two overlap. Undated articles match only when no date filter is set.
"""

from __future__ import annotations

import numpy as np

from pressearchiv.archive.model import PartialDate
from pressearchiv.index.columns import UNDATED, Columns

__all__ = ["date_mask", "outlet_mask", "requested_days"]


def requested_days(
    date_from: PartialDate | None, date_to: PartialDate | None
) -> tuple[int, int] | None:
    """The inclusive range of day ordinals asked for, or None for no date filter."""
    if date_from is None and date_to is None:
        return None
    low = date_from.start.toordinal() if date_from else 1
    high = date_to.end.toordinal() if date_to else 10**7
    return low, high


def date_mask(
    columns: Columns, date_from: PartialDate | None, date_to: PartialDate | None
) -> np.ndarray | None:
    """Rows whose date overlaps the range; None when there is no date filter."""
    days = requested_days(date_from, date_to)
    if days is None:
        return None
    low, high = days
    mask: np.ndarray = (
        (columns.day_start != UNDATED) & (columns.day_end >= low) & (columns.day_start <= high)
    )
    return mask


def outlet_mask(columns: Columns, outlets: tuple[str, ...]) -> np.ndarray | None:
    """Rows from any of these outlets; None when there is no outlet filter."""
    if not outlets:
        return None
    codes = columns.outlet_codes(outlets)
    if not codes:
        return np.zeros(columns.size, dtype=bool)
    return np.isin(columns.outlet, np.asarray(codes, dtype=np.int32))
