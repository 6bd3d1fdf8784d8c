"""Shared inputs for the upload, profile and API tests."""

from __future__ import annotations

import gzip
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "usage"
SAMPLE_FILES = sorted(SAMPLES_DIR.glob("*.csv"))

GENERIC_HEADER = "date,model,input_tokens,output_tokens\n"

# A small generic-format export whose totals the tests work out by hand.
SMALL_GENERIC_CSV = (
    "date,model,input_tokens,cached_input_tokens,output_tokens,requests,cost,currency\n"
    "2026-10-01,gpt-4o-2024-08-06,1000,200,300,4,0.0125,USD\n"
    "2026-10-01,deepseek-chat,5000,0,700,10,0.002,USD\n"
    "2026-10-02,gpt-4o-2024-08-06,3000,0,100,6,0.02,USD\n"
)


def csv_file(content: str | bytes, name: str = "usage.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _zip_bytes(name: str, content: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


@dataclass(frozen=True)
class BadInput:
    id: str
    content: bytes
    status: int
    # Pieces of the message the user must see (the reader's wording, file/line/column).
    expected: tuple[str, ...]


BAD_INPUTS = [
    BadInput("empty_file", b"", 400, ("The file is empty",)),
    BadInput("header_only", GENERIC_HEADER.encode(), 400, ("no data rows",)),
    BadInput(
        "binary_bytes",
        bytes(range(256)) * 8,
        400,
        ("usage.csv: the file contains NUL bytes: it is a binary file, not a CSV text export",),
    ),
    BadInput(
        "non_utf8_bytes",
        (GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n").encode() + b"2026-10-02,gpt\xff\xfe,1,1\n",
        400,
        ("usage.csv: line 3 is not UTF-8 text (byte 0xFF)",),
    ),
    BadInput(
        "nul_bytes",
        (GENERIC_HEADER + "2026-10-01,gpt-4o\x00,1,1\n").encode(),
        400,
        ("NUL bytes",),
    ),
    BadInput(
        "unrelated_csv",
        b"name,age,city\nalice,30,Paris\n",
        400,
        ("date", "model", "input_tokens", "output_tokens", "name, age, city"),
    ),
    BadInput(
        "recognised_format_missing_column",
        b"start_time,end_time,start_time_iso,end_time_iso,num_model_requests,model,input_tokens\n"
        b"1788134400,1788220800,2026-08-31T00:00:00+00:00,2026-09-01T00:00:00+00:00,4.0,"
        b"gpt-4o-mini-2024-07-18,31422.0\n",
        400,
        ("OpenAI Activity", "missing column(s): output_tokens"),
    ),
    BadInput(
        "non_numeric_tokens",
        (GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n2026-10-02,gpt-4o,abc,1\n").encode(),
        400,
        ("line 3", "column 'input_tokens'", "'abc' is not a number"),
    ),
    BadInput(
        "negative_tokens",
        (GENERIC_HEADER + "2026-10-01,gpt-4o,1,-5\n").encode(),
        400,
        ("line 2", "column 'output_tokens'", "-5 is negative"),
    ),
    BadInput(
        "absurd_tokens",
        (GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n2026-10-02,gpt-4o,100000000000000,1\n").encode(),
        400,
        ("line 3", "column 'input_tokens'", "not a plausible count (over 10^13)"),
    ),
    BadInput(
        "unparseable_date",
        (GENERIC_HEADER + "yesterday,gpt-4o,1,1\n").encode(),
        400,
        ("line 2", "column 'date'", "'yesterday' is not a date"),
    ),
    BadInput(
        "date_before_2020",
        (GENERIC_HEADER + "2019-12-31,gpt-4o,1,1\n").encode(),
        400,
        ("line 2", "column 'date'", "before 2020-01-01"),
    ),
    BadInput(
        "date_in_future",
        (GENERIC_HEADER + "2099-01-01,gpt-4o,1,1\n").encode(),
        400,
        ("line 2", "column 'date'", "in the future"),
    ),
    BadInput(
        "gzip_file",
        gzip.compress((GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n").encode()),
        400,
        ("gzip compressed", "upload the CSV itself"),
    ),
    BadInput(
        "zip_file",
        _zip_bytes("usage.csv", GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n"),
        400,
        ("zip compressed", "upload the CSV itself"),
    ),
    BadInput(
        "model_id_longer_than_the_column",
        (GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n2026-10-02," + "x" * 301 + ",1,1\n").encode(),
        400,
        ("line 3, column 'model': the model id 'xxx", "is 301 characters long; the limit is 300"),
    ),
    BadInput(
        "control_character_in_model_id",
        (GENERIC_HEADER + "2026-10-01,gpt-4o\x07,1,1\n").encode(),
        400,
        ("line 2, column 'model': the model id 'gpt-4o\\x07' contains a control character",),
    ),
    BadInput(
        "costs_summing_to_infinity",
        (
            b"date,model,input_tokens,output_tokens,cost,currency\n"
            b"2026-10-01,gpt-4o,1,1,1e308,USD\n2026-10-01,gpt-4o,1,1,1e308,USD\n"
        ),
        400,
        ("line 3, column 'cost': the billed costs of this model and day summed up to this line",),
    ),
    BadInput(
        "repeated_header_column",
        (GENERIC_HEADER.strip() + ",output_tokens\n2026-10-01,gpt-4o,1,1,5\n").encode(),
        400,
        ("line 1, column 'output_tokens': the header names column 'output_tokens' 2 times",),
    ),
    BadInput(
        "row_with_too_many_fields",
        (GENERIC_HEADER + "2026-10-01,gpt-4o,1,1\n2026-10-02,gpt-4o,1,1,9,9\n").encode(),
        400,
        ("line 3 has 6 fields, the header has 4",),
    ),
]


@pytest.fixture
def background(settings, tmp_path: Path) -> Path:
    """Uploads past 100 bytes go through the background task (the small sample, about 230
    bytes, is "large"); returns the folder the files wait in."""
    settings.UPLOAD_BACKGROUND_BYTES = 100
    settings.UPLOAD_SPOOL_DIR = tmp_path / "spool"
    return settings.UPLOAD_SPOOL_DIR


@pytest.fixture
def small_generic_file() -> SimpleUploadedFile:
    return csv_file(SMALL_GENERIC_CSV, "team_usage.csv")
