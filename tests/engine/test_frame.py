"""The canonical usage frame's columns (dashboard/engine/frame.py): what the readers produce,
what the profile store keeps and loads back, and what pricing reads, are the same names."""

from __future__ import annotations

import datetime as dt

from dashboard.engine import frame
from dashboard.engine.usage import read_usage
from dashboard.models import UsageDay
from dashboard.profile_store import load_frame, store_profile


def test_a_reader_produces_exactly_the_canonical_columns() -> None:
    data = b"date,model,input_tokens,output_tokens,requests\n2026-10-01,gpt-4o,10,3,2\n"
    usage, _ = read_usage(data, filename="u.csv", today=dt.date(2026, 11, 29))
    assert tuple(usage.columns) == frame.CANONICAL_COLUMNS
    assert usage.loc[0, list(frame.COUNT_COLUMNS)].tolist() == [2, 10, 0, 0, 3]


def test_the_store_keeps_every_canonical_column_and_loads_them_back(db: None) -> None:
    assert set(frame.CANONICAL_COLUMNS) <= {f.name for f in UsageDay._meta.get_fields()}
    data = b"date,model,input_tokens,output_tokens\n2026-10-01,gpt-4o,10,3\n"
    usage, report = read_usage(data, filename="u.csv", today=dt.date(2026, 11, 29))
    profile = store_profile(usage, report, file_name="u.csv")
    assert tuple(load_frame(profile).columns) == frame.CANONICAL_COLUMNS
