"""Whatever bytes arrive, read_usage either reads them or raises UsageFileError."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.engine.usage import UsageFileError, read_usage
from dashboard.engine.usage.columns import EARLIEST_DAY
from dashboard.engine.usage.reader import CANONICAL_COLUMNS, COUNT_COLUMNS

from .conftest import TODAY

HEADERS = [
    "date,model,input_tokens,output_tokens",
    "date,model,input_tokens,output_tokens,cached_input_tokens,cost,currency,batch",
    "start_time,end_time,start_time_iso,end_time_iso,num_model_requests,model,input_tokens,"
    "output_tokens,input_cached_tokens",
    "usage_date_utc,model_version,usage_input_tokens_no_cache,usage_output_tokens",
    "generation_id,created_at,cost_total,tokens_prompt,tokens_completion,model_permaslug,"
    "cancelled",
    "Date,Slug,Usage,BYOK Usage,Requests,Prompt Tokens,Completion Tokens",
    "start_time,end_time,amount_value,amount_currency,quantity,line_item",
]
CELLS = st.one_of(
    st.sampled_from(["", "0", "1", "31422.0", "-5", "abc", "1e20", "NaN", "2026-10-01",
                     "1788134400", "2019-01-01", "gpt-4o", "True", "false", '"1,000"',
                     "2026-10-01T23:00:00-05:00", "\u2264 200k", "gpt-4o, input"]),
    st.text(max_size=8),
)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def read_or_refuse(data: bytes) -> None:
    try:
        frame, report = read_usage(data, filename="x.csv", today=TODAY)
    except UsageFileError:
        return
    keeps_the_frame_rules(frame, report)


def keeps_the_frame_rules(frame, report) -> None:
    # Rows are summed per day, model and batch flag: never more rows out than were read.
    assert 0 < len(frame) <= report.rows_read
    assert list(frame.columns) == CANONICAL_COLUMNS
    for column in COUNT_COLUMNS:
        assert (frame[column] >= 0).all()
    # The report's period is the frame's, and it lies between 2020-01-01 and today.
    days = frame["day"].dt.date
    assert (report.first_day, report.last_day) == (days.min(), days.max())
    assert EARLIEST_DAY <= report.first_day and report.last_day <= TODAY


@SETTINGS
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_but_usage_file_error(data):
    read_or_refuse(data)


@SETTINGS
@given(
    st.sampled_from(HEADERS),
    st.lists(st.lists(CELLS, min_size=1, max_size=10), min_size=0, max_size=6),
)
def test_csv_shaped_text_never_raises_anything_but_usage_file_error(header, rows):
    text = header + "\n" + "\n".join(",".join(row) for row in rows) + "\n"
    read_or_refuse(text.encode("utf-8"))


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises_anything_but_usage_file_error(text):
    read_or_refuse(text.encode("utf-8"))


ROW = st.tuples(
    st.integers(1, 9),  # day of October 2026
    st.sampled_from(["gpt-4o", " gpt-4o", "deepseek-chat", "qwen-plus"]),
    st.integers(0, 10**12),
    st.integers(0, 10**9),
    st.one_of(st.just(""), st.integers(0, 1000).map(str)),
    st.booleans(),
)


@SETTINGS
@given(st.lists(ROW, min_size=1, max_size=80))
def test_generic_totals_match_a_plain_python_sum(rows):
    lines = ["date,model,input_tokens,output_tokens,cached_input_tokens,batch"]
    expected: dict[tuple[str, str, bool], list[int]] = {}
    for day, model, inp, out, cached, batch in rows:
        lines.append(f"2026-10-0{day},{model},{inp},{out},{cached},{batch}")
        total = expected.setdefault((f"2026-10-0{day}", model.strip(), batch), [0, 0, 0])
        total[0] += inp
        total[1] += out
        total[2] += int(cached or 0)
    frame, report = read_usage(("\n".join(lines) + "\n").encode(), today=TODAY)
    got = {
        (row.day.date().isoformat(), row.source_model, bool(row.batch)):
        [row.tokens_input_uncached, row.tokens_output, row.tokens_cache_read]
        for row in frame.itertuples()
    }
    assert got == expected
    assert report.rows_read == len(rows)
    keeps_the_frame_rules(frame, report)
    days = sorted(day for day, _, _ in expected)
    assert (report.first_day.isoformat(), report.last_day.isoformat()) == (days[0], days[-1])
    assert report.models == sorted({model for _, model, _ in expected})
