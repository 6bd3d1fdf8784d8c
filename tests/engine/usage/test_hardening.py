"""Issue 11: totals that cannot wrap, ids the store can hold, one encoding per file, CR-only
line ends and repeated header columns. Each case names the line and column it blames."""

from __future__ import annotations

import pytest

from dashboard.engine.usage import TooManyRows, UsageFileError, read_usage
from dashboard.engine.usage.errors import TooManyModels

from .conftest import TODAY

GENERIC = "date,model,input_tokens,output_tokens\n"
ROW = "2026-10-01,gpt-4o,1,2\n"


def read(data: str | bytes, **kwargs):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return read_usage(data, filename="usage.csv", today=TODAY, **kwargs)


def error_for(data: str | bytes, **kwargs) -> UsageFileError:
    with pytest.raises(UsageFileError) as caught:
        read(data, **kwargs)
    return caught.value


# --- 1. totals that cannot lie --------------------------------------------------------------


def test_day_total_past_int64_is_refused_at_the_line_where_it_passes():
    # Each cell is under the 10^13 per-cell limit; 922,338 of them sum to
    # 9,223,379,999,990,777,662 > 2^63 - 1 = 9,223,372,036,854,775,807, and 922,337 of them to
    # 9,223,369,999,990,777,663, still below: the 922,338th data row (line 922,339) passes it.
    cells = 9_999_999_999_999
    rows = 922_338
    assert cells * (rows - 1) < 2**63 - 1 < cells * rows
    data = GENERIC.encode() + f"2026-10-01,gpt-4o,{cells},1\n".encode() * rows

    error = error_for(data)

    assert error.row == rows + 1
    assert error.column == "input_tokens"
    assert "uncached input token counts summed up to this line pass 9,223,372,036,854,775,807" in (
        str(error)
    )
    assert error.template.startswith("the {kind} counts summed")


def test_a_total_just_under_int64_is_stored_exactly():
    cells = 9_999_999_999_999
    rows = 922_337
    data = GENERIC.encode() + f"2026-10-01,gpt-4o,{cells},1\n".encode() * rows

    frame, _ = read(data)

    assert frame["tokens_input_uncached"].tolist() == [cells * rows]
    assert frame["tokens_output"].tolist() == [rows]


def test_two_costs_of_1e308_on_one_day_are_refused_with_line_and_column():
    data = (
        "date,model,input_tokens,output_tokens,cost,currency\n"
        "2026-10-01,gpt-4o,1,2,1e308,USD\n"
        "2026-10-02,gpt-4o,1,2,1e308,USD\n"
        "2026-10-01,gpt-4o,1,2,1e308,USD\n"
    )
    error = error_for(data)

    # days 1 and 2 alone are finite; the second 2026-10-01 row (line 4) makes inf
    assert (error.row, error.column) == (4, "cost")
    assert "too large to store (not a finite number)" in str(error)


def test_costs_of_1e308_on_different_days_are_kept():
    data = (
        "date,model,input_tokens,output_tokens,cost,currency\n"
        "2026-10-01,gpt-4o,1,2,1e308,USD\n"
        "2026-10-02,gpt-4o,1,2,1e308,USD\n"
    )
    frame, _ = read(data)
    assert frame["reported_cost"].tolist() == [1e308, 1e308]


# --- 2. distinct source models ----------------------------------------------------------------


def test_more_distinct_models_than_the_limit_is_refused_with_the_count_and_limit():
    data = GENERIC + "".join(f"2026-10-01,model-{i},1,2\n" for i in range(5))

    error = error_for(data, max_models=4)

    assert isinstance(error, TooManyModels)
    assert error.params == {"count": 5, "limit": 4}
    assert "the file has 5 distinct model ids; the limit is 4 per upload" in str(error)


def test_models_at_the_limit_are_read():
    data = GENERIC + "".join(f"2026-10-01,model-{i},1,2\n" for i in range(4))
    frame, _ = read(data, max_models=4)
    assert sorted(frame["source_model"]) == ["model-0", "model-1", "model-2", "model-3"]


# --- 7. ids the store can hold ----------------------------------------------------------------


def test_model_id_over_300_characters_is_refused_naming_it_and_its_line():
    long_id = "m" * 301
    error = error_for(GENERIC + ROW + f"2026-10-02,{long_id},1,2\n")

    assert (error.row, error.column) == (3, "model")
    assert error.params["length"] == 301
    assert "the model id 'mmmmm" in str(error)
    assert "is 301 characters long; the limit is 300" in str(error)


def test_model_id_of_300_characters_is_kept():
    frame, _ = read(GENERIC + f"2026-10-02,{'m' * 300},1,2\n")
    assert frame["source_model"].tolist() == ["m" * 300]


def test_provider_over_100_characters_is_refused():
    data = "date,model,provider,input_tokens,output_tokens\n" + f"2026-10-01,gpt-4o,{'p' * 101},1,2\n"
    error = error_for(data)
    assert (error.row, error.column) == (2, "provider")
    assert "the provider id 'ppp" in str(error)
    assert "is 101 characters long; the limit is 100" in str(error)


def test_control_character_in_a_model_id_is_refused():
    error = error_for(GENERIC + ROW + "2026-10-02,gpt-4o\x1b[31m,1,2\n")
    assert (error.row, error.column) == (3, "model")
    assert "the model id 'gpt-4o\\x1b[31m' contains a control character (U+001B)" in str(error)


# --- 11. header, encoding, line ends ------------------------------------------------------------


def test_a_repeated_column_the_format_reads_is_an_error_naming_it():
    error = error_for("date,model,input_tokens,output_tokens,Input_Tokens\n2026-10-01,gpt-4o,1,2,3\n")
    assert (error.row, error.column) == (1, "input_tokens")
    assert "names column 'input_tokens' 2 times (columns 3, 5)" in str(error)


def test_a_repeated_column_that_is_not_read_is_named_in_a_warning():
    frame, report = read("date,model,input_tokens,output_tokens,note,note\n2026-10-01,gpt-4o,1,2,a,b\n")
    assert frame["tokens_input_uncached"].tolist() == [1]
    assert report.warnings == [
        "the header names column 'note' 2 times (columns 5, 6); it is not read, so this changes "
        "nothing"
    ]


def test_cr_only_line_ends_are_read():
    data = GENERIC.replace("\n", "\r") + "2026-10-01,gpt-4o,1,2\r2026-10-02,gpt-4o,3,4\r"
    frame, _ = read(data)
    assert frame["tokens_input_uncached"].tolist() == [1, 3]
    assert frame["tokens_output"].tolist() == [2, 4]


def test_cr_only_line_numbers_count_each_cr():
    data = "\r\r" + GENERIC.replace("\n", "\r") + "2026-10-01,gpt-4o,1,2\r2026-10-02,gpt-4o,1,-2\r"
    error = error_for(data)
    assert (error.row, error.column) == (5, "output_tokens")
    assert "-2 is negative" in str(error)


def _ascii_rows_past_the_sniffed_block() -> bytes:
    rows = 70_000 // len(ROW)  # about 70 kB: past the 64 kB the header sniff reads
    return GENERIC.encode() + ROW.encode() * rows


def test_latin1_bytes_after_64_kb_are_not_read_as_gb18030():
    head = _ascii_rows_past_the_sniffed_block()
    line = head.count(b"\n") + 1
    data = head + "2026-10-02,modèle,1,2\n".encode("latin-1")

    error = error_for(data)

    assert error.row == line
    assert f"line {line} is not UTF-8 text (byte 0xE8)" in str(error)
    assert "not Chinese GB18030 either" in str(error)


def test_utf8_head_decides_the_encoding_for_the_whole_file():
    # The head holds UTF-8 Chinese; a GB18030 row after 64 kB cannot switch the file over.
    head = GENERIC.encode() + "2026-10-01,模型,1,2\n".encode() + ROW.encode() * (70_000 // len(ROW))
    line = head.count(b"\n") + 1
    data = head + "2026-10-02,模型,1,2\n".encode("gb18030")

    error = error_for(data)

    assert error.row == line
    # 模 is C4 A3 in GB18030, which is also valid UTF-8 (U+0123); 型's D0 CD is not
    assert f"line {line} is not UTF-8 text (byte 0xD0)" in str(error)


def test_gb18030_chinese_after_64_kb_of_ascii_is_still_read():
    data = _ascii_rows_past_the_sniffed_block() + "2026-10-02,模型,1,2\n".encode("gb18030")
    frame, report = read(data)
    assert "模型" in frame["source_model"].tolist()
    assert report.warnings == ["the file is not UTF-8; it was read as Chinese GB18030/GBK text"]


def test_row_limit_still_applies():
    with pytest.raises(TooManyRows):
        read(GENERIC + ROW * 3, max_rows=2)
