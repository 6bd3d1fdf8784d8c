"""read_usage: any supported export -> the canonical daily usage frame and a report.

The header (first 64 kB, sniffed in Python) picks the format; pyarrow's multi-threaded CSV
reader then parses only the columns that format needs, straight from a native file or buffer
(never decompressing, never decoding in Python unless the file is not UTF-8). Column types are
set from the first rows; when pyarrow refuses a value, the columns are read again as text so
the first bad cell can be named by line and column. Per-row arrays from the format's reader are
summed per UTC day, provider, model, batch flag and currency.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from .. import frame as frame_columns
from ..text import Joined, Worded, gettext_noop
from .checks import (
    MODEL_ID_MAX_LENGTH,
    PROVIDER_MAX_LENGTH,
    check_cost_sums,
    check_count_totals,
    check_ids,
    check_model_count,
    cost_error,
)
from .columns import Columns
from .errors import TooManyRows, UsageFileError
from .formats import ALL_FORMATS, GENERIC, Format
from .meters import MeterRule
from .providers import infer_provider
from .report import UsageReport
from .rows import Rows

# The canonical frame's columns have one home (engine/frame.py); lists here for pandas indexing.
CANONICAL_COLUMNS = list(frame_columns.CANONICAL_COLUMNS)
KEYS = list(frame_columns.KEY_COLUMNS)
COUNT_COLUMNS = list(frame_columns.COUNT_COLUMNS)

SNIFF_BYTES = 64 * 1024
# Columns read as plain text even on the fast path: every value differs, or they are parsed
# with regular expressions.
_PLAIN_TEXT = frozenset({"line_item"})
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"BZh", "bzip2"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
GB18030_WARNING = Worded(gettext_noop("the file is not UTF-8; it was read as Chinese GB18030/GBK text"))
NOT_UTF8 = gettext_noop("the file is not UTF-8 text")
FILE_EMPTY = gettext_noop("the file is empty")
NOT_UTF8_AT = gettext_noop(
    'line {line} is not UTF-8 text (byte 0x{byte:02X}): save the file as "CSV UTF-8" and upload it again'
)
NOT_UTF8_OR_GB18030_AT = gettext_noop(
    'line {line} is not UTF-8 text (byte 0x{byte:02X}): save the file as "CSV UTF-8" (it is not '
    "Chinese GB18030 either) and upload it again"
)
NOT_VALID_CSV = gettext_noop("the file is not valid CSV ({error})")
Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]


def read_usage(
    source: Source,
    *,
    filename: str | None = None,
    max_rows: int | None = None,
    today: datetime.date | None = None,
    meter_rules: Iterable[MeterRule] = (),
    max_models: int | None = None,
) -> tuple[pd.DataFrame, UsageReport]:
    """Read one usage export into the canonical frame (see CANONICAL_COLUMNS).

    `source` is a path, bytes, or a binary file object (e.g. Django's UploadedFile.file).
    `meter_rules` identify the meters of cloud bills (see meters.py); other formats ignore them.
    Raises UsageFileError (TooManyRows past `max_rows` data rows, TooManyModels past
    `max_models` distinct model ids) for anything it cannot read, and for ids or totals the
    store cannot hold (see checks.py).
    """
    today = today or datetime.datetime.now(datetime.UTC).date()
    name = filename or _name_of(source)
    try:
        with _opened(source) as (stream, native):
            limits = _Limits(max_rows, max_models)
            return _read(stream, native, name, limits, today, tuple(meter_rules))
    except UsageFileError:
        raise
    except (
        pa.ArrowException,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        OverflowError,
        csv.Error,
    ) as exc:
        # Last line of defence: odd bytes must never surface as a server error.
        raise UsageFileError(
            gettext_noop("could not read this file as a usage CSV ({error})"),
            params={"error": str(exc)},
            filename=name,
        ) from exc


def _name_of(source: Any) -> str | None:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    given = getattr(source, "name", None)
    return Path(given).name if isinstance(given, str) and given else None


Native = Callable[[], Any] | None


@contextlib.contextmanager
def _opened(source: Source) -> Iterator[tuple[IO[bytes], Native]]:
    """A Python stream for sniffing, and where possible a native arrow source for the bulk
    read: pyarrow reads its own files and buffers much faster than a Python file object.
    Neither ever decompresses (pa.OSFile ignores the file name's extension)."""
    path = _disk_path(source)
    if path is not None:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise UsageFileError(
                gettext_noop("cannot open the file: {error}"), params={"error": exc.strerror}
            ) from exc
        with handle:
            yield handle, lambda: pa.OSFile(str(path))
    elif isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        yield io.BytesIO(data), lambda: pa.BufferReader(data)
    elif hasattr(source, "read"):
        if getattr(source, "seekable", lambda: False)():
            yield _Window(source), None
        else:
            data = source.read()
            yield io.BytesIO(data), lambda: pa.BufferReader(data)
    else:
        raise UsageFileError(
            gettext_noop("cannot read usage from a {kind}"), params={"kind": type(source).__name__}
        )


def _disk_path(source: Any) -> str | os.PathLike[str] | None:
    if isinstance(source, str | os.PathLike):
        return source
    # A temporary upload file (Django's TemporaryUploadedFile.file): read its path natively,
    # but only when the name really is this open file and we are at its start.
    name = getattr(source, "name", None)
    fileno = getattr(source, "fileno", None)
    if not isinstance(name, str) or not os.path.isabs(name) or fileno is None:
        return None
    try:
        if source.tell() != 0:
            return None
        mine, theirs = os.fstat(fileno()), os.stat(name)
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    same = (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino)
    return name if same else None


class _Window(io.RawIOBase):
    """A caller's file object seen from its current position; never closes it."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self.inner = inner
        self.origin = inner.tell()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        return self.inner.read(size)

    def tell(self) -> int:
        return self.inner.tell() - self.origin

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0:
            return self.inner.seek(self.origin + offset) - self.origin
        return self.inner.seek(offset, whence) - self.origin

    def close(self) -> None:
        # Leave the caller's object open: they own it.
        pass


@dataclass(frozen=True)
class _Limits:
    rows: int | None = None
    models: int | None = None


def _read(
    stream: IO[bytes],
    native: Native,
    name: str | None,
    limits: _Limits,
    today: datetime.date,
    meter_rules: tuple[MeterRule, ...] = (),
) -> tuple[pd.DataFrame, UsageReport]:
    warnings: list[str] = []
    start = stream.tell()
    head = stream.read(SNIFF_BYTES)
    stream.seek(start)
    _check_bytes(head, name)
    head_text = _decode_head(head, len(head) == SNIFF_BYTES)
    if head_text is None:
        stream, native = _as_gb18030(stream, name)
        warnings.append(GB18030_WARNING)
        head_text = _decode_head(stream.read(SNIFF_BYTES), False) or ""
        stream.seek(0)
    header = _header(head_text, name)
    fmt = _detect(header, name)
    names = _columns_for(fmt, header, name)
    warnings.extend(_repeated_columns(header, names, name))
    hints = _hints(head_text, header, fmt, names)
    table = _parse(stream, native, fmt, names, name, hints=hints)
    if table is None:  # not UTF-8 after the first block
        # The encoding is decided once for the whole file: a head that already held UTF-8
        # text never turns into GB18030 further down.
        if not head_text.isascii():
            raise _not_utf8_error(stream, name)
        stream, native = _as_gb18030(stream, name)
        warnings.append(GB18030_WARNING)
        table = _parse(stream, native, fmt, names, name, hints=hints)
        if table is None:
            raise UsageFileError(NOT_UTF8, filename=name)
    if table.num_rows == 0:
        raise UsageFileError(gettext_noop("the file has a header but no data rows"), filename=name)
    if limits.rows is not None and table.num_rows > limits.rows:
        raise TooManyRows(
            gettext_noop("the file has {rows:,} data rows; the limit is {limit:,}"),
            params={"rows": table.num_rows, "limit": limits.rows},
            filename=name,
        )
    # blank lines above the header shift every line number that messages report
    blank_lines_above = _line_breaks(head_text[: len(head_text) - len(head_text.lstrip("\r\n"))])
    cols = Columns(table, names, filename=name, today=today, first_line=2 + blank_lines_above)
    rows = fmt.build(cols, meter_rules) if fmt.metered else fmt.build(cols)
    check_count_totals(cols, rows)
    frame = _daily(rows, cols, limits.models)
    report = _report(fmt, table.num_rows, rows, frame, warnings + rows.warnings)
    return frame, report


def _check_bytes(head: bytes, name: str | None) -> None:
    for magic, kind in _COMPRESSED:
        if head.startswith(magic):
            raise UsageFileError(
                gettext_noop("this is a {kind} compressed file: upload the CSV itself, not an archive"),
                params={"kind": kind},
                filename=name,
            )
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise UsageFileError(FILE_EMPTY, filename=name)
    if b"\x00" in head:
        raise UsageFileError(
            gettext_noop("the file contains NUL bytes: it is a binary file, not a CSV text export"),
            filename=name,
        )


def _decode_head(head: bytes, truncated: bool) -> str | None:
    if truncated:
        # the sniffed block may end inside a multi-byte character: stop at the last newline
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head[:-4]
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _line_breaks(text: str) -> int:
    """Line ends in `text`: LF, CRLF and a lone CR (old Mac exports) each count once."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _not_utf8_error(stream: IO[bytes], name: str | None) -> UsageFileError:
    """Where the bytes stop being UTF-8: the line and the offending byte (error path only)."""
    stream.seek(0)
    data = stream.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        return UsageFileError(
            NOT_UTF8_AT,
            params={"line": _line_breaks(before) + 1, "byte": data[exc.start]},
            row=_line_breaks(before) + 1,
            filename=name,
        )
    return UsageFileError(NOT_UTF8, filename=name)


def _looks_like_gb18030(text: str) -> bool:
    """True when every non-ASCII character is encoded with bytes over 0x7F only, as Chinese
    text in GB2312/GBK is. A Latin-1 letter before an ASCII one ("caf\xe9e") also decodes as
    GB18030, but to a character whose second byte is ASCII: that is not Chinese text."""
    odd = {char for char in set(text) if ord(char) > 0x7F}
    return all(min(char.encode("gb18030")) > 0x7F for char in odd)


def _as_gb18030(stream: IO[bytes], name: str | None) -> tuple[IO[bytes], Native]:
    stream.seek(0)
    data = stream.read()
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or not _looks_like_gb18030(text):
        error = _not_utf8_error(stream, name)
        template = NOT_UTF8_OR_GB18030_AT if error.template == NOT_UTF8_AT else error.template
        raise UsageFileError(
            template, params=error.params, row=error.row, filename=name
        ) from None
    if "\x00" in text:
        raise UsageFileError(
            gettext_noop("the file contains NUL bytes: it is a binary file, not a CSV"), filename=name
        )
    # The header must match a format: decoding random bytes as GB18030 often "succeeds".
    header = _header(text[:SNIFF_BYTES], name)
    fmt = _detect(header, name)
    _columns_for(fmt, header, name)
    data = text.encode("utf-8")
    return io.BytesIO(data), lambda: pa.BufferReader(data)


def _header(text: str, name: str | None) -> list[str]:
    first_line = text.lstrip("\r\n")
    try:
        # newline="": a file with CR-only line ends (old Mac exports) splits into lines too
        record = next(csv.reader(io.StringIO(first_line, newline="")), [])
    except csv.Error as exc:
        raise UsageFileError(
            gettext_noop("the header line is not valid CSV ({error})"), params={"error": str(exc)}, filename=name
        ) from None
    if not any(cell.strip() for cell in record):
        raise UsageFileError(FILE_EMPTY, filename=name)
    return record


def _norm(column: str) -> str:
    return "_".join(column.strip().lower().split())


# Localised portal downloads (Azure) write "Nombre del medidor (MeterName)": the English name
# in the trailing parentheses is matched too.
_ENGLISH_NAME = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9_ ./]*?)\s*\)\s*$")


def _names_of(column: str) -> list[str]:
    inner = _ENGLISH_NAME.search(column)
    return [column, inner.group(1)] if inner else [column]


def _detect(header: list[str], name: str | None) -> Format:
    lowered = {name.strip().lower() for column in header for name in _names_of(column)}
    for fmt in ALL_FORMATS:
        if fmt is not GENERIC and fmt.detect(lowered):
            return fmt
    normalised = {_norm(column) for column in header}
    required = [GENERIC.fields[field] for field in GENERIC.required]
    found_fields = sum(any(_norm(alias) in normalised for alias in aliases) for aliases in required)
    # Two of date/model/input/output is enough to say it was meant as a generic file, and
    # then naming the missing columns helps more than listing every format.
    if found_fields >= 2:
        return GENERIC
    found = ", ".join(column.strip() for column in header[:30])
    if len(header) == 1:
        for separator, label in ((";", gettext_noop("semicolons")), ("\t", gettext_noop("tabs"))):
            if separator in header[0]:
                raise UsageFileError(
                    gettext_noop(
                        "this does not look like a usage export: expected e.g. date, model, "
                        "input_tokens, output_tokens (generic), an OpenAI/Anthropic/OpenRouter/"
                        "LiteLLM/Helicone/Langfuse export or an Azure/AWS/Google/FOCUS cloud bill "
                        "header; found columns: {found} (values seem separated by {separator}: "
                        "save the file as comma-separated CSV)"
                    ),
                    params={"found": found, "separator": Worded(label)},
                    filename=name,
                )
    raise UsageFileError(
        gettext_noop(
            "this does not look like a usage export: expected e.g. date, model, input_tokens, "
            "output_tokens (generic), an OpenAI/Anthropic/OpenRouter/LiteLLM/Helicone/Langfuse "
            "export or an Azure/AWS/Google/FOCUS cloud bill header; found columns: {found}"
        ),
        params={"found": found},
        filename=name,
    )


def _repeated_columns(header: list[str], names: dict[str, str], name: str | None) -> list[str]:
    """Warnings for header names written more than once; an error when the format reads one
    of them (which of the columns holds the figures would be a guess)."""
    counts: dict[str, list[int]] = {}
    for position, column in enumerate(header, start=1):
        if column.strip():
            counts.setdefault(_norm(column), []).append(position)
    read = {_norm(column) for column in names.values()}
    warnings: list[str] = []
    for key, positions in counts.items():
        if len(positions) < 2:
            continue
        column = header[positions[0] - 1].strip()
        params = {
            "name": column,
            "count": len(positions),
            "positions": ", ".join(str(p) for p in positions),
        }
        if key in read:
            raise UsageFileError(
                gettext_noop(
                    "the header names column {name!r} {count} times (columns {positions}): "
                    "keep only the one that holds the figures"
                ),
                params=params,
                row=1,
                column=column,
                filename=name,
            )
        warnings.append(
            Worded(
                gettext_noop(
                    "the header names column {name!r} {count} times (columns {positions}); "
                    "it is not read, so this changes nothing"
                ),
                **params,
            )
        )
    return warnings


def _columns_for(fmt: Format, header: list[str], name: str | None) -> dict[str, str]:
    by_norm: dict[str, str] = {}
    for column in header:
        for alias in _names_of(column):
            by_norm.setdefault(_norm(alias), column)
    names: dict[str, str] = {}
    for field, aliases in fmt.fields.items():
        for alias in aliases:
            if _norm(alias) in by_norm:
                names[field] = by_norm[_norm(alias)]
                break
    missing = [fmt.fields[field][0] for field in fmt.required if field not in names]
    if missing:
        raise UsageFileError(
            gettext_noop("this file looks like the {format}, but it is missing column(s): {columns}"),
            params={"format": Worded(fmt.label), "columns": ", ".join(missing)},
            filename=name,
        )
    return names


def _parse(
    stream: IO[bytes],
    native: Native,
    fmt: Format,
    names: dict[str, str],
    name: str | None,
    *,
    hints: _Hints | None = None,
    level: int = 0,
) -> pa.Table | None:
    """The needed columns as a table; None when the bytes are not UTF-8.

    level 0 lets pyarrow parse numbers and the day column; level 1 reads the day as text
    (offsets, slashes, odd formats); level 2 reads everything as text, so a bad value can
    be found and named by line and column.
    """
    start = stream.tell()
    wanted = list(dict.fromkeys(names.values()))
    types = _column_types(fmt, names, wanted, hints, level)
    multiline = fmt.slug in ("helicone", "litellm_spendlogs", "langfuse")
    try:
        return _arrow_read(native() if native is not None else stream, wanted, types, multiline)
    except pa.ArrowInvalid as exc:
        stream.seek(start)
        message = str(exc)
        if "invalid UTF8" in message or "UTF-8" in message:
            return None
        if "CSV parse error" in message or "Expected" in message:
            raise _field_count_error(stream, name, multiline, message) from None
        if level < 2:
            # A value pyarrow refused ("1,234", "abc", "2026/10/01"): read more as text.
            return _parse(stream, native, fmt, names, name, hints=hints, level=level + 1)
        raise UsageFileError(
            gettext_noop("could not read this CSV ({error})"), params={"error": message}, filename=name
        ) from None


def _day_type(fmt: Format, hints: _Hints | None) -> pa.DataType:
    if fmt.day_type == "unix":
        return pa.float64()
    # a file whose first day is a bare date most likely has only dates: date32 is cheaper
    # than timestamps; a later "2026-10-01 10:00" falls back to level 1
    return pa.date32() if hints and hints.plain_dates else pa.timestamp("ns")


def _column_types(
    fmt: Format, names: dict[str, str], wanted: list[str], hints: _Hints | None, level: int
) -> dict[str, pa.DataType]:
    """The arrow type each wanted column is parsed as at this level (see _parse)."""
    numeric = {names[field] for field in fmt.numeric if field in names}
    int_columns = hints.int_columns if hints and level == 0 else frozenset()
    day_column = names.get("day")
    types = {}
    for column in wanted:
        if column in int_columns:
            types[column] = pa.int64()
        elif level < 2 and column in numeric:
            types[column] = pa.float64()
        elif level == 0 and column == day_column:
            types[column] = _day_type(fmt, hints)
        elif level < 2 and column != day_column and column not in _PLAIN_TEXT:
            # ids, flags and currencies repeat: let pyarrow build a dictionary as it parses
            types[column] = pa.dictionary(pa.int32(), pa.string())
        else:
            types[column] = pa.string()
    return types


def _arrow_read(
    source: Any, wanted: list[str], types: dict[str, pa.DataType], multiline: bool
) -> pa.Table:
    # pyarrow names columns as written; include_columns keeps them, in file order
    return pcsv.read_csv(
        source,
        read_options=pcsv.ReadOptions(use_threads=True),
        parse_options=pcsv.ParseOptions(newlines_in_values=multiline),
        convert_options=pcsv.ConvertOptions(
            include_columns=wanted,
            column_types=types,
            null_values=[""],
            strings_can_be_null=False,
            check_utf8=True,
        ),
    )


_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PLAIN_INT = re.compile(r"\d{1,15}")
# Money is read as float64 always; counts as int64 when the first rows are whole numbers.
MONEY_FIELDS = frozenset({"cost", "cost_cny"})


@dataclass(frozen=True)
class _Hints:
    """What the first rows suggest about column types, so pyarrow can parse the cheapest
    way; a later row that disagrees only costs a second, slower parse."""

    plain_dates: bool = False
    int_columns: frozenset[str] = frozenset()


_SAMPLE_ROWS = 50


def _hints(head_text: str, header: list[str], fmt: Format, names: dict[str, str]) -> _Hints:
    try:
        records = csv.reader(io.StringIO(head_text.lstrip("\r\n"), newline=""))
        next(records, None)
        sample = [record for _, record in zip(range(_SAMPLE_ROWS), records, strict=False)]
    except csv.Error:
        return _Hints()
    if sample and not head_text.endswith("\n"):
        sample = sample[:-1]  # the sniffed block may cut the last row short

    def cells(column: str) -> list[str]:
        index = header.index(column)
        return [record[index].strip() for record in sample if index < len(record)]

    plain_dates = False
    day_column = names.get("day")
    if day_column in header:
        days = [cell for cell in cells(day_column) if cell]
        plain_dates = bool(days) and all(_PLAIN_DATE.fullmatch(cell) for cell in days)
    int_columns = set()
    for field in fmt.numeric:
        column = names.get(field)
        if column is None or column not in header or field in MONEY_FIELDS:
            continue
        values = [cell for cell in cells(column) if cell]
        if values and all(_PLAIN_INT.fullmatch(cell) for cell in values):
            int_columns.add(column)
    return _Hints(plain_dates, frozenset(int_columns))


def _field_count_error(
    stream: IO[bytes], name: str | None, multiline: bool, message: str
) -> UsageFileError:
    """Find the first record whose field count differs from the header's (error path only)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    try:
        reader = csv.reader(text)
        expected: int | None = None
        for record in reader:
            if not record:
                continue
            if expected is None:
                expected = len(record)
                continue
            if len(record) != expected:
                return UsageFileError(
                    gettext_noop("line {line} has {count} fields, the header has {expected}"),
                    params={"line": reader.line_num, "count": len(record), "expected": expected},
                    row=reader.line_num,
                    filename=name,
                )
    except csv.Error as exc:
        return UsageFileError(NOT_VALID_CSV, params={"error": str(exc)}, filename=name)
    finally:
        text.detach()
    return UsageFileError(NOT_VALID_CSV, params={"error": message}, filename=name)


def _codes(values: Any, size: int) -> tuple[np.ndarray, list[Any]]:
    """A small integer per row (0 = empty cell) and the value each integer stands for."""
    if values is None or isinstance(values, str):
        # one value for every row: a read-only view of a single zero costs no memory
        return np.broadcast_to(np.int32(0), (size,)), [values]
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_dictionary(values.type):
        values = pc.dictionary_encode(values)
    codes = pc.fill_null(values.indices, -1).to_numpy().astype(np.int32)
    codes += 1
    return codes, [None, *values.dictionary.to_pylist()]


def _combined_key(parts: list[tuple[np.ndarray, int]]) -> tuple[np.ndarray, int | None]:
    """One int64 per row that is equal exactly when all the parts are equal, and the size
    of the key space (None when the key had to be re-numbered to stay within int64)."""
    space = math.prod(cardinality for _, cardinality in parts)
    if space < 2**62:
        key = parts[0][0].astype(np.int64)
        for codes, cardinality in parts[1:]:
            if cardinality > 1:  # a part with one value cannot tell rows apart
                # in place: a million-row temporary per step adds up
                key *= cardinality
                key += codes
        return key, space
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, cardinality in parts:
        if int(key.max(initial=0)) + 1 > (2**62) // max(cardinality, 1):
            # re-number the key so far densely before it could overflow
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
        key *= cardinality
        key += codes
    return key, None


def _split_key(key: np.ndarray, cardinalities: list[int]) -> list[np.ndarray]:
    """The part codes of combined keys, in the order the parts were combined."""
    parts = []
    rest = key.copy()
    for cardinality in reversed(cardinalities):
        rest, part = np.divmod(rest, cardinality)
        parts.append(part)
    return parts[::-1]


# Sums through np.bincount are float64: exact while every total stays below 2**53.
_EXACT_FLOAT = 2**53
_BINCOUNT_SPACE = 2_000_000


def _group_sums(
    key: np.ndarray,
    space: int | None,
    columns: dict[str, np.ndarray],
    cost: np.ndarray | None,
) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray, np.ndarray | None]:
    """Per-group sums: (group keys, count sums, cost sums with NaN where no cost, first row
    of each group or None when the group keys can be split arithmetically)."""
    size = len(key)
    largest = max((int(values.max(initial=0)) for values in columns.values()), default=0)
    if space is not None and space <= _BINCOUNT_SPACE and largest * size < _EXACT_FLOAT:
        rows_per_key = np.bincount(key, minlength=space)
        groups = np.flatnonzero(rows_per_key)
        sums = {
            name: np.bincount(key, weights=values, minlength=space)[groups].astype(np.int64)
            if values.any()
            else np.zeros(len(groups), dtype=np.int64)
            for name, values in columns.items()
        }
        if cost is None:
            costs = np.full(len(groups), np.nan)
        else:
            has_cost = ~np.isnan(cost)
            if has_cost.all():
                costs = np.bincount(key, weights=cost, minlength=space)[groups]
            else:
                cost_sums = np.bincount(key, weights=np.where(has_cost, cost, 0.0),
                                        minlength=space)
                cost_rows = np.bincount(key, weights=has_cost, minlength=space)
                costs = np.where(cost_rows[groups] > 0, cost_sums[groups], np.nan)
        return groups, sums, costs, None
    if cost is None:
        cost = np.full(size, np.nan)
    table = pa.table(
        {
            "key": key,
            "row": np.arange(size, dtype=np.int64),
            **columns,
            "reported_cost": pa.array(cost, type=pa.float64(), from_pandas=True),
        }
    )
    grouped = table.group_by("key").aggregate(
        [("row", "min")]
        + [(name, "sum") for name in columns]
        + [("reported_cost", "sum", pc.ScalarAggregateOptions(min_count=1))]
    )
    sums = {name: grouped[f"{name}_sum"].to_numpy() for name in columns}
    costs = grouped["reported_cost_sum"].to_numpy(zero_copy_only=False).astype(np.float64)
    return grouped["key"].to_numpy(), sums, costs, grouped["row_min"].to_numpy()


def _daily(rows: Rows, cols: Columns, max_models: int | None = None) -> pd.DataFrame:
    keep = rows.keep
    if not keep.any():
        reasons = Joined(
            [
                Worded(gettext_noop("{reason}: {count}"), reason=Worded(reason), count=count)
                for reason, count in rows.skipped.items()
            ]
        )
        raise cols.error(
            None, None, gettext_noop("no usage rows: every row was skipped ({reasons})"), reasons=reasons
        )
    size = cols.num_rows
    # Skipped rows may carry no day at all (NaT): they get code 0 and their groups are
    # dropped below.
    day_numbers = rows.day.astype("datetime64[D]", copy=False).view(np.int64)
    all_kept = bool(keep.all())
    first_day = int(day_numbers.min() if all_kept else day_numbers[keep].min())
    day_codes = day_numbers - first_day
    if not all_kept:
        day_codes[~keep] = 0
    provider_codes, providers = _codes(rows.provider, size)
    model_codes, models = _codes(rows.model, size)
    currency_codes, currencies = _codes(rows.currency, size)
    check_model_count(cols, keep, model_codes, models, max_models)
    check_ids(
        cols,
        keep,
        [
            (gettext_noop("model"), model_codes, models, MODEL_ID_MAX_LENGTH, "model"),
            (gettext_noop("provider"), provider_codes, providers, PROVIDER_MAX_LENGTH, "provider"),
        ],
    )
    batch = rows.batch if rows.batch is not None else np.zeros(size, dtype=bool)
    parts = [
        (day_codes, int(day_codes.max()) + 1),
        (model_codes, len(models)),
        (provider_codes, len(providers)),
        (currency_codes, len(currencies)),
        (batch, 2),
        (keep, 2),
    ]
    # One int64 group key is far cheaper to group by than five columns of strings and flags.
    key, space = _combined_key(parts)
    counts = {
        "requests": rows.requests,
        "tokens_input_uncached": rows.uncached,
        "tokens_cache_read": rows.cache_read,
        "tokens_cache_write": rows.cache_write,
        "tokens_output": rows.output,
    }
    groups, sums, costs, first_rows = _group_sums(key, space, counts, rows.cost)
    check_cost_sums(cols, key, groups, costs, rows.cost, keep)
    if first_rows is None:
        day_g, model_g, provider_g, currency_g, batch_g, kept_g = _split_key(
            groups, [cardinality for _, cardinality in parts]
        )
        day_g = day_g + first_day
    else:
        day_g, model_g, provider_g, currency_g, batch_g, kept_g = (
            day_numbers[first_rows], model_codes[first_rows], provider_codes[first_rows],
            currency_codes[first_rows], batch[first_rows], keep[first_rows],
        )
    kept = kept_g.astype(bool)
    frame = pd.DataFrame(
        {
            "day": day_g[kept].astype("datetime64[D]").astype("datetime64[ns]"),
            "source_provider": pd.Series([providers[c] for c in provider_g[kept]], dtype=object),
            "source_model": pd.Series([models[c] for c in model_g[kept]], dtype=object),
            "batch": batch_g[kept].astype(bool),
            "reported_currency": pd.Series(
                [currencies[c] for c in currency_g[kept]], dtype=object
            ),
        }
    )
    for column in COUNT_COLUMNS:
        frame[column] = sums[column][kept]
    frame["reported_cost"] = costs[kept]
    # Where the export names no vendor, infer it from the model id.
    models_column = frame["source_model"].astype(object)
    inferred = models_column.map({m: infer_provider(m) for m in models_column.unique()})
    given = frame["source_provider"].astype(object)
    frame["source_provider"] = given.where(given.notna() & (given != ""), inferred)
    frame["source_provider"] = frame["source_provider"].str.strip().str.lower()
    # Group again on the decoded strings: the few thousand rows left are cheap to regroup,
    # and equal values from different dictionary entries ("usd", "USD") merge here.
    frame = (
        frame.groupby(KEYS + ["reported_currency"], dropna=False, sort=False)
        .sum(min_count=1)
        .reset_index()
    )
    if np.isinf(frame["reported_cost"].to_numpy(dtype=np.float64)).any():
        raise cost_error(cols, None)  # equal ids merged from differently written cells
    mixed = frame.duplicated(KEYS, keep=False)
    if mixed.any():
        example = frame[mixed].iloc[0]
        raise cols.error(
            None,
            None,
            gettext_noop("model {model!r} on {day} is billed in more than one currency"),
            model=example["source_model"],
            day=str(example["day"]),
        )
    frame = frame.sort_values(KEYS, kind="stable").reset_index(drop=True)
    frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[ns]")
    frame["batch"] = frame["batch"].astype(bool)
    for column in COUNT_COLUMNS:
        frame[column] = frame[column].astype("int64")
    frame["reported_cost"] = frame["reported_cost"].astype("float64")
    for column in ("source_provider", "source_model", "reported_currency"):
        frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
    return frame[CANONICAL_COLUMNS]


def _report(
    fmt: Format, rows_read: int, rows: Rows, frame: pd.DataFrame, warnings: list[str]
) -> UsageReport:
    days = frame["day"]
    return UsageReport(
        format=fmt.slug,
        format_label=fmt.label,
        rows_read=rows_read,
        rows_skipped=sum(rows.skipped.values()),
        skipped=dict(rows.skipped),
        first_day=days.min().date() if len(days) else None,
        last_day=days.max().date() if len(days) else None,
        warnings=list(dict.fromkeys(warnings)),
        models=sorted(frame["source_model"].unique().tolist()),
        has_reported_cost=bool(frame["reported_cost"].notna().any()),
        billed_usage=rows.billed_usage,
        unidentified_meters=rows.unidentified_meters,
    )
