"""Vectorised, line-aware conversion of CSV columns into checked numpy arrays.

Everything here works on whole columns at once; when a value is bad, the first bad row is found
with a vectorised mask and only then turned into a message naming its line and column.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..text import gettext_noop
from .errors import UsageFileError

MAX_TOKENS = 10**13
EARLIEST_DAY = datetime.date(2020, 1, 1)

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_ISO_DATETIME = (
    r"^\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$"
)
_OFFSET = r"[+-]\d{2}:?\d{2}$"
_UTC_OFFSET = r"[+-]00:?00$"
_UNIX = r"^\d{9,11}(\.\d*)?$"
_TRUE_WORDS = ["true", "1", "yes", "y", "batch", "是"]


def _shown(value: object) -> str:
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return repr(text)


class Columns:
    """The columns a format reads, keyed by its field names ('day', 'model', 'input'...)."""

    def __init__(
        self,
        table: pa.Table,
        names: dict[str, str],
        *,
        filename: str | None,
        today: datetime.date,
        first_line: int = 2,
    ) -> None:
        self.table = table
        self.first_line = first_line  # line number of the first data row (header = line 1)
        self.names = names  # field name -> column name as written in the header
        self.filename = filename
        self.today = today
        self.num_rows = table.num_rows
        self._text: dict[str, pa.Array] = {}

    def has(self, name: str) -> bool:
        return name in self.names

    def header_name(self, name: str) -> str:
        return self.names.get(name, name)

    def error(self, index: int | None, name: str | None, message: str, **params: object) -> UsageFileError:
        """The error at a row (0-based data index) and column; ``message`` may be a template
        marked with `gettext_noop` and filled from ``params`` (so it can be translated)."""
        return UsageFileError(
            message,
            row=None if index is None else int(index) + self.first_line,
            column=None if name is None else self.header_name(name),
            filename=self.filename,
            params=params or None,
        )

    def raw(self, name: str) -> pa.Array:
        column = self.table.column(self.names[name])
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)

    def text(self, name: str) -> pa.Array:
        """Strings with surrounding whitespace removed; empty cells are null."""
        if name in self._text:
            return self._text[name]
        array = self.raw(name)
        if pa.types.is_dictionary(array.type):
            result = self.coded(name).dictionary_decode()
        else:
            if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
                array = pc.cast(array, pa.string())
            if _few_distinct(array):
                # model, date and currency columns repeat a handful of values: clean those once
                encoded = pc.dictionary_encode(array)
                result = pc.take(_clean_text(encoded.dictionary), encoded.indices)
            else:
                result = _clean_text(array)
        self._text[name] = result
        return result

    def put(self, name: str, text: pa.Array, header: str) -> None:
        """Add a derived text column (e.g. the first non-empty of several model columns)."""
        self._text[name] = text
        self.names[name] = header

    def coded(self, name: str) -> pa.DictionaryArray:
        """text(name) dictionary-encoded: cheap to group by and to check value by value.

        The dictionary holds distinct cleaned values; empty cells have null indices."""
        key = f"coded:{name}"
        if key not in self._text:
            array = None if name in self._text else self.raw(name)
            if array is not None and pa.types.is_dictionary(array.type):
                self._text[key] = _clean_coded(array)
            else:
                self._text[key] = pc.dictionary_encode(self.text(name))
        return self._text[key]

    def present(self, name: str) -> np.ndarray:
        """True where the cell is not empty."""
        if not self.has(name):
            return np.zeros(self.num_rows, dtype=bool)
        array = self.raw(name)
        if pa.types.is_floating(array.type) or pa.types.is_integer(array.type):
            return np.asarray(pc.is_valid(array).to_numpy(zero_copy_only=False))
        if pa.types.is_dictionary(array.type):
            return np.asarray(pc.is_valid(self.coded(name)).to_numpy(zero_copy_only=False))
        return np.asarray(pc.is_valid(self.text(name)).to_numpy(zero_copy_only=False))

    def _first(self, mask: np.ndarray) -> int | None:
        hits = np.flatnonzero(mask)
        return int(hits[0]) if hits.size else None

    def floats(self, name: str, keep: np.ndarray) -> np.ndarray:
        """Numbers as float64, NaN for empty cells; a non-number in a kept row is an error."""
        array = self.raw(name)
        if pa.types.is_floating(array.type) or pa.types.is_integer(array.type):
            values = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
            values = np.asarray(values, dtype=np.float64)
            # "NaN"/"inf" written in the file parse as floats but are not amounts
            written_nan = pc.is_valid(array).to_numpy(zero_copy_only=False) & ~np.isfinite(values)
            bad = self._first(written_nan & keep)
            if bad is not None:
                raise self.error(bad, name, gettext_noop("{value} is not a number"), value=_shown(array[bad].as_py()))
            return values
        text = self.text(name)
        # Spreadsheets and LiteLLM write "1,234.5678"; quotes and spaces were already removed.
        cleaned = pc.replace_substring(text, ",", "")
        try:
            values = pc.cast(cleaned, pa.float64())
        except pa.ArrowInvalid:
            ok = pc.match_substring_regex(cleaned, _NUMBER)
            ok = pc.fill_null(ok, True).to_numpy(zero_copy_only=False)
            bad = self._first(~ok & keep)
            if bad is None:
                # the bad value sits in a skipped row: ignore it there
                cleaned = pc.if_else(pa.array(ok), cleaned, pa.scalar(None, pa.string()))
                values = pc.cast(cleaned, pa.float64())
            else:
                raise self.error(
                    bad, name, gettext_noop("{value} is not a number"), value=_shown(text[bad].as_py())
                ) from None
        result = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
        not_finite = ~np.isfinite(result) & pc.is_valid(values).to_numpy(zero_copy_only=False)
        bad = self._first(not_finite & keep)
        if bad is not None:
            raise self.error(bad, name, gettext_noop("{value} is not a number"), value=_shown(text[bad].as_py()))
        return result

    def counts(self, name: str, keep: np.ndarray) -> np.ndarray:
        """Whole non-negative counts as int64 (empty -> 0), checked on kept rows."""
        array = self.raw(name)
        if pa.types.is_integer(array.type):
            filled = pc.fill_null(array, 0)
            low_high = pc.min_max(filled)
            low, high = low_high["min"].as_py(), low_high["max"].as_py()
            if low is not None and low >= 0 and high <= MAX_TOKENS:
                return pc.cast(filled, pa.int64()).to_numpy()
        elif pa.types.is_floating(array.type):
            # Fast path: one min/max pass, then a safe cast that refuses fractions and NaN.
            # Anything suspicious drops to the slow path below, which finds the bad row.
            filled = pc.fill_null(array, 0.0)
            low_high = pc.min_max(filled)
            low, high = low_high["min"].as_py(), low_high["max"].as_py()
            if low is not None and low >= 0 and high <= MAX_TOKENS:
                try:
                    return pc.cast(filled, pa.int64()).to_numpy()
                except pa.ArrowInvalid:
                    pass
        values = self.floats(name, keep)
        if not values.flags.writeable:
            values = values.copy()
        # Work in place: these arrays are a million rows long.
        np.nan_to_num(values, copy=False, nan=0.0)
        if not keep.all():
            values[~keep] = 0.0
        bad = self._first(values < 0)
        if bad is not None:
            raise self.error(bad, name, gettext_noop("{value} is negative"), value=_number(values[bad]))
        bad = self._first(values > MAX_TOKENS)
        if bad is not None:
            raise self.error(
                bad, name, gettext_noop("{value} is not a plausible count (over 10^13)"), value=_number(values[bad])
            )
        whole = values.astype(np.int64)
        bad = self._first(whole != values)
        if bad is not None:
            raise self.error(bad, name, gettext_noop("{value} is not a whole number"), value=_number(values[bad]))
        return whole

    def optional_counts(self, name: str, keep: np.ndarray) -> np.ndarray:
        if not self.has(name):
            return np.zeros(self.num_rows, dtype=np.int64)
        return self.counts(name, keep)

    def flags(self, name: str, true_words: list[str] | None = None) -> np.ndarray:
        """Booleans from True/False, true/false, 1/0 cells; anything else is False."""
        if not self.has(name):
            return np.zeros(self.num_rows, dtype=bool)
        coded = self.coded(name)
        words = pa.array(true_words or _TRUE_WORDS)
        is_true = pc.is_in(pc.utf8_lower(coded.dictionary), value_set=words)
        lookup = np.append(pc.fill_null(is_true, False).to_numpy(zero_copy_only=False), False)
        # null cells have null indices: point them at the trailing False
        indices = pc.fill_null(coded.indices, len(coded.dictionary)).to_numpy()
        return lookup[indices]

    def days(self, name: str, keep: np.ndarray) -> np.ndarray:
        """UTC calendar days (datetime64[D]) from unix seconds or ISO-like timestamps."""
        array = self.raw(name)
        if (
            pa.types.is_timestamp(array.type)
            or pa.types.is_date32(array.type)
            or pa.types.is_floating(array.type)
        ):
            days = self._typed_days(name, array, keep)
            self._check_range(name, days, keep)
            return days
        text = self.text(name)
        missing = ~pc.is_valid(text).to_numpy(zero_copy_only=False)
        bad = self._first(missing & keep)
        if bad is not None:
            raise self.error(bad, name, gettext_noop("the date is empty"))
        # Rows dropped as skippable may hold anything: judge only the kept ones.
        if not keep.any():
            return np.full(self.num_rows, np.datetime64(EARLIEST_DAY, "D"))
        if not keep.all():
            # stand-in for skipped rows: a kept row's value, so the column stays one format
            stand_in = text[int(np.flatnonzero(keep)[0])]
            text = pc.if_else(pa.array(keep), text, stand_in)
        if _few_distinct(text):
            encoded = pc.dictionary_encode(text)
            indices = encoded.indices.to_numpy(zero_copy_only=False)
            used = np.zeros(len(encoded.dictionary), dtype=bool)
            used[indices[keep]] = True
            try:
                days = _days_of(encoded.dictionary, used)[indices]
            except _BadValue as bad:
                row = self._first(keep & (indices == bad.index))
                raise self.error(row, name, bad.message, **bad.params) from None
        else:
            try:
                days = _days_of(text, keep)
            except _BadValue as bad:
                raise self.error(bad.index, name, bad.message, **bad.params) from None
        self._check_range(name, days, keep)
        return days

    def _typed_days(self, name: str, array: pa.Array, keep: np.ndarray) -> np.ndarray:
        """Days from a column pyarrow already parsed (naive timestamps or unix seconds)."""
        missing = ~pc.is_valid(array).to_numpy(zero_copy_only=False)
        bad = self._first(missing & keep)
        if bad is not None:
            raise self.error(bad, name, gettext_noop("the date is empty"))
        if pa.types.is_date32(array.type):
            return np.asarray(array.to_numpy(zero_copy_only=False), dtype="datetime64[D]")
        if pa.types.is_timestamp(array.type):
            moments = pc.cast(array, pa.timestamp("ns")).to_numpy(zero_copy_only=False)
            return moments.astype("datetime64[D]")
        seconds = np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)
        seconds = np.where(np.isfinite(seconds) & (np.abs(seconds) < 1e11), seconds, 0.0)
        return (np.floor(seconds / 86400)).astype(np.int64).astype("datetime64[D]")

    def _check_range(self, name: str, days: np.ndarray, keep: np.ndarray) -> None:
        early = self._first((days < np.datetime64(EARLIEST_DAY, "D")) & keep)
        if early is not None:
            raise self.error(
                early, name, gettext_noop("{day} is before {earliest}: not a usage date"),
                day=str(days[early]), earliest=EARLIEST_DAY.isoformat(),
            )
        late = self._first((days > np.datetime64(self.today, "D")) & keep)
        if late is not None:
            raise self.error(
                late, name, gettext_noop("{day} is in the future (today is {today})"),
                day=str(days[late]), today=self.today.isoformat(),
            )


class _BadValue(Exception):
    def __init__(self, index: int, message: str, **params: object) -> None:
        super().__init__(message)
        self.index = index
        self.message = message
        self.params = params


def _first_index(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _few_distinct(array: pa.Array, sample: int = 10_000) -> bool:
    if len(array) <= 2 * sample:
        return True
    return len(pc.unique(array.slice(0, sample))) <= sample // 10


def _clean_coded(array: pa.DictionaryArray) -> pa.DictionaryArray:
    """Clean a dictionary column by its dictionary: trim, empty -> null, merge duplicates."""
    cleaned = _clean_text(array.dictionary)
    distinct = pc.unique(pc.drop_null(cleaned))
    positions = pc.fill_null(pc.index_in(cleaned, value_set=distinct), -1)
    # one extra slot at the end for cells whose index is already null
    remap = np.append(positions.to_numpy(zero_copy_only=False), -1).astype(np.int32)
    old = pc.fill_null(array.indices, len(cleaned)).to_numpy(zero_copy_only=False)
    new = remap[old]
    empty = new < 0
    indices = pa.array(new, type=pa.int32(), mask=empty if empty.any() else None)
    return pa.DictionaryArray.from_arrays(indices, distinct)


def _clean_text(array: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(array)
    empty = pc.equal(pc.utf8_length(trimmed), 0)
    return pc.if_else(empty, pa.scalar(None, trimmed.type), trimmed)


def _days_of(text: pa.Array, used: np.ndarray) -> np.ndarray:
    """UTC days of non-null timestamps; raises _BadValue for the first bad one in `used`."""
    if "/" in "".join(pc.drop_null(text.slice(0, 50)).to_pylist()):
        text = pc.replace_substring(text, "/", "-")
    if pc.all(pc.match_substring_regex(text, _UNIX)).as_py():
        seconds = pc.cast(pc.cast(text, pa.float64()), pa.int64())
        return (seconds.to_numpy(zero_copy_only=False) // 86400).astype("datetime64[D]")
    valid = pc.match_substring_regex(text, _ISO_DATETIME).to_numpy(zero_copy_only=False)
    bad = _first_index(~valid & used)
    if bad is not None:
        raise _BadValue(bad, gettext_noop("{value} is not a date"), value=_shown(text[bad].as_py()))
    encoded = pc.dictionary_encode(pc.utf8_slice_codeunits(text, 0, 10))
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    day_list = [_parse_head(head) for head in encoded.dictionary.to_pylist()]
    unparsed = np.array([d is None for d in day_list], dtype=bool)
    bad = _first_index(unparsed[indices] & used)
    if bad is not None:
        raise _BadValue(bad, gettext_noop("{value} is not a date"), value=_shown(text[bad].as_py()))
    heads = np.array([d or EARLIEST_DAY for d in day_list], dtype="datetime64[D]")
    days = heads[indices]
    shifted = pc.and_(
        pc.match_substring_regex(text, _OFFSET),
        pc.invert(pc.match_substring_regex(text, _UTC_OFFSET)),
    ).to_numpy(zero_copy_only=False)
    if shifted.any():
        # A non-UTC offset can move the moment into the neighbouring UTC day.
        where = np.flatnonzero(shifted)
        moments = pd.to_datetime(
            pd.Series(text.take(pa.array(where)).to_pylist()), utc=True, format="ISO8601"
        )
        days = days.copy()
        days[where] = moments.dt.tz_localize(None).to_numpy().astype("datetime64[D]")
    return days


def _parse_head(head: str) -> datetime.date | None:
    """The date in the first ten characters of a timestamp ('2026-8-1 10' is fine too)."""
    head = head.split("T")[0].split(" ")[0]
    try:
        year, month, day = (int(part) for part in head.split("-"))
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
