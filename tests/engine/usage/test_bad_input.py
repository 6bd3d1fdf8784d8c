"""Each kind of bad upload gives one precise UsageFileError and no frame."""

import gzip
import io

import pytest

from dashboard.engine.usage import TooManyRows, UsageFileError, read_usage

from .conftest import TODAY

GENERIC = "date,model,input_tokens,output_tokens\n"
GOOD_ROW = "2026-10-01,gpt-4o,10,5\n"


def error_for(data, **kwargs) -> UsageFileError:
    if isinstance(data, str):
        data = data.encode("utf-8")
    kwargs.setdefault("today", TODAY)
    with pytest.raises(UsageFileError) as caught:
        read_usage(data, filename="usage.csv", **kwargs)
    return caught.value


def test_empty_file_is_refused():
    assert str(error_for(b"")) == "usage.csv: the file is empty"


def test_file_of_blank_lines_is_empty():
    assert str(error_for("\ufeff  \n\n")) == "usage.csv: the file is empty"


def test_header_without_rows_says_no_data_rows():
    assert str(error_for(GENERIC)) == "usage.csv: the file has a header but no data rows"


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (gzip.compress(GENERIC.encode()), "gzip"),
        (b"PK\x03\x04\x14\x00rest-of-zip", "zip"),
        (b"\xfd7zXZ\x00\x00rest", "xz"),
        (b"BZh91AY&SY", "bzip2"),
        (b"\x28\xb5\x2f\xfd\x00rest", "zstd"),
    ],
)
def test_compressed_files_are_refused_not_inflated(payload, kind):
    message = str(error_for(payload))
    assert message == (
        f"usage.csv: this is a {kind} compressed file: upload the CSV itself, not an archive"
    )


def test_gzip_file_named_csv_gz_on_disk_is_not_inflated(tmp_path):
    path = tmp_path / "usage.csv.gz"
    path.write_bytes(gzip.compress((GENERIC + GOOD_ROW).encode()))
    with pytest.raises(UsageFileError, match="gzip compressed file"):
        read_usage(path, today=TODAY)


def test_nul_bytes_mean_a_binary_file():
    message = str(error_for(GENERIC + "2026-10-01,gpt\x00-4o,10,5\n"))
    assert "contains NUL bytes" in message


def test_latin1_text_is_not_silently_accepted():
    data = (GENERIC + "2026-10-01,café-model,10,5\n").encode("latin-1")
    error = error_for(data)
    assert error.row == 2
    assert str(error) == (
        'usage.csv: line 2 is not UTF-8 text (byte 0xE9): save the file as "CSV UTF-8" '
        "(it is not Chinese GB18030 either) and upload it again"
    )


def test_gbk_chinese_file_is_read_with_a_warning():
    data = ("日期,模型,输入Token,输出Token\n2026-10-01,通义千问,10,5\n").encode("gbk")
    frame, report = read_usage(data, today=TODAY)
    assert frame["source_model"].tolist() == ["通义千问"]
    assert report.warnings == ["the file is not UTF-8; it was read as Chinese GB18030/GBK text"]


def test_gbk_bytes_without_a_known_header_are_refused():
    data = "名称,数量\n苹果,3\n".encode("gbk")
    assert "does not look like a usage export" in str(error_for(data))


def test_non_utf8_bytes_after_the_first_block_are_caught(tmp_path):
    # 70 kB of good rows pushes the latin-1 byte past the 64 kB sniffed at the start
    data = (GENERIC + GOOD_ROW * 3000).encode() + "2026-10-01,café,1,1\n".encode("latin-1")
    assert "not UTF-8 text" in str(error_for(data))


def test_unrelated_csv_names_the_formats_and_the_columns_found():
    assert str(error_for("name,price,colour\napple,3,red\n")) == (
        "usage.csv: this does not look like a usage export: expected e.g. date, model, "
        "input_tokens, output_tokens (generic), an OpenAI/Anthropic/OpenRouter/LiteLLM/"
        "Helicone/Langfuse export or an Azure/AWS/Google/FOCUS cloud bill header; found "
        "columns: name, price, colour"
    )


def test_generic_file_missing_a_required_column_names_it():
    message = str(error_for("date,model,input_tokens\n2026-10-01,gpt-4o,10\n"))
    assert message == (
        "usage.csv: this file looks like the Generic usage CSV (date, model, input_tokens, "
        "output_tokens), but it is missing column(s): output_tokens"
    )


def test_known_format_missing_columns_names_format_and_columns():
    header = "start_time,end_time,start_time_iso,end_time_iso,num_model_requests,input_tokens"
    message = str(error_for(header + "\n1788134400,1788220800,a,b,1.0,10.0\n"))
    assert message == (
        "usage.csv: this file looks like the OpenAI Activity export (completions_usage_*.csv), "
        "but it is missing column(s): model, output_tokens"
    )


def test_non_numeric_token_count_names_line_and_column():
    error = error_for(GENERIC + GOOD_ROW + "2026-10-02,gpt-4o,abc,5\n")
    assert str(error) == "usage.csv, line 3, column 'input_tokens': 'abc' is not a number"
    assert (error.row, error.column, error.filename) == (3, "input_tokens", "usage.csv")


def test_negative_token_count_is_refused():
    error = error_for(GENERIC + "2026-10-01,gpt-4o,10,-5\n")
    assert str(error) == "usage.csv, line 2, column 'output_tokens': -5 is negative"


def test_absurd_token_count_is_refused():
    error = error_for(GENERIC + "2026-10-01,gpt-4o,10000000000001,5\n")
    assert str(error) == (
        "usage.csv, line 2, column 'input_tokens': 10000000000001 is not a plausible count "
        "(over 10^13)"
    )


def test_fractional_token_count_is_refused():
    error = error_for(GENERIC + "2026-10-01,gpt-4o,10.5,5\n")
    assert str(error) == "usage.csv, line 2, column 'input_tokens': 10.5 is not a whole number"


def test_nan_token_count_is_not_a_number():
    error = error_for(GENERIC + "2026-10-01,gpt-4o,NaN,5\n")
    assert error.row == 2 and "is not a number" in error.message


def test_unparseable_date_names_line_and_column():
    error = error_for(GENERIC + GOOD_ROW + "yesterday,gpt-4o,1,5\n")
    assert str(error) == "usage.csv, line 3, column 'date': 'yesterday' is not a date"


def test_impossible_calendar_date_is_refused():
    error = error_for(GENERIC + "2026-02-30,gpt-4o,1,5\n")
    assert str(error) == "usage.csv, line 2, column 'date': '2026-02-30' is not a date"


def test_dates_before_2020_are_refused():
    error = error_for(GENERIC + "2019-12-31,gpt-4o,1,5\n")
    assert str(error) == (
        "usage.csv, line 2, column 'date': 2019-12-31 is before 2020-01-01: not a usage date"
    )


def test_dates_after_today_are_refused():
    error = error_for(GENERIC + "2026-11-30,gpt-4o,1,5\n")
    assert str(error) == (
        "usage.csv, line 2, column 'date': 2026-11-30 is in the future (today is 2026-11-29)"
    )


def test_empty_date_is_refused():
    assert str(error_for(GENERIC + ",gpt-4o,1,5\n")) == (
        "usage.csv, line 2, column 'date': the date is empty"
    )


def test_empty_model_on_a_usage_row_is_refused():
    assert str(error_for(GENERIC + "2026-10-01,,1,5\n")) == (
        "usage.csv, line 2, column 'model': the model is empty on a row with usage"
    )


def test_row_with_too_many_fields_names_its_line():
    error = error_for(GENERIC + GOOD_ROW + "2026-10-01,gpt-4o,10,5,7,8,9\n")
    assert str(error) == "usage.csv: line 3 has 7 fields, the header has 4"
    assert error.row == 3


def test_row_with_too_few_fields_names_its_line():
    error = error_for(GENERIC + GOOD_ROW + GOOD_ROW + "2026-10-01,gpt-4o\n")
    assert str(error) == "usage.csv: line 4 has 2 fields, the header has 4"


def test_more_rows_than_allowed_raises_too_many_rows():
    with pytest.raises(TooManyRows) as caught:
        read_usage((GENERIC + GOOD_ROW * 5).encode(), filename="usage.csv", max_rows=4,
                   today=TODAY)
    assert str(caught.value) == "usage.csv: the file has 5 data rows; the limit is 4"


def test_exactly_max_rows_is_allowed():
    frame, report = read_usage((GENERIC + GOOD_ROW * 4).encode(), max_rows=4, today=TODAY)
    # four identical rows: 4 x 10 input, 4 x 5 output on one day
    assert report.rows_read == 4
    assert frame["tokens_input_uncached"].tolist() == [40]
    assert frame["tokens_output"].tolist() == [20]


def test_unknown_currency_is_refused():
    data = "date,model,input_tokens,output_tokens,cost,currency\n2026-10-01,m,1,1,2.5,EUR\n"
    assert str(error_for(data)) == "usage.csv, line 2, column 'currency': 'EUR' is not USD or CNY"


def test_openai_cost_export_without_line_items_asks_for_group_by_line_item():
    data = (
        "start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,"
        "quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,"
        "organization_name,user_email\n"
        "1788134400,1788220800,2026-08-31T00:00:00,2026-09-01T00:00:00,"
        "0.003400000000000000000000000000000000,usd,,,,,,,org-_,,Personal,\n"
    )
    assert str(error_for(data)) == (
        "usage.csv: this OpenAI cost export is not split by model: export it again from the "
        'Cost tab with "Group by: Line item" (or upload the Activity export instead)'
    )


def test_file_of_only_empty_buckets_has_no_usage_rows():
    header = (
        "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,user_id,"
        "api_key_id,model,batch,input_tokens,output_tokens"
    )
    data = header + "\n1785542400,1785628800,2026-08-01T00:00:00+00:00,x,,,,,,,,\n"
    assert str(error_for(data)) == (
        "usage.csv: no usage rows: every row was skipped (empty bucket: 1)"
    )


def test_missing_path_is_a_usage_file_error(tmp_path):
    with pytest.raises(UsageFileError, match="cannot open the file"):
        read_usage(tmp_path / "nope.csv")


def test_cached_tokens_larger_than_input_are_refused():
    header = (
        "start_time,end_time,start_time_iso,end_time_iso,num_model_requests,model,"
        "input_tokens,output_tokens,input_cached_tokens"
    )
    data = header + "\n1788134400,1788220800,a,b,1.0,gpt-4o,10.0,1.0,20.0\n"
    error = error_for(data)
    assert str(error) == (
        "usage.csv, line 2, column 'input_cached_tokens': input_cached_tokens is larger than "
        "input_tokens"
    )


def test_a_file_object_is_read_from_its_position_and_left_open():
    handle = io.BytesIO((GENERIC + GOOD_ROW).encode())
    frame, _ = read_usage(handle, today=TODAY)
    assert not handle.closed
    assert frame["tokens_input_uncached"].tolist() == [10]


def test_plain_csv_named_like_a_gzip_file_is_read_as_is(tmp_path):
    # nothing may decompress by file name: a plain CSV called .gz is just a CSV
    path = tmp_path / "usage.csv.gz"
    path.write_bytes((GENERIC + GOOD_ROW).encode())
    frame, _ = read_usage(path, today=TODAY)
    assert frame["tokens_input_uncached"].tolist() == [10]


def test_semicolon_separated_file_gets_a_hint():
    message = str(error_for("date;model;input_tokens;output_tokens\n2026-10-01;m;1;1\n"))
    assert message.endswith(
        "found columns: date;model;input_tokens;output_tokens (values seem separated by "
        "semicolons: save the file as comma-separated CSV)"
    )


def test_blank_lines_above_the_header_are_counted_in_line_numbers():
    error = error_for("\n\n" + GENERIC + GOOD_ROW + "2026-10-02,gpt-4o,abc,5\n")
    # two blank lines, the header on line 3, the bad row on line 5
    assert error.row == 5
