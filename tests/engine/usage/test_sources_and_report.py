"""What read_usage accepts as a source, and the report's JSON round trip."""

import datetime
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from dashboard.engine.usage import UsageReport, read_usage

from .conftest import SAMPLES, TODAY

NAME = "usage_generic.csv"


class OneWayStream(io.RawIOBase):
    """A stream that cannot seek, like a socket or a pipe."""

    def __init__(self, data: bytes) -> None:
        self.inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def expected():
    return read_usage(SAMPLES / NAME, today=TODAY)[0]


def test_path_string_path_object_and_bytes_give_the_same_frame():
    data = (SAMPLES / NAME).read_bytes()
    for source in (str(SAMPLES / NAME), SAMPLES / NAME, data, bytearray(data)):
        assert read_usage(source, today=TODAY)[0].equals(expected())


def test_filename_defaults_to_the_path_name_in_messages(tmp_path):
    path = tmp_path / "my usage.csv"
    path.write_text("a,b\n1,2\n")
    try:
        read_usage(path, today=TODAY)
    except ValueError as error:
        assert str(error).startswith("my usage.csv: this does not look like a usage export")


def test_unseekable_stream_is_read_whole():
    stream = OneWayStream((SAMPLES / NAME).read_bytes())
    assert read_usage(stream, today=TODAY)[0].equals(expected())


def test_named_temporary_upload_file_is_read_and_left_open():
    with tempfile.NamedTemporaryFile(suffix=".upload") as handle:
        handle.write((SAMPLES / NAME).read_bytes())
        handle.flush()
        handle.seek(0)
        frame, _ = read_usage(handle.file, filename="upload.csv", today=TODAY)
        assert not handle.closed
    assert frame.equals(expected())


def test_file_object_is_read_from_its_current_position():
    handle = io.BytesIO(b"junk before the csv\n" + (SAMPLES / NAME).read_bytes())
    handle.seek(len(b"junk before the csv\n"))
    assert read_usage(handle, today=TODAY)[0].equals(expected())


def test_today_defaults_to_the_current_utc_date():
    future = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=2))
    data = f"date,model,input_tokens,output_tokens\n{future.isoformat()},m,1,1\n".encode()
    try:
        read_usage(data)
    except ValueError as error:
        assert "is in the future" in str(error)
    else:
        raise AssertionError("a date two days ahead was accepted")


def test_report_survives_a_json_round_trip():
    _, report = read_usage(SAMPLES / "cost_2026-08-01_2026-08-03.csv", today=TODAY)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["first_day"] == "2026-08-02"
    assert data["skipped"] == {"empty bucket": 1, "non-model line item": 1}
    assert UsageReport.from_dict(data) == report


def test_report_from_dict_accepts_missing_days():
    report = UsageReport(format="generic", format_label="Generic", rows_read=0)
    assert UsageReport.from_dict(report.to_dict()) == report


def test_usage_engine_never_imports_django():
    code = (
        "import sys\n"
        "import dashboard.engine.usage, dashboard.engine.usage.resolve\n"
        "print(any(name == 'django' or name.startswith('django.') for name in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "False"
