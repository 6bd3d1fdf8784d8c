"""Checks on what a reader is about to hand over: ids that fit the store, totals that fit int64.

Every stored figure is a sum over rows; the per-cell limit (10^13 tokens) does not stop a
million rows of one day from summing past 2^63, where int64 wraps to a negative count, nor two
billed costs of 1e308 from summing to infinity. These checks run on the per-row arrays and
name the line where a total first leaves its range.

Ids are checked against the store's column sizes (the same on SQLite and PostgreSQL) and may
not hold control characters (a tab, a bell, an escape sequence in a model id).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..text import Worded, gettext_noop
from .columns import Columns
from .errors import TooManyModels, UsageFileError
from .rows import Rows

MODEL_ID_MAX_LENGTH = 300  # UsageDay.source_model
PROVIDER_MAX_LENGTH = 100  # UsageDay.source_provider
INT64_MAX = 2**63 - 1

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Count arrays of Rows -> the format field their figures come from (for the column name).
_COUNT_FIELDS = (
    ("requests", ("requests",)),
    ("uncached", ("uncached", "input")),
    ("cache_read", ("cached", "cache_read")),
    ("cache_write", ("cache_write",)),
    ("output", ("output",)),
)
_COST_FIELDS = ("cost", "cost_cny")


def _column(cols: Columns, fields: Sequence[str]) -> str | None:
    for field in fields:
        if cols.has(field):
            return cols.header_name(field)
    return None


def _shown_id(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def _first_row(codes: np.ndarray, code: int, keep: np.ndarray) -> int:
    return int(np.flatnonzero((codes == code) & keep)[0])


def check_ids(
    cols: Columns,
    keep: np.ndarray,
    kinds: Sequence[tuple[str, np.ndarray, list[object], int, str]],
) -> None:
    """kinds: (what, per-row codes, value of each code, length limit, field) per kind of id."""
    for what, codes, values, limit, field in kinds:
        used = np.unique(codes[keep]) if len(values) > 1 else np.array([0])
        for code in used.tolist():
            value = values[code]
            if not isinstance(value, str):
                continue
            problem = _id_problem(what, value, limit)
            if problem is None:
                continue
            template, params = problem
            row = _first_row(codes, code, keep) if codes.ndim and codes.size else 0
            raise UsageFileError(
                template,
                params=params,
                row=row + cols.first_line,
                column=_column(cols, (field,)),
                filename=cols.filename,
            )


def _id_problem(what: str, value: str, limit: int) -> tuple[str, dict[str, object]] | None:
    stripped = value.strip()
    if len(stripped) > limit:
        return (
            gettext_noop("the {what} id {id} is {length:,} characters long; the limit is {limit:,}"),
            {"what": Worded(what), "id": _shown_id(stripped), "length": len(stripped), "limit": limit},
        )
    control = _CONTROL.search(stripped)
    if control is not None:
        return (
            gettext_noop(
                "the {what} id {id} contains a control character (U+{code:04X}): ids are plain text"
            ),
            {"what": Worded(what), "id": _shown_id(stripped), "code": ord(control.group())},
        )
    return None


def check_model_count(
    cols: Columns, keep: np.ndarray, codes: np.ndarray, values: list[object], limit: int | None
) -> None:
    """At most `limit` distinct source models (every page and projection grows with them)."""
    if limit is None or len(values) - 1 <= limit:
        return
    used = np.unique(codes[keep])
    distinct = {str(values[code]).strip() for code in used.tolist() if values[code] is not None}
    if len(distinct) > limit:
        raise TooManyModels(
            gettext_noop(
                "the file has {count:,} distinct model ids; the limit is {limit:,} per upload "
                "(split the export, or group rare models under one id)"
            ),
            params={"count": len(distinct), "limit": limit},
            column=_column(cols, ("model",)),
            filename=cols.filename,
        )


def check_count_totals(cols: Columns, rows: Rows) -> None:
    """Every token kind (and requests) summed over the whole file stays within int64, so no
    total per day, per model or over the file can wrap; else name the line where it passes."""
    keep = rows.keep
    kept = int(keep.sum())
    for attribute, fields in _COUNT_FIELDS:
        values: np.ndarray = getattr(rows, attribute)
        largest = int(values.max(initial=0)) if len(values) else 0
        if largest * kept <= INT64_MAX:
            continue  # cannot overflow: the common case costs one max()
        masked = np.where(keep, values, 0)
        if float(masked.sum(dtype=np.float64)) < INT64_MAX * 0.999:
            continue
        # exact: each step adds less than 2^44, so the uint64 running sum crosses 2^63 long
        # before it could wrap
        with np.errstate(over="ignore"):  # wrapping past 2^64 comes after the crossing
            running = np.cumsum(masked.astype(np.uint64))
        crossing = np.flatnonzero(running > np.uint64(INT64_MAX))
        if crossing.size:
            raise UsageFileError(
                gettext_noop(
                    "the {kind} counts summed up to this line pass {limit:,}, the largest total "
                    "that can be stored: these counts are not plausible"
                ),
                params={"kind": Worded(_KIND_WORDS[attribute]), "limit": INT64_MAX},
                row=int(crossing[0]) + cols.first_line,
                column=_column(cols, fields),
                filename=cols.filename,
            )


_KIND_WORDS = {
    "requests": gettext_noop("request"),
    "uncached": gettext_noop("uncached input token"),
    "cache_read": gettext_noop("cache read token"),
    "cache_write": gettext_noop("cache write token"),
    "output": gettext_noop("output token"),
}


def check_cost_sums(
    cols: Columns,
    key: np.ndarray,
    groups: np.ndarray,
    sums: np.ndarray,
    cost: np.ndarray | None,
    keep: np.ndarray,
) -> None:
    """A billed cost summed per day and model must stay finite (1e308 + 1e308 is inf)."""
    if cost is None:
        return
    bad = np.flatnonzero(np.isinf(sums))
    for group in bad.tolist():
        rows = np.flatnonzero((key == groups[group]) & keep)
        if not rows.size:
            continue  # a group of skipped rows: never stored
        with np.errstate(over="ignore"):
            running = np.cumsum(np.nan_to_num(cost[rows], nan=0.0))
        line = int(rows[int(np.flatnonzero(np.isinf(running))[0])])
        raise cost_error(cols, line)


def cost_error(cols: Columns, row: int | None) -> UsageFileError:
    return UsageFileError(
        gettext_noop(
            "the billed costs of this model and day summed up to this line are too large to "
            "store (not a finite number): these amounts are not plausible"
        ),
        row=None if row is None else row + cols.first_line,
        column=_column(cols, _COST_FIELDS),
        filename=cols.filename,
    )
